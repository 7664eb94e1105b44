"""Conversions of single chart values: each returns the value for its row's target, or raises NotMapped.

A transform takes (value, migration, source); it may add notes, or unmapped
lines for parts of the value, to the migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..config.scheduling import LEADER_ELECTION_REASON
from .engine import SKIP, NotMapped, Transform


def same(value, migration, source):
    return value


def image(value, migration, source):
    if not value.get("name"):
        raise NotMapped("no image name; the default image is used")
    tag = value.get("tag")
    if not tag or tag == "set-by-chartpress":
        raise NotMapped("the image has no tag; the default pinned image is used (pin yours as image: name:tag)")
    return f"{value['name']}:{tag}"


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


def ingress_host(value, migration, source):
    for extra in value[1:]:
        migration.unmapped.append((f"{source}[]", f"not mapped: {extra!r}; one host per environment"))
    return value[0]


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
