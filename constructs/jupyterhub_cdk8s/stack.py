"""The chart that composes one environment from its components.

Each component gets only its slice of the config. The hub's config file is
assembled here from every component's contribution, then handed to the hub.
"""

from __future__ import annotations

from cdk8s import Chart
from constructs import Construct

from .authentication import configure_authenticator
from .config import HubConfig
from .config.hub import SqliteDatabase
from .hub import ConfigFile, Hub, configure_extra, configure_hub
from .ingress import PublicIngress
from .monitoring import TOKEN_KEY, configure_hub_metrics, metrics_token
from .namespace import Namespace
from .naming import Names
from .proxy import Proxy, configure_hub_for_proxy
from .secrets_bootstrap import SecretsBootstrap
from .singleuser import configure_spawner


def jupyterhub_config(config: HubConfig, names: Names, hub_secret: str) -> ConfigFile:
    """The hub's jupyterhub_config.py, from each component's slice."""
    file = ConfigFile()
    configure_hub(file, config.hub, names, hub_secret)
    configure_hub_for_proxy(file, names, hub_secret)
    configure_authenticator(file, config.auth)
    configure_spawner(file, config.singleuser, names)
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
        hub_secret = config.secrets.existing_secret or names.hub_secret
        hub_file = jupyterhub_config(config, names, hub_secret)

        if config.create_namespace:
            Namespace(self, "namespace", names=names)
        if config.secrets.existing_secret is None:
            SecretsBootstrap(
                self, "secrets-bootstrap", names=names, image=config.hub.image, uid=1000, extra_keys=bootstrap_keys(config, hub_secret)
            )
        Hub(
            self,
            "hub",
            hub=config.hub,
            names=names,
            config_text=hub_file.render(),
            secret_envs=hub_file.secret_envs,
        )
        Proxy(
            self,
            "proxy",
            proxy=config.proxy,
            names=names,
            base_url=config.hub.base_url,
            hub_secret=hub_secret,
            metrics=config.monitoring.enabled,
        )
        if config.ingress.enabled:
            PublicIngress(self, "ingress", ingress=config.ingress, host=config.host, names=names)
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
                # Opens the metrics ports through the namespace's default deny (network policies).
                scrape_policies=True,
            )
