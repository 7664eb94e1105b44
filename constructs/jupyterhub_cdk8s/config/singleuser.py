"""Config of the user servers KubeSpawner starts: image, resources, profiles, storage, hooks, culling."""

from __future__ import annotations

import posixpath
import re
import string
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .base import DnsLabel, FieldProblems, Image, StrictModel, valid_image
from .kubernetes import ENV_NAME, INT32_MAX, MAX_UNIX_ID, ClassName, ExtendedResource, Labels
from .resources import Cpu, Memory, RequestAndLimit, byte_count, request_above_limit, valid_cpu, valid_memory, written
from .scheduling import Toleration
from .yaml_input import short_key, shown

SINGLEUSER_IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"
LAYOUT_IMAGE = "busybox:1.36.1"
GIT_IMAGE = "alpine/git:v2.45.1"
# JupyterHub's Helm chart's iptables image (alpine 3.18 + iptables; z2jh 4.4.0 images/network-tools), the
# tag its chartpress sets: the chart's version.
NETWORK_TOOLS_IMAGE = "quay.io/jupyterhub/k8s-network-tools:4.4.0"
GPU_RESOURCE = "nvidia.com/gpu"
# KubeSpawner 7 names the user's container in every user pod `notebook`
# (kubespawner/objects.py, make_pod); cluster metrics find user pods by it,
# which needs no pod-label allowlist in kube-state-metrics.
USER_CONTAINER = "notebook"


# What KubeSpawner fills into volume, init-container and environment values
# at spawn time; any other {field} would fail every spawn.
SPAWN_FIELDS = ("username", "servername", "user_server", "unescaped_username", "userid")


def _spawn_template(value: str) -> str:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError:
        fields = ["?"]
    unknown = [field for field in fields if field not in SPAWN_FIELDS]
    if unknown:
        raise ValueError(
            f"{shown(value)}: KubeSpawner fills in {{...}} when it starts a server and knows only "
            f"{', '.join('{' + f + '}' for f in SPAWN_FIELDS)}; write braces as {{{{ and }}}} otherwise"
        )
    return value


SpawnTemplate = Annotated[str, AfterValidator(_spawn_template)]
"""Text KubeSpawner formats per server: `{username}` and friends only."""

PER_USER_FIELDS = ("user_server", "username", "unescaped_username", "userid")
_CLAIM_TEXT = re.compile(r"^[a-z0-9]([-a-z0-9]*)$")


def _user_claim_template(value: str) -> str:
    """A PVC name per user: starts with literal lower-case text (which monitoring matches claims by)."""
    parts = list(string.Formatter().parse(value))
    fields = [field for _, field, _, _ in parts if field is not None]
    literal = "".join(text for text, _, _, _ in parts)
    if not any(field in PER_USER_FIELDS for field in fields):
        raise ValueError(
            f"{value!r} names one PVC for every user; include {{user_server}} (or {{username}}), "
            "e.g. claim-{user_server}"
        )
    if not parts[0][0] or not _CLAIM_TEXT.match(parts[0][0]) or not all(c.isalnum() or c in "-." for c in literal):
        raise ValueError(
            f"{value!r} is not a PVC name template; start with lower-case letters or digits and use only those, "
            "'-' and '.' outside the {...} fields, e.g. claim-{user_server}"
        )
    return value


UserClaimTemplate = Annotated[str, AfterValidator(_spawn_template), AfterValidator(_user_claim_template)]
"""KubeSpawner's pvc_name_template: one PVC per user."""


class CpuAllotment(RequestAndLimit):
    """CPU of a user server: what it is guaranteed and what it may burst to."""

    resource = "cpu"
    keys = ("guarantee", "limit")
    guarantee: Cpu = Field("100m", description="CPU reserved for each user server (the pod's request).")
    limit: Cpu = Field("2", description="CPU each user server is throttled at.")


class MemoryAllotment(RequestAndLimit):
    """Memory of a user server: what it is guaranteed and where it is killed."""

    resource = "memory"
    keys = ("guarantee", "limit")
    guarantee: Memory = Field("1Gi", description="Memory reserved for each user server (the pod's request).")
    limit: Memory = Field("2Gi", description="Memory above which a user server is OOM-killed.")


# --- profiles ----------------------------------------------------------------


