"""The chart's profileList as singleuser.profiles, completed as KubeSpawner would.

A `kubespawner_override` becomes the profile's typed settings key by key, and
`profile_options` drop-downs whose every choice sets one thing (an image, a
CPU or memory limit, a GPU count, a node) become options of that kind.
"""

from __future__ import annotations

import re
from typing import Any

from ..config.singleuser import GPU_RESOURCE, NODE_NAME_LABEL, CpuAllotment, MemoryAllotment
from ..config.yaml_input import shown
from .engine import Migration, NotMapped, WrongValue
from .pods import CHART_HOME_VOLUMES, containers, dns_label, items_of, paired_volumes
from .transforms import lifecycle_hooks, spawner_bytes


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-") or "profile"


PROFILE_OVERRIDES = {"image": "image", "cpu_guarantee": "cpu.guarantee", "cpu_limit": "cpu.limit",
                     "mem_guarantee": "memory.guarantee", "mem_limit": "memory.limit"}  # fmt: skip
SAME_NAME = {"default_url": "default_url", "cmd": "command", "args": "args", "extra_labels": "labels"}
REPLACED_LISTS = {"tolerations", "init_containers", "extra_containers", "volumes"}
"""Overrides that replace every server's list in the chart (KubeSpawner sets a list, merges a dict)."""
ENTRY_KEYS = {"display_name", "slug", "description", "default", "kubespawner_override", "profile_options"}


def _profile(entry: dict, index: int, migration: Migration, source: str) -> dict:
    where = f"{source}[{index}]"
    profile = {"display_name": entry["display_name"], "slug": entry.get("slug") or _slug(entry["display_name"])}
    for key in ("description", "default"):
        if key in entry:
            profile[key] = entry[key]
    _overrides(entry.get("kubespawner_override") or {}, profile, migration, f"{where}.kubespawner_override")
    options = {}
    for key, option in (entry.get("profile_options") or {}).items():
        try:
            options[dns_label(key)] = _option(option, migration, f"{where}.profile_options.{key}")
        except NotMapped as reason:
            migration.unmapped.append((f"{where}.profile_options.{key}", f"not mapped: {reason}"))
    if options:
        profile["options"] = options
    for key in sorted(set(entry) - ENTRY_KEYS):
        migration.unmapped.append((f"{where}.{key}", "not mapped: no profile setting of this project corresponds"))
    return profile


def _overrides(overrides: dict, profile: dict, migration: Migration, where: str) -> None:
    """A profile's kubespawner_override, key by key, as the profile's typed settings."""
    limits = overrides.get("extra_resource_limits") or {}
    gpu = GPU_RESOURCE in limits
    for key, value in overrides.items():
        at = f"{where}.{key}"
        if key in PROFILE_OVERRIDES:
            section, _, part = PROFILE_OVERRIDES[key].partition(".")
            if section == "memory":
                profile.setdefault(section, {})[part] = spawner_bytes(value, migration, at)
            elif part:
                profile.setdefault(section, {})[part] = str(value)
            else:
                profile[section] = value
        elif key == "extra_resource_limits":
            if gpu:
                profile["gpus"] = _count(value[GPU_RESOURCE], f"{at}.{GPU_RESOURCE}")
            if others := {
                name: _count(count, f"{at}.{name}", "device") for name, count in value.items() if name != GPU_RESOURCE
            }:
                profile["extra_resources"] = others
        elif key in ("node_selector", "tolerations") and gpu:
            _gpu_nodes(migration, key, value)
        elif key == "node_selector":
            profile["node_selector"] = {k: str(v) for k, v in value.items()}
        elif key == "tolerations":
            profile["tolerations"] = list(value.values()) if isinstance(value, dict) else value
        elif key == "environment" and all(isinstance(v, (str, int, float)) for v in value.values()):
            profile["environment"] = {k: str(v) for k, v in value.items()}
        elif key in SAME_NAME:
            profile[SAME_NAME[key]] = value if key != "cmd" or not isinstance(value, str) else [value]
        elif key == "lifecycle_hooks":
            try:
                profile["lifecycle"] = lifecycle_hooks(value, migration, at)
            except NotMapped as reason:
                migration.unmapped.append((at, f"not mapped: {reason}"))
        elif key in ("init_containers", "extra_containers"):
            found = containers(value, migration, at)
            if isinstance(found, list):
                profile["init_containers" if key == "init_containers" else "sidecars"] = found
        elif key == "volumes":
            _volumes(overrides, profile, migration, where)
        elif key in ("volume_mounts", "image_pull_secrets"):
            continue  # read with volumes; Secrets serve the registries of every image (image_pull_secrets)
        else:
            migration.unmapped.append((at, "not mapped: no profile setting of this project corresponds"))
    for key in sorted(REPLACED_LISTS & {k for k, v in overrides.items() if isinstance(v, list)}):
        migration.notes.append(
            (f"{where}.{key}", "here the profile's entries add to every server's (the chart's list replaced them)")
        )
    for name in overrides.get("image_pull_secrets") or []:
        name = name if isinstance(name, str) else name["name"]
        migration.pull_secrets.setdefault(name, []).append((f"{where}.image_pull_secrets", "singleuser"))


