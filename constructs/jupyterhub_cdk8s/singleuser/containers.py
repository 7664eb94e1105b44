"""Init containers and sidecars of user pods, as KubeSpawner's dictionaries.

KubeSpawner sorts `init_containers` and `extra_containers` by key and merges
a profile's into them (kubespawner 7.0.0 spawner.py `_sorted_dict_values`,
`_apply_overrides`). Init containers run in key order, so the key says when:
`0-` the layout and examples of every pod, `1-` every server's own, `2-` a
profile's, each in the order written.

A container that mounts `home` gets the user's home directory, as the
server does: with a home_sub_path (static homes on one shared claim) its
mount is below that directory, never the claim's root with everyone's homes.
On such a claim it mounts the home whole: a directory below it would be
found through the user's own symlinks (the config refuses a sub_path there).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from ..config.containers import Container
from ..config.singleuser import SingleuserSettings
from .security import user_context

EVERY_SERVER = "1"
PROFILE = "2"


def container_context(singleuser: SingleuserSettings) -> dict:
    """Containers of ours in user pods run as the user and its group, restricted (never as root)."""
    return {**user_context(singleuser), "runAsGroup": singleuser.fs_gid}


def _container(singleuser: SingleuserSettings, container: Container) -> dict:
    rendered = container.to_kubernetes(container_context(singleuser))
    home = singleuser.storage.home_directory
    for mount in rendered.get("volumeMounts", []):
        if mount["name"] == "home" and home:
            mount["subPath"] = posixpath.join(home, mount["subPath"]) if "subPath" in mount else home
    return rendered


def init_container_traits(
    singleuser: SingleuserSettings, containers: Sequence[Container], group: str = EVERY_SERVER
) -> dict[str, dict]:
    return {f"{group}-{index:02d}-{c.name}": _container(singleuser, c) for index, c in enumerate(containers)}


def sidecar_traits(singleuser: SingleuserSettings, containers: Sequence[Container]) -> dict[str, dict]:
    return {c.name: _container(singleuser, c) for c in containers}
