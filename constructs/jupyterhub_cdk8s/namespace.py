"""The environment's Namespace, labelled for Pod Security admission."""

from __future__ import annotations

from cdk8s_plus_27 import k8s
from constructs import Construct

from .naming import NAMESPACE, Names

# User pods run code the platform team did not write: admission enforces
# "baseline" for everything in the namespace and reports (warn/audit) any pod
# that falls short of "restricted", which our own pods meet.
POD_SECURITY = {"enforce": "baseline", "warn": "restricted", "audit": "restricted"}


def pod_security_labels(levels: dict[str, str]) -> dict[str, str]:
    labels = {}
    for mode, level in levels.items():
        labels[f"pod-security.kubernetes.io/{mode}"] = level
        labels[f"pod-security.kubernetes.io/{mode}-version"] = "latest"
    return labels


class Namespace(Construct):
    def __init__(self, scope: Construct, id: str, *, names: Names):
        super().__init__(scope, id)
        k8s.KubeNamespace(
            self,
            "namespace",
            metadata=k8s.ObjectMeta(
                name=names.namespace,
                labels={**names.labels(NAMESPACE), **pod_security_labels(POD_SECURITY)},
            ),
        )