class GpuNodes(StrictModel):
    """How pods that ask for GPUs reach the GPU nodes."""

    resource: ExtendedResource = Field(GPU_RESOURCE, description="Extended resource a GPU is requested as.")
    node_selector: Labels = Field(
        default_factory=dict, description='Labels of GPU nodes, e.g. {"nvidia.com/gpu.present": "true"}.'
    )
    tolerations: list[Toleration] = Field(
        default_factory=list,
        description=(
            "Taints of GPU nodes to tolerate, e.g. {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}; "
            "GPU pods tolerate these and the user nodes' (scheduling.user_pods.tolerations)."
        ),
    )


OptionKind = Literal["image", "cpu", "memory", "gpu", "node"]


class OptionChoice(StrictModel):
    """One entry of a drop-down on the spawn page."""

    display_name: str = Field(description="What the user sees in the drop-down.")
    value: str | int = Field(
        description=(
            "What the choice sets: an image (kind image), CPU cores as limit (cpu), memory as limit (memory), "
            "a GPU count (gpu) or a node name (node)."
        )
    )


class ProfileOption(StrictModel):
    """A drop-down of a profile; the choice overrides the profile's setting of its kind."""

    kind: OptionKind = Field(description="What the drop-down chooses: image, cpu, memory, gpu or node.")
    display_name: str = Field(description="Label of the drop-down.")
    default: str = Field(description="Key of the choice selected unless the user picks another.")
    choices: dict[str, OptionChoice] = Field(min_length=1, description="Choices by key (the key is sent by the form).")

    @model_validator(mode="after")
    def _valid_choices(self) -> ProfileOption:
        problems = []
        if self.default not in self.choices:
            problems.append(
                ("default", f"{shown(self.default)} is not one of the choices; write one of: {', '.join(self.choices)}")
            )
        for key, choice in self.choices.items():
            if message := _choice_problem(self.kind, choice.value):
                problems.append((f"choices.{key}.value", message))
        if problems:
            raise FieldProblems(*problems)
        return self


def _choice_problem(kind: OptionKind, value: str | int) -> str | None:
    check = {"image": valid_image, "cpu": valid_cpu, "memory": valid_memory}.get(kind)
    try:
        if check:
            check(value)
        elif kind == "gpu" and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT32_MAX):
            return f"{shown(value)} is not a GPU count; write a whole number like 0, 1 or 2"
        elif kind == "node" and not isinstance(value, str):
            return f"{shown(value)} is not a node name; write the node's name, e.g. worker-1"
    except ValueError as error:
        return str(error)
    return None


