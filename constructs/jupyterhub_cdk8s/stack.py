"""The chart that composes one environment from its components.

Each component gets only its slice of the config. The hub's config file is
assembled here from every component's contribution, then handed to the hub.
"""

from __future__ import annotations

from cdk8s import Chart

from constructs import Construct

from .assembly import complete
from .authentication import allow_identity_provider, configure_authenticator
from .branding import BrandingFiles, configure_branding
from .config import HubConfig
from .config.hub import SqliteDatabase
from .config.sizing import largest_user_server
from .hub import ConfigFile, Hub, configure_extra, configure_hub
from .hub.settings import HUB_PORT
from .image_puller import ContinuousImagePuller, HookImagePuller, pulled_images
from .ingress import PublicIngress
from .monitoring import TOKEN_KEY, configure_hub_metrics, metrics_token
from .namespace import Namespace
from .naming import HOOK_IMAGE_AWAITER, SECRETS_BOOTSTRAP, USER_SCHEDULER, Names
from .network_policies import NetworkPolicies
from .platform_services import PlatformServicesAccess, user_pod_additions
from .proxy import Proxy, configure_hub_for_proxy
from .quotas import ContainerLimits, NamespaceQuota
from .scheduling import CORE, IMAGE_PULLER, PLACEHOLDER, USER, PriorityClasses, UserPlaceholders, configure_scheduling
from .secrets_bootstrap import SecretsBootstrap
from .singleuser import UserServers, configure_culler, configure_spawner
from .user_scheduler import UserSchedulerDeployment


def jupyterhub_config(config: HubConfig, names: Names, hub_secret: str) -> ConfigFile:
    """The hub's jupyterhub_config.py, from each component's slice."""
    file = ConfigFile()
    configure_hub(file, config.hub, names, hub_secret)
    configure_hub_for_proxy(file, names, hub_secret)
    configure_authenticator(file, config.auth, host=config.host, base_url=config.hub.base_url, hub_secret=hub_secret)
    additions = user_pod_additions(config.platform_services, names, default_image=config.singleuser.image)
    configure_spawner(file, config.singleuser, names, additions)
    configure_scheduling(file, config.scheduling, names)
    configure_culler(file, config.singleuser.culling, f"http://127.0.0.1:{HUB_PORT}{config.hub.base_url}hub/api")
    configure_branding(file, config.hub.branding)
    if config.monitoring.enabled:
        configure_hub_metrics(file, config.monitoring, hub_secret)
    configure_extra(file, config.hub)
    return file


def bootstrap_keys(config: HubConfig, hub_secret: str) -> tuple[str, ...]:
    """Keys of the hub's Secret that components need besides the core ones."""
    token = metrics_token(config.monitoring, hub_secret) if config.monitoring.enabled else None
    return (TOKEN_KEY,) if token is not None and token.name == hub_secret else ()


