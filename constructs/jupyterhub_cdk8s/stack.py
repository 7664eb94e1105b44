"""The chart that composes one environment from its components.

Each component gets only its slice of the config. The hub's config file is
assembled here from every component's contribution, then handed to the hub.
"""

from __future__ import annotations

from cdk8s import Chart
from constructs import Construct

from .authentication import configure_authenticator
from .branding import BrandingFiles, configure_branding
from .config import HubConfig
from .hub import ConfigFile, Hub, configure_extra, configure_hub
from .hub.settings import HUB_PORT
from .ingress import PublicIngress
from .namespace import Namespace
from .naming import Names
from .platform_services import PlatformServicesAccess, user_pod_additions
from .proxy import Proxy, configure_hub_for_proxy
from .secrets_bootstrap import SecretsBootstrap
from .singleuser import UserServers, configure_culler, configure_spawner


def jupyterhub_config(config: HubConfig, names: Names, hub_secret: str) -> ConfigFile:
    """The hub's jupyterhub_config.py, from each component's slice."""
    file = ConfigFile()
    configure_hub(file, config.hub, names, hub_secret)
    configure_hub_for_proxy(file, names, hub_secret)
    configure_authenticator(file, config.auth)
    additions = user_pod_additions(config.platform_services, names, default_image=config.singleuser.image)
    configure_spawner(file, config.singleuser, names, additions)
    configure_culler(file, config.singleuser.culling, f"http://127.0.0.1:{HUB_PORT}{config.hub.base_url}hub/api")
    configure_branding(file, config.hub.branding)
    configure_extra(file, config.hub)
    return file


class JupyterHubChart(Chart):
    """Every object of one environment."""

    def __init__(self, scope: Construct, id: str, *, config: HubConfig):
        super().__init__(scope, id, namespace=config.namespace, disable_resource_name_hashes=True)
        names = Names(release=config.name, namespace=config.namespace)
        hub_secret = config.secrets.existing_secret or names.hub_secret
        hub_file = jupyterhub_config(config, names, hub_secret)

        if config.create_namespace:
            Namespace(self, "namespace", names=names)
        if config.secrets.existing_secret is None:
            SecretsBootstrap(self, "secrets-bootstrap", names=names, image=config.hub.image, uid=1000)
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
            extra_volumes=hub_volumes,
        )
        UserServers(self, "user-servers", singleuser=config.singleuser, names=names)
        PlatformServicesAccess(self, "platform-services", platform=config.platform_services, names=names)
        Proxy(self, "proxy", proxy=config.proxy, names=names, base_url=config.hub.base_url, hub_secret=hub_secret)
        if config.ingress.enabled:
            PublicIngress(self, "ingress", ingress=config.ingress, host=config.host, names=names)
