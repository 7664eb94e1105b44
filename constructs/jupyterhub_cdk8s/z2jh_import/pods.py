"""The chart's user-pod keys: private registries, extra volumes, the home on existing storage, containers, files.

Some are read together once the walk is done: a volume with its mounts, the
static home with the storage type, and a pull secret with the images of the
pods the chart lists it in (here a Secret serves registries, so it needs them).
"""

from __future__ import annotations

import re
from typing import Any

from ..config.base import valid_image
from ..config.hub import HUB_IMAGE
from ..config.proxy import PROXY_IMAGE
from ..config.registries import image_location
from ..config.scheduling import PAUSE_IMAGE
from ..config.singleuser import SINGLEUSER_IMAGE
from ..config.templates import RESERVED_LABEL_PREFIXES, RESERVED_LABELS, below, per_user
from ..config.versions import DEFAULT_KUBERNETES, kube_scheduler_image
from ..config.yaml_input import shown
from .engine import SKIP, Migration, NotMapped, Transform

CREATED_PULL_SECRET = "image-pull-secret"
"""The Secret the chart's imagePullSecret.create makes (named <release>-image-pull-secret there)."""
NETWORK_ACCESS_LABEL = "hub.jupyter.org/network-access-"
SECRET_IN_GIT = "a registry password in a values file ends up in git"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def dns_label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:57].strip("-") or "item"


# --- private registries ---------------------------------------------------------------------------


def pull_secrets(whose: str) -> Transform:
    """A list of pull secrets (names or {name}) the chart puts on the pods of `whose` images."""

    def transform(value, migration, source):
        for item in value:
            name = item if isinstance(item, str) else item["name"]
            if not isinstance(name, str) or not _DNS_LABEL.match(name):
                raise NotMapped(f"{shown(name)} is not a Secret name")
            migration.pull_secrets.setdefault(name, []).append((source, whose))
        return SKIP

    return transform


def image_pull_secret(value, migration, source):
    """imagePullSecret: the chart makes a Secret from a password in the values; here it is made out of band."""
    for key in ("username", "password", "email"):
        if key in value:
            migration.unmapped.append((f"{source}.{key}", f"not mapped: {SECRET_IN_GIT}; create the Secret yourself"))
    if not value.get("create"):
        raise NotMapped("the chart creates no Secret without create: true; list yours under imagePullSecrets")
    if value.get("automaticReferenceInjection") is False:
        raise NotMapped("the chart puts it in no pod (automaticReferenceInjection: false); list it where it is used")
    registry = value.get("registry")
    migration.pull_secrets.setdefault(CREATED_PULL_SECRET, []).append(
        (source, f"registry:{registry}" if registry else "all")
    )
    migration.notes.append(
        (
            source,
            f"create Secret {CREATED_PULL_SECRET} before the first sync (kubectl create secret docker-registry "
            f"{CREATED_PULL_SECRET} --docker-server={registry or '<registry>'} --docker-username=... "
            "--docker-password=...)",
        )
    )
    return SKIP


def _valid(images: list) -> list[str]:
    """The images written right (the others are reported when the environment is checked)."""
    found = []
    for image in images:
        try:
            found.append(valid_image(image))
        except ValueError:
            continue
    return found


def _images(migration: Migration) -> dict[str, list[str]]:
    """The images of each kind of pod of the imported environment."""
    get = migration.get
    user = [get("singleuser.image", SINGLEUSER_IMAGE)]
    pods = [get("singleuser", {}), *get("singleuser.profiles", [])]
    for pod in pods:
        user += [pod["image"]] if pod.get("image") and pod is not pods[0] else []
        for option in (pod.get("options") or {}).values():
            if option.get("kind") == "image":
                user += [str(choice["value"]) for choice in option["choices"].values()]
        user += [c["image"] for kind in ("init_containers", "sidecars") for c in pod.get(kind, [])]
    user += get("scheduling.image_puller.extra_images", [])
    images = {
        "hub": [get("hub.image", HUB_IMAGE)],
        "proxy": [get("proxy.image", PROXY_IMAGE)],
        # The chart's scheduler image is not carried over: ours is of the cluster's version.
        "scheduler": [kube_scheduler_image(get("kubernetes_version", DEFAULT_KUBERNETES))],
        "pause": [PAUSE_IMAGE],
        "singleuser": user,
    }
    images = {kind: _valid(found) for kind, found in images.items()}
    images["all"] = [image for kind in list(images) for image in images[kind]]
    return images


