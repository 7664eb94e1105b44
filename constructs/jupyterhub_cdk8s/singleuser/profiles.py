"""Profiles on the spawn page: KubeSpawner's profile_list, every choice's overrides computed at synth time."""

from __future__ import annotations

from typing import Any

from ..config.resources import byte_count, cores
from ..config.singleuser import Profile, ProfileOption, SingleuserSettings
from ..config_file import ConfigFile, Order
from .placement import GPU_NODES, named_tolerations
from .spawner import allotment, kubespawner_bytes
from .storage import init_containers


def user_images(singleuser: SingleuserSettings) -> list[str]:
    """Every image a user server can start with, then its init containers' images.

    Deduplicated, in a stable order: what image pullers pre-pull so that no
    start waits for a pull.
    """
    images = [singleuser.image]
    for profile in singleuser.profiles:
        images.extend([profile.image] if profile.image else [])
        for option in profile.options.values():
            if option.kind == "image":
                images.extend(str(choice.value) for choice in option.choices.values())
    images.extend(container["image"] for container in init_containers(singleuser))
    return list(dict.fromkeys(images))


def configure_profiles(file: ConfigFile, singleuser: SingleuserSettings) -> None:
    if singleuser.profiles:
        file.section(Order.PROFILES, "User servers: profiles on the spawn page")
        file.set("KubeSpawner", "profile_list", profile_list(singleuser))


def profile_list(singleuser: SingleuserSettings) -> list[dict]:
    """KubeSpawner's profile_list: plain data, every choice's overrides computed here."""
    rendered = []
    for profile in singleuser.profiles:
        entry: dict[str, Any] = {"display_name": profile.display_name, "slug": profile.slug}
        if profile.description:
            entry["description"] = profile.description
        if profile.default:
            entry["default"] = True
        entry["kubespawner_override"] = _profile_override(singleuser, profile)
        if profile.options:
            entry["profile_options"] = {
                key: _option(singleuser, profile, option) for key, option in profile.options.items()
            }
        rendered.append(entry)
    return rendered


def _profile_override(singleuser: SingleuserSettings, profile: Profile) -> dict:
    override: dict[str, Any] = {}
    if profile.image:
        override["image"] = profile.image
    override.update(allotment(profile.cpu or singleuser.cpu, profile.memory or singleuser.memory))
    if profile.gpus:
        override.update(_gpu_override(singleuser, profile.gpus))
    return override


def _gpu_override(singleuser: SingleuserSettings, count: int) -> dict:
    gpu_nodes = singleuser.gpu_nodes
    if gpu_nodes is None:
        raise ValueError("GPUs without singleuser.gpu_nodes; the config refuses this")
    return {
        "extra_resource_limits": {gpu_nodes.resource: count},
        "tolerations": named_tolerations(GPU_NODES, gpu_nodes.tolerations),
        "node_selector": dict(gpu_nodes.node_selector),
    }


def _option(singleuser: SingleuserSettings, profile: Profile, option: ProfileOption) -> dict:
    choices = {}
    for key, choice in option.choices.items():
        rendered: dict[str, Any] = {"display_name": choice.display_name}
        if key == option.default:
            rendered["default"] = True
        rendered["kubespawner_override"] = _choice_override(singleuser, profile, option.kind, choice.value)
        choices[key] = rendered
    return {"display_name": option.display_name, "choices": choices}


def _choice_override(singleuser: SingleuserSettings, profile: Profile, kind: str, value: str | int) -> dict:
    """A choice sets the limit of its kind; the guarantee stays the profile's unless above the new limit."""
    if kind == "image":
        return {"image": value}
    if kind == "cpu":
        guarantee = min(cores((profile.cpu or singleuser.cpu).guarantee), cores(str(value)))
        return {"cpu_guarantee": guarantee, "cpu_limit": cores(str(value))}
    if kind == "memory":
        base = (profile.memory or singleuser.memory).guarantee
        memory = base if byte_count(base) <= byte_count(str(value)) else str(value)
        return {"mem_guarantee": kubespawner_bytes(memory), "mem_limit": kubespawner_bytes(str(value))}
    if kind == "gpu":
        return _gpu_override(singleuser, int(value)) if value else {}
    return {"node_selector": {"kubernetes.io/hostname": value}}
