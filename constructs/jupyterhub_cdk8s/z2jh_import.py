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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from .config import HubConfig
from .config.hub import HubSettings
from .config.loader import ConfigError, Environment, load_file
from .config.proxy import ProxySettings
from .config.scheduling import LEADER_ELECTION_REASON, UserScheduler
from .config.singleuser import GPU_RESOURCE, CpuAllotment, MemoryAllotment
from .rendering import BlockStyleDumper


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
        """Set `path`; two chart keys with one target (e.g. two node selectors) add up."""
        *parents, last = path.split(".")
        node = self.config
        for part in parents:
            node = node.setdefault(part, {})
        previous = node.get(last)
        if isinstance(previous, dict) and isinstance(value, dict):
            value = {**previous, **value}
        elif isinstance(previous, list) and isinstance(value, list):
            value = previous + value
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


def _spawner_bytes(value, migration, source):
    """KubeSpawner reads the chart's memory sizes as ByteSpecification: K, M, G, T are powers of 1024.

    Here sizes are Kubernetes quantities, where G is 10^9; 2G in the chart gives a pod 2Gi, so that is what to write.
    """
    text = str(value)
    if text[-1:] in ("K", "M", "G", "T"):
        migration.notes.append((source, f"{text} (powers of 1024 in KubeSpawner) becomes {text}i"))
        return text + "i"
    return text


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
                        (
                            f"{source}.{theirs}.{resource}",
                            f"not set; this project's default {default[resource][ours]} is used",
                        )
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

OAUTHENTICATORS = {
    "generic-oauth": "oidc",
    "oauthenticator.generic.GenericOAuthenticator": "oidc",
    "oauthenticator.GenericOAuthenticator": "oidc",
    "github": "github",
    "oauthenticator.github.GitHubOAuthenticator": "github",
    "oauthenticator.GitHubOAuthenticator": "github",
}


