"""Where user servers run, and which images each kind of server starts there.

User pods go to the user nodes (`scheduling.user_pods`); a profile may add
node labels and tolerations of its own (its node pool), and a profile that
asks for GPUs goes to the GPU nodes (`singleuser.gpu_nodes`) as well. The
image pullers pull each image where the servers that start it can run, and
KubeSpawner gets the tolerations as named entries, so a profile's override
adds its tolerations to the user nodes' instead of replacing them
(KubeSpawner merges dict traits in `kubespawner_override`, kubespawner 7.0.0
spawner.py `_apply_overrides`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config.scheduling import Toleration, UserPods
from ..config.singleuser import Profile, SingleuserSettings

USER_NODES = "user-nodes"
GPU_NODES = "gpu-nodes"
PROFILE_NODES = "profile"


@dataclass(frozen=True)
class Placement:
    """The nodes a kind of user pod may run on: labels it requires, taints it tolerates."""

    name: str = field(compare=False)
    """What the nodes are (user nodes, GPU nodes, a profile's pool); two placements with other names but the
    same labels and taints are the same nodes."""
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


def _within(nodes: Placement, name: str, labels: dict[str, str], tolerations: list[Toleration]) -> Placement:
    """Those of `nodes` that also carry `labels`, tolerating `tolerations` too."""
    selector = {**dict(nodes.node_selector), **labels}
    return Placement(name, tuple(sorted(selector.items())), (*nodes.tolerations, *tolerations))


def profile_placements(singleuser: SingleuserSettings, user_pods: UserPods, profile: Profile | None) -> list[Placement]:
    """Where servers of `profile` may run: its pool of the user nodes without GPUs, of the GPU nodes with them."""
    nodes = user_nodes(user_pods)
    if profile is None:
        return [nodes]
    if profile.node_selector or profile.tolerations:
        nodes = _within(nodes, f"{PROFILE_NODES}-{profile.slug}", profile.node_selector, profile.tolerations)
    placements = [nodes] if profile.may_run_without_gpus else []
    if profile.uses_gpus:
        if singleuser.gpu_nodes is None:
            raise ValueError("GPU profiles without singleuser.gpu_nodes; the config refuses them")
        gpus = singleuser.gpu_nodes
        placements.append(_within(nodes, GPU_NODES, gpus.node_selector, gpus.tolerations))
    return placements


def images_by_placement(
    singleuser: SingleuserSettings, user_pods: UserPods, extra_images: list[str] | tuple[str, ...] = ()
) -> list[tuple[Placement, list[str]]]:
    """Every placement user servers may take, with the images started there (each once, in a stable order).

    A server starts its image (or a choice's), its sidecars and init containers; extra images go to the
    user nodes.
    """
    servers: dict[Placement, list[str]] = {user_nodes(user_pods): []}
    containers: dict[Placement, list[str]] = {user_nodes(user_pods): []}
    kinds: list[Profile | None] = [*singleuser.profiles] or [None]
    for profile in kinds:
        for placement in profile_placements(singleuser, user_pods, profile):
            servers.setdefault(placement, []).extend(singleuser.main_images(profile))
            containers.setdefault(placement, []).extend(singleuser.container_images(profile))
    containers[user_nodes(user_pods)].extend(extra_images)
    placed = [(placement, list(dict.fromkeys(servers[placement] + containers[placement]))) for placement in servers]
    return [(placement, pulled) for placement, pulled in placed if pulled]
