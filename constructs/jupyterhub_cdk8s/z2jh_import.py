"""Migration from the JupyterHub Helm chart: a z2jh 4.x values file to an environment file.

The mapping is a table, `ROWS`: one row per chart key, saying where it goes in
this project's config and how its value is converted, or why it is not mapped.
A new capability of this project adds rows. Every key of the values file is
either mapped or reported with its reason: nothing is dropped silently (keys set
to null or to an empty map or list set nothing and are skipped).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .config import HubConfig
from .config.hub import HubSettings
from .config.loader import ConfigError, Environment, load_file
from .config.proxy import ProxySettings
from .synth import BlockStyleDumper


class NotMapped(Exception):
    """Raised by a transform: this value has no equivalent here (the message says why and what to do)."""


@dataclass
class Migration:
    """What the import produced so far: the config, and one line per key it could not carry over."""

    config: dict = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    hub_secret_env: dict[str, dict] = field(default_factory=dict)
    password_env: str | None = None

    def put(self, path: str, value: Any) -> None:
        *parents, last = path.split(".")
        node = self.config
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    def get(self, path: str, default: Any = None) -> Any:
        node: Any = self.config
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


Transform = Callable[[Any, Migration, str], Any]
SKIP = object()
"""A transform's result when the value was consumed without a config value of its own."""


@dataclass(frozen=True)
class Row:
    """One chart key: its target path and conversion, or the reason it is not mapped.

    A row covers the whole value at its key; with `keys`, only those sub-keys
    (the others are looked up in the table on their own).
    """

    source: str
    target: str | None = None
    transform: Transform | None = None
    reason: str = ""
    keys: tuple[str, ...] = ()


# --- transforms -------------------------------------------------------------------------


def _same(value, migration, source):
    return value


def _image(value, migration, source):
    if not value.get("name"):
        raise NotMapped("no image name; the default image is used")
    tag = value.get("tag")
    if not tag or tag == "set-by-chartpress":
        raise NotMapped("the image has no tag; the default pinned image is used (pin yours as image: name:tag)")
    return f"{value['name']}:{tag}"


def _quantity(value, migration, source):
    return str(value)


def _resources(defaults: Callable[[], Any]) -> Transform:
    """k8s `requests`/`limits` to `{cpu, memory}: {request, limit}`; a missing part keeps this project's default."""

    def transform(value, migration, source):
        default = defaults().model_dump()
        result = {}
        for resource in ("cpu", "memory"):
            result[resource] = {}
            for ours, theirs in (("request", "requests"), ("limit", "limits")):
                given = (value.get(theirs) or {}).get(resource)
                if given is None:
                    migration.notes.append(
                        (f"{source}.{theirs}.{resource}", f"not set; this project's default {default[resource][ours]} is used")
                    )
                result[resource][ours] = str(given) if given is not None else default[resource][ours]
        for key in sorted(set(value) - {"requests", "limits"}):
            migration.unmapped.append((f"{source}.{key}", "not mapped: only requests and limits are resources"))
        return result

    return transform


def _hub_database(value, migration, source):
    if value == "sqlite-pvc":
        return "sqlite"
    raise NotMapped(
        f"database type {value!r}: this project runs SQLite on a PVC, or PostgreSQL with its URL in a Secret "
        "(hub.database: {type: postgresql, url_secret: {name, key}})"
    )


def _base_url(value, migration, source):
    return value if value.endswith("/") else value + "/"


AUTHENTICATORS = {
    "dummy": "shared-password",
    "jupyterhub.auth.DummyAuthenticator": "shared-password",
    "shared-password": "shared-password",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator": "shared-password",
}


def _authenticator(value, migration, source):
    if value not in AUTHENTICATORS:
        raise NotMapped(f"authenticator {value!r} is not available here; this project supports: shared-password")
    if value in ("dummy", "jupyterhub.auth.DummyAuthenticator"):
        migration.notes.append(
            (source, "DummyAuthenticator becomes SharedPasswordAuthenticator: the same shared password, a real authenticator")
        )
    return AUTHENTICATORS[value]


