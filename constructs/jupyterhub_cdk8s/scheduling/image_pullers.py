"""Image pullers: every image a user can start is on the nodes it starts on before anyone asks for it.

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

One DaemonSet per placement (user nodes, GPU nodes), each named after a hash
of its pod template, so a new set of images is a new DaemonSet and the old one
is pruned. They never gate a sync: Argo CD counts an `OnDelete` DaemonSet
healthy as soon as its controller has observed it (gitops-engine
pkg/health/health_daemonset.go), where a RollingUpdate one would hold every
later wave until every node runs it, with no timeout. `OnDelete` leaves no
stale pods because a DaemonSet's template never changes under its name.

Waiting is the awaiter's job: a Job in the same wave, an Argo CD Sync hook
named after the same hashes, that waits (up to a timeout, then lets the sync
go on) until every puller is ready on every node. It is deleted only when it
fails (`HookFailed`), so while its name exists Argo CD counts it as done and
does not run it again: it runs once per set of images, like the Helm chart's
`prePuller.hook.pullOnlyOnChanges`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.registries import pull_secret_names
from ..config.scheduling import PAUSE_IMAGE
from ..naming import IMAGE_AWAITER, IMAGE_PULLER, IMAGE_PULLER_TIER, Names
from ..parts import Part
from ..pods import (
    NO_ENDPOINT_LIVENESS,
    NO_ENDPOINT_READINESS,
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    hook_container,
    quantity,
    restricted_container_security,
    restricted_pod_security,
)
from ..rbac import Identity
from ..singleuser.placement import Placement, images_by_placement

PULLER_UID = 65534
PULL_COMMAND = ["/bin/sh", "-c", "exit 0"]
POLL_SECONDS = 5
PULLED_AS_KUBESPAWNER_DOES = (
    "CKV_K8S_15",
    "user images keep the kubelet's default pull policy, as KubeSpawner leaves it: a :latest image is pulled "
    "afresh, a tagged one when missing",
)
IMAGE_SET_LABEL = "jupyterhub-cdk8s.io/image-set"
# A Sync hook in the pullers' wave, ahead of the hub: kept once it succeeded, so it runs once per image set.
AWAITER_HOOK = {
    "argocd.argoproj.io/hook": "Sync",
    "argocd.argoproj.io/hook-delete-policy": "HookFailed",
}


def _floating(image: str) -> bool:
    """An image without a fixed tag: untagged, or tagged latest (a digest fixes it)."""
    if "@" in image:
        return False
    tag = image.rpartition("/")[2].partition(":")[2]
    return tag in ("", "latest")


def _small(cpu: str, memory: str) -> dict:
    return {
        "requests": {"cpu": quantity("1m"), "memory": quantity("8Mi")},
        "limits": {"cpu": quantity(cpu), "memory": quantity(memory)},
    }


def puller_pod_spec(
    images: list[str], placement: Placement, priority_class_name: str, pull_secrets: Sequence[str] = ()
) -> dict:
    """A pod that pulls `images` one after the other where `placement` puts user pods, then idles.

    No imagePullPolicy on the user images: like KubeSpawner (whose
    `image_pull_policy` is unset by default), Kubernetes then pulls a
    `:latest` image afresh and a tagged one only when missing. Images of
    private registries are pulled with the same Secrets as the user pods'.
    """
    pod: dict = {
        "initContainers": [
            {
                "name": f"pull-{index}",
                "image": image,
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
        **placement.pod_fields(),
    }
    if pull_secrets:
        # Only when there are any: the template's hash (the DaemonSet's name) stays the same without.
        pod["imagePullSecrets"] = [{"name": name} for name in pull_secrets]
    return pod


def template_hash(pod: dict) -> str:
    """Short hash of a pod template: the DaemonSet's name changes whenever anything in it does."""
    # Quantities are jsii objects (pods.quantity); their value is what the API sees.
    text = json.dumps(pod, sort_keys=True, default=lambda value: value.value)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def puller_findings(images: list[str]) -> dict[str, str]:
    """Checks a puller DaemonSet knowingly fails, each with its reason."""
    findings = [PINNED_BY_TAG, PULLED_AS_KUBESPAWNER_DOES, NO_ENDPOINT_LIVENESS, NO_ENDPOINT_READINESS]
    if any(_floating(image) for image in images):
        findings.append(
            (
                "CKV_K8S_14",
                "these are the user images the hub starts anyway; their tags are the environment's choice "
                "in singleuser",
            )
        )
    return accepted_findings(*findings)


@dataclass(frozen=True)
class PullerSpec:
    """One puller DaemonSet: what it pulls and where."""

    placement: Placement
    images: tuple[str, ...]
    pull_secrets: tuple[str, ...] = ()
    """Secrets its images (and the pause image) are pulled with."""


