"""The user scheduler: a kube-scheduler of our own that packs user pods onto few nodes.

The default scheduler spreads pods, so every node keeps a user or two and a
cluster autoscaler can never remove one. This scheduler scores nodes by how
full they already are (`NodeResourcesFit` with `MostAllocated`, weighted far
above the other score plugins, as the JupyterHub Helm chart does) and leaves
out `NodeResourcesBalancedAllocation`, so users fill one node before the next
and empty nodes can be drained.

It runs the kube-scheduler of the cluster's own minor version
(`kubernetes_version`) with a ClusterRole written for that version: the
cluster's built-in `system:kube-scheduler` role matches the cluster, not the
binary (a v1.33 scheduler watches VolumeAttachments, which the role lacks
before 1.32, and never syncs), and it may update the cluster's own
`kube-scheduler` lease in kube-system. Our leases live in a namespaced Role.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.scheduling import UserScheduler
from ..config.versions import minor_version
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

# Score plugins and weights of JupyterHub's Helm chart (z2jh 4.4.0 values.yaml, scheduling.userScheduler.plugins):
# NodeResourcesFit (MostAllocated) outweighs everything but the user's own affinities; TaintToleration,
# PodTopologySpread and VolumeBinding keep their low defaults; the balancing plugin is off. A default plugin
# gets a new weight by being disabled and enabled again.
WEIGHTED_SCORE_PLUGINS = {"NodeAffinity": 14631, "InterPodAffinity": 1331, "NodeResourcesFit": 121, "ImageLocality": 11}
DISABLED_SCORE_PLUGINS = ("NodeResourcesBalancedAllocation", *WEIGHTED_SCORE_PLUGINS)

READ = ("get", "list", "watch")
WRITE = ("get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Rule:
    """One RBAC rule, granted from Kubernetes minor `since` on."""

    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    since: tuple[int, int] = (1, 28)

    def to_json(self) -> dict:
        return {"apiGroups": list(self.api_groups), "resources": list(self.resources), "verbs": list(self.verbs)}


# kube-scheduler's cluster-wide permissions, per minor: the bootstrap roles system:kube-scheduler and
# system:volume-scheduler of kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/
# cluster-roles.yaml, as the Helm chart annotates its copy (main, templates/scheduling/user-scheduler/rbac.yaml:
# unchanged 1.28-1.30, 1.31 leases and leasecandidates, 1.32 volumeattachments (kubernetes/kubernetes#127757),
# 1.33 unchanged, 1.34 dynamic resource allocation, 1.35 unchanged). The lease rules are the namespaced
# Role's below: the bootstrap role's lease rule is cluster-wide and names the cluster's own `kube-scheduler`.
CLUSTER_RULES = (
    Rule(("", "events.k8s.io"), ("events",), ("create", "patch", "update")),
    Rule(("",), ("nodes",), READ),
    Rule(("",), ("pods",), ("delete", *READ)),
    Rule(("",), ("bindings", "pods/binding"), ("create",)),
    Rule(("",), ("pods/status",), ("patch", "update")),
    Rule(("",), ("replicationcontrollers", "services"), READ),
    Rule(("apps", "extensions"), ("replicasets",), READ),
    Rule(("apps",), ("statefulsets",), READ),
    Rule(("policy",), ("poddisruptionbudgets",), READ),
    Rule(("",), ("persistentvolumeclaims", "persistentvolumes"), READ),
    Rule(("authentication.k8s.io",), ("tokenreviews",), ("create",)),
    Rule(("authorization.k8s.io",), ("subjectaccessreviews",), ("create",)),
    Rule(("storage.k8s.io",), ("csinodes",), READ),
    Rule(("storage.k8s.io",), ("volumeattachments",), READ, since=(1, 32)),
    Rule(("",), ("namespaces",), READ),
    Rule(("storage.k8s.io",), ("csidrivers",), READ),
    Rule(("storage.k8s.io",), ("csistoragecapacities",), READ),
    Rule(("resource.k8s.io",), ("deviceclasses",), READ, since=(1, 34)),
    Rule(("resource.k8s.io",), ("resourceclaims",), WRITE, since=(1, 34)),
    Rule(("resource.k8s.io",), ("resourceclaims/status",), WRITE, since=(1, 34)),
    Rule(("",), ("pods/finalizers",), ("update",), since=(1, 34)),
    Rule(("resource.k8s.io",), ("resourceslices",), READ, since=(1, 34)),
    # system:volume-scheduler, unchanged from 1.12 to 1.35.
    Rule(("",), ("persistentvolumes",), WRITE),
    Rule(("storage.k8s.io",), ("storageclasses",), READ),
    Rule(("",), ("persistentvolumeclaims",), WRITE),
)
COORDINATED_LEADER_ELECTION = (1, 31)
"""From 1.31 the scheduler lists and watches its lease and may take part in coordinated leader election."""


def cluster_rules(kubernetes_version: str) -> list[dict]:
    """The ClusterRole rules of the kube-scheduler of `kubernetes_version`."""
    version = minor_version(kubernetes_version)
    return [rule.to_json() for rule in CLUSTER_RULES if rule.since <= version]


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
                "plugins": {
                    "score": {
                        "disabled": [{"name": plugin} for plugin in DISABLED_SCORE_PLUGINS],
                        "enabled": [
                            {"name": plugin, "weight": weight} for plugin, weight in WEIGHTED_SCORE_PLUGINS.items()
                        ],
                    }
                },
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
        kubernetes_version: str,
        names: Names,
        priority_class_name: str,
        pod_fields: Mapping[str, Any] | None = None,
    ):
        super().__init__(scope, id)
        labels = names.labels(USER_SCHEDULER)
        selector = names.selector(USER_SCHEDULER)
        account = names.user_scheduler
        lock = [names.user_scheduler_lock]
        # Leases only in this namespace, and of them only its own lock (creating cannot be limited to a name).
        identity = Identity(self, "identity", name=account, labels=labels)
        identity.allow(["create"], ["leases"], api_group="coordination.k8s.io")
        if minor_version(kubernetes_version) >= COORDINATED_LEADER_ELECTION:
            identity.allow(["get", "list", "update", "watch"], ["leases"], api_group="coordination.k8s.io", names=lock)
            verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
            identity.allow(verbs, ["leasecandidates"], api_group="coordination.k8s.io")
        else:
            identity.allow(["get", "update"], ["leases"], api_group="coordination.k8s.io", names=lock)
        cluster_role = names.user_scheduler_cluster_role
        api_object(
            self,
            "cluster-role",
            k8s.KubeClusterRole,
            {"metadata": {"name": cluster_role, "labels": labels}, "rules": cluster_rules(kubernetes_version)},
        )
        api_object(
            self,
            "cluster-role-binding",
            k8s.KubeClusterRoleBinding,
            {
                "metadata": {"name": cluster_role, "labels": labels},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
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
            "image": settings.image_for(kubernetes_version),
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
                            "securityContext": restricted_pod_security(SCHEDULER_UID),
                            "containers": [container],
                            "volumes": [{"name": "config", "configMap": {"name": account}}],
                            "enableServiceLinks": False,
                            **(pod_fields or {}),
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
    kubernetes_version: str
    """The cluster's minor: the scheduler's version, and so its RBAC."""

    @classmethod
    def from_config(cls, config: HubConfig) -> UserSchedulerComponent | None:
        scheduler = config.scheduling.user_scheduler
        return cls(scheduler, config.kubernetes_version) if scheduler.enabled else None

    def declare(self, context: Context) -> None:
        context.network.allow_api_server(USER_SCHEDULER)

    def build(self, scope: Construct, context: Context) -> None:
        UserSchedulerDeployment(
            scope,
            "user-scheduler",
            settings=self.settings,
            kubernetes_version=self.kubernetes_version,
            names=context.names,
            priority_class_name=context.names.priority_class(CORE_TIER),
            pod_fields=context.core_pod_fields([self.settings.image_for(self.kubernetes_version)]),
        )
