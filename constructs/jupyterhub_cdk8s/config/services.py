"""Config of JupyterHub services and roles: who may call the hub's REST API, with which scopes.

A service is a process that calls the hub's API with a token of its own: one
the hub runs itself (`command`), or one running elsewhere (`runs_in`) whose
token comes from a Secret and whose pods get exactly one connection, to the
hub's port. Every service gets a role named after it with its `scopes`; more
roles can be given to users, groups and services. Scopes are checked here,
at load time, against JupyterHub 5.5.0's own list, so a typo fails the synth
instead of the hub's start.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from .base import DnsLabel, FieldProblems, SecretKeyRef, StrictModel
from .network import PodsElsewhere, SafeCidr

# The scope names JupyterHub 5.5.0 defines: the keys of `scope_definitions` in
# jupyterhub/scopes.py (jupyterhub/jupyterhub, tag 5.5.0). A test compares this
# with the installed jupyterhub's; '(no_scope)' is internal and left out.
JUPYTERHUB_SCOPES = frozenset(
    {
        "access:servers", "access:services", "admin-ui", "admin:auth_state", "admin:groups",
        "admin:server_state", "admin:servers", "admin:services", "admin:users", "delete:groups",
        "delete:servers", "delete:users", "groups", "groups:shares", "inherit", "list:groups",
        "list:services", "list:users", "proxy", "read:groups", "read:groups:name", "read:groups:shares",
        "read:hub", "read:metrics", "read:roles", "read:roles:groups", "read:roles:services",
        "read:roles:users", "read:servers", "read:services", "read:services:name", "read:shares",
        "read:tokens", "read:users", "read:users:activity", "read:users:groups", "read:users:name",
        "read:users:shares", "self", "servers", "shares", "shutdown", "tokens", "users", "users:activity",
        "users:shares",
    }
)  # fmt: skip
"""Every scope a role may hold in JupyterHub 5.5.0."""

# Filters a scope may carry (jupyterhub/scopes.py, `_check_scopes_exist`, tag 5.5.0).
_FILTER = re.compile(r"^(user|service|server|group)=[^!\s]+$|^(user|service|server)$")
_SECRET_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
RESERVED_ENV_PREFIXES = ("JUPYTERHUB_", "JPY_", "CONFIGPROXY_")
"""Variables JupyterHub and this project set in the hub container themselves."""


def valid_scope(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a scope; write one like read:users or admin:servers!group=students")
    name, bang, filter_ = value.partition("!")
    if name == "all":
        raise ValueError("'all' is called 'inherit' in JupyterHub 5; write inherit")
    if name not in JUPYTERHUB_SCOPES:
        close = sorted(s for s in JUPYTERHUB_SCOPES if s.split(":")[-1] == name.split(":")[-1])
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(
            f"{value!r} is not a JupyterHub 5.5 scope{hint}; see "
            "https://jupyterhub.readthedocs.io/en/5.5.0/rbac/scopes.html#available-scopes"
        )
    if bang and not _FILTER.match(filter_):
        raise ValueError(
            f"{value!r} has the filter !{filter_}, which JupyterHub does not know; write "
            "!user=<name>, !group=<name>, !service=<name>, !server=<user>/<server> or !user"
        )
    return value


Scope = Annotated[str, BeforeValidator(valid_scope)]
"""A JupyterHub scope, with an optional filter: read:users, admin:servers!group=students."""


class HubService(StrictModel):
    """A JupyterHub service: a process with an API token and a role of its own (named after it)."""

    name: DnsLabel = Field(description="Service name (its role has the same name), e.g. grader.")
    description: str = Field("", description="What the service does; shown with its role.")
    scopes: list[Scope] = Field(
        min_length=1,
        description="What the service may do with the hub's API, e.g. [list:users, read:users]; nothing more.",
    )
    api_token: SecretKeyRef | None = Field(
        None,
        description=(
            "Secret key holding the service's API token (at least 8 characters; e.g. `openssl rand -hex 32`). "
            "Required for a service running elsewhere; a hub-managed service gets one generated when unset."
        ),
    )
    command: list[str] | None = Field(
        None,
        min_length=1,
        description=(
            "Run the service inside the hub's container (hub-managed), e.g. [python3, -m, my_service]; it "
            "finds the hub in $JUPYTERHUB_API_URL and its token in $JUPYTERHUB_API_TOKEN."
        ),
    )
    runs_in: PodsElsewhere | None = Field(
        None,
        description=(
            "Where a service running elsewhere runs, e.g. {namespace: grading, pod_labels: {app: grader}}: only "
            "these pods may open connections to the hub's API port."
        ),
    )
    runs_at: list[SafeCidr] = Field(
        default_factory=list,
        description="IP ranges of a service running outside the cluster, e.g. [10.20.0.5/32].",
    )

    def external(self) -> bool:
        return self.command is None

    def token_env(self) -> str:
        """The hub container's variable holding this service's token."""
        return f"JUPYTERHUB_SERVICE_{self.name.upper().replace('-', '_')}_TOKEN"

    @model_validator(mode="after")
    def _managed_or_external(self) -> HubService:
        elsewhere = self.runs_in is not None or bool(self.runs_at)
        if self.command is not None and elsewhere:
            raise FieldProblems(
                ("command", "a hub-managed service runs in the hub's container; remove runs_in/runs_at or command")
            )
        if self.command is None and not elsewhere:
            raise FieldProblems(
                (
                    "runs_in",
                    "say where the service runs: runs_in: {namespace: <ns>, pod_labels: {...}} for pods, "
                    "runs_at: [<cidr>] outside the cluster, or command: [...] to let the hub run it",
                )
            )
        if self.command is None and self.api_token is None:
            raise FieldProblems(
                (
                    "api_token",
                    "a service running elsewhere needs its token from a Secret; write "
                    "api_token: {name: <secret>, key: <key>} and give the service the same value",
                )
            )
        return self


class HubRole(StrictModel):
    """A JupyterHub role: scopes given to users, groups and services."""

    name: DnsLabel = Field(description="Role name, e.g. teaching-assistants.")
    description: str = Field("", description="What the role is for.")
    scopes: list[Scope] = Field(min_length=1, description="Scopes of the role, e.g. [admin:servers!group=students].")
    users: list[str] = Field(default_factory=list, description="Users holding the role.")
    groups: list[str] = Field(default_factory=list, description="Groups whose members hold the role.")
    services: list[str] = Field(default_factory=list, description="Services (hub.services names) holding the role.")


def _secret_env_name(value: Any) -> str:
    if not isinstance(value, str) or not _SECRET_ENV.match(value):
        raise ValueError(f"{value!r} is not an environment variable name; write upper-case letters, digits and _")
    if value.startswith(RESERVED_ENV_PREFIXES):
        raise ValueError(
            f"{value} is set by JupyterHub or this project ({', '.join(RESERVED_ENV_PREFIXES)}...); choose another name"
        )
    return value


HubEnvName = Annotated[str, BeforeValidator(_secret_env_name)]