def resolve_pull_secrets(migration: Migration) -> None:
    """Each Secret serves the registries of the images of the pods the chart listed it in."""
    images = _images(migration)
    registries_of_all = {image_location(image).split("/")[0] for image in images["all"]}
    for name, uses in migration.pull_secrets.items():
        registries: list[str] = []
        for source, whose in uses:
            if whose.startswith("registry:"):
                registry = whose.removeprefix("registry:").split("://")[-1].rstrip("/")
                if registry in registries_of_all:
                    registries.append(registry)
                else:
                    migration.unmapped.append(
                        (source, f"not mapped: no image here comes from {registry}, so no pod would pull with it")
                    )
            else:
                registries += [image_location(image).split("/")[0] for image in images[whose]]
        if registries:
            migration.put("image_pull_secrets", [{"name": name, "registries": list(dict.fromkeys(registries))}])


# --- volumes and the home ------------------------------------------------------------------------


def stash(key: str, shape: type = str) -> Transform:
    """Keep the value for a resolve step that reads it with others; `shape` dict: a list or map of named maps."""

    def transform(value, migration, source):
        if shape is dict and not all(
            isinstance(item, dict) and isinstance(item.get("name"), str) for item in items_of(value)
        ):
            raise TypeError(value)
        if shape is str and not isinstance(value, str):
            raise TypeError(value)
        migration.pending[key] = (value, source)
        return SKIP

    return transform


def items_of(value: Any) -> list:
    """A list, or the values of a dict (the chart takes both for volumes, mounts and containers)."""
    return list(value.values()) if isinstance(value, dict) else list(value)


VOLUME_SOURCES = ("persistentVolumeClaim", "nfs", "configMap", "secret")
UNSUPPORTED_SOURCES = {
    "emptyDir": "temporary space is singleuser.storage.scratch (an emptyDir with a size limit)",
    "hostPath": "a node's directory breaks Pod Security baseline, which the namespace enforces",
}


def existing_volume(volume: dict, mount: dict, migration: Migration, where: str) -> dict:
    """One volume with one of its mounts as an entry of storage.extra_volumes (or a profile's volumes)."""
    kinds = [key for key in volume if key != "name"]
    if len(kinds) != 1:
        raise NotMapped(f"volume {shown(volume.get('name'))} has {len(kinds)} sources")
    kind, source = kinds[0], volume[kinds[0]]
    if kind not in VOLUME_SOURCES:
        raise NotMapped(
            UNSUPPORTED_SOURCES.get(
                kind, f"{kind} volumes are not available; an existing PVC, NFS, ConfigMap or Secret are"
            )
        )
    entry: dict[str, Any] = {"name": volume["name"], "mount_path": mount["mountPath"]}
    if mount.get("subPath"):
        entry["sub_path"] = mount["subPath"]
    read_only = bool(mount.get("readOnly") or source.get("readOnly"))
    if kind == "persistentVolumeClaim":
        entry["claim"] = source["claimName"]
    elif kind == "nfs":
        entry["nfs"] = {"server": source["server"], "path": source["path"]}
    elif kind == "configMap":
        entry["config_map"] = source["name"]
    else:
        entry["secret"] = source["secretName"]
    if read_only and kind in ("persistentVolumeClaim", "nfs"):
        entry["read_only"] = True
    known = {"persistentVolumeClaim": {"claimName", "readOnly"}, "nfs": {"server", "path", "readOnly"}}
    for key in sorted(set(source) - known.get(kind, {"name", "secretName"})):
        migration.unmapped.append((f"{where}.{kind}.{key}", "not mapped: the whole volume is mounted as it is"))
    for key in sorted(set(mount) - {"name", "mountPath", "subPath", "readOnly"}):
        migration.unmapped.append((f"{where}.{key}", "not mapped: a mount takes mountPath, subPath and readOnly"))
    return entry


def paired_volumes(volumes: Any, mounts: Any, migration: Migration, where: str) -> list[dict]:
    """The chart's volumes and their mounts as our entries: one per mount, named after its volume."""
    by_name = {volume["name"]: volume for volume in items_of(volumes or [])}
    entries: list[dict] = []
    used: set[str] = set()
    for index, mount in enumerate(items_of(mounts or [])):
        at = f"{where}.volume_mounts[{index}]"
        volume = by_name.get(mount.get("name"))
        if volume is None:
            migration.unmapped.append(
                (at, f"not mapped: mounts volume {shown(mount.get('name'))}, which is not defined")
            )
            continue
        try:
            entry = existing_volume(volume, mount, migration, at)
        except NotMapped as reason:
            migration.unmapped.append((at, f"not mapped: {reason}"))
            continue
        except (AttributeError, TypeError, KeyError):
            migration.unmapped.append((at, "not mapped: not a volume and mount the chart takes"))
            continue
        if entry["name"] in used:
            entry["name"] = f"{entry['name']}-{index}"
        used.add(volume["name"])
        entries.append(entry)
    for name in sorted(set(by_name) - used):
        migration.unmapped.append((f"{where}.volumes.{name}", "not mapped: mounted nowhere"))
    return entries


