"""KubeSpawner's basic settings: the image, the size and the environment of every user server."""

from __future__ import annotations

from typing import Any

from ..component import UserPods
from ..config.resources import byte_count, cores
from ..config.singleuser import CpuAllotment, LifecycleHooks, MemoryAllotment, PodSettings, SingleuserSettings
from ..config_file import ConfigFile, Order
from ..naming import PART_OF, Names
from ..ports import SERVER_PORT

# KubeSpawner labels user pods `app.kubernetes.io/component: singleuser-server`
# itself; policies and dashboards select on it, so it must never change.


def kubespawner_bytes(memory: str) -> str | int:
    """A Kubernetes memory quantity in KubeSpawner's notation (K/M/G/T are powers of 1024)."""
    size = byte_count(memory)
    for suffix, unit in (("T", 2**40), ("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return size


def user_pod_labels(names: Names) -> dict[str, str]:
    """Labels KubeSpawner puts on every user pod and PVC, on top of its component label."""
    return {
        "app.kubernetes.io/name": PART_OF,
        "app.kubernetes.io/instance": names.release,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "kubespawner",
    }


def allotment(cpu: CpuAllotment, memory: MemoryAllotment) -> dict[str, Any]:
    """KubeSpawner's CPU and memory traits for a guarantee and a limit."""
    return {
        "cpu_guarantee": cores(cpu.guarantee),
        "cpu_limit": cores(cpu.limit),
        "mem_guarantee": kubespawner_bytes(memory.guarantee),
        "mem_limit": kubespawner_bytes(memory.limit),
    }


def pod_setting_traits(pod: PodSettings) -> dict[str, Any]:
    """KubeSpawner's cmd, args and extra_labels for what `pod` sets.

    KubeSpawner passes cmd + args as the container's args (kubespawner 7.0.0 objects.py `make_pod`), so the
    image's entrypoint (tini in the Jupyter images) stays in front.
    """
    traits: dict[str, Any] = {}
    if pod.command is not None:
        traits["cmd"] = list(pod.command)
    if pod.args is not None:
        traits["args"] = list(pod.args)
    if pod.labels:
        traits["extra_labels"] = dict(pod.labels)
    return traits


def lifecycle_hooks(lifecycle: LifecycleHooks) -> dict:
    """KubeSpawner's lifecycle_hooks: exec hooks of the user's container."""
    hooks = {}
    if lifecycle.post_start:
        hooks["postStart"] = {"exec": {"command": lifecycle.post_start}}
    if lifecycle.pre_stop:
        hooks["preStop"] = {"exec": {"command": lifecycle.pre_stop}}
    return hooks


def configure_spawner(
    file: ConfigFile,
    singleuser: SingleuserSettings,
    names: Names,
    additions: UserPods,
    pull_secrets: list[dict] | None = None,
) -> None:
    file.section(Order.SPAWNER, "User servers: KubeSpawner")
    file.set("JupyterHub", "spawner_class", "kubespawner.KubeSpawner")
    file.set("KubeSpawner", "namespace", names.namespace)
    file.set("KubeSpawner", "common_labels", user_pod_labels(names))
    file.set("KubeSpawner", "pod_name_template", names.user_pod_template)
    file.set("KubeSpawner", "image", singleuser.image)
    if pull_secrets:
        file.set("KubeSpawner", "image_pull_secrets", pull_secrets)
    file.set("KubeSpawner", "port", SERVER_PORT)
    file.set("KubeSpawner", "start_timeout", singleuser.start_timeout)
    file.set("KubeSpawner", "http_timeout", singleuser.http_timeout)
    file.set("Spawner", "default_url", singleuser.default_url)
    for trait, value in allotment(singleuser.cpu, singleuser.memory).items():
        file.set("KubeSpawner", trait, value)
    environment = _environment(singleuser, additions)
    if environment:
        file.set("KubeSpawner", "environment", environment)
    for trait, value in pod_setting_traits(singleuser).items():
        file.set("KubeSpawner", trait, value)


def _environment(singleuser: SingleuserSettings, additions: UserPods) -> dict[str, Any]:
    environment: dict[str, Any] = dict(singleuser.extra_env)
    if singleuser.grant_sudo:
        environment.update(GRANT_SUDO="yes", NB_UID=str(singleuser.uid), NB_GID=str(singleuser.fs_gid))
    environment.update(
        {name: value if isinstance(value, str) else value.to_json() for name, value in additions.environment.items()}
    )
    return dict(sorted(environment.items()))


def configure_lifecycle(file: ConfigFile, singleuser: SingleuserSettings) -> None:
    hooks = lifecycle_hooks(singleuser.lifecycle)
    if hooks:
        file.section(Order.USER_LIFECYCLE, "User servers: lifecycle hooks")
        file.set("KubeSpawner", "lifecycle_hooks", hooks)
