"""The one place for object names and labels.

Every construct asks `Names` for the names it creates and refers to, so a
rename happens here only, and selectors (which must never change on an
upgrade, or running pods fall out of their Services and policies) use a
stable subset of the labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config.hub import SqliteDatabase
from .config.scheduling import Priorities

if TYPE_CHECKING:
    from .config import HubConfig

PART_OF = "jupyterhub"
MANAGED_BY = "jupyterhub-cdk8s"

# Component label values; user pods keep KubeSpawner's own value.
HUB = "hub"
PROXY = "proxy"
SINGLEUSER = "singleuser-server"
INGRESS = "ingress"
GATEWAY = "gateway"
NAMESPACE = "namespace"
SECRETS_BOOTSTRAP = "secrets-bootstrap"
QUOTA = "quota"
NETWORK_POLICY = "network-policy"
USER_SCHEDULER = "user-scheduler"
PRIORITY = "priority"
USER_PLACEHOLDER = "user-placeholder"
IMAGE_PULLER = "image-puller"
IMAGE_AWAITER = "image-awaiter"
SHARED_STORAGE = "shared-storage"
PLATFORM_SERVICES = "platform-services"
SPARK_EXECUTOR = "spark-executor"
MONITORING = "monitoring"
GITOPS = "gitops"

# Priority tiers: one PriorityClass each (see scheduling/priorities.py).
CORE_TIER = "core"
USER_TIER = "user"
IMAGE_PULLER_TIER = "image-puller"
PLACEHOLDER_TIER = "user-placeholder"


@dataclass(frozen=True)
class Names:
    """Names and labels of one environment's objects."""

    release: str
    namespace: str
    priorities: Priorities = field(default_factory=Priorities)
    """The PriorityClass values, which their names carry (`priority_class`)."""
    hub_database_claim: str | None = None
    """The hub's PVC when the environment names it (a Helm release's hub-db-dir)."""
    user_claims: str | None = None
    """KubeSpawner's pvc_name_template when the environment sets it (the chart's claim-{user_server})."""

    @classmethod
    def of(cls, config: HubConfig) -> Names:
        database, storage = config.hub.database, config.singleuser.storage
        return cls(
            release=config.name,
            namespace=config.namespace,
            priorities=config.scheduling.priorities,
            hub_database_claim=database.pvc_name if isinstance(database, SqliteDatabase) else None,
            user_claims=storage.pvc_name_template,
        )

    def _of(self, suffix: str) -> str:
        return f"{self.release}-{suffix}"

    def _cluster_scoped(self, suffix: str) -> str:
        """Name of a cluster-scoped object: it must not collide with another environment's.

        Namespace and release are DNS labels, which hold no '.', so `<namespace>.<release>-<suffix>` belongs
        to one environment only: with '-' between them, namespace a-b with release c and namespace a with
        release b-c would both write a-b-c-<suffix>. Every cluster-scoped kind written (PriorityClass,
        ClusterRoleBinding) and a pod's schedulerName take a DNS subdomain, where '.' separates labels.
        """
        return f"{self.namespace}.{self.release}-{suffix}"

    @property
    def hub(self) -> str:
        return self._of("hub")

    @property
    def hub_config(self) -> str:
        return self._of("hub-config")

    @property
    def hub_database(self) -> str:
        return self.hub_database_claim or self._of("hub-db")

    @property
    def hub_secret(self) -> str:
        return self._of("hub-secret")

    @property
    def proxy(self) -> str:
        return self._of("proxy")

    @property
    def proxy_api(self) -> str:
        return self._of("proxy-api")

    @property
    def proxy_public(self) -> str:
        return self._of("proxy-public")

    @property
    def proxy_metrics(self) -> str:
        return self._of("proxy-metrics")

    @property
    def alert_group(self) -> str:
        """The PrometheusRule's group: a Prometheus may load the rules of several environments."""
        return f"{self.namespace}-{self.release}"

    @property
    def user_pod_template(self) -> str:
        """KubeSpawner's `pod_name_template`: the name of each user server's pod."""
        return self._of("{user_server}")

    @property
    def user_claim_template(self) -> str:
        """KubeSpawner's `pvc_name_template`: the name of each user's home PVC."""
        return self.user_claims or self._of("claim-{user_server}")

    @property
    def user_claim_prefix(self) -> str:
        """Start of every user PVC name KubeSpawner creates: the template's text before its first field."""
        return self.user_claim_template.split("{", 1)[0]

    @property
    def secrets_bootstrap(self) -> str:
        return self._of("secrets-bootstrap")

    @property
    def user_scheduler(self) -> str:
        return self._of("user-scheduler")

    @property
    def user_scheduler_name(self) -> str:
        """The scheduler name pods ask for: cluster-unique, as a scheduler takes its name's pods in every namespace."""
        return self._cluster_scoped("user-scheduler")

    @property
    def user_scheduler_lock(self) -> str:
        return self._of("user-scheduler-lock")

    def priority_value(self, tier: str) -> int:
        priorities = self.priorities
        return {
            CORE_TIER: priorities.core,
            USER_TIER: priorities.user,
            IMAGE_PULLER_TIER: priorities.image_puller,
            PLACEHOLDER_TIER: priorities.placeholder,
        }[tier]

    def priority_class(self, tier: str) -> str:
        """A PriorityClass's value cannot change (kubernetes ValidatePriorityClassUpdate: "may not be changed
        in an update"), so the name carries it: a new value is a new class, and the old one is pruned."""
        value = self.priority_value(tier)
        return self._cluster_scoped(f"{tier}-priority-{value if value >= 0 else f'minus-{-value}'}")

    @property
    def user_scheduler_cluster_role(self) -> str:
        """ClusterRole (and its binding) of the user scheduler: cluster-scoped, hence unique per environment."""
        return self._cluster_scoped("user-scheduler")

    @property
    def user_placeholder(self) -> str:
        return self._of("user-placeholder")

    def image_puller(self, image_set: str) -> str:
        """A puller DaemonSet, named after its pod template: a new set of images is a new DaemonSet."""
        return self._of(f"image-puller-{image_set}")

    def image_awaiter(self, pullers: str) -> str:
        """The Job that waits for one set of pullers: a new set is a new Job, run once.

        Short: a Job's name is also the value of its pods' job-name label, at most 63 characters.
        """
        return self._of(f"pull-wait-{pullers}")

    @property
    def image_awaiter_account(self) -> str:
        return self._of("image-awaiter")

    @property
    def hub_branding(self) -> str:
        return self._of("hub-branding")

    @property
    def hub_files(self) -> str:
        """ConfigMap of the files mounted into the hub (`hub.extra_files`)."""
        return self._of("hub-files")

    @property
    def user_files(self) -> str:
        """ConfigMap of the files mounted into every user pod (`singleuser.extra_files`)."""
        return self._of("singleuser-files")

    def shared_claim(self, volume: str) -> str:
        """PVC of a shared volume all user servers mount."""
        return self._of(f"shared-{volume}")

    @property
    def platform_services(self) -> str:
        """ConfigMap of the platform services helper module."""
        return self._of("platform-services")

    @property
    def spark_user_account(self) -> str:
        """ServiceAccount of user pods that may start Spark executors."""
        return self._of("singleuser-spark")

    @property
    def user_quota(self) -> str:
        """ResourceQuota of user servers' CPU, memory and GPUs."""
        return self._of("user-quota")

    @property
    def storage_quota(self) -> str:
        """ResourceQuota of every PVC of the namespace."""
        return self._of("storage-quota")

    @property
    def limit_range(self) -> str:
        return self._of("limits")

    @property
    def alerts(self) -> str:
        return self._of("alerts")

    @property
    def dashboards(self) -> str:
        return self._of("dashboards")

    @property
    def ingress(self) -> str:
        return self.release

    @property
    def http_route(self) -> str:
        return self.release

    @property
    def certificate(self) -> str:
        """cert-manager Certificate of the gateway's host names (its Secret defaults to the same name)."""
        return self._of("tls")

    def network_policy(self, purpose: str) -> str:
        """A NetworkPolicy is named after the purpose of the connections it opens."""
        return self._of(purpose)

    def selector(self, component: str) -> dict[str, str]:
        """Labels selectors match on: stable across upgrades."""
        return {
            "app.kubernetes.io/name": PART_OF,
            "app.kubernetes.io/instance": self.release,
            "app.kubernetes.io/component": component,
        }

    def labels(self, component: str) -> dict[str, str]:
        """All recommended labels of an object of `component`."""
        return {
            **self.selector(component),
            "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/managed-by": MANAGED_BY,
        }

    def service_host(self, service: str) -> str:
        """In-cluster address of one of this environment's Services."""
        return f"{service}.{self.namespace}.svc"
