"""JupyterHub services: processes that use the hub's API with a role of their own.

Every service gets exactly the scopes it uses, in a role named after it. The
idle culler is one, run by the hub itself; other components register theirs
(monitoring's Prometheus) with `register_service`, and the environment's own
(`hub.services`, `hub.roles`) come from `HubServicesComponent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..component import Component, Context
from ..config import HubConfig
from ..config.services import HubRole, HubService
from ..config.singleuser import IdleCulling
from ..config_file import ConfigFile, Order, SecretEnv
from ..naming import HUB
from ..network import ip_block, pods_elsewhere, tcp
from ..ports import HUB_PORT

CULLER_SERVICE = "idle-culler"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


def register_service(
    file: ConfigFile,
    name: str,
    *,
    description: str,
    scopes: list[str],
    command: list[str] | None = None,
    api_token: SecretEnv | None = None,
) -> None:
    """A service and its role; appended, because several components register services."""
    service: dict[str, Any] = {"name": name}
    if command is not None:
        service["command"] = command
    if api_token is not None:
        service["api_token"] = api_token
    file.append("JupyterHub", "services", service)
    register_role(file, name, description=description, scopes=scopes, services=[name])


def register_role(
    file: ConfigFile,
    name: str,
    *,
    description: str,
    scopes: Sequence[str],
    users: Sequence[str] = (),
    groups: Sequence[str] = (),
    services: Sequence[str] = (),
) -> None:
    """A role in `load_roles`, with only the member lists that are not empty."""
    role: dict[str, Any] = {"name": name, "description": description, "scopes": list(scopes)}
    for key, members in (("users", users), ("groups", groups), ("services", services)):
        if members:
            role[key] = list(members)
    file.append("JupyterHub", "load_roles", role)


@dataclass(frozen=True)
class HubServicesComponent(Component):
    """The environment's own services and roles (`hub.services`, `hub.roles`).

    A service running elsewhere gets its token from a Secret through the hub's
    environment and exactly one connection: from where it runs to the hub's
    API port. A hub-managed one runs in the hub's container and calls the hub
    on loopback, so it opens nothing.
    """

    services: tuple[HubService, ...]
    roles: tuple[HubRole, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_config(cls, config: HubConfig) -> HubServicesComponent | None:
        hub = config.hub
        if not (hub.services or hub.roles or hub.groups):
            return None
        groups = tuple((name, tuple(users)) for name, users in sorted(hub.groups.items()))
        return cls(tuple(hub.services), tuple(hub.roles), groups)

    def declare(self, context: Context) -> None:
        for service in self.services:
            if not service.external():
                continue
            network = context.network
            policy = network.policy(f"{service.name}-service-to-hub", HUB)
            if service.runs_in is not None:
                policy.allow_from(pods_elsewhere(service.runs_in), tcp(HUB_PORT))
                if service.runs_in.namespace == context.names.namespace:
                    # Pods of the hub's namespace are under its default deny: their way out is opened too.
                    (
                        network.policy(f"{service.name}-service", dict(sorted(service.runs_in.pod_labels.items())))
                        .allow_to(network.component(HUB), tcp(HUB_PORT))
                        .reach(network.dns)
                    )
            for cidr in service.runs_at:
                policy.allow_from(ip_block(cidr), tcp(HUB_PORT))

    def configure(self, context: Context) -> None:
        file = context.config_file
        file.section(Order.ENVIRONMENT_SERVICES, "Services, roles and groups: hub.services, hub.roles, hub.groups")
        if self.groups:
            file.set("JupyterHub", "load_groups", {name: {"users": list(users)} for name, users in self.groups})
        for service in self.services:
            token = None
            if service.api_token is not None:
                token = file.secret_env(service.token_env(), service.api_token.name, service.api_token.key)
            register_service(
                file,
                service.name,
                description=service.description or f"Service {service.name}",
                scopes=list(service.scopes),
                command=list(service.command) if service.command else None,
                api_token=token,
            )
        for role in self.roles:
            register_role(
                file,
                role.name,
                description=role.description or f"Role {role.name}",
                scopes=role.scopes,
                users=role.users,
                groups=role.groups,
                services=role.services,
            )


@dataclass(frozen=True)
class IdleCullerComponent(Component):
    """jupyterhub-idle-culler as a hub-managed service with only the scopes it uses.

    It runs in the hub's container and calls the hub on loopback, not
    through the hub's Service: no hairpin traffic and no network policy to
    open for it.
    """

    culling: IdleCulling

    @classmethod
    def from_config(cls, config: HubConfig) -> IdleCullerComponent | None:
        return cls(config.singleuser.culling) if config.singleuser.culling.enabled else None

    def configure(self, context: Context) -> None:
        culling = self.culling
        file = context.config_file
        file.section(Order.SERVICES, "Idle culling: jupyterhub-idle-culler as a hub-managed service")
        command = [
            "python3",
            "-m",
            "jupyterhub_idle_culler",
            f"--url=http://127.0.0.1:{HUB_PORT}{context.base_url}hub/api",
            f"--timeout={culling.timeout}",
            f"--cull-every={culling.every}",
            f"--max-age={culling.max_age}",
            f"--concurrency={culling.concurrency}",
        ]
        scopes = list(CULLER_SCOPES)
        if culling.cull_users:
            command.append("--cull-users")
            scopes.append("admin:users")  # deleting users
        if culling.remove_named_servers:
            command.append("--remove-named-servers")
        register_service(file, CULLER_SERVICE, description="Stop idle servers", scopes=scopes, command=command)
