"""User servers: how KubeSpawner builds each user's pod.

User pods are not in `dist/`: the hub creates them at spawn time from the
KubeSpawner settings written here, so this module contributes to
jupyterhub_config.py rather than creating objects.
"""

from __future__ import annotations

from .config.base import byte_count, cores
from .config.singleuser import SingleuserSettings
from .hub.config_file import ConfigFile
from .naming import PART_OF, Names

SERVER_PORT = 8888
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


def configure_spawner(file: ConfigFile, singleuser: SingleuserSettings, names: Names) -> None:
    file.section("User servers: KubeSpawner")
    file.set("JupyterHub", "spawner_class", "kubespawner.KubeSpawner")
    file.set("KubeSpawner", "namespace", names.namespace)
    file.set("KubeSpawner", "common_labels", user_pod_labels(names))
    file.set("KubeSpawner", "pod_name_template", f"{names.release}-{{user_server}}")
    file.set("KubeSpawner", "image", singleuser.image)
    file.set("KubeSpawner", "port", SERVER_PORT)
    file.set("KubeSpawner", "start_timeout", singleuser.start_timeout)
    file.set("KubeSpawner", "http_timeout", singleuser.http_timeout)
    file.set("Spawner", "default_url", singleuser.default_url)
    file.set("KubeSpawner", "cpu_guarantee", cores(singleuser.cpu.guarantee))
    file.set("KubeSpawner", "cpu_limit", cores(singleuser.cpu.limit))
    file.set("KubeSpawner", "mem_guarantee", kubespawner_bytes(singleuser.memory.guarantee))
    file.set("KubeSpawner", "mem_limit", kubespawner_bytes(singleuser.memory.limit))
    if singleuser.extra_env:
        file.set("KubeSpawner", "environment", dict(sorted(singleuser.extra_env.items())))

    file.section("User servers: identity and security")
    file.set("KubeSpawner", "uid", singleuser.uid)
    file.set("KubeSpawner", "fs_gid", singleuser.fs_gid)
    file.set("KubeSpawner", "allow_privilege_escalation", False)
    # User code must not reach the Kubernetes API with a pod token.
    file.set("KubeSpawner", "automount_service_account_token", False)
    file.set(
        "KubeSpawner",
        "container_security_context",
        {
            "runAsUser": singleuser.uid,
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    )

    storage = singleuser.storage
    if storage.type == "dynamic":
        file.section("User servers: per-user home volume")
        file.set("KubeSpawner", "pvc_name_template", names.user_claim_prefix + "{user_server}")
        file.set("KubeSpawner", "storage_pvc_ensure", True)
        file.set("KubeSpawner", "storage_capacity", storage.capacity)
        file.set("KubeSpawner", "storage_access_modes", [storage.access_mode])
        if storage.storage_class:
            file.set("KubeSpawner", "storage_class", storage.storage_class)
        file.set("KubeSpawner", "volumes", [{"name": "home", "persistentVolumeClaim": {"claimName": "{pvc_name}"}}])
        file.set("KubeSpawner", "volume_mounts", [{"name": "home", "mountPath": storage.home_mount_path}])


def user_images(singleuser: SingleuserSettings) -> list[str]:
    """Every image a user can start, deduplicated, in a stable order (what image pullers pre-pull)."""
    return [singleuser.image]