HOME_SETTINGS = {
    "static.pvcName": "existing_claim",
    "static.subPath": "home_sub_path",
    "dynamic.subPath": "home_sub_path",
}
DYNAMIC_ONLY = {
    "capacity": "capacity",
    "storage_class": "dynamic.storageClass",
    "access_mode": "dynamic.storageAccessModes",
}


def resolve_storage(migration: Migration) -> None:
    """The home (a PVC per user, an existing claim, or none) and the extra volumes, as the chart's storage type says."""
    storage = migration.config.setdefault("singleuser", {}).setdefault("storage", {})
    home_type = storage.get("type", "dynamic")
    for key, ours in HOME_SETTINGS.items():
        if key not in migration.pending:
            continue
        value, source = migration.pending.pop(key)
        wanted = key.split(".")[0]
        if wanted != home_type:
            migration.unmapped.append(
                (source, f"not mapped: only read with storage.type {wanted} (this is {home_type})")
            )
        else:
            storage[ours] = value
    if home_type != "dynamic":
        for ours, theirs in DYNAMIC_ONLY.items():
            if storage.pop(ours, None) is not None:
                migration.unmapped.append(
                    (f"singleuser.storage.{theirs}", f"not mapped: the chart ignores it with storage.type {home_type}")
                )
    volumes, where = migration.pending.pop("extraVolumes", (None, "singleuser.storage.extraVolumes"))
    mounts, _ = migration.pending.pop("extraVolumeMounts", (None, ""))
    if volumes is None and mounts is None:
        return
    entries = paired_volumes(volumes, mounts, migration, "singleuser.storage")
    home = str(storage.get("home_mount_path", "/home/jovyan"))
    for entry in list(entries):
        at_home = entry["mount_path"].rstrip("/") == home.rstrip("/")
        if home_type == "none" and at_home and "claim" in entry and per_user(entry.get("sub_path", "")):
            # The chart's way to homes on existing storage: here that is storage.type static.
            entries.remove(entry)
            storage.update(type="static", existing_claim=entry["claim"], home_sub_path=entry["sub_path"])
            migration.notes.append(
                (where, f"volume {entry['name']} mounted at the home becomes storage.type static on its claim")
            )
        elif at_home:
            entries.remove(entry)
            migration.unmapped.append(
                (
                    where,
                    f"not mapped: volume {entry['name']} at the home; homes on existing storage are storage.type "
                    "static: an existing claim (e.g. a PersistentVolume of the NFS export) and a sub_path per user",
                )
            )
    if entries:
        storage["extra_volumes"] = entries


# --- containers, files, identity, labels, command -------------------------------------------------------

CONTAINER_KEYS = {"name", "image", "command", "args", "env", "resources", "volumeMounts"}
CHART_HOME_VOLUMES = ("home", "volume-{username}{servername}", "volume-{user_server}")


def _container(item: dict, migration: Migration, where: str) -> dict:
    image = item.get("image")
    if not isinstance(image, str) or ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
        raise NotMapped(f"image {shown(image)} is not pinned with a tag; write name:tag")
    container: dict[str, Any] = {"name": item["name"], "image": image}
    for key in ("command", "args"):
        if key in item:
            container[key] = [str(part) for part in item[key]]
    env: dict[str, Any] = {}
    for variable in item.get("env") or []:
        ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
        if "value" in variable:
            env[variable["name"]] = str(variable["value"])
        elif ref:
            env[variable["name"]] = {"name": ref["name"], "key": ref["key"]}
        else:
            migration.unmapped.append(
                (f"{where}.env.{variable.get('name')}", "not mapped: a value, or a Secret's key (secretKeyRef)")
            )
    if env:
        container["env"] = env
    resources = item.get("resources") or {}
    if resources.get("requests") and resources.get("limits"):
        requests, limits = resources["requests"], resources["limits"]
        if {"cpu", "memory"} <= set(requests) & set(limits):
            container["resources"] = {
                "cpu": {"request": str(requests["cpu"]), "limit": str(limits["cpu"])},
                "memory": {"request": str(requests["memory"]), "limit": str(limits["memory"])},
            }
    if resources and "resources" not in container:
        migration.unmapped.append(
            (f"{where}.resources", "not mapped: give cpu and memory requests and limits, or keep the defaults")
        )
    mounts = []
    for mount in item.get("volumeMounts") or []:
        name = "home" if mount["name"] in CHART_HOME_VOLUMES else mount["name"]
        ours = {"volume": name, "mount_path": mount["mountPath"]}
        ours.update({k: v for k, v in (("sub_path", mount.get("subPath")), ("read_only", mount.get("readOnly"))) if v})
        mounts.append(ours)
    if mounts:
        container["volume_mounts"] = mounts
    for key in sorted(set(item) - CONTAINER_KEYS):
        reason = (
            "containers run as the user with the user server's restrictions (Pod Security restricted)"
            if key == "securityContext"
            else "a container takes name, image, command, args, env, resources and volumeMounts here"
        )
        migration.unmapped.append((f"{where}.{key}", f"not mapped: {reason}"))
    return container


