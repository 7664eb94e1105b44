"""Profiles on the spawn page: KubeSpawner's profile_list, every choice's overrides computed at synth time.

A profile's `kubespawner_override` is built from typed settings only. Maps
(environment, node_selector, labels, extra_resource_limits) and the named
entries of volumes, mounts, tolerations, init containers and sidecars are
merged into every server's by KubeSpawner (kubespawner 7.0.0 spawner.py
`_apply_overrides`: a dict trait is updated, anything else replaced), so a
profile adds to what every server has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..config.resources import byte_count, cores
from ..config.singleuser import Profile, ProfileOption, SingleuserSettings, UnlistedChoice
from ..config_file import ConfigFile, Order
from .containers import PROFILE, init_container_traits, sidecar_traits
from .placement import GPU_NODES, PROFILE_NODES, named_tolerations
from .spawner import allotment, kubespawner_bytes, lifecycle_hooks, pod_setting_traits
from .storage import existing_volume, volume_traits

PullSecretsOf = Callable[[Sequence[str], Sequence[str]], list[dict] | None]
"""The imagePullSecrets of a pod starting these images, or images typed below these prefixes."""

# A pinned image in the grammar of config.base.valid_image, written so that both Python's re (KubeSpawner's
# check) and the browser's pattern attribute (JavaScript, flag v: no named groups, `-` escaped only in classes)
# read it the same way.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = r"[a-z0-9]+(?:[._\-][a-z0-9]+)*(?::[0-9]+)?"
_PINNED = r"(?::[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}(?:@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})"


def user_images(singleuser: SingleuserSettings) -> list[str]:
    """Every image a user server can start (free-text choices aside), each once, in a stable order.

    What image pullers pre-pull so that no start waits for a pull.
    """
    return singleuser.images()


def unlisted_image_pattern(repositories: Sequence[str]) -> str:
    """The regular expression a typed image must match: pinned, and below one of `repositories` if any."""
    if not repositories:
        return f"^{_REGISTRY}(?:/{_COMPONENT})*{_PINNED}$"
    prefixes = "|".join(prefix.replace(".", r"\.") for prefix in repositories)
    return f"^(?:{prefixes})(?:/{_COMPONENT})+{_PINNED}$"


def configure_profiles(
    file: ConfigFile, singleuser: SingleuserSettings, pull_secrets: PullSecretsOf, every_server: list[dict] | None
) -> None:
    if singleuser.profiles:
        file.section(Order.PROFILES, "User servers: profiles on the spawn page")
        file.set("KubeSpawner", "profile_list", profile_list(singleuser, pull_secrets, every_server))


def profile_list(
    singleuser: SingleuserSettings, pull_secrets: PullSecretsOf, every_server: list[dict] | None = None
) -> list[dict]:
    """KubeSpawner's profile_list: plain data, every choice's overrides computed here.

    `every_server` are the pull secrets set for every server; a profile whose images need others sets its own.
    """
    rendered = []
    for profile in singleuser.profiles:
        entry: dict[str, Any] = {"display_name": profile.display_name, "slug": profile.slug}
        if profile.description:
            entry["description"] = profile.description
        if profile.default:
            entry["default"] = True
        override = _profile_override(singleuser, profile)
        secrets = pull_secrets(singleuser.server_images(profile), profile.unlisted_prefixes())
        if secrets != every_server:
            override["image_pull_secrets"] = secrets or []
        entry["kubespawner_override"] = override
        if profile.options:
            entry["profile_options"] = {
                key: _option(singleuser, profile, option) for key, option in profile.options.items()
            }
        rendered.append(entry)
    return rendered


def _merged(override: dict[str, Any], trait: str, entries: dict) -> None:
    """Add `entries` to a dict trait of the override (e.g. the GPU nodes' selector and the profile's own)."""
    if entries:
        override[trait] = {**override.get(trait, {}), **entries}


def _profile_override(singleuser: SingleuserSettings, profile: Profile) -> dict:
    override: dict[str, Any] = {}
    if profile.image:
        override["image"] = profile.image
    override.update(allotment(profile.cpu or singleuser.cpu, profile.memory or singleuser.memory))
    if profile.gpus:
        override.update(_gpu_override(singleuser, profile.gpus))
    if profile.default_url:
        override["default_url"] = profile.default_url
    override.update(pod_setting_traits(profile))
    _merged(override, "environment", dict(profile.environment))
    _merged(override, "node_selector", dict(profile.node_selector))
    _merged(override, "tolerations", named_tolerations(PROFILE_NODES, profile.tolerations))
    _merged(override, "extra_resource_limits", dict(profile.extra_resources))
    if profile.volumes:
        override["volumes"], override["volume_mounts"] = volume_traits(map(existing_volume, profile.volumes))
    if profile.lifecycle:
        _merged(override, "lifecycle_hooks", lifecycle_hooks(profile.lifecycle))
    _merged(override, "init_containers", init_container_traits(singleuser, profile.init_containers, PROFILE))
    _merged(override, "extra_containers", sidecar_traits(singleuser, profile.sidecars))
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
    entry = {"display_name": option.display_name, "choices": choices}
    if option.unlisted is not None:
        entry["unlisted_choice"] = _unlisted(option.unlisted)
    return entry


def _unlisted(unlisted: UnlistedChoice) -> dict:
    """KubeSpawner's unlisted_choice: the typed text, checked by the pattern, becomes the image ({value})."""
    where = " below " + " or ".join(unlisted.repositories) if unlisted.repositories else ""
    example = f"{unlisted.repositories[0]}/name:tag" if unlisted.repositories else "registry.example.org/name:tag"
    return {
        "enabled": True,
        "display_name": unlisted.display_name,
        "display_name_in_choices": unlisted.display_name_in_choices,
        "validation_regex": unlisted_image_pattern(unlisted.repositories),
        "validation_message": f"An image{where}, pinned with a tag, e.g. {example}",
        "kubespawner_override": {"image": "{value}"},
    }


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
