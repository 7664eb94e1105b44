"""Where user servers keep files: the home PVC KubeSpawner creates, shared volumes, scratch and examples.

Only the shared ReadWriteMany PVCs are objects of `dist/`; the home PVCs are
created by KubeSpawner at first start, from the settings written here.
"""

from __future__ import annotations

import shlex

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import UserPods, Volume
from ..config.singleuser import SingleuserSettings, UserStorage
from ..config_file import ConfigFile, Order
from ..naming import SHARED_STORAGE, Names
from ..parts import Part
from ..pods import quantity
from ..sync_waves import KEEP
from .security import metadata_blocker, user_context

LAYOUT_ROOT = "/layout"
EXAMPLES_DIR = "/examples"
INIT_RESOURCES = {"cpu": ("50m", "500m"), "memory": ("64Mi", "512Mi")}


def storage_volumes(storage: UserStorage, names: Names) -> list[Volume]:
    """The user pod's own volumes: home, shared volumes, scratch and the examples clone, in this order."""
    volumes = []
    if storage.type == "dynamic":
        volumes.append(Volume("home", {"persistentVolumeClaim": {"claimName": "{pvc_name}"}}, storage.home_mount_path))
    for shared in storage.shared_volumes:
        source = {"persistentVolumeClaim": {"claimName": names.shared_claim(shared.name)}}
        volumes.append(Volume(f"shared-{shared.name}", source, shared.mount_path, shared.read_only, shared.sub_path))
    if storage.scratch:
        volumes.append(
            Volume("scratch", {"emptyDir": {"sizeLimit": storage.scratch.size_limit}}, storage.scratch.mount_path)
        )
    if storage.examples:
        volumes.append(Volume("examples", {"emptyDir": {}}, storage.examples.mount_path))
    return volumes


def configure_storage(file: ConfigFile, singleuser: SingleuserSettings, names: Names, additions: UserPods) -> None:
    storage = singleuser.storage
    if storage.type == "dynamic":
        file.section(Order.USER_HOME, "User servers: per-user home volume")
        file.set("KubeSpawner", "pvc_name_template", names.user_claim_template)
        file.set("KubeSpawner", "storage_pvc_ensure", True)
        file.set("KubeSpawner", "storage_capacity", storage.capacity)
        file.set("KubeSpawner", "storage_access_modes", [storage.access_mode])
        # KubeSpawner 7.0.0 defaults delete_pvc to True: deleting a user deletes their home (spawner.py,
        # delete_forever). Homes outlive their users unless the environment says otherwise.
        file.set("KubeSpawner", "delete_pvc", storage.delete_on_user_deletion)
        if storage.storage_class:
            file.set("KubeSpawner", "storage_class", storage.storage_class)
    volumes = [*storage_volumes(storage, names), *additions.volumes]
    if volumes:
        file.section(Order.USER_VOLUMES, "User servers: volumes")
        file.set("KubeSpawner", "volumes", [volume.volume() for volume in volumes])
        file.set("KubeSpawner", "volume_mounts", [volume.mount() for volume in volumes])
    containers = init_containers(singleuser)
    if containers:
        file.section(Order.USER_INIT_CONTAINERS, "User servers: init containers")
        file.set("KubeSpawner", "init_containers", containers)


def _init_resources() -> dict:
    return {
        "requests": {name: values[0] for name, values in INIT_RESOURCES.items()},
        "limits": {name: values[1] for name, values in INIT_RESOURCES.items()},
    }


def init_containers(singleuser: SingleuserSettings) -> list[dict]:
    """The metadata blocker (opt-in), the directory layout on shared volumes, then a fresh examples clone.

    The image pullers pre-pull every image named here (profiles.user_images).
    """
    storage = singleuser.storage
    containers = metadata_blocker(singleuser, _init_resources())
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
            context = {**user_context(singleuser), "runAsGroup": singleuser.fs_gid, "readOnlyRootFilesystem": True}
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
                    **user_context(singleuser),
                    "runAsGroup": singleuser.fs_gid,
                    "readOnlyRootFilesystem": True,
                },
                "resources": _init_resources(),
                "volumeMounts": [{"name": "examples", "mountPath": EXAMPLES_DIR}],
            }
        )
    return containers


class SharedVolumes(Part):
    """The ReadWriteMany PVCs every user server mounts; users' data, so never pruned or deleted by a sync."""

    def __init__(self, scope: Construct, id: str, *, storage: UserStorage, names: Names):
        super().__init__(scope, id)
        for volume in storage.shared_volumes:
            api_object(
                self,
                volume.name,
                k8s.KubePersistentVolumeClaim,
                {
                    "metadata": {
                        "name": names.shared_claim(volume.name),
                        "labels": names.labels(SHARED_STORAGE),
                        "annotations": KEEP,
                    },
                    "spec": {
                        "accessModes": ["ReadWriteMany"],
                        "storageClassName": volume.storage_class,
                        "resources": {"requests": {"storage": quantity(volume.capacity)}},
                    },
                },
            )
