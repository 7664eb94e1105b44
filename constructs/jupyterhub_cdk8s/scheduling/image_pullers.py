"""Image pullers: every image a user can start is on every user node before anyone asks for it.

A puller pod has one init container per image, then a pause container. The
kubelet must pull an image before it can start a container from it, so by the
time an init container runs, its image is on the node; the command then only
has to exit 0. It is `/bin/sh -c 'exit 0'`: a user image always has a shell
(it runs jupyterhub-singleuser, a Python entry point, on a Jupyter base), and
running the image's own entrypoint instead could start a whole server. An
extra image without /bin/sh would still be pulled, but its init container
would fail and hold back the images after it, which is why `extra_images`
documents the requirement. Every container runs as an arbitrary non-root user
with nothing writable, so no image, whatever its USER, gets privileges here.

Two pullers share that pod:
- continuous: a DaemonSet that keeps the images on every user node, nodes an
  autoscaler adds later included;
- pre-sync: an ArgoCD PreSync hook, named after a hash of the image list, that
  pulls changed images before the hub rolls out, plus a Job that waits until
  every node has them (or a timeout passes) so the sync goes on afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.scheduling import PAUSE_IMAGE, ImagePuller, UserPods
from ..config.singleuser import SingleuserSettings
from ..naming import CONTINUOUS_IMAGE_PULLER, HOOK_IMAGE_AWAITER, HOOK_IMAGE_PULLER, IMAGE_PULLER_TIER, Names
from ..parts import Part
from ..pods import (
    NO_ENDPOINT_LIVENESS,
    NO_ENDPOINT_READINESS,
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    int_or_string,
    quantity,
    restricted_container_security,
    restricted_pod_security,
    script_container,
)
from ..rbac import Identity
from ..singleuser import user_images
from .priorities import user_pod_placement

PULLER_UID = 65534
PULL_COMMAND = ["/bin/sh", "-c", "exit 0"]
WAITER = resources.files(__package__).joinpath("wait_for_daemonset.py").read_text(encoding="utf-8")
IMAGE_SET_LABEL = "jupyterhub-cdk8s.io/image-set"

# The Job's RBAC must exist before the Job, so it is a hook of an earlier wave.
# The DaemonSet uses the OnDelete update strategy: ArgoCD reports such a
# DaemonSet healthy as soon as it is observed, so the sync does not wait on it
# without end; the Job does the waiting, with a timeout. HookSucceeded deletes
# them only once the whole sync succeeded (the hook DaemonSet outlives the Job).
RBAC_HOOK = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
    "argocd.argoproj.io/sync-wave": "-1",
}
DAEMONSET_HOOK = {**RBAC_HOOK, "argocd.argoproj.io/sync-wave": "0"}
JOB_HOOK = {**RBAC_HOOK, "argocd.argoproj.io/sync-wave": "1"}


def pulled_images(singleuser: SingleuserSettings, puller: ImagePuller) -> list[str]:
    """Every user image plus the extra images, each once, in a stable order."""
    return list(dict.fromkeys([*user_images(singleuser), *puller.extra_images]))


def image_set_hash(images: list[str]) -> str:
    return hashlib.sha256("\n".join(images).encode()).hexdigest()[:10]


def _floating(image: str) -> bool:
    """An image without a fixed tag: untagged, or tagged latest (a digest fixes it)."""
    if "@" in image:
        return False
    tag = image.rpartition("/")[2].partition(":")[2]
    return tag in ("", "latest")


def puller_findings(images: list[str]) -> dict[str, str]:
    """Checks a puller DaemonSet knowingly fails, each with its reason."""
    findings = [PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, NO_ENDPOINT_LIVENESS, NO_ENDPOINT_READINESS]
    if any(_floating(image) for image in images):
        findings.append(
            (
                "CKV_K8S_14",
                (
                    "these are the user images the hub starts anyway; "
                    "their tags are the environment's choice in singleuser"
                ),
            )
        )
    return accepted_findings(*findings)


def _small(cpu: str, memory: str) -> dict:
    return {
        "requests": {"cpu": quantity("1m"), "memory": quantity("8Mi")},
        "limits": {"cpu": quantity(cpu), "memory": quantity(memory)},
    }


def puller_pod_spec(images: list[str], user_pods: UserPods, priority_class_name: str | None) -> dict:
    """A pod that pulls `images` one after the other, then idles in a pause container."""
    return {
        "initContainers": [
            {
                "name": f"pull-{index}",
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "command": PULL_COMMAND,
                "resources": _small("100m", "32Mi"),
                "securityContext": restricted_container_security(),
            }
            for index, image in enumerate(images)
        ],
        "containers": [
            {
                "name": "pause",
                "image": PAUSE_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "resources": _small("10m", "16Mi"),
                "securityContext": restricted_container_security(),
            }
        ],
        "priorityClassName": priority_class_name,
        "automountServiceAccountToken": False,
        "securityContext": restricted_pod_security(PULLER_UID),
        "terminationGracePeriodSeconds": 0,
        "enableServiceLinks": False,
        **user_pod_placement(user_pods),
    }


def _daemonset(
    scope: Construct,
    *,
    name: str,
    labels: dict[str, str],
    selector: dict[str, str],
    annotations: dict[str, str],
    strategy: dict,
    pod: dict,
) -> k8s.KubeDaemonSet:
    return api_object(
        scope,
        "daemonset",
        k8s.KubeDaemonSet,
        {
            "metadata": {"name": name, "labels": labels, "annotations": annotations},
            "spec": {
                "selector": {"matchLabels": selector},
                "updateStrategy": strategy,
                "revisionHistoryLimit": 3,
                "template": {"metadata": {"labels": labels}, "spec": pod},
            },
        },
    )


class ContinuousImagePuller(Part):
    """DaemonSet that keeps every user image on every user node."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        images: list[str],
        user_pods: UserPods,
        names: Names,
        priority_class_name: str,
    ):
        super().__init__(scope, id)
        _daemonset(
            self,
            name=names.continuous_image_puller,
            labels=names.labels(CONTINUOUS_IMAGE_PULLER),
            selector=names.selector(CONTINUOUS_IMAGE_PULLER),
            annotations=puller_findings(images),
            # Pullers serve nobody: replace them all at once.
            strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": int_or_string("100%")}},
            pod=puller_pod_spec(images, user_pods, priority_class_name),
        )


