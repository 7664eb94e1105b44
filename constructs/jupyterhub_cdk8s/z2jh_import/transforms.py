"""Conversions of single chart values: each returns the value for its row's target, or raises NotMapped.

A transform takes (value, migration, source); it may add notes, or unmapped
lines for parts of the value, to the migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..config.scheduling import LEADER_ELECTION_REASON
from .engine import SKIP, Migration, NotMapped, Transform


def same(value, migration, source):
    return value


def image(value, migration, source):
    if not value.get("name"):
        raise NotMapped("no image name; the default image is used")
    tag = value.get("tag")
    if not tag or tag == "set-by-chartpress":
        raise NotMapped("the image has no tag; the default pinned image is used (pin yours as image: name:tag)")
    return f"{value['name']}:{tag}"  # a whole-number tag (IMAGE refuses others) reads as Helm renders it


def quantity(value, migration, source):
    return str(value)


def spawner_bytes(value, migration, source):
    """KubeSpawner reads the chart's memory sizes as ByteSpecification: K, M, G, T are powers of 1024.

    Here sizes are Kubernetes quantities, where G is 10^9; 2G in the chart gives a pod 2Gi, so that is what to write.
    """
    text = str(value)
    if text[-1:] in ("K", "M", "G", "T"):
        migration.notes.append((source, f"{text} (powers of 1024 in KubeSpawner) becomes {text}i"))
        return text + "i"
    return text


def resources(defaults: Callable[[], Any]) -> Transform:
    """k8s `requests`/`limits` to `{cpu, memory}: {request, limit}`; a missing part keeps this project's default."""

    def transform(value, migration, source):
        default = defaults().model_dump()
        result: dict[str, dict[str, str]] = {}
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


def hub_database(value, migration, source):
    if value == "sqlite-pvc":
        return "sqlite"
    raise NotMapped(
        f"database type {value!r}: this project runs SQLite on a PVC, or PostgreSQL with its URL in a Secret "
        "(hub.database: {type: postgresql, url_secret: {name, key}})"
    )


def base_url(value, migration, source):
    return value if value.endswith("/") else value + "/"


def env_vars(target_kind: str) -> Transform:
    """extraEnv: plain values are kept for user servers; secretKeyRefs of the hub are kept for the auth mapping."""

    def transform(value, migration, source):
        plain = {}
        if isinstance(value, list):  # the Kubernetes form: [{name, value}] or [{name, valueFrom}]
            value = {entry["name"]: entry.get("value", entry) for entry in value}
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
                plain[name] = env_text(item)
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