def _env_vars(target_kind: str) -> Transform:
    """extraEnv: plain values are kept for user servers; secretKeyRefs of the hub are kept for the auth mapping."""

    def transform(value, migration, source):
        plain = {}
        for name, item in sorted(value.items()):
            ref = item.get("valueFrom", {}).get("secretKeyRef") if isinstance(item, dict) else None
            if ref and target_kind == "hub":
                migration.hub_secret_env[name] = {"name": ref["name"], "key": ref["key"]}
            elif isinstance(item, (str, int, float, bool)) and target_kind == "singleuser":
                plain[name] = str(item)
            else:
                why = (
                    "environment variables of the hub are generated from typed settings (secrets are referenced by "
                    "the setting that needs them)"
                    if target_kind == "hub"
                    else "only plain values: user servers get no Secret through the config"
                )
                migration.unmapped.append((f"{source}.{name}", f"not mapped: {why}"))
        return plain or SKIP

    return transform


_PASSWORD_FROM_ENV = re.compile(
    r"c\.(DummyAuthenticator\.password|SharedPasswordAuthenticator\.user_password)\s*=\s*os\.environ"
    r"(?:\.get\(|\[)\s*['\"](\w+)['\"]"
)


def _extra_config(value, migration, source):
    """Snippets that set the shared password from an env var become auth.password_secret; the rest are kept."""
    kept = {}
    for name, code in sorted(value.items()):
        match = _PASSWORD_FROM_ENV.search(code)
        if match:
            migration.notes.append(
                (
                    f"{source}.{name}",
                    f"{match[1]} from ${match[2]} becomes auth.password_secret (a fallback literal, if any, is "
                    "dropped: no password in git)",
                )
            )
            migration.password_env = match[2]
        else:
            migration.notes.append((f"{source}.{name}", "kept as hub.extra_config; review it: it runs inside the hub"))
            kept[name] = code
    return kept or SKIP


def _ingress_host(value, migration, source):
    for extra in value[1:]:
        migration.unmapped.append((f"{source}[]", f"not mapped: {extra!r}; one host per environment"))
    return value[0]


def _ingress_tls(value, migration, source):
    secrets = [item.get("secretName") for item in value if item.get("secretName")]
    if not secrets:
        raise NotMapped("no secretName; set ingress.tls_secret to the Secret holding the certificate")
    return secrets[0]


def _access_mode(value, migration, source):
    if len(value) != 1:
        raise NotMapped("one access mode per user volume; write singleuser.storage.access_mode")
    return value[0]


def _storage_type(value, migration, source):
    if value not in ("dynamic", "none"):
        raise NotMapped(f"storage type {value!r}: this project has dynamic (a PVC per user) or none")
    return value


def _uid(value, migration, source):
    if value == 0:
        raise NotMapped("user servers never run as root by default; keep uid 1000 (jovyan)")
    return value


def _debug(value, migration, source):
    return "DEBUG" if value else SKIP


# --- the table ------------------------------------------------------------------------------

SECRET_IN_GIT = (
    "a secret value in a values file ends up in git; here the hub's secrets are generated in-cluster by the "
    "bootstrap hook, or read from secrets.existing_secret"
)
PASSWORD_IN_GIT = "a password in a values file ends up in git; put it in a Secret and reference it as auth.{}"
BUILT_IN = "built in, with production defaults (not configurable)"
NOT_YET = "{} is not available in this version of the project"

