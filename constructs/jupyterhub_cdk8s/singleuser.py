"""User servers: how KubeSpawner builds each user's pod, and the shared volumes they mount.

User pods are not in `dist/`: the hub creates them at spawn time from the
KubeSpawner settings written here, so most of this module contributes to
jupyterhub_config.py. Only the shared ReadWriteMany volumes are objects.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any, Literal

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.resources import byte_count, cores
from .config.singleuser import (
    CpuAllotment,
    IdleCulling,
    MemoryAllotment,
    Profile,
    ProfileOption,
    SharedVolume,
    SingleuserSettings,
)
from .hub.config_file import ConfigFile
from .hub.construct import KEEP_USER_DATA
from .kube import kube_object
from .naming import PART_OF, SHARED_STORAGE, SINGLEUSER, Names
from .network import Connections, ip_block, tcp
from .workload import quantity

SERVER_PORT = 8888
# KubeSpawner labels user pods `app.kubernetes.io/component: singleuser-server`
# itself; policies and dashboards select on it, so it must never change.

LAYOUT_ROOT = "/layout"
EXAMPLES_DIR = "/examples"
# sudo in Jupyter images: start.sh runs as root, adds the user to sudoers and
# switches to NB_UID; these are the only capabilities that needs (all within
# the "baseline" Pod Security Standard).
SUDO_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]
INIT_RESOURCES = {"cpu": ("50m", "500m"), "memory": ("64Mi", "512Mi")}
CULLER_SERVICE = "idle-culler"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]

PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")

SecurityLevel = Literal["restricted", "baseline"]


@dataclass(frozen=True)
class PodAdditions:
    """What another component adds to every user pod (it owns these, the spawner just mounts them)."""

    environment: dict[str, Any] = field(default_factory=dict)
    volumes: list[dict] = field(default_factory=list)
    volume_mounts: list[dict] = field(default_factory=list)
    service_account: str | None = None


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


def shared_claim_name(names: Names, volume: SharedVolume) -> str:
    return names.of(f"shared-{volume.name}")


def user_pod_security_level(singleuser: SingleuserSettings) -> SecurityLevel:
    """The Pod Security Standard user pods meet: restricted unless something must run as root."""
    return "baseline" if _root_reasons(singleuser) else "restricted"


def _root_reasons(singleuser: SingleuserSettings) -> list[str]:
    reasons = []
    if singleuser.grant_sudo:
        reasons.append("grant_sudo runs the server as root with privilege escalation")
    chowned = [v.name for v in singleuser.storage.shared_volumes if v.fix_ownership]
    if chowned:
        reasons.append(f"a root init container (capability CHOWN only) fixes ownership of {', '.join(chowned)}")
    return reasons


def user_pod_notices(singleuser: SingleuserSettings) -> list[str]:
    """Lines the CLI prints about user pods' security, so a lowered level is never silent."""
    reasons = _root_reasons(singleuser)
    if not reasons:
        return ['user pods meet Pod Security "restricted"']
    return [f'user pods meet Pod Security "baseline" only: {"; ".join(reasons)}']


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
    images.extend(container["image"] for container in _init_containers(singleuser))
    return list(dict.fromkeys(images))


# --- jupyterhub_config.py ----------------------------------------------------


def configure_spawner(
    file: ConfigFile, singleuser: SingleuserSettings, names: Names, additions: PodAdditions | None = None
) -> None:
    additions = additions or PodAdditions()
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
    for trait, value in _allotment(singleuser.cpu, singleuser.memory).items():
        file.set("KubeSpawner", trait, value)
    environment = _environment(singleuser, additions)
    if environment:
        file.set("KubeSpawner", "environment", environment)

    _configure_security(file, singleuser, additions)
    _configure_storage(file, singleuser, names, additions)
    hooks = _lifecycle_hooks(singleuser)
    if hooks:
        file.section("User servers: lifecycle hooks")
        file.set("KubeSpawner", "lifecycle_hooks", hooks)
    if singleuser.profiles:
        file.section("User servers: profiles on the spawn page")
        file.set("KubeSpawner", "profile_list", profile_list(singleuser))


def _allotment(cpu: CpuAllotment, memory: MemoryAllotment) -> dict[str, Any]:
    return {
        "cpu_guarantee": cores(cpu.guarantee),
        "cpu_limit": cores(cpu.limit),
        "mem_guarantee": kubespawner_bytes(memory.guarantee),
        "mem_limit": kubespawner_bytes(memory.limit),
    }


def _environment(singleuser: SingleuserSettings, additions: PodAdditions) -> dict[str, Any]:
    environment: dict[str, Any] = dict(singleuser.extra_env)
    if singleuser.grant_sudo:
        environment.update(GRANT_SUDO="yes", NB_UID=str(singleuser.uid), NB_GID=str(singleuser.fs_gid))
    environment.update(additions.environment)
    return dict(sorted(environment.items()))


