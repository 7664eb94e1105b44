"""Priorities, user placeholders and the scheduling settings of user pods.

When a cluster is full, Kubernetes evicts the lowest priority first: core pods
(hub, proxy, user scheduler) stay above users, and users above image pullers
and placeholders. Placeholders are pause pods the size of a user server; they
keep room warm (an autoscaler adds nodes for them) and a real user pre-empts
one instantly instead of waiting for a new node.
"""

from __future__ import annotations

from cdk8s_plus_27 import k8s
from constructs import Construct

from .config.scheduling import PAUSE_IMAGE, Priorities, SchedulingSettings, UserPods
from .config.singleuser import SingleuserSettings
from .hub.config_file import ConfigFile
from .naming import PRIORITY, USER_PLACEHOLDER, Names
from .workload import (
    NO_ENDPOINT_LIVENESS,
    NO_ENDPOINT_READINESS,
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    quantity,
    restricted_container_security,
    restricted_pod_security,
)

PAUSE_UID = 65535  # the pause image's own non-root user
CORE, USER, IMAGE_PULLER, PLACEHOLDER = "core", "user", "image-puller", "user-placeholder"


def priority_value(priorities: Priorities, tier: str) -> int:
    return {CORE: priorities.core, USER: priorities.user, IMAGE_PULLER: priorities.image_puller, PLACEHOLDER: priorities.placeholder}[tier]


class PriorityClasses(Construct):
    """The cluster-scoped PriorityClasses of one environment, one per tier in use."""

    DESCRIPTIONS = {
        CORE: "JupyterHub core pods (hub, proxy, user scheduler): never evicted for user load.",
        USER: "JupyterHub user servers.",
        IMAGE_PULLER: "JupyterHub image pullers: below users so they never keep a user out.",
        PLACEHOLDER: "JupyterHub user placeholders: pre-empted by any real user.",
    }

    def __init__(self, scope: Construct, id: str, *, priorities: Priorities, tiers: list[str], names: Names):
        super().__init__(scope, id)
        for tier in tiers:
            k8s.KubePriorityClass(
                self,
                tier,
                metadata=k8s.ObjectMeta(
                    name=names.priority_class(tier),
                    labels=names.labels(PRIORITY),
                    # Pods naming a class that does not exist yet are refused: apply the classes first.
                    annotations={"argocd.argoproj.io/sync-wave": "-1"},
                ),
                value=priority_value(priorities, tier),
                global_default=False,
                description=self.DESCRIPTIONS[tier],
            )


def user_pod_placement(user_pods: UserPods) -> dict:
    """Keyword arguments of `k8s.PodSpec` that put a pod on the nodes user pods go to."""
    return {
        "node_selector": dict(sorted(user_pods.node_selector.items())) or None,
        "tolerations": [
            k8s.Toleration(key=t.key, operator=t.operator, value=t.value, effect=t.effect) for t in user_pods.tolerations
        ]
        or None,
    }


def configure_scheduling(file: ConfigFile, scheduling: SchedulingSettings, names: Names) -> None:
    """KubeSpawner settings that give user pods their scheduler, priority and nodes."""
    file.section("User servers: scheduling")
    if scheduling.user_scheduler.enabled:
        file.set("KubeSpawner", "scheduler_name", names.user_scheduler_name)
    file.set("KubeSpawner", "priority_class_name", names.priority_class(USER))
    user_pods = scheduling.user_pods
    if user_pods.node_selector:
        file.set("KubeSpawner", "node_selector", dict(sorted(user_pods.node_selector.items())))
    if user_pods.tolerations:
        file.set("KubeSpawner", "tolerations", [toleration.to_kubernetes() for toleration in user_pods.tolerations])


class UserPlaceholders(Construct):
    """A StatefulSet of pause pods that each request what one user server is guaranteed."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        scheduling: SchedulingSettings,
        singleuser: SingleuserSettings,
        names: Names,
    ):
        super().__init__(scope, id)
        labels = names.labels(USER_PLACEHOLDER)
        name = names.of("user-placeholder")
        requests = {"cpu": quantity(singleuser.cpu.guarantee), "memory": quantity(singleuser.memory.guarantee)}
        container = k8s.Container(
            name="pause",
            image=PAUSE_IMAGE,
            image_pull_policy="IfNotPresent",
            resources=k8s.ResourceRequirements(requests=requests, limits=requests),
            security_context=restricted_container_security(),
        )
        k8s.KubeStatefulSet(
            self,
            "statefulset",
            metadata=k8s.ObjectMeta(
                name=name,
                labels=labels,
                annotations=accepted_findings(
                    PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, NO_ENDPOINT_LIVENESS, NO_ENDPOINT_READINESS
                ),
            ),
            spec=k8s.StatefulSetSpec(
                replicas=scheduling.user_placeholders.replicas,
                # No Service: placeholders are never reached; the field only names the pods' domain.
                service_name=name,
                pod_management_policy="Parallel",
                revision_history_limit=5,
                selector=k8s.LabelSelector(match_labels=names.selector(USER_PLACEHOLDER)),
                template=k8s.PodTemplateSpec(
                    metadata=k8s.ObjectMeta(labels=labels),
                    spec=k8s.PodSpec(
                        priority_class_name=names.priority_class(PLACEHOLDER),
                        # Placed like users, so the room they keep is where users will go.
                        scheduler_name=names.user_scheduler_name if scheduling.user_scheduler.enabled else None,
                        automount_service_account_token=False,
                        security_context=restricted_pod_security(PAUSE_UID),
                        # Pre-emption must free the room at once.
                        termination_grace_period_seconds=0,
                        containers=[container],
                        enable_service_links=False,
                        **user_pod_placement(scheduling.user_pods),
                    ),
                ),
            ),
        )