class Profile(StrictModel):
    """One entry of the spawn page: an image with its resources, and optional drop-downs."""

    display_name: str = Field(description="Title of the profile on the spawn page.")
    slug: DnsLabel = Field(description="Stable key of the profile (what the REST API and saved options use).")
    description: str = Field("", description="One line under the title.")
    default: bool = Field(
        False, description="Selected unless the user picks another; exactly one profile is the default."
    )
    image: Image | None = Field(None, description="Image of this profile; unset uses singleuser.image.")
    cpu: CpuAllotment | None = Field(None, description="CPU of this profile; unset uses singleuser.cpu.")
    memory: MemoryAllotment | None = Field(None, description="Memory of this profile; unset uses singleuser.memory.")
    gpus: int = Field(
        0, ge=0, le=INT32_MAX, description="GPUs of this profile; more than 0 needs singleuser.gpu_nodes."
    )
    options: dict[DnsLabel, ProfileOption] = Field(
        default_factory=dict, description="Drop-downs of this profile by key (image, cpu, memory, gpu, node)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = request_above_limit(("cpu", self.cpu), ("memory", self.memory))
        kinds = [option.kind for option in self.options.values()]
        for kind in sorted({k for k in kinds if kinds.count(k) > 1}):
            problems.append(("options", f"two drop-downs choose {kind}; keep one"))
        if "gpu" in kinds and self.gpus:
            problems.append(("gpus", "the gpu drop-down chooses the GPU count; remove gpus or the drop-down"))
        if problems:
            raise FieldProblems(*problems)
        return self

    @property
    def uses_gpus(self) -> bool:
        return self.gpus > 0 or any(
            o.kind == "gpu" and any(c.value for c in o.choices.values()) for o in self.options.values()
        )


# --- storage -----------------------------------------------------------------


class SharedVolume(StrictModel):
    """A ReadWriteMany volume mounted into every user server (notebooks, datasets, models)."""

    name: DnsLabel = Field(description="Short name; the PVC is <release>-shared-<name>.")
    mount_path: str = Field(
        description="Where it appears in user servers, e.g. /home/jovyan/thinkube/datasets.", pattern=r"^/.+"
    )
    capacity: Memory = Field(description="Size of the PVC, e.g. 500Gi.")
    storage_class: ClassName | None = Field(
        None,
        description=(
            "StorageClass that provides ReadWriteMany, e.g. efs-sc, filestore-rwx, azurefile-csi, nfs-client or "
            "juicefs-rwx. Required: the default class of most clusters cannot."
        ),
    )
    sub_path: SpawnTemplate | None = Field(
        None,
        description=(
            "Directory of the volume to mount instead of its root; {username} gives every user their own "
            "directory of one shared volume (created by the layout init container)."
        ),
        pattern=r"^[A-Za-z0-9._{}-]+(/[A-Za-z0-9._{}-]+)*$",
    )
    read_only: bool = Field(False, description="Mount read-only (e.g. curated datasets).")
    fix_ownership: bool = Field(
        False,
        description=(
            "The volume's driver ignores fsGroup (JuiceFS, many NFS drivers): a root init container with only "
            "the CHOWN capability hands the mounted directory to the user. Lowers user pods to Pod Security baseline."
        ),
    )


class Scratch(StrictModel):
    """Fast temporary space that lives as long as the pod."""

    mount_path: str = Field(description="Where it appears, e.g. /home/jovyan/scratch.", pattern=r"^/.+")
    size_limit: Memory = Field(description="Size above which the pod is evicted, e.g. 100Gi.")


class ExamplesRepository(StrictModel):
    """A git repository cloned fresh into every user server at start."""

    url: SpawnTemplate = Field(description="HTTPS URL of a public repository.", pattern=r"^https://[^\s]+$")
    ref: str | None = Field(
        None, description="Branch or tag to clone; unset clones the default branch.", pattern=r"^[A-Za-z0-9._/-]+$"
    )
    mount_path: str = Field(description="Where the clone appears, e.g. /home/jovyan/examples.", pattern=r"^/.+")
    image: Image = Field(GIT_IMAGE, description="Image with git whose command is git.")


class UserStorage(StrictModel):
    """Each user's home directory, shared volumes, scratch space and their layout."""

    type: Literal["dynamic", "none"] = Field(
        "dynamic",
        description=(
            "dynamic: KubeSpawner creates one PVC per user on first start and keeps it; none: an ephemeral home."
        ),
    )
    capacity: Memory = Field("10Gi", description="Size of each user's PVC.")
    storage_class: ClassName | None = Field(
        None, description="StorageClass of user PVCs; unset uses the cluster default."
    )
    access_mode: Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"] = Field(
        "ReadWriteOnce", description="Access mode of user PVCs."
    )
    pvc_name_template: UserClaimTemplate | None = Field(
        None,
        description=(
            "Name of each user's PVC as KubeSpawner fills it in, e.g. claim-{user_server}; unset: "
            "<name>-claim-{user_server}. A hub moved from the JupyterHub Helm chart keeps the chart's "
            "(KubeSpawner's claim-{user_server}) so users find their homes (import-z2jh writes it)."
        ),
    )
    delete_on_user_deletion: bool = Field(
        False,
        description=(
            "Delete a user's home PVC when an admin (or the idle culler with cull_users) deletes the user, or a "
            "named server is removed (KubeSpawner delete_pvc, whose own default is true). Off: the home stays "
            "and comes back if the user returns."
        ),
    )
    home_mount_path: str = Field("/home/jovyan", description="Where the user's PVC is mounted.", pattern=r"^/.*")
    shared_volumes: list[SharedVolume] = Field(
        default_factory=list, description="ReadWriteMany volumes mounted into every user server."
    )
    shared_quota: Memory = Field(
        "1Ti", description="Most storage the shared volumes may claim together; raise it deliberately."
    )
    scratch: Scratch | None = Field(None, description="Temporary space (an emptyDir with a size limit).")
    examples: ExamplesRepository | None = Field(None, description="A repository cloned fresh at every start.")
    layout_image: Image = Field(LAYOUT_IMAGE, description="Image (with sh, mkdir, chown) of the layout init container.")

    @model_validator(mode="after")
    def _layout(self) -> UserStorage:
        problems = _classes_for_shared_access(self)
        home = posixpath.normpath(self.home_mount_path)
        mounts = [(f"shared_volumes[{i}].mount_path", v.mount_path) for i, v in enumerate(self.shared_volumes)]
        if self.scratch:
            mounts.append(("scratch.mount_path", self.scratch.mount_path))
        if self.examples:
            mounts.append(("examples.mount_path", self.examples.mount_path))
        seen: dict[str, str] = {}
        for path, mount in mounts:
            normal = posixpath.normpath(mount)
            if normal == home or home.startswith(normal + "/"):
                problems.append(
                    (
                        path,
                        (
                            f"{mount} would hide the home directory and the image's "
                            f"~/.local; mount at a sub-directory, e.g. {home}/data"
                        ),
                    )
                )
            if normal in seen:
                problems.append(
                    (path, f"{mount} is already the mount path of {seen[normal]}; give each its own directory")
                )
            seen.setdefault(normal, path)
        names = [v.name for v in self.shared_volumes]
        for i, volume in enumerate(self.shared_volumes):
            if names.index(volume.name) != i:
                problems.append(
                    (f"shared_volumes[{i}].name", f"{volume.name!r} is used twice; give each volume its own name")
                )
        total = 0
        for i, volume in enumerate(self.shared_volumes):
            total += byte_count(volume.capacity)
            if total > byte_count(self.shared_quota):
                problems.append(
                    (
                        f"shared_volumes[{i}].capacity",
                        f"{volume.capacity} brings the shared volumes to {written('storage', total)}, above "
                        f"storage.shared_quota {self.shared_quota}; shrink the volumes or raise shared_quota",
                    )
                )
                break
        if problems:
            raise FieldProblems(*problems)
        return self