class JupyterHubChart(Chart):
    """Every object of one environment."""

    def __init__(self, scope: Construct, id: str, *, config: HubConfig):
        super().__init__(scope, id, namespace=config.namespace, disable_resource_name_hashes=True)
        names = Names(release=config.name, namespace=config.namespace)
        core_priority = names.priority_class(CORE)
        hub_secret = config.secrets.existing_secret or names.hub_secret
        hub_file = jupyterhub_config(config, names, hub_secret)

        if config.create_namespace:
            Namespace(self, "namespace", names=names, pod_security=config.pod_security)
        if config.secrets.existing_secret is None:
            SecretsBootstrap(
                self,
                "secrets-bootstrap",
                names=names,
                image=config.hub.image,
                uid=1000,
                extra_keys=bootstrap_keys(config, hub_secret),
            )
        hub_volumes = []
        if config.hub.branding.enabled:
            branding = BrandingFiles(self, "branding", branding=config.hub.branding, names=names)
            hub_volumes.append((branding.volume, branding.mount))
        Hub(
            self,
            "hub",
            hub=config.hub,
            names=names,
            config_text=hub_file.render(),
            secret_envs=hub_file.secret_envs,
            priority_class_name=core_priority,
            extra_volumes=hub_volumes,
        )
        allow_identity_provider(self, config.auth, names, config.network_policy.private_ranges)
        UserServers(self, "user-servers", singleuser=config.singleuser, names=names)
        PlatformServicesAccess(self, "platform-services", platform=config.platform_services, names=names)
        Proxy(
            self,
            "proxy",
            proxy=config.proxy,
            names=names,
            base_url=config.hub.base_url,
            hub_secret=hub_secret,
            priority_class_name=core_priority,
            metrics=config.monitoring.enabled,
        )
        if config.ingress.enabled:
            PublicIngress(self, "ingress", ingress=config.ingress, host=config.host, names=names)
        api_clients = self._scheduling(config, names)
        if config.secrets.existing_secret is None:
            api_clients.insert(0, SECRETS_BOOTSTRAP)
        self._guardrails(config, names, api_clients)
        if config.monitoring.enabled:
            # Imported here: the Prometheus Operator bindings are slow to load and only needed now.
            from .monitoring.construct import Monitoring

            Monitoring(
                self,
                "monitoring",
                monitoring=config.monitoring,
                names=names,
                cluster=config.cluster,
                hub_secret=hub_secret,
                base_url=config.hub.base_url,
                hub_claim=names.hub_database if isinstance(config.hub.database, SqliteDatabase) else None,
                # Opens the metrics ports through the namespace's default deny.
                scrape_policies=config.network_policy.enabled,
            )
        complete(self)

    def _guardrails(self, config: HubConfig, names: Names, api_clients: list[str]) -> None:
        """Quota, limit range and network policies; `api_clients` only talk to the API server."""
        if config.quota.enabled:
            NamespaceQuota(self, "quota", quota=config.quota, names=names)
        if config.limit_range.enabled:
            ContainerLimits(
                self,
                "limit-range",
                limits=config.limit_range,
                user=largest_user_server(config.singleuser),
                own=config.own_containers(),
                names=names,
            )
        if config.network_policy.enabled:
            NetworkPolicies(
                self,
                "network-policies",
                policy=config.network_policy,
                names=names,
                proxy_exposed_directly=config.proxy.service.type != "ClusterIP",
                api_clients=api_clients,
            )

    def _scheduling(self, config: HubConfig, names: Names) -> list[str]:
        """User scheduler, priority classes, placeholders and image pullers; returns the API callers."""
        scheduling = config.scheduling
        tiers = [CORE, USER]
        api_clients = []
        if scheduling.user_scheduler.enabled:
            api_clients.append(USER_SCHEDULER)
            UserSchedulerDeployment(
                self,
                "user-scheduler",
                settings=scheduling.user_scheduler,
                names=names,
                priority_class_name=names.priority_class(CORE),
            )
        if scheduling.user_placeholders.replicas:
            tiers.append(PLACEHOLDER)
            UserPlaceholders(
                self, "user-placeholders", scheduling=scheduling, singleuser=config.singleuser, names=names
            )
        images = pulled_images(config.singleuser, scheduling.image_puller)
        if scheduling.image_puller.continuous:
            tiers.append(IMAGE_PULLER)
            ContinuousImagePuller(
                self,
                "continuous-image-puller",
                images=images,
                user_pods=scheduling.user_pods,
                names=names,
                priority_class_name=names.priority_class(IMAGE_PULLER),
            )
        if scheduling.image_puller.pre_sync.enabled:
            api_clients.append(HOOK_IMAGE_AWAITER)
            HookImagePuller(
                self,
                "hook-image-puller",
                images=images,
                user_pods=scheduling.user_pods,
                timeout=scheduling.image_puller.pre_sync.timeout,
                names=names,
                hub_image=config.hub.image,
            )
        PriorityClasses(self, "priority-classes", priorities=scheduling.priorities, tiers=sorted(tiers), names=names)
        return api_clients
