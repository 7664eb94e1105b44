"""Config of the user servers KubeSpawner starts: image, resources, profiles, storage, hooks, culling."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import DnsLabel, FieldProblems, Image, StrictModel, valid_image
from .containers import Container
from .files import ExtraFile, FileKey, files_problems
from .kubernetes import INT32_MAX, MAX_UNIX_ID, ClassName, ExtendedResource, Labels, ObjectName
from .registries import RegistryPrefix
from .resources import Cpu, Memory, RequestAndLimit, byte_count, request_above_limit, valid_cpu, valid_memory, written
from .scheduling import Toleration
from .templates import (
    EnvName,
    SpawnTemplate,
    SubPath,
    UserClaimTemplate,
    UserLabelKey,
    UserLabelValue,
    below,
    per_user,
)
from .volumes import RESTRICTED_KINDS, ExtraVolume
from .yaml_input import shown

SINGLEUSER_IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"
LAYOUT_IMAGE = "busybox:1.36.1"
GIT_IMAGE = "alpine/git:v2.45.1"
# JupyterHub's Helm chart's iptables image (alpine 3.18 + iptables; z2jh 4.4.0 images/network-tools), the
# tag its chartpress sets: the chart's version.
NETWORK_TOOLS_IMAGE = "quay.io/jupyterhub/k8s-network-tools:4.4.0"
GPU_RESOURCE = "nvidia.com/gpu"
NODE_NAME_LABEL = "kubernetes.io/hostname"
"""The node label a node drop-down's choice selects on."""
# KubeSpawner 7 names the user's container in every user pod `notebook`
# (kubespawner/objects.py, make_pod); cluster metrics find user pods by it,
# which needs no pod-label allowlist in kube-state-metrics.
USER_CONTAINER = "notebook"


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


class UnlistedChoice(StrictModel):
    """A text field below an image drop-down: the user types an image of their own (KubeSpawner's unlisted_choice).

    Such an image cannot be pre-pulled: its first start waits for the pull.
    """

    display_name: str = Field("Other image", description="Label of the text field.")
    display_name_in_choices: str = Field("Other...", description="Entry of the drop-down that shows the text field.")
    repositories: list[RegistryPrefix] = Field(
        default_factory=list,
        description=(
            "Repository prefixes the typed image must be below, e.g. [registry.example.org/lab]; empty: any image "
            "(then every pull secret is given to the profile's pods). The image must be pinned with a tag either way."
        ),
    )


class ProfileOption(StrictModel):
    """A drop-down of a profile; the choice overrides the profile's setting of its kind."""

    kind: OptionKind = Field(description="What the drop-down chooses: image, cpu, memory, gpu or node.")
    display_name: str = Field(description="Label of the drop-down.")
    default: str = Field(description="Key of the choice selected unless the user picks another.")
    choices: dict[str, OptionChoice] = Field(min_length=1, description="Choices by key (the key is sent by the form).")
    unlisted: UnlistedChoice | None = Field(
        None, description="Also let users type an image of their own (kind image only)."
    )

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
        if self.unlisted is not None and self.kind != "image":
            problems.append(
                (
                    "unlisted",
                    f"free text is offered for images only: a typed {self.kind} could not be checked against the "
                    "quota; remove unlisted, or add the value as a choice",
                )
            )
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


class LifecycleHooks(StrictModel):
    """Commands run in the user's container right after it starts or before it stops."""

    post_start: list[str] | None = Field(
        None,
        description='Command (exec form) run after start, e.g. ["bash", "-c", "pip install --user ..."].',
        min_length=1,
    )
    pre_stop: list[str] | None = Field(None, description="Command (exec form) run before stop.", min_length=1)


