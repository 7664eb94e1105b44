"""The user scheduler: a kube-scheduler of our own that packs user pods onto few nodes.

The default scheduler spreads pods, so every node keeps a user or two and a
cluster autoscaler can never remove one. This scheduler scores nodes by how
full they already are (`NodeResourcesFit` with `MostAllocated`) and leaves out
the score plugins that spread, so users fill one node before the next and
empty nodes can be drained.
"""

from __future__ import annotations

import hashlib

import yaml
from cdk8s_plus_27 import k8s
from constructs import Construct

from .config.scheduling import UserScheduler
from .naming import USER_SCHEDULER, Names
from .rbac import Identity
from .workload import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    resource_requirements,
    restricted_container_security,
    restricted_pod_security,
)

CONFIG_DIR = "/etc/user-scheduler"
CONFIG_FILE = "config.yaml"
SECURE_PORT = 10259  # kube-scheduler's HTTPS port: /healthz is served there without authentication
SCHEDULER_UID = 65534
# Score plugins that prefer emptier or evenly used nodes; packing is the point.
SPREADING_SCORE_PLUGINS = ("NodeResourcesBalancedAllocation", "PodTopologySpread")
# ClusterRoles every cluster ships for its own kube-scheduler. A kube-scheduler
# must not be newer than the API server, so these roles always cover what this
# scheduler reads; the only extra it needs is its own leader-election lease.
BUILT_IN_ROLES = {"kube-scheduler": "system:kube-scheduler", "volume-scheduler": "system:volume-scheduler"}


def scheduler_configuration(settings: UserScheduler, names: Names) -> dict:
    """The KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) of the user scheduler."""
    return {
        "apiVersion": "kubescheduler.config.k8s.io/v1",
        "kind": "KubeSchedulerConfiguration",
        # pprof on the HTTPS port would let anyone the API server authorizes read memory profiles.
        "enableProfiling": False,
        "leaderElection": {
            "leaderElect": True,
            "resourceLock": "leases",
            "resourceName": names.user_scheduler_lock,
            "resourceNamespace": names.namespace,
        },
        "profiles": [
            {
                "schedulerName": names.user_scheduler_name,
                "plugins": {"score": {"disabled": [{"name": plugin} for plugin in SPREADING_SCORE_PLUGINS]}},
                "pluginConfig": [
                    {
                        "name": "NodeResourcesFit",
                        "args": {
                            "scoringStrategy": {
                                "type": "MostAllocated",
                                "resources": [
                                    {"name": "cpu", "weight": settings.cpu_weight},
                                    {"name": "memory", "weight": settings.memory_weight},
                                ],
                            }
                        },
                    }
                ],
            }
        ],
    }


def _health_probe(*, period: int, failures: int, initial_delay: int) -> k8s.Probe:
    return k8s.Probe(
        http_get=k8s.HttpGetAction(path="/healthz", port=k8s.IntOrString.from_number(SECURE_PORT), scheme="HTTPS"),
        period_seconds=period,
        failure_threshold=failures,
        initial_delay_seconds=initial_delay,
        timeout_seconds=3,
    )


class UserSchedulerDeployment(Construct):
    """Deployment, config, RBAC and disruption budget of the user scheduler."""

    def __init__(self, scope: Construct, id: str, *, settings: UserScheduler, names: Names, priority_class_name: str):
        super().__init__(scope, id)
        labels = names.labels(USER_SCHEDULER)
        selector = names.selector(USER_SCHEDULER)
        account = names.user_scheduler
        # Creating a lease cannot be limited to a name; system:kube-scheduler grants it.
        Identity(self, "identity", name=account, labels=labels).allow(
            ["get", "update"], ["leases"], api_group="coordination.k8s.io", names=[names.user_scheduler_lock]
        )
        for key, role in BUILT_IN_ROLES.items():
            k8s.KubeClusterRoleBinding(
                self,
                f"{key}-binding",
                metadata=k8s.ObjectMeta(name=names.cluster_scoped(f"user-scheduler-{key}"), labels=labels),
                role_ref=k8s.RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=role),
                subjects=[k8s.Subject(kind="ServiceAccount", name=account, namespace=names.namespace)],
            )

        config_text = yaml.safe_dump(scheduler_configuration(settings, names), sort_keys=False)
        k8s.KubeConfigMap(
            self, "config", metadata=k8s.ObjectMeta(name=account, labels=labels), data={CONFIG_FILE: config_text}
        )
        container = k8s.Container(
            name="kube-scheduler",
            image=settings.image,
            image_pull_policy="IfNotPresent",
            command=[
                "kube-scheduler",
                f"--config={CONFIG_DIR}/{CONFIG_FILE}",
                # Delegated authentication would read a ConfigMap in kube-system;
                # /healthz needs none, so the scheduler gets no access there.
                "--authentication-skip-lookup=true",
            ],
            ports=[k8s.ContainerPort(name="https", container_port=SECURE_PORT)],
            resources=resource_requirements(settings.resources),
            security_context=restricted_container_security(),
            volume_mounts=[k8s.VolumeMount(name="config", mount_path=CONFIG_DIR, read_only=True)],
            liveness_probe=_health_probe(period=10, failures=3, initial_delay=15),
            readiness_probe=_health_probe(period=10, failures=3, initial_delay=0),
        )
        k8s.KubeDeployment(
            self,
            "deployment",
            metadata=k8s.ObjectMeta(
                name=account,
                labels=labels,
                annotations=accepted_findings(
                    PINNED_BY_TAG,
                    PULLED_IF_NOT_PRESENT,
                    api_client("kube-scheduler watches pods and nodes and binds pods"),
                    ("CKV_K8S_114", "--profiling is ignored next to --config; the config file sets enableProfiling: false"),
                    ("CKV_K8S_115", "binding to 127.0.0.1 would fail the kubelet's HTTPS health probes on the pod IP"),
                ),
            ),
            spec=k8s.DeploymentSpec(
                replicas=settings.replicas,
                revision_history_limit=5,
                selector=k8s.LabelSelector(match_labels=selector),
                template=k8s.PodTemplateSpec(
                    metadata=k8s.ObjectMeta(
                        labels=labels,
                        # The config is read once at start: a change must restart the scheduler.
                        annotations={"checksum/config": hashlib.sha256(config_text.encode()).hexdigest()},
                    ),
                    spec=k8s.PodSpec(
                        service_account_name=account,
                        automount_service_account_token=True,
                        priority_class_name=priority_class_name,
                        security_context=restricted_pod_security(SCHEDULER_UID),
                        containers=[container],
                        volumes=[k8s.Volume(name="config", config_map=k8s.ConfigMapVolumeSource(name=account))],
                        enable_service_links=False,
                        # One replica per node where possible, so a node loss never takes both;
                        # a one-node cluster still runs both (ScheduleAnyway).
                        topology_spread_constraints=[
                            k8s.TopologySpreadConstraint(
                                max_skew=1,
                                topology_key="kubernetes.io/hostname",
                                when_unsatisfiable="ScheduleAnyway",
                                label_selector=k8s.LabelSelector(match_labels=selector),
                            )
                        ],
                    ),
                ),
            ),
        )
        k8s.KubePodDisruptionBudget(
            self,
            "disruption-budget",
            metadata=k8s.ObjectMeta(name=account, labels=labels),
            spec=k8s.PodDisruptionBudgetSpec(
                # Drains take one replica at a time; the other keeps scheduling users.
                min_available=k8s.IntOrString.from_number(1),
                selector=k8s.LabelSelector(match_labels=selector),
            ),
        )