class ImagePullers(Part):
    """One OnDelete DaemonSet per placement, named after its pod template; optionally the awaiter Job."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pullers: tuple[PullerSpec, ...],
        names: Names,
        wait_timeout: int | None,
        hub_image: str,
        awaiter_pod_fields: Mapping[str, Any] | None = None,
    ):
        super().__init__(scope, id)
        daemonsets = [self._daemonset(puller, names) for puller in pullers]
        if wait_timeout is not None:
            self._awaiter(daemonsets, names, wait_timeout, hub_image, awaiter_pod_fields or {})

    def _daemonset(self, puller: PullerSpec, names: Names) -> str:
        images = list(puller.images)
        pod = puller_pod_spec(images, puller.placement, names.priority_class(IMAGE_PULLER_TIER), puller.pull_secrets)
        image_set = template_hash(pod)
        name = names.image_puller(image_set)
        # Distinct per template: a DaemonSet of an older set never adopts the new one's pods.
        selector = {**names.selector(IMAGE_PULLER), IMAGE_SET_LABEL: image_set}
        labels = {**names.labels(IMAGE_PULLER), IMAGE_SET_LABEL: image_set}
        api_object(
            self,
            name,
            k8s.KubeDaemonSet,
            {
                "metadata": {"name": name, "labels": labels, "annotations": puller_findings(images)},
                "spec": {
                    "selector": {"matchLabels": selector},
                    "updateStrategy": {"type": "OnDelete"},
                    "revisionHistoryLimit": 3,
                    "template": {"metadata": {"labels": labels}, "spec": pod},
                },
            },
        )
        return name

    def _awaiter(
        self, daemonsets: list[str], names: Names, timeout: int, hub_image: str, pod_fields: Mapping[str, Any]
    ) -> None:
        job = names.image_awaiter(hashlib.sha256("\n".join(daemonsets).encode()).hexdigest()[:8])
        labels = names.labels(IMAGE_AWAITER)
        Identity(self, "awaiter-identity", name=names.image_awaiter_account, labels=labels).allow(
            ["get", "list", "watch"], ["daemonsets"], api_group="apps", names=daemonsets
        )
        arguments = [names.namespace, str(timeout), str(POLL_SECONDS), *daemonsets]
        container = hook_container("wait", hub_image, "wait_for_daemonsets.py", arguments, cpu="100m", memory="64Mi")
        api_object(
            self,
            "awaiter",
            k8s.KubeJob,
            {
                "metadata": {
                    "name": job,
                    "labels": labels,
                    "annotations": {
                        **AWAITER_HOOK,
                        **accepted_findings(
                            PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, api_client("the Job watches the pullers")
                        ),
                    },
                },
                "spec": {
                    "backoffLimit": 2,
                    # The script gives up by itself at `timeout`; this only stops a hung process.
                    "activeDeadlineSeconds": timeout + 120,
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "restartPolicy": "Never",
                            "serviceAccountName": names.image_awaiter_account,
                            "automountServiceAccountToken": True,
                            "securityContext": restricted_pod_security(PULLER_UID),
                            "containers": [container],
                            "enableServiceLinks": False,
                            # A hook like the secrets bootstrap: it runs where the hub's own pods run.
                            **pod_fields,
                        },
                    },
                },
            },
        )


@dataclass(frozen=True)
class ImagePullersComponent(Component):
    """Pre-pulled user images, when `scheduling.image_puller.continuous`; the rollout wait with `pre_sync`."""

    pullers: tuple[PullerSpec, ...]
    wait_timeout: int | None
    hub_image: str
    """The awaiter runs a standard-library script with the hub image's Python."""

    @classmethod
    def from_config(cls, config: HubConfig) -> ImagePullersComponent | None:
        puller = config.scheduling.image_puller
        if not puller.continuous:
            return None
        placed = images_by_placement(config.singleuser, config.scheduling.user_pods, puller.extra_images)
        pullers = tuple(PullerSpec(placement, tuple(images)) for placement, images in placed)
        wait = puller.pre_sync.timeout if puller.pre_sync.enabled else None
        return cls(pullers, wait, config.hub.image)

    def declare(self, context: Context) -> None:
        if self.wait_timeout is not None:
            context.network.allow_api_server(IMAGE_AWAITER)

    def build(self, scope: Construct, context: Context) -> None:
        pullers = tuple(
            replace(puller, pull_secrets=tuple(pull_secret_names(context.pull_secrets, [*puller.images, PAUSE_IMAGE])))
            for puller in self.pullers
        )
        ImagePullers(
            scope,
            "image-pullers",
            pullers=pullers,
            names=context.names,
            wait_timeout=self.wait_timeout,
            hub_image=self.hub_image,
            awaiter_pod_fields=context.core_pod_fields([self.hub_image]),
        )
