"""Where user servers keep files: the home volume, shared and existing volumes, scratch, examples, extra files.

Only the shared ReadWriteMany PVCs and the extra files' ConfigMap are objects
of `dist/`; dynamic home PVCs are created by KubeSpawner at first start, and
existing volumes exist before the hub.

KubeSpawner gets volumes and mounts as dictionaries keyed by volume name
(kubespawner 7.0.0 spawner.py `volumes`, `volume_mounts`: sorted by key,
merged with a profile's `kubespawner_override`), so a profile adds its own
volumes to these instead of replacing them.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import UserPods, Volume
from ..config.files import ExtraFile
from ..config.singleuser import SingleuserSettings, UserStorage
from ..config.volumes import ExtraVolume
from ..config_file import ConfigFile, Order
from ..extra_files import file_volumes, files_config_map
from ..naming import SHARED_STORAGE, SINGLEUSER, Names
from ..parts import Part
from ..pods import quantity
from ..sync_waves import KEEP
from .containers import container_context, init_container_traits, sidecar_traits
from .security import metadata_blocker

LAYOUT_ROOT = "/layout"
EXAMPLES_DIR = "/examples"
INIT_RESOURCES = {"cpu": ("50m", "500m"), "memory": ("64Mi", "512Mi")}
BUILT_IN = "0"
"""Key prefix of the init containers every user pod starts with (before any configured one)."""


def home_volume(storage: UserStorage) -> Volume | None:
    """The user's home: their own PVC (dynamic), their directory of an existing one (static), or none."""
    if storage.type == "dynamic":
        claim = "{pvc_name}"  # KubeSpawner's name of the user's own PVC
    elif storage.type == "static" and storage.existing_claim:
        claim = storage.existing_claim
    else:
        return None
    source = {"persistentVolumeClaim": {"claimName": claim}}
    return Volume("home", source, storage.home_mount_path, sub_path=storage.home_directory)


def existing_volume(volume: ExtraVolume) -> Volume:
    return Volume(volume.name, volume.source(), volume.mount_path, volume.mounted_read_only, volume.sub_path)


def storage_volumes(singleuser: SingleuserSettings, names: Names) -> list[Volume]:
    """The user pod's own volumes: home, shared volumes, existing volumes, scratch, examples, extra files."""
    storage = singleuser.storage
    volumes = [home] if (home := home_volume(storage)) else []
    for shared in storage.shared_volumes:
        source = {"persistentVolumeClaim": {"claimName": names.shared_claim(shared.name)}}
        volumes.append(Volume(f"shared-{shared.name}", source, shared.mount_path, shared.read_only, shared.sub_path))
    volumes += [existing_volume(volume) for volume in storage.extra_volumes]
    if storage.scratch:
        volumes.append(
            Volume("scratch", {"emptyDir": {"sizeLimit": storage.scratch.size_limit}}, storage.scratch.mount_path)
        )
    if storage.examples:
        volumes.append(Volume("examples", {"emptyDir": {}}, storage.examples.mount_path))
    return volumes + file_volumes(singleuser.extra_files, names.user_files)


def volume_traits(volumes: Iterable[Volume]) -> tuple[dict[str, dict], dict[str, dict]]:
    """KubeSpawner's volumes and volume_mounts, each keyed by the volume's name."""
    volumes = list(volumes)
    return {v.name: v.volume() for v in volumes}, {v.name: v.mount() for v in volumes}


def configure_storage(file: ConfigFile, singleuser: SingleuserSettings, names: Names, additions: UserPods) -> None:
    storage = singleuser.storage
    file.section(Order.USER_HOME, "User servers: per-user home volume")
    if storage.type == "dynamic" or storage.delete_on_user_deletion:
        file.set("KubeSpawner", "pvc_name_template", names.user_claim_template)
    if storage.type == "dynamic":
        file.set("KubeSpawner", "storage_pvc_ensure", True)
        file.set("KubeSpawner", "storage_capacity", storage.capacity)
        file.set("KubeSpawner", "storage_access_modes", [storage.access_mode])
        if storage.storage_class:
            file.set("KubeSpawner", "storage_class", storage.storage_class)
    # KubeSpawner 7.0.0 defaults delete_pvc to True whatever the home is: deleting a user deletes the PVC
    # named by pvc_name_template (default claim-{username}...), even where homes are static or none
    # (spawner.py, delete_forever). Nothing is deleted unless the environment says so.
    file.set("KubeSpawner", "delete_pvc", storage.delete_on_user_deletion)
    volumes = [*storage_volumes(singleuser, names), *additions.volumes]
    if volumes:
        file.section(Order.USER_VOLUMES, "User servers: volumes")
        pod_volumes, mounts = volume_traits(volumes)
        file.set("KubeSpawner", "volumes", pod_volumes)
        file.set("KubeSpawner", "volume_mounts", mounts)
    containers = {
        **built_in_init_containers(singleuser),
        **init_container_traits(singleuser, singleuser.init_containers),
    }
    if containers:
        file.section(Order.USER_INIT_CONTAINERS, "User servers: init containers")
        file.set("KubeSpawner", "init_containers", containers)
    if singleuser.sidecars:
        file.section(Order.USER_INIT_CONTAINERS, "User servers: sidecars")
        file.set("KubeSpawner", "extra_containers", sidecar_traits(singleuser, singleuser.sidecars))


def _init_resources() -> dict:
    return {
        "requests": {name: values[0] for name, values in INIT_RESOURCES.items()},
        "limits": {name: values[1] for name, values in INIT_RESOURCES.items()},
    }


def built_in_init_containers(singleuser: SingleuserSettings) -> dict[str, dict]:
    """The metadata blocker (opt-in), the directory layout (home and shared volumes), then a fresh examples
    clone, keyed to run first and in this order.

    The image pullers pre-pull every image named here (SingleuserSettings.support_images).
    """
    storage = singleuser.storage
    containers = metadata_blocker(singleuser, _init_resources())
    prepared = storage.prepared_volumes()
    if prepared:
        commands = ["set -eu"]
        for volume in prepared:
            target = f"{LAYOUT_ROOT}/{volume.volume}" + (f"/{volume.sub_path}" if volume.sub_path else "")
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
            context = {**container_context(singleuser), "readOnlyRootFilesystem": True}
        containers.append(
            {
                "name": "prepare-layout",
                "image": storage.layout_image,
                "command": ["sh", "-c", "\n".join(commands)],
                "securityContext": context,
                "resources": _init_resources(),
                "volumeMounts": [{"name": v.volume, "mountPath": f"{LAYOUT_ROOT}/{v.volume}"} for v in prepared],
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
                "securityContext": {**container_context(singleuser), "readOnlyRootFilesystem": True},
                "resources": _init_resources(),
                "volumeMounts": [{"name": "examples", "mountPath": EXAMPLES_DIR}],
            }
        )
    return {f"{BUILT_IN}-{index}-{container['name']}": container for index, container in enumerate(containers)}


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


class UserFiles(Part):
    """The ConfigMap holding `singleuser.extra_files`, which every user pod mounts file by file."""

    def __init__(self, scope: Construct, id: str, *, files: Mapping[str, ExtraFile], names: Names):
        super().__init__(scope, id)
        files_config_map(self, "files", name=names.user_files, labels=names.labels(SINGLEUSER), files=files)
