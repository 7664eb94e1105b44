"""Where user servers run, and which images each kind of server starts there.

User pods go to the user nodes (`scheduling.user_pods`); a profile that asks
for GPUs goes to the GPU nodes (`singleuser.gpu_nodes`) as well. The image
pullers pull each image where the servers that start it can run, and
KubeSpawner gets the tolerations as named entries, so a GPU profile's
override adds the GPU tolerations to the user nodes' instead of replacing
them (KubeSpawner merges dict traits in `kubespawner_override`,
kubespawner 7.0.0 spawner.py `_apply_overrides`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.scheduling import Toleration, UserPods
from ..config.singleuser import GpuNodes, Profile, SingleuserSettings
from .storage import init_containers

USER_NODES = "user-nodes"
GPU_NODES = "gpu-nodes"


@dataclass(frozen=True)
class Placement:
    """The nodes a kind of user pod may run on: labels it requires, taints it tolerates."""

    name: str
    node_selector: tuple[tuple[str, str], ...]
    tolerations: tuple[Toleration, ...]

    def pod_fields(self) -> dict:
        """The fields of a PodSpec that put a pod where these user pods run."""
        return {
            "nodeSelector": dict(self.node_selector) or None,
            "tolerations": [toleration.to_kubernetes() for toleration in self.tolerations] or None,
        }


def named_tolerations(prefix: str, tolerations: list[Toleration] | tuple[Toleration, ...]) -> dict[str, dict]:
    """KubeSpawner's tolerations as a dict: a profile override adds its entries to the others."""
    return {f"{prefix}-{index}": toleration.to_kubernetes() for index, toleration in enumerate(tolerations)}


def user_nodes(user_pods: UserPods) -> Placement:
    return Placement(USER_NODES, tuple(sorted(user_pods.node_selector.items())), tuple(user_pods.tolerations))


def gpu_nodes(user_pods: UserPods, gpus: GpuNodes) -> Placement:
    """The GPU nodes: their labels on top of the user nodes', and both sets of taints tolerated."""
    selector = {**user_pods.node_selector, **gpus.node_selector}
    return Placement(GPU_NODES, tuple(sorted(selector.items())), (*user_pods.tolerations, *gpus.tolerations))


def _profile_images(singleuser: SingleuserSettings, profile: Profile) -> list[str]:
    images = [profile.image or singleuser.image]
    for option in profile.options.values():
        if option.kind == "image":
            images.extend(str(choice.value) for choice in option.choices.values())
    return images


def _may_run_without_gpus(profile: Profile) -> bool:
    if profile.gpus:
        return False
    gpu_options = [option for option in profile.options.values() if option.kind == "gpu"]
    return all(any(not choice.value for choice in option.choices.values()) for option in gpu_options)


def images_by_placement(
    singleuser: SingleuserSettings, user_pods: UserPods, extra_images: list[str] | tuple[str, ...] = ()
) -> list[tuple[Placement, list[str]]]:
    """Every placement user servers may take, with the images started there (each once, in a stable order).

    Every start also runs the init containers (layout, examples), so their
    images go wherever a server goes; extra images go to the user nodes.
    """
    cpu = user_nodes(user_pods)
    gpu = gpu_nodes(user_pods, singleuser.gpu_nodes) if singleuser.gpu_nodes else None
    images: dict[Placement, list[str]] = {cpu: []}
    if not singleuser.profiles:
        images[cpu].append(singleuser.image)
    for profile in singleuser.profiles:
        started = _profile_images(singleuser, profile)
        if _may_run_without_gpus(profile):
            images[cpu].extend(started)
        if profile.uses_gpus:
            if gpu is None:
                raise ValueError("GPU profiles without singleuser.gpu_nodes; the config refuses them")
            images.setdefault(gpu, []).extend(started)
    support = [container["image"] for container in init_containers(singleuser)]
    for placement in images:
        images[placement].extend(support)
    images[cpu].extend(extra_images)
    return [(placement, list(dict.fromkeys(pulled))) for placement, pulled in images.items() if pulled]