class PodSettings(StrictModel):
    """What a user pod gets besides its image and size: set for every server, and per profile."""

    command: list[str] | None = Field(
        None,
        min_length=1,
        description=(
            "Command that starts the server, e.g. [jupyterhub-singleuser]; KubeSpawner passes it as the container's "
            "args, so the image's entrypoint (e.g. tini) stays in front. Unset runs the image's own command (the "
            "Jupyter images start jupyterhub-singleuser from their start script)."
        ),
    )
    args: list[str] | None = Field(
        None, description="Arguments after the command, e.g. [--ServerApp.terminals_enabled=False]; need a command."
    )
    labels: dict[UserLabelKey, UserLabelValue] = Field(
        default_factory=dict, description="Extra labels of user pods, e.g. {example.org/team: physics}."
    )
    init_containers: list[Container] = Field(
        default_factory=list, description="Containers run to completion, in order, before the server starts."
    )
    sidecars: list[Container] = Field(
        default_factory=list, description="Containers running beside the server for its whole life."
    )


class Profile(PodSettings):
    """One entry of the spawn page: an image with its resources, optional drop-downs, and its own pod settings.

    Maps (environment, node_selector, labels, extra_resources) and lists of named things (volumes,
    tolerations, init containers, sidecars) add to those of every server; command, args, default_url and
    lifecycle hooks replace them.
    """

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
    environment: dict[EnvName, SpawnTemplate] = Field(
        default_factory=dict,
        description="Environment variables of this profile's servers, on top of singleuser.extra_env (plain values).",
    )
    node_selector: Labels = Field(
        default_factory=dict,
        description=(
            "Node labels this profile's pods require on top of the user nodes' (scheduling.user_pods), e.g. "
            "{example.org/pool: highmem}: the profile's own node pool."
        ),
    )
    tolerations: list[Toleration] = Field(
        default_factory=list, description="Taints this profile's pods tolerate on top of the user nodes'."
    )
    volumes: list[ExtraVolume] = Field(
        default_factory=list, description="Existing volumes mounted into this profile's servers only."
    )
    default_url: str | None = Field(
        None,
        description="Where this profile's users land, e.g. /lab/tree/gpu; unset: singleuser.default_url.",
        pattern=r"^/.*",
    )
    lifecycle: LifecycleHooks | None = Field(None, description="postStart/preStop commands of this profile.")
    extra_resources: dict[ExtendedResource, Annotated[int, Field(ge=0, le=INT32_MAX)]] = Field(
        default_factory=dict,
        description="Extended resources each server gets (limit = request), e.g. {xilinx.com/fpga: 1}; GPUs are gpus.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = request_above_limit(("cpu", self.cpu), ("memory", self.memory))
        kinds = [option.kind for option in self.options.values()]
        for kind in sorted({k for k in kinds if kinds.count(k) > 1}):
            problems.append(("options", f"two drop-downs choose {kind}; keep one"))
        if "gpu" in kinds and self.gpus:
            problems.append(("gpus", "the gpu drop-down chooses the GPU count; remove gpus or the drop-down"))
        if "node" in kinds and NODE_NAME_LABEL in self.node_selector:
            problems.append(
                (
                    f"node_selector.{NODE_NAME_LABEL}",
                    "the node drop-down chooses the node; remove it here or remove the drop-down",
                )
            )
        for resource, count in self.extra_resources.items():
            if count < 1:
                problems.append(
                    (f"extra_resources.{resource}", f"{count} asks for nothing; remove it or write 1 or more")
                )
        if problems:
            raise FieldProblems(*problems)
        return self

    @property
    def uses_gpus(self) -> bool:
        return self.gpus > 0 or any(
            o.kind == "gpu" and any(c.value for c in o.choices.values()) for o in self.options.values()
        )

    @property
    def may_run_without_gpus(self) -> bool:
        """Some choice of this profile starts a server without GPUs."""
        if self.gpus:
            return False
        gpu_options = [option for option in self.options.values() if option.kind == "gpu"]
        return all(any(not choice.value for choice in option.choices.values()) for option in gpu_options)

    def chosen_images(self) -> list[str]:
        """Images of the image drop-downs' choices."""
        return [
            str(choice.value)
            for option in self.options.values()
            if option.kind == "image"
            for choice in option.choices.values()
        ]

    def unlisted_prefixes(self) -> list[str]:
        """Repository prefixes users may type images below ("" for any image)."""
        return [
            prefix
            for option in self.options.values()
            if option.unlisted is not None
            for prefix in (option.unlisted.repositories or [""])
        ]


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


HomeType = Literal["dynamic", "static", "none"]
BUILT_IN_VOLUMES = ("home", "scratch", "examples", "platform-services")
"""Names of the user pod's own volumes; shared volumes are shared-<name>, extra files file-<key>."""
DYNAMIC_ONLY = ("capacity", "storage_class", "access_mode")


@dataclass(frozen=True)
class PreparedVolume:
    """A directory of a volume the layout init container creates, or hands to the user, before the server starts."""

    volume: str
    """The volume's name in the user pod."""
    sub_path: str | None
    fix_ownership: bool


class UserStorage(StrictModel):
    """Each user's home directory, shared volumes, existing volumes, scratch space and their layout."""

    type: HomeType = Field(
        "dynamic",
        description=(
            "dynamic: KubeSpawner creates one PVC per user on first start and keeps it; static: every home is a "
            "directory (home_sub_path) of one existing PVC (existing_claim), e.g. an NFS share; none: an "
            "ephemeral home that goes with the pod (workshops)."
        ),
    )
    capacity: Memory = Field("10Gi", description="Size of each user's PVC (type dynamic).")
    storage_class: ClassName | None = Field(
        None, description="StorageClass of user PVCs (type dynamic); unset uses the cluster default."
    )
    access_mode: Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"] = Field(
        "ReadWriteOnce", description="Access mode of user PVCs (type dynamic)."
    )
    pvc_name_template: UserClaimTemplate | None = Field(
        None,
        description=(
            "Name of each user's PVC as KubeSpawner fills it in, e.g. claim-{user_server}; unset: "
            "<name>-claim-{user_server}. A hub moved from the JupyterHub Helm chart keeps the chart's "
            "(KubeSpawner's claim-{user_server}) so users find their homes (import-z2jh writes it). With type "
            "static or none it names what delete_on_user_deletion deletes (e.g. homes left from type dynamic)."
        ),
    )
    delete_on_user_deletion: bool = Field(
        False,
        description=(
            "Delete a user's PVC (pvc_name_template) when an admin (or the idle culler with cull_users) deletes "
            "the user, or a named server is removed (KubeSpawner delete_pvc, whose own default is true, whatever "
            "the home's type). Off: the home stays and comes back if the user returns."
        ),
    )
    existing_claim: ObjectName | None = Field(
        None, description="With type static: the existing PVC holding every user's home directory."
    )
    home_mount_path: str = Field("/home/jovyan", description="Where the user's home is mounted.", pattern=r"^/.*")
    home_sub_path: SubPath | None = Field(
        None,
        description=(
            "Directory of the home volume mounted as the home, instead of its root; with type static the default is "
            "{username}, and it must name the user (every user needs a home of their own)."
        ),
    )
    fix_home_ownership: bool = Field(
        False,
        description=(
            "The home volume ignores fsGroup (many NFS servers): a root init container with only the CHOWN "
            "capability hands each user their home directory before the server starts (root squashing on the "
            "server defeats it: export with anonuid/anongid instead). Lowers user pods to Pod Security baseline."
        ),
    )
    shared_volumes: list[SharedVolume] = Field(
        default_factory=list, description="ReadWriteMany volumes this project creates, mounted into every server."
    )
    shared_quota: Memory = Field(
        "1Ti", description="Most storage the shared volumes may claim together; raise it deliberately."
    )
    extra_volumes: list[ExtraVolume] = Field(
        default_factory=list,
        description="Existing volumes (a PVC, an NFS export, a ConfigMap, a Secret) mounted into every server.",
    )
    scratch: Scratch | None = Field(None, description="Temporary space (an emptyDir with a size limit).")
    examples: ExamplesRepository | None = Field(None, description="A repository cloned fresh at every start.")
    layout_image: Image = Field(LAYOUT_IMAGE, description="Image (with sh, mkdir, chown) of the layout init container.")

    @model_validator(mode="after")
    def _home(self) -> UserStorage:
        problems = []
        if self.type == "static" and self.existing_claim is None:
            problems.append(
                (
                    "existing_claim",
                    "type static mounts every home from an existing PVC; write its name, e.g. "
                    "existing_claim: home-directories",
                )
            )
        if self.type != "static" and self.existing_claim is not None:
            problems.append(("existing_claim", f"is only read with type static (this is {self.type}); remove it"))
        if self.type == "static" and self.home_sub_path is not None and not per_user(self.home_sub_path):
            problems.append(
                (
                    "home_sub_path",
                    f"{self.home_sub_path!r} is the same directory for every user, who would share one home; "
                    "include {username}, e.g. homes/{username}",
                )
            )
        if self.type == "none":
            for name in ("home_sub_path", "fix_home_ownership"):
                if name in self.model_fields_set:
                    problems.append((name, "there is no home volume with type none; remove it"))
        if self.type != "dynamic":
            for name in DYNAMIC_ONLY:
                if name in self.model_fields_set:
                    problems.append(
                        (
                            name,
                            f"sizes the PVC KubeSpawner creates with type dynamic, and {self.type} has none; remove it",
                        )
                    )
        if problems:
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _volumes(self) -> UserStorage:
        problems = _classes_for_shared_access(self)
        names = [v.name for v in self.shared_volumes]
        for i, volume in enumerate(self.shared_volumes):
            if names.index(volume.name) != i:
                problems.append(
                    (f"shared_volumes[{i}].name", f"{volume.name!r} is used twice; give each volume its own name")
                )
        extra = [v.name for v in self.extra_volumes]
        for i, name in enumerate(extra):
            if message := volume_name_problem(name, extra[:i]):
                problems.append((f"extra_volumes[{i}].name", message))
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

    @property
    def home_directory(self) -> str | None:
        """The directory of the home volume mounted as the home (None: its root)."""
        if self.type == "static":
            return self.home_sub_path or "{username}"
        return self.home_sub_path

    def prepared_volumes(self) -> list[PreparedVolume]:
        """Directories the layout init container creates or hands over: home first, then shared volumes."""
        prepared = []
        if self.type != "none" and self.fix_home_ownership:
            prepared.append(PreparedVolume("home", self.home_directory, True))
        prepared += [
            PreparedVolume(f"shared-{v.name}", v.sub_path, v.fix_ownership)
            for v in self.shared_volumes
            if v.sub_path or v.fix_ownership
        ]
        return prepared

    def volume_names(self) -> list[str]:
        """Names of the user pod's volumes that come from storage, which containers may mount."""
        names = ["home"] if self.type != "none" else []
        names += [f"shared-{v.name}" for v in self.shared_volumes]
        names += [v.name for v in self.extra_volumes]
        names += ["scratch"] if self.scratch else []
        names += ["examples"] if self.examples else []
        return names

    def mounts(self) -> Iterator[tuple[str, str]]:
        """(field path, mount path) of every volume of storage mounted into the user's container, home first."""
        if self.type != "none":
            yield "home_mount_path", self.home_mount_path
        yield from ((f"shared_volumes[{i}].mount_path", v.mount_path) for i, v in enumerate(self.shared_volumes))
        yield from ((f"extra_volumes[{i}].mount_path", v.mount_path) for i, v in enumerate(self.extra_volumes))
        if self.scratch:
            yield "scratch.mount_path", self.scratch.mount_path
        if self.examples:
            yield "examples.mount_path", self.examples.mount_path


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


