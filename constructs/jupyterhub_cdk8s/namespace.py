"""The environment's Namespace, labelled for Pod Security admission, never pruned nor deleted by Argo CD."""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Component, Context
from .config import HubConfig
from .config.pod_security import PodSecuritySettings
from .naming import NAMESPACE, Names
from .parts import Part
from .sync_waves import KEEP


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
        api_object(
            self,
            "namespace",
            k8s.KubeNamespace,
            {
                "metadata": {
                    "name": names.namespace,
                    "labels": {**names.labels(NAMESPACE), **pod_security_labels(pod_security)},
                    # Deleting it would delete every PVC in it: the hub's database, shared
                    # volumes and the users' homes KubeSpawner created.
                    "annotations": KEEP,
                },
            },
        )


@dataclass(frozen=True)
class NamespaceComponent(Component):
    """The namespace itself, when the environment writes it (`create_namespace`)."""

    pod_security: PodSecuritySettings

    @classmethod
    def from_config(cls, config: HubConfig) -> NamespaceComponent | None:
        return cls(config.pod_security) if config.create_namespace else None

    def build(self, scope: Construct, context: Context) -> None:
        Namespace(scope, "namespace", names=context.names, pod_security=self.pod_security)
