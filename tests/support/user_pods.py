"""Build user pods the way the hub does: the generated jupyterhub_config.py, loaded by the real
JupyterHub, given to the real KubeSpawner 7.0.0, offline.

KubeSpawner makes a Kubernetes client when a spawner is created, so a
kubeconfig that points nowhere is enough: no request is ever sent.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from jupyterhub.app import JupyterHub
from jupyterhub.objects import Hub, Server
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import kube_config
from kubespawner import KubeSpawner
from traitlets.config import Config

from jupyterhub_cdk8s.config.singleuser import SingleuserSettings

NOWHERE_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: nobody, user: {token: unused}}]
contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
current-context: nowhere
"""

T = TypeVar("T")


class HubUser:
    """What KubeSpawner reads of a JupyterHub user (as in KubeSpawner's own tests)."""

    admin = False

    def __init__(self, name: str):
        self.name = name
        self.escaped_name = name
        self.id = 7
        self.url = f"/user/{name}/"
        self.server = Server()
        self.spawners: dict = {}
        self.settings: dict = {}


def load_hub_config(config_text: str, directory: Path) -> Config:
    """The config JupyterHub itself reads from jupyterhub_config.py (secret variables filled with dummies)."""
    for name in re.findall(r"os\.environ\['(\w+)'\]", config_text):
        os.environ.setdefault(name, "ab" * 32)
    path = directory / "jupyterhub_config.py"
    path.write_text(config_text, encoding="utf-8")
    app = JupyterHub()
    app.load_config_file(str(path))
    return app.config


@functools.cache
def _kubeconfig_nowhere() -> None:
    path = Path(tempfile.mkdtemp(prefix="kubeconfig-")) / "config"
    path.write_text(NOWHERE_KUBECONFIG, encoding="utf-8")
    kube_config.KUBE_CONFIG_DEFAULT_LOCATION = str(path)


def on_spawner(
    config: Config, action: Callable[[KubeSpawner], Awaitable[T]], username: str = "alice", server: str = ""
) -> T:
    """What `action` makes of the KubeSpawner the hub would create for `username`'s `server` (traits, manifests)."""
    _kubeconfig_nowhere()

    async def run() -> T:
        return await action(KubeSpawner(config=config, user=HubUser(username), hub=Hub(), name=server, _mock=True))

    return asyncio.run(run())


def user_pod(config: Config, user_options: dict, username: str = "alice") -> dict:
    """The pod KubeSpawner would create for `username` choosing `user_options` on the spawn page."""

    async def build(spawner: KubeSpawner) -> dict:
        spawner.user_options = user_options
        await spawner.load_user_options()
        return ApiClient().sanitize_for_serialization(await spawner.get_pod_manifest())

    return on_spawner(config, build, username)


def user_pvc(config: Config, username: str = "alice") -> dict:
    """The home PersistentVolumeClaim KubeSpawner would create for `username`."""

    async def build(spawner: KubeSpawner) -> dict:
        return ApiClient().sanitize_for_serialization(spawner.get_pvc_manifest())

    return on_spawner(config, build, username)


def spawn_form(config: Config, formdata: dict[str, list[str]], username: str = "alice") -> tuple[str, dict]:
    """The spawn page's form KubeSpawner renders from profile_list, and the user_options it makes of `formdata`."""

    async def render(spawner: KubeSpawner) -> tuple[str, dict]:
        return spawner.options_form, spawner.options_from_form(formdata)

    return on_spawner(config, render, username)


UNLISTED_SAMPLE = "quay.io/jupyter/base-notebook:2025-01-06"


def unlisted_sample(repositories: list[str]) -> str:
    """An image a user could type in a free-text choice below `repositories` (any image if none)."""
    return f"{repositories[0]}/typed-by-a-user:1.0" if repositories else UNLISTED_SAMPLE


def selections(singleuser: SingleuserSettings) -> list[dict]:
    """user_options to try: each profile with its defaults, then each other choice of each drop-down,
    then an image typed in each free-text choice."""
    if not singleuser.profiles:
        return [{}]
    found = []
    for profile in singleuser.profiles:
        found.append({"profile": profile.slug})
        for key, option in profile.options.items():
            found += [{"profile": profile.slug, key: choice} for choice in option.choices if choice != option.default]
            if option.unlisted is not None:
                typed = unlisted_sample(option.unlisted.repositories)
                found.append({"profile": profile.slug, f"{key}--unlisted-choice": typed})
    return found