def env_text(value: str | int | float | bool) -> str:
    """A plain value as the chart writes it into an env entry (its template quotes it): true, not True."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def ingress_tls(value, migration, source):
    secrets = [item.get("secretName") for item in value if item.get("secretName")]
    if not secrets:
        raise NotMapped("no secretName; set ingress.tls_secret to the Secret holding the certificate")
    return secrets[0]


def access_mode(value, migration, source):
    if len(value) != 1:
        raise NotMapped("one access mode per user volume; write singleuser.storage.access_mode")
    return value[0]


def storage_type(value, migration, source):
    if value not in ("dynamic", "static", "none"):
        raise NotMapped(
            f"storage type {value!r}: this project has dynamic (a PVC per user), static (an existing claim) or none"
        )
    return value


def uid(value, migration, source):
    if value == 0:
        raise NotMapped("user servers never run as root by default; keep uid 1000 (jovyan)")
    return value


def debug(value, migration, source):
    return "DEBUG" if value else SKIP


def lifecycle_hooks(value, migration, source):
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


def announcement(value, migration, source):
    if not isinstance(value, str) or re.search(r"<[A-Za-z/]", value):
        raise NotMapped("the announcement is plain text here (hub.branding.announcement); write it without HTML")
    return value


def enabled_default_on(value, migration, source):
    """A chart switch for something this project always does: true is kept by doing it, false cannot be."""
    if value is not True:
        raise NotMapped("always on here, with production defaults")
    return SKIP


def scheduler_replicas(value, migration, source):
    if value < 2:
        raise NotMapped(f"{value} replica: {LEADER_ELECTION_REASON}")
    return value


def placeholders(value, migration, source):
    # The chart's defaults: enabled, 0 replicas.
    return value.get("replicas", 0) if value.get("enabled", True) else 0


NODE_PURPOSE_LABEL = "hub.jupyter.org/node-purpose"


def node_purpose(value, migration, source):
    if value == "require":
        return {NODE_PURPOSE_LABEL: "user"}
    if value == "ignore":
        return SKIP
    raise NotMapped(f"{value!r}: user pods either require nodes by label or go anywhere; write require or ignore")


def extra_images(value, migration, source):
    return [image(item, migration, f"{source}.{name}") for name, item in sorted(value.items())]


TOLERATION_KEYS = {"key", "operator", "value", "effect"}


def tolerations(value, migration, source):
    if any(set(item) - TOLERATION_KEYS for item in value):
        raise NotMapped("tolerationSeconds is not supported; tolerations take key, operator, value and effect")
    return value


def privilege_escalation(value, migration, source):
    if value:
        raise NotMapped(
            "user servers never escalate privileges; if users need sudo, write singleuser.grant_sudo: true "
            "(user pods drop to Pod Security baseline)"
        )
    return SKIP


def extra_resource(value, migration, source):
    raise NotMapped(
        "extra resources are given per profile: singleuser.profiles[].gpus (with singleuser.gpu_nodes) and "
        "singleuser.profiles[].extra_resources"
    )


def one_claim(value, migration, source):
    if not isinstance(value, str):
        raise NotMapped("a claim computed by code; write the claim's name")
    return value


def host_from(kind: str) -> Transform:
    """A key that names the public host: remembered, the first one met becomes `host` (chart_behaviour._host)."""

    def transform(value, migration, source):
        hosts = value if isinstance(value, list) else [value]
        for host in hosts:
            if not isinstance(host, str):
                raise NotMapped(f"{host!r} is not a host name")
            migration.hosts.append((source, host))
        return SKIP

    transform.__doc__ = f"The host from {kind}."
    return transform


def callback_url(value, migration, source):
    """The chart's callback URL is derived here; its host is the environment's host."""
    from .chart_behaviour import callback_host

    host = callback_host(value)
    if host is None:
        raise NotMapped(f"{value!r} is not an https URL; the callback is always https://<host>/hub/oauth_callback")
    migration.hosts.append((source, host))
    migration.notes.append(
        (source, f"the callback URL is derived from host ({host}) and hub.base_url: register it with the provider")
    )
    return SKIP


def http_route_parent(value, migration, source):
    """httpRoute.gateway: name, namespace and sectionName of the Gateway."""
    parent = {"name": value["name"]}
    if value.get("namespace"):
        parent["namespace"] = value["namespace"]
    if value.get("sectionName"):
        parent["section_name"] = value["sectionName"]
    for key in sorted(set(value) - {"name", "namespace", "sectionName"}):
        migration.unmapped.append((f"{source}.{key}", "not mapped: a parent Gateway has name, namespace, sectionName"))
    # The chart lets every pod reach the proxy; here the Gateway's namespace is let in, and said so.
    namespace = value.get("namespace") or migration.get("namespace")
    migration.put("gateway.pods", {"namespace": namespace})
    migration.notes.append(
        (
            "gateway.pods",
            f"every pod of namespace {namespace} (the Gateway's) may reach the proxy; if your Gateway "
            "implementation runs its proxies elsewhere (Envoy Gateway: envoy-gateway-system), write their namespace "
            "and pod_labels here",
        )
    )
    return parent


def core_purpose(value, migration, source):
    """scheduling.corePods.nodeAffinity.matchNodePurpose: require, prefer or ignore nodes labelled for core pods."""
    requirement = {"key": NODE_PURPOSE_LABEL, "operator": "In", "values": ["core"]}
    if value == "require":
        migration.put("scheduling.core_pods.node_affinity.required", [requirement])
    elif value == "prefer":
        migration.put("scheduling.core_pods.node_affinity.preferred", [requirement])
    elif value != "ignore":
        raise NotMapped(f"{value!r}: write require, prefer or ignore")
    return SKIP


def core_placement(value, migration, source):
    """A core pod's node selector or tolerations: here one placement holds for hub, proxy, scheduler and hooks."""
    migration.notes.append(
        (source, "applies to every core pod here (hub, proxy, user scheduler, hook Jobs): scheduling.core_pods")
    )
    return tolerations(value, migration, source) if isinstance(value, list) else value


