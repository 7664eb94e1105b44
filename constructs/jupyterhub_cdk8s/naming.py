"""The one place for object names and labels.

Every construct asks `Names` for the names it creates and refers to, so a
rename happens here only, and selectors (which must never change on an
upgrade, or running pods fall out of their Services and policies) use a
stable subset of the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

PART_OF = "jupyterhub"
MANAGED_BY = "jupyterhub-cdk8s"

# Component label values; user pods keep KubeSpawner's own value.
HUB = "hub"
PROXY = "proxy"
SINGLEUSER = "singleuser-server"
INGRESS = "ingress"
NAMESPACE = "namespace"
SECRETS_BOOTSTRAP = "secrets-bootstrap"
QUOTA = "quota"
NETWORK_POLICY = "network-policy"
USER_SCHEDULER = "user-scheduler"
PRIORITY = "priority"
USER_PLACEHOLDER = "user-placeholder"
CONTINUOUS_IMAGE_PULLER = "continuous-image-puller"
HOOK_IMAGE_PULLER = "hook-image-puller"
HOOK_IMAGE_AWAITER = "hook-image-awaiter"
SHARED_STORAGE = "shared-storage"
PLATFORM_SERVICES = "platform-services"
SPARK_EXECUTOR = "spark-executor"
MONITORING = "monitoring"
GITOPS = "gitops"


@dataclass(frozen=True)
class Names:
    """Names and labels of one environment's objects."""

    release: str
    namespace: str

    def of(self, suffix: str) -> str:
        return f"{self.release}-{suffix}"

    def cluster_scoped(self, suffix: str) -> str:
        """Name of a cluster-scoped object: it must not collide with another environment's."""
        return f"{self.namespace}-{self.release}-{suffix}"

    @property
    def hub(self) -> str:
        return self.of("hub")

    @property
    def hub_config(self) -> str:
        return self.of("hub-config")

    @property
    def hub_database(self) -> str:
        return self.of("hub-db")

    @property
    def hub_secret(self) -> str:
        return self.of("hub-secret")

    @property
    def proxy(self) -> str:
        return self.of("proxy")

    @property
    def proxy_api(self) -> str:
        return self.of("proxy-api")

    @property
    def proxy_public(self) -> str:
        return self.of("proxy-public")

    @property
    def hub_to_identity_provider(self) -> str:
        return self.of("hub-to-identity-provider")

    @property
    def proxy_metrics(self) -> str:
        return self.of("proxy-metrics")

    @property
    def user_claim_prefix(self) -> str:
        """Start of every user PVC name KubeSpawner creates (`pvc_name_template`)."""
        return self.of("claim-")

    @property
    def secrets_bootstrap(self) -> str:
        return self.of("secrets-bootstrap")

    @property
    def user_scheduler(self) -> str:
        return self.of("user-scheduler")

    @property
    def user_scheduler_name(self) -> str:
        """The scheduler name pods ask for: cluster-unique, as a scheduler takes its name's pods in every namespace."""
        return self.cluster_scoped("user-scheduler")

    @property
    def user_scheduler_lock(self) -> str:
        return self.of("user-scheduler-lock")

    def priority_class(self, tier: str) -> str:
        return self.cluster_scoped(f"{tier}-priority")

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