class HookImagePuller(Part):
    """PreSync DaemonSet named after the image set, and the Job that waits for it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        images: list[str],
        user_pods: UserPods,
        timeout: int,
        names: Names,
        hub_image: str,
    ):
        super().__init__(scope, id)
        image_set = image_set_hash(images)
        name = names.hook_image_puller(image_set)
        labels = {**names.labels(HOOK_IMAGE_PULLER), IMAGE_SET_LABEL: image_set}
        waiter = names.hook_image_awaiter
        _daemonset(
            self,
            name=name,
            labels=labels,
            # Distinct per image set: a DaemonSet left by a failed sync never adopts the new one's pods.
            selector={**names.selector(HOOK_IMAGE_PULLER), IMAGE_SET_LABEL: image_set},
            annotations={**DAEMONSET_HOOK, **puller_findings(images)},
            strategy={"type": "OnDelete"},
            # No priority class: on the first sync this hook runs before the
            # PriorityClasses exist, and a pod naming a missing class is refused.
            pod=puller_pod_spec(images, user_pods, None),
        )
        # The waiter has a component of its own: the DaemonSet's selector must not match its pod.
        waiter_labels = names.labels(HOOK_IMAGE_AWAITER)
        Identity(self, "identity", name=waiter, labels=waiter_labels, annotations=RBAC_HOOK).allow(
            ["get", "list", "watch"], ["daemonsets"], api_group="apps", names=[name]
        )
        container = script_container(
            "wait", hub_image, WAITER, [names.namespace, name, str(timeout)], cpu="100m", memory="64Mi"
        )
        api_object(
            self,
            "job",
            k8s.KubeJob,
            {
                "metadata": {
                    "name": waiter,
                    "labels": waiter_labels,
                    "annotations": {
                        **JOB_HOOK,
                        **accepted_findings(
                            PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, api_client("the Job watches the DaemonSet")
                        ),
                    },
                },
                "spec": {
                    "backoffLimit": 2,
                    # The script gives up by itself at `timeout`; this only stops a hung process.
                    "activeDeadlineSeconds": timeout + 120,
                    "template": {
                        "metadata": {"labels": waiter_labels},
                        "spec": {
                            "restartPolicy": "Never",
                            "serviceAccountName": waiter,
                            "automountServiceAccountToken": True,
                            "securityContext": restricted_pod_security(PULLER_UID),
                            "containers": [container],
                            "enableServiceLinks": False,
                        },
                    },
                },
            },
        )


@dataclass(frozen=True)
class ContinuousImagePullerComponent(Component):
    """Keeps every user image on every user node, when `scheduling.image_puller.continuous`."""

    images: tuple[str, ...]
    user_pods: UserPods

    @classmethod
    def from_config(cls, config: HubConfig) -> ContinuousImagePullerComponent | None:
        puller = config.scheduling.image_puller
        if not puller.continuous:
            return None
        return cls(tuple(pulled_images(config.singleuser, puller)), config.scheduling.user_pods)

    def build(self, scope: Construct, context: Context) -> None:
        ContinuousImagePuller(
            scope,
            "continuous-image-puller",
            images=list(self.images),
            user_pods=self.user_pods,
            names=context.names,
            priority_class_name=context.names.priority_class(IMAGE_PULLER_TIER),
        )


@dataclass(frozen=True)
class HookImagePullerComponent(Component):
    """Pulls changed images before Argo CD rolls the hub, when `scheduling.image_puller.pre_sync.enabled`."""

    images: tuple[str, ...]
    user_pods: UserPods
    timeout: int
    hub_image: str
    """The awaiter Job runs a standard-library script with the hub image's Python."""

    @classmethod
    def from_config(cls, config: HubConfig) -> HookImagePullerComponent | None:
        puller = config.scheduling.image_puller
        if not puller.pre_sync.enabled:
            return None
        images = tuple(pulled_images(config.singleuser, puller))
        return cls(images, config.scheduling.user_pods, puller.pre_sync.timeout, config.hub.image)

    def declare(self, context: Context) -> None:
        context.network.allow_api_server(HOOK_IMAGE_AWAITER)

    def build(self, scope: Construct, context: Context) -> None:
        HookImagePuller(
            scope,
            "hook-image-puller",
            images=list(self.images),
            user_pods=self.user_pods,
            timeout=self.timeout,
            names=context.names,
            hub_image=self.hub_image,
        )