def _volumes(overrides: dict, profile: dict, migration: Migration, where: str) -> None:
    """Read once every server's volumes are known (resolve_profile_volumes)."""
    pending = (profile, overrides["volumes"], overrides.get("volume_mounts") or [], where)
    migration.pending.setdefault("profile volumes", []).append(pending)


def resolve_profile_volumes(migration: Migration) -> None:
    """The chart replaces every server's volumes with an override's list; here a profile adds its own."""
    every_server = {entry["name"] for entry in migration.get("singleuser.storage.extra_volumes", [])}
    every_server |= {"home", *CHART_HOME_VOLUMES}
    for profile, volumes, mounts, where in migration.pending.pop("profile volumes", []):
        try:
            own_volumes = [v for v in items_of(volumes) if v["name"] not in every_server]
            own_mounts = [m for m in items_of(mounts) if m["name"] not in every_server]
        except (AttributeError, TypeError, KeyError):
            migration.unmapped.append((f"{where}.volumes", "not mapped: not volumes and mounts the chart takes"))
            continue
        entries = paired_volumes(own_volumes, own_mounts, migration, where)
        if entries:
            profile["volumes"] = entries


def _gpu_nodes(migration: Migration, key: str, value: Any) -> None:
    """Where GPU servers run: this project keeps one such placement for every GPU profile and choice."""
    if key == "node_selector":
        migration.put("singleuser.gpu_nodes.node_selector", {k: str(v) for k, v in value.items()})
        return
    known = migration.get("singleuser.gpu_nodes.tolerations", [])
    tolerations = list(value.values()) if isinstance(value, dict) else value
    migration.put("singleuser.gpu_nodes.tolerations", [t for t in tolerations if t not in known])


def _option(option: dict, migration: Migration, where: str) -> dict:
    """A drop-down whose every choice sets one thing of one kind."""
    choices = option.get("choices") or {}
    if not choices:
        raise NotMapped("an option without choices has no default here; add the choices")
    kinds, converted = set(), {}
    for key, choice in choices.items():
        kind, value = _choice(choice.get("kubespawner_override") or {}, migration, f"{where}.choices.{key}")
        kinds.add(kind)
        converted[str(key)] = {"display_name": choice.get("display_name", str(key)), "value": value}
    if len(kinds) != 1:
        raise NotMapped(f"its choices set different things ({', '.join(sorted(kinds))}); one kind per drop-down here")
    default = next((str(k) for k, c in choices.items() if c.get("default")), next(iter(converted)))
    rendered = {"kind": kinds.pop(), "display_name": option.get("display_name", "Option"), "default": default}
    rendered["choices"] = converted
    unlisted = option.get("unlisted_choice") or {}
    if unlisted.get("enabled"):
        if rendered["kind"] != "image" or (unlisted.get("kubespawner_override") or {}) != {"image": "{value}"}:
            migration.unmapped.append(
                (f"{where}.unlisted_choice", "not mapped: free text is a whole image here ({image: '{value}'})")
            )
        else:
            rendered["unlisted"] = {
                key: unlisted[key] for key in ("display_name", "display_name_in_choices") if key in unlisted
            }
            if "validation_regex" in unlisted:
                migration.notes.append(
                    (
                        f"{where}.unlisted_choice.validation_regex",
                        "replaced by a pinned-image pattern; restrict the images with unlisted.repositories",
                    )
                )
    return rendered