def _classes_for_shared_access(storage: UserStorage) -> list[tuple[str, str]]:
    """ReadWriteMany needs a class that can provide it: on the default class the PVC stays Pending."""
    pending = (
        "ReadWriteMany, which the default StorageClass of most clusters cannot provide (AWS EBS, GCE PD, Azure "
        "Disk and local-path are ReadWriteOnce only), so the PVC would stay Pending and every user pod with it; "
        "name a class that provides it, e.g. efs-sc, filestore-rwx, azurefile-csi, nfs-client or juicefs-rwx "
        "(`kubectl get storageclass` lists yours)"
    )
    found = [
        (f"shared_volumes[{i}].storage_class", f"required: a shared volume is {pending}")
        for i, volume in enumerate(storage.shared_volumes)
        if not volume.storage_class
    ]
    if storage.type == "dynamic" and storage.access_mode == "ReadWriteMany" and not storage.storage_class:
        found.append(("storage_class", f"required with access_mode ReadWriteMany: homes would be {pending}"))
    return found


# --- behaviour ---------------------------------------------------------------


class LifecycleHooks(StrictModel):
    """Commands run in the user's container right after it starts or before it stops."""

    post_start: list[str] | None = Field(
        None,
        description='Command (exec form) run after start, e.g. ["bash", "-c", "pip install --user ..."].',
        min_length=1,
    )
    pre_stop: list[str] | None = Field(None, description="Command (exec form) run before stop.", min_length=1)


class IdleCulling(StrictModel):
    """jupyterhub-idle-culler, run by the hub as a managed service."""

    enabled: bool = Field(True, description="Stop servers nobody has used for `timeout` seconds.")
    timeout: int = Field(
        3600, ge=60, le=INT32_MAX, description="Seconds of inactivity after which a server is stopped."
    )
    every: int = Field(600, ge=10, le=INT32_MAX, description="Seconds between two checks.")
    max_age: int = Field(
        0, ge=0, le=INT32_MAX, description="Seconds after which a server is stopped even if active; 0 means never."
    )
    cull_users: bool = Field(False, description="Also delete users without a running server (temporary-user setups).")
    remove_named_servers: bool = Field(False, description="Delete culled named servers instead of only stopping them.")
    concurrency: int = Field(10, ge=1, le=INT32_MAX, description="Hub API requests the culler makes at once.")

    @model_validator(mode="after")
    def _checks_often_enough(self) -> IdleCulling:
        if self.every > self.timeout:
            raise FieldProblems(
                ("every", f"{self.every}s is longer than timeout {self.timeout}s; check at least once per timeout")
            )
        return self


class CloudMetadata(StrictModel):
    """Blocking the cloud metadata address inside every user pod, for clusters whose CNI ignores NetworkPolicy."""

    block_with_iptables: bool = Field(
        False,
        description=(
            "Run an init container that drops every packet from the user pod to 169.254.169.254 (iptables), as the "
            "Helm chart's singleuser.cloudMetadata.blockWithIptables does. Only needed where the CNI does not "
            "enforce NetworkPolicy (README lists which do). It runs privileged with NET_ADMIN, so it needs "
            "pod_security.enforce: privileged."
        ),
    )
    image: Image = Field(NETWORK_TOOLS_IMAGE, description="Image of the init container; it must contain iptables.")