def volume_name_problem(name: str, taken: list[str]) -> str | None:
    """Why an existing volume cannot have `name` in the user pod (a built-in one has it, or another before)."""
    if name in BUILT_IN_VOLUMES or name.startswith(("shared-", "file-")):
        return (
            f"{name!r} is the name of a volume of the user pod itself (home, scratch, examples, platform-services, "
            "shared-*, file-*); choose another"
        )
    if name in taken:
        return f"{name!r} is used twice; give each volume its own name"
    return None


# --- behaviour ---------------------------------------------------------------


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


class UserServiceAccount(StrictModel):
    """The ServiceAccount user pods run as: an existing one of the namespace (e.g. for cloud workload identity)."""

    name: ObjectName = Field(description="An existing ServiceAccount of the namespace.")
    automount_token: bool = Field(
        False,
        description=(
            "Mount its API token into every user pod. Every user's code can then call the Kubernetes API with every "
            "permission bound to this ServiceAccount, and user pods may reach the API server; bind it nothing you "
            "would not give every user. Off: the account identifies the pods (workload identity) but grants no "
            "API access."
        ),
    )


BUILT_IN_CONTAINERS = (USER_CONTAINER, "block-cloud-metadata", "prepare-layout", "clone-examples")
"""Containers of every user pod that this project or KubeSpawner names."""
SUDO_VARIABLES = ("GRANT_SUDO", "NB_UID", "NB_GID")