def hub_services(value, migration, source):
    """hub.services: the token in git is dropped (a Secret reference instead); where the service runs, as the chart."""
    services = []
    for name, spec in sorted(value.items()):
        where = f"{source}.{name}"
        service: dict = {"name": spec.get("name", name), "scopes": ["inherit"] if spec.get("admin") else []}
        for key in sorted(set(spec) - {"name", "apiToken", "admin", "command", "url", "display", "oauth_no_confirm"}):
            migration.unmapped.append((f"{where}.{key}", "not mapped: a service has a token, a command and a role"))
        if spec.get("command"):
            service["command"] = list(spec["command"])
        else:
            secret = {"name": f"jupyterhub-service-{name}", "key": "token"}
            service["api_token"] = secret
            # The chart's hub accepts connections from pods labelled hub.jupyter.org/network-access-hub=true.
            service["runs_in"] = {
                "namespace": migration.get("namespace"),
                "pod_labels": {"hub.jupyter.org/network-access-hub": "true"},
            }
            migration.notes.append(
                (
                    where,
                    f"its token is read from Secret {secret['name']} key token (create it with the service's "
                    "token); like the chart, pods of the hub's namespace labelled "
                    "hub.jupyter.org/network-access-hub=true may reach the hub",
                )
            )
        for key in ("url", "display", "oauth_no_confirm"):
            if key in spec:
                migration.unmapped.append((f"{where}.{key}", "not mapped: the hub does not proxy services here"))
        services.append(service)
    migration.services = services
    return SKIP


def load_roles(value, migration, source):
    """hub.loadRoles: roles of users and groups; a service's role becomes its own scopes."""
    from ..config.services import valid_scope

    roles = []
    for name, spec in sorted(value.items()):
        where = f"{source}.{name}"
        try:
            scopes = [valid_scope(scope) for scope in spec.get("scopes", [])]
        except ValueError as error:
            migration.unmapped.append((where, f"not mapped: {error}"))
            continue
        role = {"name": spec.get("name", name), "scopes": scopes}
        for key in ("description", "users", "groups", "services"):
            if spec.get(key):
                role[key] = spec[key]
        roles.append(role)
    migration.roles = roles
    return SKIP


def resolve_services(migration: Migration) -> None:
    """A service's scopes are those of the roles naming it (the chart gives them through hub.loadRoles)."""
    roles = migration.roles
    for service in migration.services:
        granted = [role for role in roles if service["name"] in role.get("services", [])]
        scopes = list(dict.fromkeys([*service["scopes"], *(s for role in granted for s in role["scopes"])]))
        if not scopes:
            migration.unmapped.append(
                (f"hub.services.{service['name']}", "not mapped: no role gives it scopes; add it with its scopes")
            )
            continue
        migration.put("hub.services", [{**service, "scopes": scopes}])
        for role in granted:
            role["services"] = [name for name in role["services"] if name != service["name"]]
    for role in roles:
        role = {key: value for key, value in role.items() if value != []}
        if role.get("users") or role.get("groups") or role.get("services"):
            migration.put("hub.roles", [role])


def one_or_more(value, migration, source):
    """A trait that takes a string or a list of them (hosted_domain, bind_dn_template, client_id): a list here."""
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(item, (str, int)) for item in values):
        raise NotMapped(f"{value!r} is not a name or a list of names")
    return [str(item) for item in values]


def route_hostnames(value, migration, source):
    """httpRoute.hostnames: the route's names, the first of them the environment's host when nothing else names it."""
    host_from("httpRoute.hostnames")(value, migration, source)
    return value
