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

from .assembly import Part
from .config.scheduling import PAUSE_IMAGE, Priorities, SchedulingSettings, UserPods
from .config.singleuser import SingleuserSettings
from .hub.config_file import ConfigFile
from .kube import kube_object
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
    return {
        CORE: priorities.core,
        USER: priorities.user,
        IMAGE_PULLER: priorities.image_puller,
        PLACEHOLDER: priorities.placeholder,
    }[tier]


class PriorityClasses(Part):
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
            kube_object(
                self,
                tier,
                k8s.KubePriorityClass,
                {
                    "metadata": {
                        "name": names.priority_class(tier),
                        "labels": names.labels(PRIORITY),
                        # Pods naming a class that does not exist yet are refused: apply the classes first.
                        "annotations": {"argocd.argoproj.io/sync-wave": "-1"},
                    },
                    "value": priority_value(priorities, tier),
                    "globalDefault": False,
                    "description": self.DESCRIPTIONS[tier],
                },
            )


def user_pod_placement(user_pods: UserPods) -> dict:
    """Fields of a PodSpec that put a pod on the nodes user pods go to."""
    return {
        "nodeSelector": dict(sorted(user_pods.node_selector.items())) or None,
        "tolerations": [toleration.to_kubernetes() for toleration in user_pods.tolerations] or None,
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


class UserPlaceholders(Part):
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
        container = {
            "name": "pause",
            "image": PAUSE_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "resources": {"requests": requests, "limits": requests},
            "securityContext": restricted_container_security(),
        }
        kube_object(
            self,
            "statefulset",
            k8s.KubeStatefulSet,
            {
                "metadata": {
                    "name": name,
                    "labels": labels,
                    "annotations": accepted_findings(
                        PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, NO_ENDPOINT_LIVENESS, NO_ENDPOINT_READINESS
                    ),
                },
                "spec": {
                    "replicas": scheduling.user_placeholders.replicas,
                    # No Service: placeholders are never reached; the field only names the pods' domain.
                    "serviceName": name,
                    "podManagementPolicy": "Parallel",
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": names.selector(USER_PLACEHOLDER)},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "priorityClassName": names.priority_class(PLACEHOLDER),
                            # Placed like users, so the room they keep is where users will go.
                            "schedulerName": names.user_scheduler_name if scheduling.user_scheduler.enabled else None,
                            "automountServiceAccountToken": False,
                            "securityContext": restricted_pod_security(PAUSE_UID),
                            # Pre-emption must free the room at once.
                            "terminationGracePeriodSeconds": 0,
                            "containers": [container],
                            "enableServiceLinks": False,
                            **user_pod_placement(scheduling.user_pods),
                        },
                    },
                },
            },
        )