ROWS: list[Row] = [
    # hub
    Row("hub.image", "hub.image", _image, keys=("name", "tag")),
    Row("hub.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("hub.image.pullSecrets", reason=NOT_YET.format("pulling from a private registry")),
    Row("hub.resources", "hub.resources", _resources(lambda: HubSettings().resources)),
    Row("hub.baseUrl", "hub.base_url", _base_url),
    Row("hub.concurrentSpawnLimit", "hub.concurrent_spawn_limit", _same),
    Row("hub.activeServerLimit", "hub.active_server_limit", _same),
    Row("hub.allowNamedServers", "hub.named_servers.enabled", _same),
    Row("hub.namedServerLimitPerUser", "hub.named_servers.limit_per_user", _same),
    Row("hub.shutdownOnLogout", "hub.shutdown_on_logout", _same),
    Row("hub.db.type", "hub.database.type", _hub_database),
    Row("hub.db.pvc.storage", "hub.database.capacity", _quantity),
    Row("hub.db.pvc.storageClassName", "hub.database.storage_class", _same),
    Row("hub.db.pvc.accessModes", reason="the hub's PVC is ReadWriteOnce: there is only ever one hub"),
    Row("hub.db.url", reason="a database URL carries its password; write hub.database.url_secret: {name, key}"),
    Row("hub.db.password", reason=SECRET_IN_GIT),
    Row("hub.cookieSecret", reason=SECRET_IN_GIT),
    Row(
        "hub.existingSecret",
        reason="the chart's Secret uses other keys; create one with proxy-auth-token, cookie-secret and crypt-key "
        "and set secrets.existing_secret",
    ),
    Row("hub.config.JupyterHub.authenticator_class", "auth.type", _authenticator),
    Row("hub.config.JupyterHub.admin_access", reason="admins act as users through roles in JupyterHub 5, not admin_access"),
    Row("hub.config.Authenticator.admin_users", "auth.admin_users", _same),
    Row("hub.config.Authenticator.allowed_users", "auth.allowed_users", _same),
    Row("hub.config.Authenticator.allow_all", "auth.allow_all", _same),
    Row("hub.config.DummyAuthenticator.password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row("hub.config.SharedPasswordAuthenticator.user_password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row("hub.config.SharedPasswordAuthenticator.admin_password", reason=PASSWORD_IN_GIT.format("admin_password_secret")),
    Row("hub.extraEnv", None, _env_vars("hub")),
    Row("hub.extraConfig", "hub.extra_config", _extra_config),
    Row("hub.deploymentStrategy", reason="always Recreate: two hubs must never share one database"),
    Row("hub.livenessProbe", reason=BUILT_IN),
    Row("hub.readinessProbe", reason=BUILT_IN),
    Row("hub.pdb", reason=BUILT_IN),
    Row("hub.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.podSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("hub.service", reason="the hub's Service is internal (ClusterIP); users reach the proxy"),
    Row("hub.revisionHistoryLimit", reason=BUILT_IN),
    Row("hub.nodeSelector", reason=NOT_YET.format("placement of the hub")),
    Row("hub.tolerations", reason=NOT_YET.format("placement of the hub")),
    Row("hub.extraVolumes", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraVolumeMounts", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraFiles", reason=NOT_YET.format("extra hub files")),
    Row("hub.services", reason=NOT_YET.format("JupyterHub services")),
    Row("hub.loadRoles", reason=NOT_YET.format("custom roles")),
    Row("hub.templatePaths", reason=NOT_YET.format("custom page templates")),
    Row("hub.templateVars", reason=NOT_YET.format("custom page templates")),
    # proxy
    Row("proxy.chp.image", "proxy.image", _image, keys=("name", "tag")),
    Row("proxy.chp.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("proxy.chp.resources", "proxy.resources", _resources(lambda: ProxySettings().resources)),
    Row("proxy.chp.livenessProbe", reason=BUILT_IN),
    Row("proxy.chp.readinessProbe", reason=BUILT_IN),
    Row("proxy.chp.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("proxy.chp.pdb", reason=BUILT_IN),
    Row("proxy.chp.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("proxy.secretToken", reason=SECRET_IN_GIT),
    Row("proxy.deploymentStrategy", reason="always Recreate: the routing table lives in one proxy"),
    Row("proxy.service.type", "proxy.service.type", _same),
    Row("proxy.service.annotations", "proxy.service.annotations", _same),
    Row("proxy.service.nodePorts", reason=NOT_YET.format("pinning node ports")),
    Row("proxy.service.loadBalancerIP", reason=NOT_YET.format("a fixed load balancer IP")),
    Row("proxy.service.loadBalancerSourceRanges", reason=NOT_YET.format("load balancer source ranges")),
    Row("proxy.https", reason="TLS terminates at the Ingress: set ingress.tls_secret (e.g. from cert-manager)"),
    Row("proxy.traefik", reason="no autohttps pod: TLS terminates at the Ingress"),
    # user servers
    Row("singleuser.image", "singleuser.image", _image, keys=("name", "tag")),
    Row("singleuser.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("singleuser.image.pullSecrets", reason=NOT_YET.format("pulling from a private registry")),
    Row("singleuser.cpu.guarantee", "singleuser.cpu.guarantee", _quantity),
    Row("singleuser.cpu.limit", "singleuser.cpu.limit", _quantity),
    Row("singleuser.memory.guarantee", "singleuser.memory.guarantee", _quantity),
    Row("singleuser.memory.limit", "singleuser.memory.limit", _quantity),
    Row("singleuser.storage.type", "singleuser.storage.type", _storage_type),
    Row("singleuser.storage.capacity", "singleuser.storage.capacity", _quantity),
    Row("singleuser.storage.homeMountPath", "singleuser.storage.home_mount_path", _same),
    Row("singleuser.storage.dynamic.storageClass", "singleuser.storage.storage_class", _same),
    Row("singleuser.storage.dynamic.storageAccessModes", "singleuser.storage.access_mode", _access_mode),
    Row(
        "singleuser.storage.dynamic.pvcNameTemplate",
        reason="user PVCs are named <name>-claim-<user>; rename existing claims before moving users over",
    ),
    Row("singleuser.storage.dynamic.volumeNameTemplate", reason="the home volume is always named home"),
    Row("singleuser.storage.extraVolumes", reason=NOT_YET.format("extra user volumes")),
    Row("singleuser.storage.extraVolumeMounts", reason=NOT_YET.format("extra user volumes")),
    Row("singleuser.startTimeout", "singleuser.start_timeout", _same),
    Row("singleuser.defaultUrl", "singleuser.default_url", _same),
    Row("singleuser.extraEnv", "singleuser.extra_env", _env_vars("singleuser")),
    Row("singleuser.uid", "singleuser.uid", _uid),
    Row("singleuser.fsGid", "singleuser.fs_gid", _same),
    Row("singleuser.cmd", reason="user servers always run jupyterhub-singleuser"),
    Row(
        "singleuser.lifecycleHooks",
        reason=NOT_YET.format("lifecycle hooks")
        + "; install packages into the image instead of at every start",
    ),
    Row("singleuser.profileList", reason=NOT_YET.format("profiles")),
    Row("singleuser.allowPrivilegeEscalation", reason="never by default; privilege escalation only when explicitly enabled"),
    Row("singleuser.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("singleuser.cloudMetadata", reason="user servers never reach the cloud metadata endpoint; " + BUILT_IN),
    Row("singleuser.nodeSelector", reason=NOT_YET.format("user pod placement")),
    Row("singleuser.extraTolerations", reason=NOT_YET.format("user pod placement")),
    Row("singleuser.extraLabels", reason="user pods keep stable labels that policies select on"),
    Row("singleuser.extraAnnotations", reason=NOT_YET.format("user pod annotations")),
    Row("singleuser.initContainers", reason=NOT_YET.format("user init containers")),
    Row("singleuser.extraContainers", reason=NOT_YET.format("user sidecars")),
    Row("singleuser.extraPodConfig", reason=NOT_YET.format("raw pod config")),
    Row("singleuser.extraResource", reason=NOT_YET.format("extra resources such as GPUs")),
    Row("singleuser.serviceAccountName", reason="user servers get no Kubernetes API token"),
    # ingress
    Row("ingress.enabled", "ingress.enabled", _same),
    Row("ingress.hosts", "host", _ingress_host),
    Row("ingress.ingressClassName", "ingress.class_name", _same),
    Row("ingress.annotations", "ingress.annotations", _same),
    Row("ingress.tls", "ingress.tls_secret", _ingress_tls),
    Row("ingress.pathSuffix", reason="the Ingress routes the whole host (a prefix goes in hub.base_url)"),
    Row("ingress.pathType", reason="always Prefix"),
    # capabilities of the chart not (yet) in this project
    Row("scheduling", reason=NOT_YET.format("scheduling (user scheduler, placeholders, priorities)")),
    Row("prePuller", reason=NOT_YET.format("image pre-pulling")),
    Row("cull", reason=NOT_YET.format("culling of idle servers")),
    # chart-wide
    Row("debug.enabled", "hub.log_level", _debug),
    Row("rbac", reason="RBAC is always created, least-privilege"),
    Row("imagePullSecret", reason=NOT_YET.format("pulling from a private registry")),
    Row("imagePullSecrets", reason=NOT_YET.format("pulling from a private registry")),
    Row("global", reason="Helm-only settings"),
    Row("custom", reason="Helm-only settings (read by extraConfig through z2jh.get_config)"),
    Row("fullnameOverride", reason="object names come from the environment's `name`"),
    Row("nameOverride", reason="object names come from the environment's `name`"),
]

BY_SOURCE = {row.source: row for row in ROWS}
# Why a key without a row of its own, below one of these, is not mapped.
REASON_BELOW = {
    "hub.config": "JupyterHub traitlets are set here from typed settings; one they lack can go in hub.extra_config",
    "hub": "no hub setting of this project corresponds",
    "proxy": "no proxy setting of this project corresponds",
    "singleuser": "no user-server setting of this project corresponds",
}
UNKNOWN = "not a key of the JupyterHub chart 4.x that this importer knows"


def _reason_for_unknown(path: str) -> str:
    prefixes = [p for p in REASON_BELOW if path.startswith(p + ".")]
    return REASON_BELOW[max(prefixes, key=len)] if prefixes else UNKNOWN

# Where the chart's default differs from this project's, the migrated hub keeps the chart's behaviour.
CHART_DEFAULTS = {"proxy": {"service": {"type": "LoadBalancer"}}, "ingress": {"enabled": False}}
DEFAULT_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "password"}
DEFAULT_ADMIN_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "admin-password"}


def _merged(base: dict, override: dict) -> dict:
    result = dict(base)
    for key, value in override.items():
        result[key] = _merged(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
    return result


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _apply(row: Row, value: Any, migration: Migration) -> None:
    if row.transform is None:
        migration.unmapped.append((row.source, f"not mapped: {row.reason}"))
        return
    try:
        result = row.transform(value, migration, row.source)
    except NotMapped as reason:
        migration.unmapped.append((row.source, f"not mapped: {reason}"))
        return
    except (AttributeError, TypeError, KeyError, IndexError):
        # A value of another shape than the chart's (a string where the chart takes a map, ...).
        migration.unmapped.append((row.source, f"not mapped: {value!r} is not a value this key takes in the chart"))
        return
    migration.mapped.append(row.source)
    if result is not SKIP and row.target:
        migration.put(row.target, result)


def _walk(node: Any, path: str, migration: Migration) -> None:
    if _empty(node):
        return
    row = BY_SOURCE.get(path)
    if row and not row.keys:
        _apply(row, node, migration)
        return
    if row and isinstance(node, dict):
        _apply(row, {k: node[k] for k in row.keys if k in node}, migration)
        node = {k: v for k, v in node.items() if k not in row.keys}
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else str(key), migration)
    else:
        migration.unmapped.append((path, f"not mapped: {_reason_for_unknown(path)}"))


def _resolve_auth(migration: Migration) -> None:
    """The chart spreads the shared password over authenticator, extraEnv and extraConfig; here it is one field."""
    migration.put("auth.type", migration.get("auth.type", "shared-password"))
    auth = migration.config["auth"]
    if migration.password_env in migration.hub_secret_env:
        auth["password_secret"] = migration.hub_secret_env.pop(migration.password_env)
    else:
        auth["password_secret"] = DEFAULT_PASSWORD_SECRET
        migration.notes.append(
            ("auth.password_secret", f"no password from a Secret found; create Secret {DEFAULT_PASSWORD_SECRET['name']} "
             f"with key {DEFAULT_PASSWORD_SECRET['key']} before the first sync")
        )
    if auth["type"] == "shared-password" and auth.get("admin_users"):
        # The chart's admin_password is a value in git (reported unmapped); admins log in only with one.
        auth["admin_password_secret"] = DEFAULT_ADMIN_PASSWORD_SECRET
        migration.notes.append(
            ("auth.admin_password_secret", f"admin_users log in only with an admin password; create key "
             f"{DEFAULT_ADMIN_PASSWORD_SECRET['key']} (at least 32 characters) in Secret "
             f"{DEFAULT_ADMIN_PASSWORD_SECRET['name']} before the first sync")
        )
    for name in sorted(migration.hub_secret_env):
        migration.unmapped.append((f"hub.extraEnv.{name}", "not mapped: no setting here reads this Secret"))
    if not auth.get("allowed_users") and "allow_all" not in auth:
        # The chart's DummyAuthenticator lets every name in with the password; keep that, explicitly.
        auth["allow_all"] = True
        migration.notes.append(("auth.allow_all", "true, as the chart's authenticator allowed every user name"))


def migrate(values: dict, namespace: str) -> Migration:
    migration = Migration()
    migration.put("namespace", namespace)
    _walk(_merged(CHART_DEFAULTS, values), "", migration)
    _resolve_auth(migration)
    if migration.get("singleuser.storage.type", "dynamic") == "dynamic":
        migration.notes.append(
            ("singleuser.storage", "user PVCs are named <name>-claim-<user> here, claim-<user> in the chart: "
             "rename existing claims (or copy their data) before users move over")
        )
    return migration


HEADER = "# Imported from a JupyterHub Helm chart values file (python main.py import-z2jh).\n# yaml-language-server: $schema=schema.json\n"


def render(migration: Migration) -> str:
    """The environment file, its sections in the order of the schema."""
    ordered = {key: migration.config[key] for key in HubConfig.model_fields if key in migration.config}
    return HEADER + yaml.dump(ordered, Dumper=BlockStyleDumper, sort_keys=False, width=120, allow_unicode=True)


def validate(text: str) -> Environment:
    """Run the imported file through the same loader as every environment; raises ConfigError."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "imported.yaml"
        path.write_text(text, encoding="utf-8")
        return load_file(path, "imported environment")


__all__ = ["ROWS", "Row", "Migration", "migrate", "render", "validate", "ConfigError"]