def containers(value, migration, source) -> list[dict] | object:
    """extraContainers / initContainers (a list, or a dict by key) as sidecars / init containers."""
    found = []
    for index, item in enumerate(items_of(value)):
        where = f"{source}[{index}]"
        try:
            found.append(_container(item, migration, where))
        except NotMapped as reason:
            migration.unmapped.append((where, f"not mapped: {reason}"))
        except (AttributeError, TypeError, KeyError):
            migration.unmapped.append((where, "not mapped: not a container the chart takes"))
    return found or SKIP


def extra_files(read_only: tuple[str, ...] = ()) -> Transform:
    """extraFiles: mountPath and one of data, stringData, binaryData (a Secret there, a ConfigMap here).

    `read_only` are directories of the pod that are read-only volumes here (the hub's config directory).
    """

    def transform(value, migration, source):
        return _files(value, migration, source, read_only)

    return transform


def _files(value: dict, migration: Migration, source: str, read_only: tuple[str, ...]):
    files = {}
    for key, details in value.items():
        where, ours = f"{source}.{key}", dns_label(key)
        if not isinstance(details, dict) or not isinstance(details.get("mountPath"), str):
            migration.unmapped.append(
                (where, "not mapped: a file needs a mountPath and one of data, stringData, binaryData")
            )
            continue
        if any(below(details["mountPath"], directory) for directory in read_only):
            migration.unmapped.append(
                (
                    where,
                    f"not mapped: {details['mountPath']} is in the hub's config directory, its ConfigMap here; mount "
                    "the file elsewhere (e.g. /usr/local/etc/jupyterhub-files) and load it from hub.extra_config",
                )
            )
            continue
        contents = [name for name in ("data", "stringData", "binaryData") if details.get(name) is not None]
        if len(contents) != 1:
            migration.unmapped.append(
                (where, "not mapped: a file needs a mountPath and one of data, stringData, binaryData")
            )
            continue
        file: dict[str, Any] = {"mount_path": details["mountPath"]}
        if contents == ["data"] and details["mountPath"].endswith(".toml"):
            migration.unmapped.append((where, "not mapped: TOML is written as text here; write the file under text"))
            continue
        file[{"data": "data", "stringData": "text", "binaryData": "binary"}[contents[0]]] = details[contents[0]]
        if "mode" in details:
            file["mode"] = details["mode"]
        if ours != key:
            migration.notes.append((where, f"the file's key is {ours} here (a Kubernetes name)"))
        migration.notes.append((where, "from a ConfigMap here, not a Secret: never put a credential in it"))
        files[ours] = file
    return files or SKIP


def service_account(value, migration, source):
    migration.notes.append(
        (
            source,
            "the chart mounts its token (KubeSpawner's default with a service account): every user's code can call "
            "the Kubernetes API with what it is bound to; set automount_token: false unless notebooks need the API",
        )
    )
    return {"name": value, "automount_token": True}


def command(value, migration, source):
    return [value] if isinstance(value, str) else [str(part) for part in value]


def labels(value, migration, source):
    kept = {}
    for key, label in value.items():
        if key.startswith(NETWORK_ACCESS_LABEL):
            migration.notes.append(
                (f"{source}.{key}", "dropped: network policies here are per component, not by label")
            )
        elif key in RESERVED_LABELS or key.startswith(RESERVED_LABEL_PREFIXES):
            migration.unmapped.append((f"{source}.{key}", "not mapped: KubeSpawner sets it on every user pod"))
        else:
            kept[key] = str(label)
    return kept or SKIP