def _configure_security(file: ConfigFile, singleuser: SingleuserSettings, additions: PodAdditions) -> None:
    file.section("User servers: identity and security")
    if singleuser.grant_sudo:
        # Explicitly enabled: the image's start script needs root to grant sudo,
        # then drops to NB_UID. The synth output reports the lowered level.
        file.set("KubeSpawner", "uid", 0)
        file.set("KubeSpawner", "fs_gid", singleuser.fs_gid)
        file.set("KubeSpawner", "allow_privilege_escalation", True)
        context = {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "allowPrivilegeEscalation": True,
            "capabilities": {"drop": ["ALL"], "add": SUDO_CAPABILITIES},
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    else:
        file.set("KubeSpawner", "uid", singleuser.uid)
        file.set("KubeSpawner", "fs_gid", singleuser.fs_gid)
        file.set("KubeSpawner", "allow_privilege_escalation", False)
        context = _user_context(singleuser)
    if additions.service_account:
        # The only user pods that talk to the API: their Role is least privilege.
        file.set("KubeSpawner", "service_account", additions.service_account)
        file.set("KubeSpawner", "automount_service_account_token", True)
    else:
        # User code must not reach the Kubernetes API with a pod token.
        file.set("KubeSpawner", "automount_service_account_token", False)
    file.set("KubeSpawner", "container_security_context", context)


def _user_context(singleuser: SingleuserSettings) -> dict:
    """Pod Security "restricted" for a container running as the user."""
    return {
        "runAsUser": singleuser.uid,
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _configure_storage(file: ConfigFile, singleuser: SingleuserSettings, names: Names, additions: PodAdditions) -> None:
    storage = singleuser.storage
    volumes: list[dict] = []
    mounts: list[dict] = []
    if storage.type == "dynamic":
        file.section("User servers: per-user home volume")
        file.set("KubeSpawner", "pvc_name_template", names.user_claim_prefix + "{user_server}")
        file.set("KubeSpawner", "storage_pvc_ensure", True)
        file.set("KubeSpawner", "storage_capacity", storage.capacity)
        file.set("KubeSpawner", "storage_access_modes", [storage.access_mode])
        if storage.storage_class:
            file.set("KubeSpawner", "storage_class", storage.storage_class)
        volumes.append({"name": "home", "persistentVolumeClaim": {"claimName": "{pvc_name}"}})
        mounts.append({"name": "home", "mountPath": storage.home_mount_path})
    for volume in storage.shared_volumes:
        volumes.append(
            {"name": f"shared-{volume.name}", "persistentVolumeClaim": {"claimName": shared_claim_name(names, volume)}}
        )
        mount = {"name": f"shared-{volume.name}", "mountPath": volume.mount_path}
        if volume.sub_path:
            mount["subPath"] = volume.sub_path
        if volume.read_only:
            mount["readOnly"] = True
        mounts.append(mount)
    if storage.scratch:
        volumes.append({"name": "scratch", "emptyDir": {"sizeLimit": storage.scratch.size_limit}})
        mounts.append({"name": "scratch", "mountPath": storage.scratch.mount_path})
    if storage.examples:
        volumes.append({"name": "examples", "emptyDir": {}})
        mounts.append({"name": "examples", "mountPath": storage.examples.mount_path})
    volumes += additions.volumes
    mounts += additions.volume_mounts
    if volumes:
        file.section("User servers: volumes")
        file.set("KubeSpawner", "volumes", volumes)
        file.set("KubeSpawner", "volume_mounts", mounts)
    init_containers = _init_containers(singleuser)
    if init_containers:
        file.section("User servers: init containers")
        file.set("KubeSpawner", "init_containers", init_containers)


def _init_resources() -> dict:
    return {
        "requests": {name: values[0] for name, values in INIT_RESOURCES.items()},
        "limits": {name: values[1] for name, values in INIT_RESOURCES.items()},
    }


def _init_containers(singleuser: SingleuserSettings) -> list[dict]:
    """The directory layout on shared volumes, then a fresh examples clone."""
    storage = singleuser.storage
    containers = []
    prepared = [v for v in storage.shared_volumes if v.sub_path or v.fix_ownership]
    if prepared:
        commands = ["set -eu"]
        for volume in prepared:
            target = f"{LAYOUT_ROOT}/{volume.name}" + (f"/{volume.sub_path}" if volume.sub_path else "")
            if volume.sub_path:
                commands.append(f"mkdir -p {shlex.quote(target)}")
            if volume.fix_ownership:
                commands.append(f"chown {singleuser.uid}:{singleuser.fs_gid} {shlex.quote(target)}")
        if any(v.fix_ownership for v in prepared):
            # Least privilege that works on drivers that ignore fsGroup: root
            # for ownership, but no capability except CHOWN (no DAC_OVERRIDE,
            # so it cannot read or write anyone's files).
            context = {
                "runAsUser": 0,
                "runAsNonRoot": False,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"], "add": ["CHOWN"]},
                "seccompProfile": {"type": "RuntimeDefault"},
                "readOnlyRootFilesystem": True,
            }
        else:
            # fsGroup makes the volumes group-writable: the user can lay them out.
            context = {**_user_context(singleuser), "runAsGroup": singleuser.fs_gid, "readOnlyRootFilesystem": True}
        containers.append(
            {
                "name": "prepare-layout",
                "image": storage.layout_image,
                "command": ["sh", "-c", "\n".join(commands)],
                "securityContext": context,
                "resources": _init_resources(),
                "volumeMounts": [
                    {"name": f"shared-{v.name}", "mountPath": f"{LAYOUT_ROOT}/{v.name}"} for v in prepared
                ],
            }
        )
    if storage.examples:
        clone = ["git", "clone", "--depth=1", "--single-branch"]
        if storage.examples.ref:
            clone += ["--branch", storage.examples.ref]
        containers.append(
            {
                "name": "clone-examples",
                "image": storage.examples.image,
                "command": [*clone, storage.examples.url, EXAMPLES_DIR],
                "env": [{"name": "HOME", "value": "/tmp"}],
                "securityContext": {
                    **_user_context(singleuser),
                    "runAsGroup": singleuser.fs_gid,
                    "readOnlyRootFilesystem": True,
                },
                "resources": _init_resources(),
                "volumeMounts": [{"name": "examples", "mountPath": EXAMPLES_DIR}],
            }
        )
    return containers


def _lifecycle_hooks(singleuser: SingleuserSettings) -> dict:
    hooks = {}
    if singleuser.lifecycle.post_start:
        hooks["postStart"] = {"exec": {"command": singleuser.lifecycle.post_start}}
    if singleuser.lifecycle.pre_stop:
        hooks["preStop"] = {"exec": {"command": singleuser.lifecycle.pre_stop}}
    return hooks


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
    override.update(_allotment(profile.cpu or singleuser.cpu, profile.memory or singleuser.memory))
    if profile.gpus:
        override.update(_gpu_override(singleuser, profile.gpus))
    return override


def _gpu_override(singleuser: SingleuserSettings, count: int) -> dict:
    gpu_nodes = singleuser.gpu_nodes
    assert gpu_nodes is not None  # the config refuses GPUs without GPU nodes
    return {
        "extra_resource_limits": {gpu_nodes.resource: count},
        "tolerations": [t.to_kubernetes() for t in gpu_nodes.tolerations],
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
        guarantee = base if byte_count(base) <= byte_count(str(value)) else str(value)
        return {"mem_guarantee": kubespawner_bytes(guarantee), "mem_limit": kubespawner_bytes(str(value))}
    if kind == "gpu":
        return _gpu_override(singleuser, int(value)) if value else {}
    return {"node_selector": {"kubernetes.io/hostname": value}}


def configure_culler(file: ConfigFile, culling: IdleCulling, hub_api_url: str) -> None:
    """jupyterhub-idle-culler as a hub-managed service with only the scopes it uses.

    It runs in the hub's container and calls the hub on loopback
    (`hub_api_url`), not through the hub's Service: no hairpin traffic and
    no network policy to open for it.
    """
    if not culling.enabled:
        return
    file.section("Idle culling: jupyterhub-idle-culler as a hub-managed service")
    command = [
        "python3",
        "-m",
        "jupyterhub_idle_culler",
        f"--url={hub_api_url}",
        f"--timeout={culling.timeout}",
        f"--cull-every={culling.every}",
        f"--max-age={culling.max_age}",
        f"--concurrency={culling.concurrency}",
    ]
    scopes = list(CULLER_SCOPES)
    if culling.cull_users:
        command.append("--cull-users")
        scopes.append("admin:users")  # deleting users
    if culling.remove_named_servers:
        command.append("--remove-named-servers")
    file.append("JupyterHub", "services", {"name": CULLER_SERVICE, "command": command})
    file.append(
        "JupyterHub",
        "load_roles",
        {"name": CULLER_SERVICE, "description": "Stop idle servers", "scopes": scopes, "services": [CULLER_SERVICE]},
    )


# --- objects -----------------------------------------------------------------


class UserServers(Part):
    """What user servers use besides their own pod: the shared ReadWriteMany PVCs, egress to the examples repo."""

    def __init__(self, scope: Construct, id: str, *, singleuser: SingleuserSettings, names: Names):
        super().__init__(scope, id)
        if singleuser.storage.examples:
            # git over HTTPS to the public internet, never to in-cluster addresses.
            Connections(
                self,
                "examples-egress",
                name=names.of("singleuser-to-examples-repository"),
                labels=names.labels(SINGLEUSER),
                pods=names.selector(SINGLEUSER),
            ).allow_to(ip_block("0.0.0.0/0", PRIVATE_RANGES), tcp(443))
        for volume in singleuser.storage.shared_volumes:
            kube_object(
                self,
                volume.name,
                k8s.KubePersistentVolumeClaim,
                {
                    "metadata": {
                        "name": shared_claim_name(names, volume),
                        "labels": names.labels(SHARED_STORAGE),
                        # Users' data: never pruned or deleted by a sync.
                        "annotations": KEEP_USER_DATA,
                    },
                    "spec": {
                        "accessModes": ["ReadWriteMany"],
                        "storageClassName": volume.storage_class,
                        "resources": {"requests": {"storage": quantity(volume.capacity)}},
                    },
                },
            )
