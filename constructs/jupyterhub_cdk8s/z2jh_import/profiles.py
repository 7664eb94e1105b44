"""The chart's profileList as singleuser.profiles, completed as KubeSpawner would."""

from __future__ import annotations

import re

from ..config.singleuser import GPU_RESOURCE, CpuAllotment, MemoryAllotment
from ..config.yaml_input import shown
from .engine import Migration, NotMapped, WrongValue
from .transforms import spawner_bytes


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
                profile.setdefault(section, {})[part] = spawner_bytes(
                    value, migration, f"{where}.kubespawner_override.{key}"
                )
            elif part:
                profile.setdefault(section, {})[part] = str(value)
            else:
                profile[section] = value
        elif key == "extra_resource_limits" and isinstance(value, dict) and set(value) == {GPU_RESOURCE}:
            profile["gpus"] = _gpu_count(value[GPU_RESOURCE], f"[{index}].kubespawner_override.{key}.{GPU_RESOURCE}")
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


def _gpu_count(value, at: str) -> int:
    """A GPU limit as the chart takes it: a whole number, possibly quoted ("1")."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdecimal())):
        raise WrongValue(f"{shown(value)} is not a GPU count; write a whole number like 1", at)
    if len(str(value)) > 10:
        raise WrongValue(f"{shown(value)} GPUs is more than any node has; write a whole number like 1", at)
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