class SingleuserSettings(PodSettings):
    """Defaults of every user server."""

    image: Image = Field(SINGLEUSER_IMAGE, description="Image of user servers; it must contain jupyterhub-singleuser.")
    cpu: CpuAllotment = Field(default_factory=CpuAllotment, description="CPU guarantee and limit.")
    memory: MemoryAllotment = Field(default_factory=MemoryAllotment, description="Memory guarantee and limit.")
    storage: UserStorage = Field(
        default_factory=UserStorage, description="Home directory, shared and existing volumes, scratch."
    )
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
    extra_env: dict[EnvName, SpawnTemplate] = Field(
        default_factory=dict,
        description="Plain environment variables of every user server (values are not secret: they end up in git).",
    )
    extra_files: dict[FileKey, ExtraFile] = Field(
        default_factory=dict,
        description=(
            "Files mounted into every user server by key, e.g. {server-config: {mount_path: "
            "/etc/jupyter/jupyter_server_config.json, data: {...}}}; from a ConfigMap of dist/ (never secrets)."
        ),
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
    service_account: UserServiceAccount | None = Field(
        None, description="ServiceAccount of user pods; unset: the namespace's default, without its token."
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

    @model_validator(mode="after")
    def _pods_add_up(self) -> SingleuserSettings:
        """What profiles add must fit what every server has: one mount per path, one name per volume and container."""
        problems = files_problems(self.extra_files)
        problems += self._mount_problems(None)
        problems += self._container_problems(None)
        if self.args is not None and self.command is None:
            problems.append(("args", ARGS_NEED_COMMAND))
        for i, profile in enumerate(self.profiles):
            at = f"profiles[{i}]"
            problems += self._mount_problems(profile, at)
            problems += self._container_problems(profile, at)
            taken = [v.name for v in self.storage.extra_volumes]
            for j, volume in enumerate(profile.volumes):
                if message := volume_name_problem(volume.name, taken + [v.name for v in profile.volumes[:j]]):
                    problems.append((f"{at}.volumes[{j}].name", message))
            if profile.args is not None and profile.command is None and self.command is None:
                problems.append((f"{at}.args", ARGS_NEED_COMMAND))
            if self.grant_sudo:
                for name in sorted(set(profile.environment) & set(SUDO_VARIABLES)):
                    problems.append((f"{at}.environment.{name}", "is set by grant_sudo; remove it here"))
            gpu_resource = self.gpu_nodes.resource if self.gpu_nodes else GPU_RESOURCE
            if gpu_resource in profile.extra_resources:
                problems.append(
                    (
                        f"{at}.extra_resources.{gpu_resource}",
                        "GPUs are `gpus: N` (or a gpu drop-down), which also places the server on the GPU nodes; "
                        "write gpus instead",
                    )
                )
            if profile.uses_gpus and self.gpu_nodes:
                for key in sorted(profile.node_selector.keys() & self.gpu_nodes.node_selector.keys()):
                    if profile.node_selector[key] != self.gpu_nodes.node_selector[key]:
                        problems.append(
                            (
                                f"{at}.node_selector.{key}",
                                f"{profile.node_selector[key]!r} conflicts with singleuser.gpu_nodes.node_selector "
                                f"{key}: {self.gpu_nodes.node_selector[key]!r}, which this GPU profile also requires; "
                                "remove one",
                            )
                        )
        if problems:
            raise FieldProblems(*problems)
        return self

    def _mount_problems(self, profile: Profile | None, at: str = "") -> list[tuple[str, str]]:
        """Mounts of the user's container (a profile's: its own, on top of every server's) that clash."""
        mounts = list(self.storage.mounts())
        mounts = [(f"storage.{path}", mount) for path, mount in mounts]
        mounts += [(f"extra_files.{key}.mount_path", file.mount_path) for key, file in self.extra_files.items()]
        own_from = len(mounts) if profile else 0
        if profile:
            mounts += [(f"{at}.volumes[{j}].mount_path", v.mount_path) for j, v in enumerate(profile.volumes)]
        home = posixpath.normpath(self.storage.home_mount_path)
        problems = []
        seen: dict[str, str] = {}
        for index, (path, mount) in enumerate(mounts):
            normal = posixpath.normpath(mount)
            report = index >= own_from
            if report and path != "storage.home_mount_path" and below(home, normal):
                problems.append(
                    (
                        path,
                        f"{mount} would hide the home directory and the image's ~/.local; mount at a "
                        f"sub-directory, e.g. {home}/data",
                    )
                )
            both_files = path.startswith("extra_files.") and seen.get(normal, "").startswith("extra_files.")
            if report and normal in seen and not both_files:  # two files at one path: files_problems says so
                problems.append(
                    (path, f"{mount} is already the mount path of {seen[normal]}; give each its own directory")
                )
            seen.setdefault(normal, path)
        return problems

    def _container_problems(self, profile: Profile | None, at: str = "") -> list[tuple[str, str]]:
        """Containers (a profile's: its own) whose name is taken or that mount a volume the pod does not have."""
        named = [("", name) for name in BUILT_IN_CONTAINERS]
        named += [(f"init_containers[{j}]", c.name) for j, c in enumerate(self.init_containers)]
        named += [(f"sidecars[{j}]", c.name) for j, c in enumerate(self.sidecars)]
        volumes = self.storage.volume_names() + [f"file-{key}" for key in self.extra_files]
        own: list[tuple[str, Container]] = []
        if profile is None:
            own = [(f"init_containers[{j}]", c) for j, c in enumerate(self.init_containers)]
            own += [(f"sidecars[{j}]", c) for j, c in enumerate(self.sidecars)]
        else:
            own = [(f"{at}.init_containers[{j}]", c) for j, c in enumerate(profile.init_containers)]
            own += [(f"{at}.sidecars[{j}]", c) for j, c in enumerate(profile.sidecars)]
            named += [(path, c.name) for path, c in own]
            volumes += [v.name for v in profile.volumes]
        problems = []
        for path, container in own:
            first = next(where for where, name in named if name == container.name)
            if first != path:
                problems.append(
                    (
                        f"{path}.name",
                        f"{container.name!r} is already the name of "
                        + (f"{first}" if first else "a container of every user pod")
                        + "; give each container its own name",
                    )
                )
            paths = [posixpath.normpath(mount.mount_path) for mount in container.volume_mounts]
            for k, mount in enumerate(container.volume_mounts):
                if paths.index(posixpath.normpath(mount.mount_path)) != k:
                    problems.append(
                        (
                            f"{path}.volume_mounts[{k}].mount_path",
                            f"{mount.mount_path} is already where this container mounts "
                            f"volume_mounts[{paths.index(posixpath.normpath(mount.mount_path))}]; give each its own "
                            "directory",
                        )
                    )
                if mount.volume == "home" and mount.sub_path and self.storage.type == "static":
                    # The kubelet follows symlinks in a subPath and checks only that the end stays in the volume
                    # (kubernetes pkg/volume/util/subpath/subpath_linux.go `doBindSubPath`): on a claim of everyone's
                    # homes, a user who makes this directory a symlink would have the container mount another's.
                    problems.append(
                        (
                            f"{path}.volume_mounts[{k}].sub_path",
                            "a directory below a home on a shared claim is found through the user's own symlinks, "
                            "so a user could point it at another user's home; mount `home` whole (e.g. at /user-home) "
                            "and use the directory below it in the container, e.g. /user-home/"
                            f"{mount.sub_path}",
                        )
                    )
                if mount.volume not in volumes:
                    problems.append(
                        (
                            f"{path}.volume_mounts[{k}].volume",
                            f"{mount.volume!r} is no volume of the user pod; write one of: "
                            + (", ".join(volumes) or "(none: add the volume first)"),
                        )
                    )
        return problems

    def baseline_reasons(self) -> list[str]:
        """Why user pods meet Pod Security baseline only (none: they meet restricted)."""
        reasons = []
        if self.grant_sudo:
            reasons.append("grant_sudo runs the server as root with privilege escalation")
        storage = self.storage
        chowned = ["home"] if storage.type != "none" and storage.fix_home_ownership else []
        chowned += [v.name for v in storage.shared_volumes if v.fix_ownership]
        if chowned:
            reasons.append(f"a root init container (capability CHOWN only) fixes ownership of {', '.join(chowned)}")
        volumes = [*storage.extra_volumes, *(v for p in self.profiles for v in p.volumes)]
        nfs = list(dict.fromkeys(v.name for v in volumes if v.kind not in RESTRICTED_KINDS))
        if nfs:
            reasons.append(
                f"nfs volumes ({', '.join(nfs)}) are not among the restricted level's volume types; an NFS-backed "
                "PersistentVolume and its claim are"
            )
        return reasons

    def support_images(self) -> list[str]:
        """Images of the init containers this project adds (metadata blocker, layout, examples), in that order."""
        images = [self.cloud_metadata.image] if self.cloud_metadata.block_with_iptables else []
        images += [self.storage.layout_image] if self.storage.prepared_volumes() else []
        return images + ([self.storage.examples.image] if self.storage.examples else [])

    def main_images(self, profile: Profile | None) -> list[str]:
        """Images the user's container of a server (of `profile`) starts with: its image, or a choice's."""
        return [(profile.image if profile else None) or self.image] + (profile.chosen_images() if profile else [])

    def container_images(self, profile: Profile | None) -> list[str]:
        """Images of the other containers of a server (of `profile`): sidecars and init containers."""
        containers = [*self.init_containers, *self.sidecars]
        if profile:
            containers += [*profile.init_containers, *profile.sidecars]
        return [container.image for container in containers] + self.support_images()

    def server_images(self, profile: Profile | None) -> list[str]:
        """Every image a server (of `profile`) starts, each once."""
        return list(dict.fromkeys(self.main_images(profile) + self.container_images(profile)))

    def images(self) -> list[str]:
        """Every image any user server starts (free-text choices aside), each once, in a stable order."""
        images = [self.image]
        for profile in self.profiles:
            images += [profile.image] if profile.image else []
            images += profile.chosen_images()
        containers = [*self.init_containers, *self.sidecars]
        containers += [c for profile in self.profiles for c in (*profile.init_containers, *profile.sidecars)]
        images += [container.image for container in containers] + self.support_images()
        return list(dict.fromkeys(images))


ARGS_NEED_COMMAND = (
    "KubeSpawner passes arguments only after an explicit command (it ignores them with the image's own); "
    "also write command, e.g. [jupyterhub-singleuser]"
)