def _authenticator(value, migration, source):
    if value in OAUTHENTICATORS:
        return OAUTHENTICATORS[value]
    if value not in AUTHENTICATORS:
        raise NotMapped(
            f"authenticator {value!r} is not available here; this project supports: shared-password, generic-oauth "
            "(as oidc) and github; for keycloak or cloudflare-access write auth by hand"
        )
    if value in ("dummy", "jupyterhub.auth.DummyAuthenticator"):
        migration.notes.append(
            (
                source,
                (
                    "DummyAuthenticator becomes SharedPasswordAuthenticator: "
                    "the same shared password, a real authenticator"
                ),
            )
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
            elif name == "GRANT_SUDO" and target_kind == "singleuser":
                # The variable alone does nothing for a server started as uid 1000; the setting starts it as root.
                migration.unmapped.append(
                    (
                        f"{source}.{name}",
                        "not mapped: sudo is `singleuser.grant_sudo: true` here (user pods drop to "
                        "Pod Security baseline); leave it off unless users need it",
                    )
                )
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


def _lifecycle_hooks(value, migration, source):
    """Exec hooks carry over; httpGet/sleep hooks have no field here."""
    hooks = {}
    for theirs, ours in (("postStart", "post_start"), ("preStop", "pre_stop")):
        hook = value.get(theirs)
        if hook is None:
            continue
        command = (hook.get("exec") or {}).get("command")
        if command and all(isinstance(part, str) for part in command) and set(hook) == {"exec"}:
            hooks[ours] = command
        else:
            migration.unmapped.append(
                (f"{source}.{theirs}", "not mapped: only exec hooks (a command) are lifecycle hooks here")
            )
    for key in sorted(set(value) - {"postStart", "preStop"}):
        migration.unmapped.append((f"{source}.{key}", "not mapped: only postStart and preStop hooks exist"))
    if not hooks:
        raise NotMapped("no exec hook to carry over")
    return hooks


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-") or "profile"


PROFILE_OVERRIDES = {"image": "image", "cpu_guarantee": "cpu.guarantee", "cpu_limit": "cpu.limit",
                     "mem_guarantee": "memory.guarantee", "mem_limit": "memory.limit"}  # fmt: skip


def _profile(entry: dict, index: int, migration: Migration, source: str) -> dict:
    where = f"{source}[{index}]"
    profile = {"display_name": entry["display_name"], "slug": entry.get("slug") or _slug(entry["display_name"])}
    for key in ("description", "default"):
        if key in entry:
            profile[key] = entry[key]
    overrides = entry.get("kubespawner_override") or {}
    for key, value in overrides.items():
        if key in PROFILE_OVERRIDES:
            section, _, part = PROFILE_OVERRIDES[key].partition(".")
            if section == "memory":
                profile.setdefault(section, {})[part] = _spawner_bytes(
                    value, migration, f"{where}.kubespawner_override.{key}"
                )
            elif part:
                profile.setdefault(section, {})[part] = str(value)
            else:
                profile[section] = value
        elif key == "extra_resource_limits" and set(value) == {GPU_RESOURCE}:
            profile["gpus"] = int(value[GPU_RESOURCE])
        elif key in ("node_selector", "tolerations") and GPU_RESOURCE in (overrides.get("extra_resource_limits") or {}):
            # Where GPU profiles run: this project keeps one such placement for all of them.
            migration.put(f"singleuser.gpu_nodes.{key}", value)
        else:
            migration.unmapped.append(
                (f"{where}.kubespawner_override.{key}", "not mapped: a profile sets image, cpu, memory and gpus here")
            )
    for key in sorted(set(entry) - {"display_name", "slug", "description", "default", "kubespawner_override"}):
        migration.unmapped.append(
            (
                f"{where}.{key}",
                "not mapped: write profile options as singleuser.profiles[].options (cpu, memory, gpu, image, node)",
            )
        )
    return profile


def _profile_list(value, migration, source):
    if not isinstance(value, list) or not all(isinstance(e, dict) and e.get("display_name") for e in value):
        raise NotMapped(
            "every profile needs a display_name (a profile list computed by code cannot be carried over); "
            "write singleuser.profiles"
        )
    profiles = [_profile(entry, i, migration, source) for i, entry in enumerate(value)]
    if not any(p.get("default") for p in profiles):
        profiles[0]["default"] = True
        migration.notes.append((source, "no profile marked default; the first is (as KubeSpawner does)"))
    return profiles


def _announcement(value, migration, source):
    if not isinstance(value, str) or re.search(r"<[A-Za-z/]", value):
        raise NotMapped("the announcement is plain text here (hub.branding.announcement); write it without HTML")
    return value


def _enabled_default_on(value, migration, source):
    """A chart switch for something this project always does: true is kept by doing it, false cannot be."""
    if value is not True:
        raise NotMapped("always on here, with production defaults")
    return SKIP


def _scheduler_replicas(value, migration, source):
    if value < 2:
        raise NotMapped(f"{value} replica: {LEADER_ELECTION_REASON}")
    return value


def _placeholders(value, migration, source):
    # The chart's defaults: enabled, 0 replicas.
    return value.get("replicas", 0) if value.get("enabled", True) else 0


def _node_purpose(value, migration, source):
    if value == "require":
        return {NODE_PURPOSE_LABEL: "user"}
    if value == "ignore":
        return SKIP
    raise NotMapped(f"{value!r}: user pods either require nodes by label or go anywhere; write require or ignore")


def _extra_images(value, migration, source):
    return [_image(image, migration, f"{source}.{name}") for name, image in sorted(value.items())]


TOLERATION_KEYS = {"key", "operator", "value", "effect"}


def _tolerations(value, migration, source):
    if any(set(item) - TOLERATION_KEYS for item in value):
        raise NotMapped("tolerationSeconds is not supported; tolerations take key, operator, value and effect")
    return value


def _privilege_escalation(value, migration, source):
    if value:
        raise NotMapped(
            "user servers never escalate privileges; if users need sudo, write singleuser.grant_sudo: true "
            "(user pods drop to Pod Security baseline)"
        )
    return SKIP


def _extra_resource(value, migration, source):
    raise NotMapped(
        "extra resources (e.g. GPUs) are given per profile: singleuser.profiles[].gpus, with singleuser.gpu_nodes"
    )


def _one_claim(value, migration, source):
    if not isinstance(value, str):
        raise NotMapped("a claim computed by code; write the claim's name")
    return value


# --- the table ------------------------------------------------------------------------------

SECRET_IN_GIT = (
    "a secret value in a values file ends up in git; here the hub's secrets are generated in-cluster by the "
    "bootstrap hook, or read from secrets.existing_secret"
)
PASSWORD_IN_GIT = "a password in a values file ends up in git; put it in a Secret and reference it as auth.{}"
BUILT_IN = "built in, with production defaults (not configurable)"
CALLBACK_FROM_HOST = "always https://<host>/hub/oauth_callback (register that URL with the provider)"
SHARED_VOLUMES = (
    "volumes users share are PVCs this project creates (singleuser.storage.shared_volumes: name, mount_path, "
    "capacity, storage_class), temporary space is singleuser.storage.scratch; an existing claim or another volume "
    "source cannot be mounted: move its data to a shared volume"
)
NODE_PURPOSE_LABEL = "hub.jupyter.org/node-purpose"
CULL_SETTINGS = {
    "enabled": "enabled",
    "timeout": "timeout",
    "every": "every",
    "maxAge": "max_age",
    "users": "cull_users",
    "removeNamedServers": "remove_named_servers",
    "concurrency": "concurrency",
}
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
    Row(
        "hub.config.JupyterHub.admin_access",
        reason="admins act as users through roles in JupyterHub 5, not admin_access",
    ),
    Row("hub.config.Authenticator.admin_users", "auth.admin_users", _same),
    Row("hub.config.Authenticator.allowed_users", "auth.allowed_users", _same),
    Row("hub.config.Authenticator.allow_all", "auth.allow_all", _same),
    Row("hub.config.DummyAuthenticator.password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row("hub.config.SharedPasswordAuthenticator.user_password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row(
        "hub.config.SharedPasswordAuthenticator.admin_password", reason=PASSWORD_IN_GIT.format("admin_password_secret")
    ),
    *(
        row
        for authenticator in ("GenericOAuthenticator", "GitHubOAuthenticator")
        for row in (
            Row(f"hub.config.{authenticator}.client_id", "auth.client_id", _same),
            Row(f"hub.config.{authenticator}.client_secret", reason=PASSWORD_IN_GIT.format("client_secret")),
            Row(f"hub.config.{authenticator}.oauth_callback_url", reason=CALLBACK_FROM_HOST),
            Row(f"hub.config.{authenticator}.scope", "auth.scopes", _same),
            Row(f"hub.config.{authenticator}.enable_auth_state", "auth.keep_tokens", _same),
            Row(f"hub.config.{authenticator}.login_service", "auth.login_service", _same),
        )
    ),
    Row("hub.config.GenericOAuthenticator.authorize_url", "auth.authorize_url", _same),
    Row("hub.config.GenericOAuthenticator.token_url", "auth.token_url", _same),
    Row("hub.config.GenericOAuthenticator.userdata_url", "auth.userinfo_url", _same),
    Row("hub.config.GenericOAuthenticator.logout_redirect_url", "auth.logout_url", _same),
    Row("hub.config.GenericOAuthenticator.username_claim", "auth.username_claim", _one_claim),
    Row("hub.config.GenericOAuthenticator.username_key", "auth.username_claim", _one_claim),
    Row("hub.config.GenericOAuthenticator.claim_groups_key", "auth.groups_claim", _one_claim),
    Row("hub.config.GenericOAuthenticator.allowed_groups", "auth.allowed_groups", _same),
    Row("hub.config.GenericOAuthenticator.admin_groups", "auth.admin_groups", _same),
    Row("hub.config.GitHubOAuthenticator.allowed_organizations", "auth.allowed_organizations", _same),
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
    Row("hub.templateVars.announcement", "hub.branding.announcement", _announcement),
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
    Row("singleuser.memory.guarantee", "singleuser.memory.guarantee", _spawner_bytes),
    Row("singleuser.memory.limit", "singleuser.memory.limit", _spawner_bytes),
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
    Row("singleuser.storage.extraVolumes", reason=SHARED_VOLUMES),
    Row("singleuser.storage.extraVolumeMounts", reason=SHARED_VOLUMES),
    Row("singleuser.startTimeout", "singleuser.start_timeout", _same),
    Row("singleuser.defaultUrl", "singleuser.default_url", _same),
    Row("singleuser.extraEnv", "singleuser.extra_env", _env_vars("singleuser")),
    Row("singleuser.uid", "singleuser.uid", _uid),
    Row("singleuser.fsGid", "singleuser.fs_gid", _same),
    Row("singleuser.cmd", reason="user servers always run jupyterhub-singleuser"),
    Row("singleuser.lifecycleHooks", "singleuser.lifecycle", _lifecycle_hooks),
    Row("singleuser.profileList", "singleuser.profiles", _profile_list),
    Row("singleuser.allowPrivilegeEscalation", None, _privilege_escalation),
    Row("singleuser.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("singleuser.cloudMetadata", reason="user servers never reach the cloud metadata endpoint; " + BUILT_IN),
    Row("singleuser.nodeSelector", "scheduling.user_pods.node_selector", _same),
    Row("singleuser.extraTolerations", "scheduling.user_pods.tolerations", _tolerations),
    Row("singleuser.extraLabels", reason="user pods keep stable labels that policies select on"),
    Row("singleuser.extraAnnotations", reason=NOT_YET.format("user pod annotations")),
    Row("singleuser.initContainers", reason=NOT_YET.format("user init containers")),
    Row("singleuser.extraContainers", reason=NOT_YET.format("user sidecars")),
    Row("singleuser.extraPodConfig", reason=NOT_YET.format("raw pod config")),
    Row("singleuser.extraResource", None, _extra_resource),
    Row("singleuser.serviceAccountName", reason="user servers get no Kubernetes API token"),
    # ingress
    Row("ingress.enabled", "ingress.enabled", _same),
    Row("ingress.hosts", "host", _ingress_host),
    Row("ingress.ingressClassName", "ingress.class_name", _same),
    Row("ingress.annotations", "ingress.annotations", _same),
    Row("ingress.tls", "ingress.tls_secret", _ingress_tls),
    Row("ingress.pathSuffix", reason="the Ingress routes the whole host (a prefix goes in hub.base_url)"),
    Row("ingress.pathType", reason="always Prefix"),
    # scheduling
    Row("scheduling.userScheduler.enabled", "scheduling.user_scheduler.enabled", _same),
    Row("scheduling.userScheduler.replicas", "scheduling.user_scheduler.replicas", _scheduler_replicas),
    Row("scheduling.userScheduler.image", "scheduling.user_scheduler.image", _image, keys=("name", "tag")),
    Row(
        "scheduling.userScheduler.resources",
        "scheduling.user_scheduler.resources",
        _resources(lambda: UserScheduler().resources),
    ),
    Row("scheduling.podPriority.enabled", None, _enabled_default_on),
    Row("scheduling.podPriority.globalDefault", reason="the classes apply to this hub's pods only, never cluster-wide"),
    Row("scheduling.podPriority.defaultPriority", "scheduling.priorities.user", _same),
    Row("scheduling.podPriority.imagePullerPriority", "scheduling.priorities.image_puller", _same),
    Row("scheduling.podPriority.userPlaceholderPriority", "scheduling.priorities.placeholder", _same),
    Row(
        "scheduling.userPlaceholder",
        "scheduling.user_placeholders.replicas",
        _placeholders,
        keys=("enabled", "replicas"),
    ),
    Row("scheduling.userPods.nodeAffinity.matchNodePurpose", "scheduling.user_pods.node_selector", _node_purpose),
    Row("scheduling.userPods.tolerations", "scheduling.user_pods.tolerations", _tolerations),
    Row("scheduling.corePods", reason=NOT_YET.format("placement of the hub and proxy")),
    # image pre-pulling
    Row("prePuller.continuous.enabled", "scheduling.image_puller.continuous", _same),
    Row("prePuller.hook.enabled", "scheduling.image_puller.pre_sync.enabled", _same),
    Row("prePuller.extraImages", "scheduling.image_puller.extra_images", _extra_images),
    # idle culling
    *(Row(f"cull.{theirs}", f"singleuser.culling.{ours}", _same) for theirs, ours in CULL_SETTINGS.items()),
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
    "hub.templateVars": "only the announcement is a template variable here (hub.branding); "
    + NOT_YET.format("custom page templates"),
    "hub.config": "JupyterHub traitlets are set here from typed settings; one they lack can go in hub.extra_config",
    "hub": "no hub setting of this project corresponds",
    "proxy": "no proxy setting of this project corresponds",
    "singleuser": "no user-server setting of this project corresponds",
    "scheduling": "no scheduling setting of this project corresponds",
    "prePuller": "no image-puller setting of this project corresponds (the pullers are built in)",
    "cull": "no culling setting of this project corresponds",
}
UNKNOWN = "not a key of the JupyterHub chart 4.x that this importer knows"


def _reason_for_unknown(path: str) -> str:
    prefixes = [p for p in REASON_BELOW if path.startswith(p + ".")]
    return REASON_BELOW[max(prefixes, key=len)] if prefixes else UNKNOWN


# Where the chart's default differs from this project's, the migrated hub keeps the chart's behaviour.
CHART_DEFAULTS = {"proxy": {"service": {"type": "LoadBalancer"}}, "ingress": {"enabled": False}}
DEFAULT_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "password"}
DEFAULT_CLIENT_SECRET = {"name": "jupyterhub-oauth", "key": "client-secret"}
DEFAULT_ADMIN_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "admin-password"}


