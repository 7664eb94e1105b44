"""The user scheduler: a kube-scheduler of our own that packs user pods onto few nodes.

The default scheduler spreads pods, so every node keeps a user or two and a
cluster autoscaler can never remove one. This scheduler scores nodes by how
full they already are (`NodeResourcesFit` with `MostAllocated`) and leaves out
the score plugins that spread, so users fill one node before the next and
empty nodes can be drained.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import yaml
from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.scheduling import UserScheduler
from ..naming import CORE_TIER, USER_SCHEDULER, Names
from ..parts import Part
from ..pods import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    int_or_string,
    resource_requirements,
    restricted_container_security,
    restricted_pod_security,
)
from ..rbac import Identity

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


def _health_probe(*, period: int, failures: int, initial_delay: int) -> dict:
    return {
        "httpGet": {"path": "/healthz", "port": int_or_string(SECURE_PORT), "scheme": "HTTPS"},
        "periodSeconds": period,
        "failureThreshold": failures,
        "initialDelaySeconds": initial_delay,
        "timeoutSeconds": 3,
    }


class UserSchedulerDeployment(Part):
    """Deployment, config, RBAC and disruption budget of the user scheduler."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: UserScheduler,
        names: Names,
        priority_class_name: str,
        image_pull_secrets: list[dict] | None = None,
    ):
        super().__init__(scope, id)
        labels = names.labels(USER_SCHEDULER)
        selector = names.selector(USER_SCHEDULER)
        account = names.user_scheduler
        # Creating a lease cannot be limited to a name; system:kube-scheduler grants it.
        Identity(self, "identity", name=account, labels=labels).allow(
            ["get", "update"], ["leases"], api_group="coordination.k8s.io", names=[names.user_scheduler_lock]
        )
        for key, role in BUILT_IN_ROLES.items():
            api_object(
                self,
                f"{key}-binding",
                k8s.KubeClusterRoleBinding,
                {
                    "metadata": {"name": names.user_scheduler_binding(key), "labels": labels},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                    "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": names.namespace}],
                },
            )

        config_text = yaml.safe_dump(scheduler_configuration(settings, names), sort_keys=False)
        api_object(
            self,
            "config",
            k8s.KubeConfigMap,
            {"metadata": {"name": account, "labels": labels}, "data": {CONFIG_FILE: config_text}},
        )
        container = {
            "name": "kube-scheduler",
            "image": settings.image,
            "imagePullPolicy": "IfNotPresent",
            "command": [
                "kube-scheduler",
                f"--config={CONFIG_DIR}/{CONFIG_FILE}",
                # Delegated authentication would read a ConfigMap in kube-system;
                # /healthz needs none, so the scheduler gets no access there.
                "--authentication-skip-lookup=true",
            ],
            "ports": [{"name": "https", "containerPort": SECURE_PORT}],
            "resources": resource_requirements(settings.resources),
            "securityContext": restricted_container_security(),
            "volumeMounts": [{"name": "config", "mountPath": CONFIG_DIR, "readOnly": True}],
            "livenessProbe": _health_probe(period=10, failures=3, initial_delay=15),
            "readinessProbe": _health_probe(period=10, failures=3, initial_delay=0),
        }
        api_object(
            self,
            "deployment",
            k8s.KubeDeployment,
            {
                "metadata": {
                    "name": account,
                    "labels": labels,
                    "annotations": accepted_findings(
                        PINNED_BY_TAG,
                        PULLED_IF_NOT_PRESENT,
                        api_client("kube-scheduler watches pods and nodes and binds pods"),
                        (
                            "CKV_K8S_114",
                            "--profiling is ignored next to --config; the config file sets enableProfiling: false",
                        ),
                        (
                            "CKV_K8S_115",
                            "binding to 127.0.0.1 would fail the kubelet's HTTPS health probes on the pod IP",
                        ),
                    ),
                },
                "spec": {
                    "replicas": settings.replicas,
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": selector},
                    "template": {
                        "metadata": {
                            "labels": labels,
                            # The config is read once at start: a change must restart the scheduler.
                            "annotations": {"checksum/config": hashlib.sha256(config_text.encode()).hexdigest()},
                        },
                        "spec": {
                            "serviceAccountName": account,
                            "automountServiceAccountToken": True,
                            "priorityClassName": priority_class_name,
                            "imagePullSecrets": image_pull_secrets,
                            "securityContext": restricted_pod_security(SCHEDULER_UID),
                            "containers": [container],
                            "volumes": [{"name": "config", "configMap": {"name": account}}],
                            "enableServiceLinks": False,
                            # One replica per node where possible, so a node loss never takes both;
                            # a one-node cluster still runs both (ScheduleAnyway).
                            "topologySpreadConstraints": [
                                {
                                    "maxSkew": 1,
                                    "topologyKey": "kubernetes.io/hostname",
                                    "whenUnsatisfiable": "ScheduleAnyway",
                                    "labelSelector": {"matchLabels": selector},
                                }
                            ],
                        },
                    },
                },
            },
        )
        api_object(
            self,
            "disruption-budget",
            k8s.KubePodDisruptionBudget,
            {
                "metadata": {"name": account, "labels": labels},
                "spec": {
                    # Drains take one replica at a time; the other keeps scheduling users.
                    "minAvailable": int_or_string(1),
                    "selector": {"matchLabels": selector},
                },
            },
        )


@dataclass(frozen=True)
class UserSchedulerComponent(Component):
    """The packing scheduler of user pods, when `scheduling.user_scheduler.enabled`."""

    settings: UserScheduler

    @classmethod
    def from_config(cls, config: HubConfig) -> UserSchedulerComponent | None:
        scheduler = config.scheduling.user_scheduler
        return cls(scheduler) if scheduler.enabled else None

    def declare(self, context: Context) -> None:
        context.network.allow_api_server(USER_SCHEDULER)

    def build(self, scope: Construct, context: Context) -> None:
        UserSchedulerDeployment(
            scope,
            "user-scheduler",
            settings=self.settings,
            names=context.names,
            priority_class_name=context.names.priority_class(CORE_TIER),
            image_pull_secrets=context.image_pull_secrets([self.settings.image]),
        )
