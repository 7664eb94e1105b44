"""Config of the hub: the JupyterHub process, its database and its limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import DnsLabel, FieldProblems, Image, SecretKeyRef, StrictModel, only_one_replica
from .branding import Branding
from .credentials import credential_literal, credential_message
from .files import ExtraFile, FileKey, files_problems
from .kubernetes import INT32_MAX, ClassName
from .resources import Memory, Resources, resources
from .services import HubEnvName, HubRole, HubService

HUB_IMAGE = "quay.io/jupyterhub/k8s-hub:4.4.0"
CONFIG_DIR = "/usr/local/etc/jupyterhub"
"""Where the hub reads jupyterhub_config.py: a read-only ConfigMap volume."""
BRANDING_DIR = "/usr/local/share/jupyterhub/branding"
"""Where the hub reads the branding templates: a read-only ConfigMap volume."""

SINGLETON_REASON = (
    "JupyterHub keeps its state in its database and in memory and does not support more than one hub "
    "replica; remove `replicas` or write 1 (the hub restarts in seconds and running notebooks stay "
    "reachable through the proxy meanwhile)"
)


class SqliteDatabase(StrictModel):
    """SQLite on a PersistentVolumeClaim owned by the hub: nothing else to run."""

    type: Literal["sqlite"] = Field("sqlite", description="SQLite file on the hub's own PVC.")
    capacity: Memory = Field("1Gi", description="Size of the hub's PVC holding jupyterhub.sqlite.")
    pvc_name: DnsLabel | None = Field(
        None,
        description=(
            "Name of the hub's PVC; unset: <name>-hub-db. A hub moved from the JupyterHub Helm chart keeps the "
            "chart's (hub-db-dir by default) so it finds its database (import-z2jh writes it)."
        ),
    )
    storage_class: ClassName | None = Field(
        None, description="StorageClass of the hub's PVC; unset uses the cluster's default StorageClass."
    )
    upgrade: bool = Field(
        True,
        description=(
            "Start the hub with --upgrade-db: a new JupyterHub migrates the database schema itself, after "
            "copying jupyterhub.sqlite to jupyterhub.sqlite.<timestamp> beside it. Off, a hub image with a newer "
            "schema stops at start with DatabaseSchemaMismatch."
        ),
    )


class PostgresDatabase(StrictModel):
    """An external PostgreSQL; its URL (with password) is read from a Secret at start."""

    type: Literal["postgresql"] = Field(description="External PostgreSQL database.")
    url_secret: SecretKeyRef = Field(
        description=(
            "Secret key holding the SQLAlchemy URL, e.g. postgresql://jupyterhub:...@db:5432/jupyterhub?"
            "sslmode=verify-full&sslrootcert=... (libpq's default, prefer, neither verifies the server nor "
            "insists on TLS: write verify-full for a database outside the cluster)."
        )
    )
    upgrade: bool = Field(
        False,
        description=(
            "Start the hub with --upgrade-db, migrating the schema when a new JupyterHub needs it. JupyterHub backs "
            "up only SQLite files: back up PostgreSQL before an upgrade, then turn this on. Off, a hub image with a "
            "newer schema stops at start with DatabaseSchemaMismatch."
        ),
    )


Database = Annotated[SqliteDatabase | PostgresDatabase, Field(discriminator="type")]


class NamedServers(StrictModel):
    """Several servers per user (`/user/<name>/<server>`)."""

    enabled: bool = Field(False, description="Let users start named servers besides their default one.")
    limit_per_user: int = Field(
        0, ge=0, le=INT32_MAX, description="Named servers a user may run at once; 0 means no limit."
    )


class HubSettings(StrictModel):
    """The JupyterHub process (a singleton Deployment) and its behaviour."""

    image: Image = Field(
        HUB_IMAGE,
        description="Hub image; its JupyterHub, KubeSpawner and OAuthenticator versions set what config is valid.",
    )
    replicas: Annotated[int, only_one_replica(SINGLETON_REASON)] = Field(
        1, description="Always 1: the hub is a singleton (refused otherwise, with the reason)."
    )
    resources: Resources = Field(
        default_factory=lambda: resources(("200m", "1"), ("512Mi", "1Gi")),
        description="CPU and memory requests/limits of the hub container.",
    )
    database: Database = Field(
        default_factory=SqliteDatabase, description="Where the hub keeps users, servers and tokens."
    )
    base_url: str = Field(
        "/", description="URL prefix of the whole hub, e.g. / or /jupyter/.", pattern=r"^/([A-Za-z0-9._~-]+/)*$"
    )
    concurrent_spawn_limit: int = Field(
        64,
        ge=0,
        le=INT32_MAX,
        description="Servers that may be starting at once; more wait with a 429. 0 means no limit.",
    )
    active_server_limit: int = Field(
        0, ge=0, le=INT32_MAX, description="Servers that may run at once; 0 means no limit."
    )
    named_servers: NamedServers = Field(default_factory=NamedServers, description="Named servers per user.")
    shutdown_on_logout: bool = Field(False, description="Stop a user's servers when they log out.")
    branding: Branding = Field(
        default_factory=Branding, description="Logo, announcement and styling of the hub's pages."
    )
    log_level: Literal["DEBUG", "INFO", "WARN", "ERROR"] = Field("INFO", description="Log level of the hub process.")
    extra_files: dict[FileKey, ExtraFile] = Field(
        default_factory=dict,
        description=(
            "Files mounted into the hub by key (templates, config snippets extra_config loads), from a ConfigMap of "
            "dist/ (never secrets); a change restarts the hub."
        ),
    )
    extra_config: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Extra Python snippets appended to jupyterhub_config.py, by name (applied in name order). "
            "Escape hatch for traits this schema does not cover; a credential literal is refused (read secrets "
            "with os.environ from hub.environment)."
        ),
    )
    environment: dict[HubEnvName, SecretKeyRef] = Field(
        default_factory=dict,
        description=(
            "Environment variables of the hub container read from Secret keys, e.g. "
            "{LMS_API_KEY: {name: lms, key: api-key}}; for hub.extra_config snippets that need a secret."
        ),
    )
    services: list[HubService] = Field(
        default_factory=list,
        description="JupyterHub services: processes calling the hub's API with their own token and role.",
    )
    roles: list[HubRole] = Field(
        default_factory=list, description="More JupyterHub roles, given to users, groups and services."
    )
    groups: dict[DnsLabel, list[str]] = Field(
        default_factory=dict,
        description=(
            "JupyterHub groups and their users, for roles scoped to a group (e.g. access:servers!group=students "
            "reaches those users' servers only, never an admin's). JupyterHub adds at every start, never removes "
            "(load_groups): take a user out in the admin page too. Not with an authenticator that manages groups."
        ),
    )

    @field_validator("extra_config")
    @classmethod
    def _no_credentials(cls, snippets: dict[str, str]) -> dict[str, str]:
        problems = [
            (name, credential_message(found))
            for name, code in sorted(snippets.items())
            if (found := credential_literal(code)) is not None
        ]
        if problems:
            raise FieldProblems(*problems)
        return snippets

    @model_validator(mode="after")
    def _services_and_roles_agree(self) -> HubSettings:
        problems = []
        names = [service.name for service in self.services]
        for index, name in enumerate(names):
            if name in names[:index]:
                problems.append((f"services[{index}].name", f"{name!r} is used twice; give each service its name"))
        role_names = set(names)
        for index, role in enumerate(self.roles):
            if role.name in role_names:
                problems.append(
                    (f"roles[{index}].name", f"{role.name!r} is already a role (each service has one named after it)")
                )
            role_names.add(role.name)
            for unknown in sorted(set(role.services) - set(names)):
                problems.append((f"roles[{index}].services", f"{unknown!r} is not in hub.services; add it there"))
        if problems:
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _files_fit(self) -> HubSettings:
        problems = files_problems(self.extra_files, read_only_dirs=(CONFIG_DIR, BRANDING_DIR))
        if problems:
            raise FieldProblems(*problems)
        return self
