"""The namespace's ResourceQuota and LimitRange: what users together, and any one container, may take.

The config already refused a user server that could never fit either (see
`config.quota`, `config.limits`), so these objects only write the numbers down.
"""

from __future__ import annotations

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.limits import LimitRangeSettings, container_ceiling
from .config.quota import QuotaSettings
from .config.resources import Footprint
from .config.sizing import UserServerSize
from .kube import kube_object
from .naming import QUOTA, Names
from .workload import quantity


class NamespaceQuota(Part):
    """A ResourceQuota over CPU, memory, PVC count, storage and GPUs of the whole namespace."""

    def __init__(self, scope: Construct, id: str, *, quota: QuotaSettings, names: Names):
        super().__init__(scope, id)
        kube_object(
            self,
            "quota",
            k8s.KubeResourceQuota,
            {
                "metadata": {"name": names.of("quota"), "labels": names.labels(QUOTA)},
                "spec": {
                    "hard": {
                        "requests.cpu": quantity(quota.cpu.requests),
                        "limits.cpu": quantity(quota.cpu.limits),
                        "requests.memory": quantity(quota.memory.requests),
                        "limits.memory": quantity(quota.memory.limits),
                        "persistentvolumeclaims": quantity(quota.persistent_volume_claims),
                        "requests.storage": quantity(quota.storage),
                        "requests.nvidia.com/gpu": quantity(quota.gpus),
                    }
                },
            },
        )


class ContainerLimits(Part):
    """A LimitRange: defaults for containers that declare no resources, and a ceiling no container may pass."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        limits: LimitRangeSettings,
        user: UserServerSize,
        own: list[Footprint],
        names: Names,
    ):
        super().__init__(scope, id)
        max_cpu, max_memory = container_ceiling(limits, user, own)
        kube_object(
            self,
            "limit-range",
            k8s.KubeLimitRange,
            {
                "metadata": {"name": names.of("limits"), "labels": names.labels(QUOTA)},
                "spec": {
                    "limits": [
                        {
                            "type": "Container",
                            "defaultRequest": {
                                "cpu": quantity(limits.default_request.cpu),
                                "memory": quantity(limits.default_request.memory),
                            },
                            "default": {
                                "cpu": quantity(limits.default_limit.cpu),
                                "memory": quantity(limits.default_limit.memory),
                            },
                            "max": {"cpu": quantity(max_cpu), "memory": quantity(max_memory)},
                        }
                    ]
                },
            },
        )
