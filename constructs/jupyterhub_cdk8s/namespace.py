"""The environment's Namespace, labelled for Pod Security admission."""

from __future__ import annotations

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.pod_security import PodSecuritySettings
from .kube import kube_object
from .naming import NAMESPACE, Names


def pod_security_labels(levels: PodSecuritySettings) -> dict[str, str]:
    """User pods run code the platform team did not write: by default admission enforces "baseline"
    and reports (warn/audit) any pod short of "restricted", which our own pods meet."""
    labels = {}
    for mode in ("enforce", "warn", "audit"):
        labels[f"pod-security.kubernetes.io/{mode}"] = getattr(levels, mode)
        labels[f"pod-security.kubernetes.io/{mode}-version"] = levels.version
    return labels


class Namespace(Part):
    def __init__(self, scope: Construct, id: str, *, names: Names, pod_security: PodSecuritySettings):
        super().__init__(scope, id)
        kube_object(
            self,
            "namespace",
            k8s.KubeNamespace,
            {
                "metadata": {
                    "name": names.namespace,
                    "labels": {**names.labels(NAMESPACE), **pod_security_labels(pod_security)},
                },
            },
        )