class SingleuserSettings(StrictModel):
    """Defaults of every user server."""

    image: Image = Field(SINGLEUSER_IMAGE, description="Image of user servers; it must contain jupyterhub-singleuser.")
    cpu: CpuAllotment = Field(default_factory=CpuAllotment, description="CPU guarantee and limit.")
    memory: MemoryAllotment = Field(default_factory=MemoryAllotment, description="Memory guarantee and limit.")
    storage: UserStorage = Field(default_factory=UserStorage, description="Home directory, shared volumes, scratch.")
    start_timeout: int = Field(
        300,
        ge=30,
        le=INT32_MAX,
        description="Seconds a server may take to start (image pull included) before it is given up.",
    )
    http_timeout: int = Field(
        120, ge=10, le=INT32_MAX, description="Seconds the hub waits for a started server to answer HTTP."
    )
    default_url: str = Field(
        "/lab", description="Where users land after their server starts, e.g. /lab or /lab/tree/work.", pattern=r"^/.*"
    )
    extra_env: dict[str, SpawnTemplate] = Field(
        default_factory=dict,
        description="Plain environment variables of every user server (values are not secret: they end up in git).",
    )
    uid: int = Field(
        1000,
        ge=1,
        le=MAX_UNIX_ID,
        description="User ID the server runs as (1000 is jovyan in Jupyter images); never root by default.",
    )
    fs_gid: int = Field(
        100, ge=0, le=MAX_UNIX_ID, description="Group that owns mounted volumes (100 is users in Jupyter images)."
    )
    profiles: list[Profile] = Field(
        default_factory=list, description="Choices on the spawn page; empty means one kind of server for everyone."
    )
    gpu_nodes: GpuNodes | None = Field(
        None, description="Node selector and tolerations of GPU nodes; needed by GPU profiles."
    )
    lifecycle: LifecycleHooks = Field(default_factory=LifecycleHooks, description="postStart/preStop commands.")
    grant_sudo: bool = Field(
        False,
        description=(
            "Start the server as root so the image's start script grants the user sudo (GRANT_SUDO=yes). "
            "Lowers user pods to Pod Security baseline; the synth output says so."
        ),
    )
    culling: IdleCulling = Field(default_factory=IdleCulling, description="Stopping idle servers.")
    cloud_metadata: CloudMetadata = Field(
        default_factory=CloudMetadata,
        description="An iptables block of the cloud metadata address in user pods (off: the NetworkPolicies block it).",
    )

    def warnings(self) -> list[tuple[str, str]]:
        found = super().warnings()
        culling, storage = self.culling, self.storage
        if culling.enabled and culling.cull_users and storage.type == "dynamic" and storage.delete_on_user_deletion:
            found.append(
                (
                    "culling.cull_users",
                    f"the idle culler deletes users idle for {culling.timeout}s, and "
                    "storage.delete_on_user_deletion deletes their homes with them: every file of a user who "
                    "pauses that long is lost; keep it only for throw-away users",
                )
            )
        return found

    @field_validator("extra_env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        if bad := [name for name in value if not ENV_NAME.match(name)]:
            message = "is not an environment variable name; use ASCII letters, digits and _, e.g. MY_SETTING"
            raise FieldProblems(*((short_key(name), message) for name in bad))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SingleuserSettings:
        problems = request_above_limit(("cpu", self.cpu), ("memory", self.memory))
        defaults = [i for i, p in enumerate(self.profiles) if p.default]
        if self.profiles and len(defaults) != 1:
            where = "profiles" if not defaults else f"profiles[{defaults[1]}].default"
            problems.append(
                (where, f"{len(defaults)} profiles are marked default; mark exactly one with `default: true`")
            )
        slugs = [p.slug for p in self.profiles]
        for i, profile in enumerate(self.profiles):
            if slugs.index(profile.slug) != i:
                problems.append(
                    (f"profiles[{i}].slug", f"{profile.slug!r} is used twice; give each profile its own slug")
                )
            if profile.uses_gpus and not (
                self.gpu_nodes and self.gpu_nodes.node_selector and self.gpu_nodes.tolerations
            ):
                problems.append(
                    (
                        f"profiles[{i}].gpus" if profile.gpus else f"profiles[{i}].options",
                        "GPUs need GPU nodes: set singleuser.gpu_nodes.node_selector "
                        '(e.g. nvidia.com/gpu.present: "true") '
                        "and singleuser.gpu_nodes.tolerations (e.g. key nvidia.com/gpu, effect NoSchedule)",
                    )
                )
        if problems:
            raise FieldProblems(*problems)
        return self
