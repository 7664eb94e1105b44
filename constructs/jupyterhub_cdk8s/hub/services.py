"""JupyterHub services: processes that use the hub's API with a role of their own.

Every service gets exactly the scopes it uses, in a role named after it. The
idle culler is one, run by the hub itself; other components register theirs
(monitoring's Prometheus) with `register_service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..component import Component, Context
from ..config import HubConfig
from ..config.singleuser import IdleCulling
from ..config_file import ConfigFile, Order, SecretEnv
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
    file.append(
        "JupyterHub", "load_roles", {"name": name, "description": description, "scopes": scopes, "services": [name]}
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
