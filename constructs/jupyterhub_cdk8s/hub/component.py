"""The hub as a component: its config sections, its connections, its objects."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..component import Component, Context
from ..config import HubConfig
from ..config.hub import HubSettings
from ..config.network import DatabaseEndpoint
from ..naming import CORE_TIER, HUB, PROXY, SINGLEUSER
from ..network import ip_block, pods_elsewhere, tcp
from ..ports import HUB_PORT, PROXY_API_PORT, SERVER_PORT
from .construct import Hub
from .settings import configure_environment, configure_extra, configure_hub


@dataclass(frozen=True)
class HubComponent(Component):
    """JupyterHub itself: the process every other component configures through jupyterhub_config.py."""

    hub: HubSettings
    database: DatabaseEndpoint | None
    """Where the network policies let the hub reach its PostgreSQL."""

    @classmethod
    def from_config(cls, config: HubConfig) -> HubComponent:
        return cls(config.hub, config.network_policy.database)

    def configure(self, context: Context) -> None:
        configure_hub(context.config_file, self.hub, context.names, context.hub_secret)
        configure_environment(context.config_file, self.hub)
        configure_extra(context.config_file, self.hub)

    def declare(self, context: Context) -> None:
        network = context.network
        (
            network.policy("hub", HUB)
            .allow_from(network.component(PROXY), tcp(HUB_PORT))
            .allow_from(network.component(SINGLEUSER), tcp(HUB_PORT))
            .allow_to(network.component(PROXY), tcp(PROXY_API_PORT))
            .allow_to(network.component(SINGLEUSER), tcp(SERVER_PORT))
            .reach(network.dns)
            .reach(network.api_server)
        )
        if self.database is not None:
            to_database = network.policy("hub-to-database", HUB)
            for cidr in self.database.cidrs:
                to_database.allow_to(ip_block(cidr), tcp(self.database.port))
            if self.database.pods is not None:
                to_database.allow_to(pods_elsewhere(self.database.pods), tcp(self.database.port))

    def build(self, scope: Construct, context: Context) -> None:
        file = context.config_file
        Hub(
            scope,
            "hub",
            hub=self.hub,
            names=context.names,
            config_text=file.render(),
            secret_envs=file.secret_envs,
            priority_class_name=context.names.priority_class(CORE_TIER),
            volumes=context.hub_pod.volumes,
            api_access=context.hub_pod.api_access,
            pod_fields=context.core_pod_fields([self.hub.image]),
        )