def _choice(override: dict, migration: Migration, where: str) -> tuple[str, Any]:
    keys = set(override)
    limits = override.get("extra_resource_limits") or {}
    if keys == {"image"}:
        return "image", override["image"]
    if keys in ({"cpu_limit"}, {"cpu_limit", "cpu_guarantee"}):
        return "cpu", str(override["cpu_limit"])
    if keys in ({"mem_limit"}, {"mem_limit", "mem_guarantee"}):
        return "memory", spawner_bytes(override["mem_limit"], migration, f"{where}.kubespawner_override.mem_limit")
    if set(limits) == {GPU_RESOURCE} and keys <= {"extra_resource_limits", "node_selector", "tolerations"}:
        for key in keys & {"node_selector", "tolerations"}:
            _gpu_nodes(migration, key, override[key])
        return "gpu", _count(limits[GPU_RESOURCE], f"{where}.kubespawner_override.extra_resource_limits.{GPU_RESOURCE}")
    if keys == {"node_selector"} and set(override["node_selector"]) == {NODE_NAME_LABEL}:
        return "node", override["node_selector"][NODE_NAME_LABEL]
    raise NotMapped(
        f"a choice sets {', '.join(sorted(keys)) or 'nothing'}; a drop-down here chooses one image, CPU limit, "
        "memory limit, GPU count or node"
    )


def _count(value: Any, where: str, what: str = "GPU") -> int:
    """A GPU or device limit as the chart takes it: a whole number, possibly quoted ("1").

    `where` is the full path; a WrongValue names it below the profileList row's key (from the first `[`).
    """
    at = where[where.index("[") :]
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdecimal())):
        raise WrongValue(f"{shown(value)} is not a {what} count; write a whole number like 1", at)
    if len(str(value)) > 10:
        raise WrongValue(f"{shown(value)} {what}s is more than any node has; write a whole number like 1", at)
    return int(value)


def profile_list(value, migration, source):
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


def complete_profiles(migration: Migration) -> None:
    """A profile's partial cpu/memory override keeps the other half from singleuser, as KubeSpawner does."""
    for profile in migration.get("singleuser.profiles", []):
        for section, allotment in (("cpu", CpuAllotment), ("memory", MemoryAllotment)):
            if section in profile:
                given = migration.get(f"singleuser.{section}", {})
                profile[section] = {**allotment().model_dump(), **given, **profile[section]}


def quota_for_gpus(migration: Migration) -> None:
    """The chart has no ResourceQuota; ours holds no GPU unless told, so make room for the largest GPU profile."""
    gpus = [profile.get("gpus", 0) for profile in migration.get("singleuser.profiles", [])]
    gpus += [
        choice["value"]
        for profile in migration.get("singleuser.profiles", [])
        for option in (profile.get("options") or {}).values()
        if option["kind"] == "gpu"
        for choice in option["choices"].values()
    ]
    most = max(gpus, default=0)
    if most:
        migration.put("quota.gpus", most)
        migration.notes.append(
            (
                "quota.gpus",
                f"{most}, room for one server of the largest GPU profile; raise it to the GPUs users may hold at once",
            )
        )