def _merged(base: dict, override: dict) -> dict:
    result = dict(base)
    for key, value in override.items():
        result[key] = (
            _merged(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
        )
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
    """The chart spreads an authenticator's secret over hub.config, extraEnv and extraConfig; here it is one field."""
    migration.put("auth.type", migration.get("auth.type", "shared-password"))
    auth = migration.config["auth"]
    if auth["type"] == "shared-password":
        _resolve_shared_password(migration, auth)
    else:
        _resolve_oauth(migration, auth)
    for name in sorted(migration.hub_secret_env):
        migration.unmapped.append((f"hub.extraEnv.{name}", "not mapped: no setting here reads this Secret"))


def _resolve_shared_password(migration: Migration, auth: dict) -> None:
    if migration.password_env in migration.hub_secret_env:
        auth["password_secret"] = migration.hub_secret_env.pop(migration.password_env)
    else:
        auth["password_secret"] = DEFAULT_PASSWORD_SECRET
        migration.notes.append(
            (
                "auth.password_secret",
                f"no password from a Secret found; create Secret {DEFAULT_PASSWORD_SECRET['name']} "
                f"with key {DEFAULT_PASSWORD_SECRET['key']} before the first sync",
            )
        )
    if auth["type"] == "shared-password" and auth.get("admin_users"):
        # The chart's admin_password is a value in git (reported unmapped); admins log in only with one.
        auth["admin_password_secret"] = DEFAULT_ADMIN_PASSWORD_SECRET
        migration.notes.append(
            (
                "auth.admin_password_secret",
                f"admin_users log in only with an admin password; create key "
                f"{DEFAULT_ADMIN_PASSWORD_SECRET['key']} (at least 32 characters) in Secret "
                f"{DEFAULT_ADMIN_PASSWORD_SECRET['name']} before the first sync",
            )
        )
    for name in sorted(migration.hub_secret_env):
        migration.unmapped.append((f"hub.extraEnv.{name}", "not mapped: no setting here reads this Secret"))
    if not auth.get("allowed_users") and "allow_all" not in auth:
        # The chart's DummyAuthenticator lets every name in with the password; keep that, explicitly.
        auth["allow_all"] = True
        migration.notes.append(("auth.allow_all", "true, as the chart's authenticator allowed every user name"))


def _resolve_oauth(migration: Migration, auth: dict) -> None:
    """OAuth: the client secret is a Secret reference; a generic provider's issuer is the authorize URL's origin.

    No access rule is added: the chart's OAuthenticator lets nobody but admins in without one, and the loader
    then says what to write.
    """
    auth["client_secret"] = DEFAULT_CLIENT_SECRET
    migration.notes.append(
        (
            "auth.client_secret",
            f"create Secret {DEFAULT_CLIENT_SECRET['name']} with key {DEFAULT_CLIENT_SECRET['key']} "
            "holding the OAuth client secret before the first sync",
        )
    )
    # The chart lets the hub reach every non-private address; keep that, and say how to narrow it.
    auth["egress"] = [{"public_internet": True}]
    migration.notes.append(
        ("auth.egress", "public_internet, as the chart allowed the hub; narrow it to your provider's addresses (cidr)")
    )
    if auth["type"] == "oidc" and "authorize_url" in auth and not _as_keycloak(migration, auth):
        origin = urlsplit(auth["authorize_url"])
        auth["issuer"] = f"{origin.scheme}://{origin.netloc}"


_KEYCLOAK_AUTHORIZE = re.compile(r"^(https://.+)/realms/([A-Za-z0-9._-]+)/protocol/openid-connect/auth$")


def _as_keycloak(migration: Migration, auth: dict) -> bool:
    """Generic OAuth against a Keycloak realm (Thinkube's setup) becomes `type: keycloak`: URLs from url and realm."""
    match = _KEYCLOAK_AUTHORIZE.match(auth["authorize_url"])
    if not match:
        return False
    base = match[0].removesuffix("/auth")
    if (auth.get("token_url"), auth.get("userinfo_url")) != (f"{base}/token", f"{base}/userinfo"):
        return False
    logout = urlsplit(auth.get("logout_url") or f"{base}/logout")
    redirects = [v for k, v in parse_qsl(logout.query) if k in ("redirect_uri", "post_logout_redirect_uri")]
    if f"{logout.scheme}://{logout.netloc}{logout.path}" != f"{base}/logout" or len(redirects) > 1:
        return False
    for key in ("authorize_url", "token_url", "userinfo_url", "logout_url"):
        auth.pop(key, None)
    auth.update({"type": "keycloak", "url": match[1], "realm": match[2]})
    if redirects:
        auth["post_logout_redirect_url"] = redirects[0]
    migration.notes.append(
        ("auth.type", f"the endpoints are Keycloak realm {match[2]}'s: keycloak, with url and realm")
    )
    return True


def _complete_profiles(migration: Migration) -> None:
    """A profile's partial cpu/memory override keeps the other half from singleuser, as KubeSpawner does."""
    for profile in migration.get("singleuser.profiles", []):
        for section, allotment in (("cpu", CpuAllotment), ("memory", MemoryAllotment)):
            if section in profile:
                given = migration.get(f"singleuser.{section}", {})
                profile[section] = {**allotment().model_dump(), **given, **profile[section]}


def _quota_for_gpus(migration: Migration) -> None:
    """The chart has no ResourceQuota; ours holds no GPU unless told, so make room for the largest GPU profile."""
    gpus = max((profile.get("gpus", 0) for profile in migration.get("singleuser.profiles", [])), default=0)
    if gpus:
        migration.put("quota.gpus", gpus)
        migration.notes.append(
            (
                "quota.gpus",
                f"{gpus}, room for one server of the largest GPU profile; raise it to the GPUs users may hold at once",
            )
        )


def migrate(values: dict, namespace: str) -> Migration:
    migration = Migration()
    migration.put("namespace", namespace)
    _walk(_merged(CHART_DEFAULTS, values), "", migration)
    _resolve_auth(migration)
    _complete_profiles(migration)
    _quota_for_gpus(migration)
    if migration.get("singleuser.storage.type", "dynamic") == "dynamic":
        migration.notes.append(
            (
                "singleuser.storage",
                "user PVCs are named <name>-claim-<user> here, claim-<user> in the chart: "
                "rename existing claims (or copy their data) before users move over",
            )
        )
    return migration


HEADER = (
    "# Imported from a JupyterHub Helm chart values file (python main.py "
    "import-z2jh).\n# yaml-language-server: $schema=schema.json\n"
)


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
