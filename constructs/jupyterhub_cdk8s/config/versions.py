"""The Kubernetes and Argo CD versions this project's output is written for and tested against.

The user scheduler runs a kube-scheduler of the cluster's minor version, and
what an object may contain depends on the API server and on Argo CD's CRDs; so
the environment declares both minor versions and the synth writes for those.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .yaml_input import shown

# The oldest is the oldest the JupyterHub Helm chart 4.4.0 supports (its
# Chart.yaml kubeVersion); the newest is the newest kube-scheduler release
# whose RBAC this project knows (scheduling/user_scheduler.py).
OLDEST_KUBERNETES = (1, 28)
NEWEST_KUBERNETES = (1, 35)
DEFAULT_KUBERNETES = "1.33"


KUBE_SCHEDULER_REPOSITORY = "registry.k8s.io/kube-scheduler"
KUBE_SCHEDULER_TAGS = {
    # The newest patch of each minor known when this table was written, and where its release shows.
    "1.28": "v1.28.15",  # final patch: kubernetes/website data/releases/eol.yaml
    "1.29": "v1.29.14",  # final patch: kubernetes/website data/releases/eol.yaml
    "1.30": "v1.30.14",  # final patch: eol.yaml; the tag JupyterHub's Helm chart 4.4.0 runs (values.yaml)
    "1.31": "v1.31.14",  # final patch: kubernetes/website data/releases/eol.yaml
    "1.32": "v1.32.13",  # kubeadm image lists for v1.32.13 (registry.k8s.io/kube-scheduler:v1.32.13)
    "1.33": "v1.33.9",  # the Helm chart's main branch, templates/scheduling/user-scheduler/deployment.yaml (2026-03)
    "1.34": "v1.34.6",  # kubeadm 1.34.6 packages (pkgs.k8s.io) and registry mirrors of kube-scheduler:v1.34.6
    "1.35": "v1.35.7",  # the Helm chart's main branch, values.yaml (its dependency bot, 2026-07-23)
}
"""kube-scheduler per Kubernetes minor: the user scheduler runs the cluster's own (never newer than the API server,
the version skew policy), with RBAC written for it (scheduling/user_scheduler.py)."""


def kube_scheduler_image(kubernetes_version: str) -> str:
    return f"{KUBE_SCHEDULER_REPOSITORY}:{KUBE_SCHEDULER_TAGS[kubernetes_version]}"


def image_minor(image: str) -> str | None:
    """The Kubernetes minor a tag like v1.33.9 names, or None (a digest, another scheme)."""
    match = re.search(r":v(\d+)\.(\d+)(\.\d+)?(@|$)", image)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def minor_version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _minor(
    value: Any, *, product: str, oldest: tuple[int, int], newest: tuple[int, int], example: str, where: str
) -> str:
    """`value` as a supported "major.minor" of `product`, or a ValueError saying what to write."""
    if isinstance(value, float):
        raise ValueError(
            f'{shown(value)} is a number to YAML (1.30 reads as 1.3); write the version quoted, e.g. "{example}"'
        )
    text = value if isinstance(value, str) else None
    parts = text.split(".") if text else []
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        article = "an" if product[0] in "AEIOU" else "a"
        raise ValueError(
            f"{shown(value)} is not {article} {product} minor version; "
            f'write it as a quoted string, e.g. "{example}" ({where})'
        )
    version = minor_version(text or "")
    if not oldest <= version <= newest:
        raise ValueError(
            f"{product} {text} is not supported; supported are {'.'.join(map(str, oldest))} to "
            f"{'.'.join(map(str, newest))}"
        )
    return f"{version[0]}.{version[1]}"


def _kubernetes_minor(value: Any) -> str:
    return _minor(
        value,
        product="Kubernetes",
        oldest=OLDEST_KUBERNETES,
        newest=NEWEST_KUBERNETES,
        example=DEFAULT_KUBERNETES,
        where="`kubectl version` shows the server's",
    )


KubernetesMinor = Annotated[
    str, BeforeValidator(_kubernetes_minor), Field(json_schema_extra={"examples": [DEFAULT_KUBERNETES]})
]
"""A supported Kubernetes minor version, e.g. "1.33"."""


# Argo CD: 3.0 is the first release that tracks resources by annotation by default (argo-cd v3.0.0
# util/argo/resource_tracking.go, GetTrackingMethod; docs/operator-manual/upgrading/2.14-3.0.md); label
# tracking rewrites app.kubernetes.io/instance (README, "Supported platforms"). 3.5 is the newest release
# whose CRDs are vendored (crds/argo-cd/).
OLDEST_ARGOCD = (3, 0)
NEWEST_ARGOCD = (3, 5)
# AppProject clusterResourceWhitelist entries limited by `name` (argo-cd commit e77acec858, first in v3.3.0):
# older CRDs refuse the field under strict validation, or drop it and allow every object of the kind.
ARGOCD_WHITELIST_BY_NAME = (3, 3)
DEFAULT_ARGOCD = "3.3"


def _argocd_minor(value: Any) -> str:
    return _minor(
        value,
        product="Argo CD",
        oldest=OLDEST_ARGOCD,
        newest=NEWEST_ARGOCD,
        example=DEFAULT_ARGOCD,
        where="`argocd version` shows the server's",
    )


ArgoCdMinor = Annotated[str, BeforeValidator(_argocd_minor), Field(json_schema_extra={"examples": [DEFAULT_ARGOCD]})]
"""A supported Argo CD minor version, e.g. "3.3"."""
