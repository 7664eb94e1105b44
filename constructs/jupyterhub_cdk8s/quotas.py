"""The namespace's ResourceQuotas and LimitRange: what users together, and any one container, may take.

The config already refused a user server that could never fit either (see
`config.quota`, `config.limits`), so these objects only write the numbers down.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Component, Context
from .config import HubConfig
from .config.limits import LimitRangeSettings, container_ceiling
from .config.quota import QuotaSettings
from .config.resources import Footprint
from .config.sizing import UserServerSize, largest_user_server
from .naming import QUOTA, USER_TIER, Names
from .parts import Part
from .pods import quantity


class NamespaceQuota(Part):
    """Two ResourceQuotas: CPU, memory and GPUs of user servers, and PVC count and storage of the namespace.

    The first counts only pods of the user PriorityClass, so a hub full of
    users never starves what a sync starts (Jobs, pullers, the user
    scheduler's surge pod) nor the hub and proxy. PVCs cannot be counted under
    a PriorityClass scope (kubernetes pkg/apis/core/helper,
    IsResourceQuotaScopeValidForResource), hence the second.
    """

    def __init__(self, scope: Construct, id: str, *, quota: QuotaSettings, names: Names):
        super().__init__(scope, id)
        api_object(
            self,
            "user-quota",
            k8s.KubeResourceQuota,
            {
                "metadata": {"name": names.user_quota, "labels": names.labels(QUOTA)},
                "spec": {
                    "hard": {
                        "requests.cpu": quantity(quota.cpu.requests),
                        "limits.cpu": quantity(quota.cpu.limits),
                        "requests.memory": quantity(quota.memory.requests),
                        "limits.memory": quantity(quota.memory.limits),
                        "requests.nvidia.com/gpu": quantity(quota.gpus),
                    },
                    "scopeSelector": {
                        "matchExpressions": [
                            {
                                "scopeName": "PriorityClass",
                                "operator": "In",
                                "values": [names.priority_class(USER_TIER)],
                            }
                        ]
                    },
                },
            },
        )
        api_object(
            self,
            "storage-quota",
            k8s.KubeResourceQuota,
            {
                "metadata": {"name": names.storage_quota, "labels": names.labels(QUOTA)},
                "spec": {
                    "hard": {
                        "persistentvolumeclaims": quantity(quota.persistent_volume_claims),
                        "requests.storage": quantity(quota.storage),
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
        api_object(
            self,
            "limit-range",
            k8s.KubeLimitRange,
            {
                "metadata": {"name": names.limit_range, "labels": names.labels(QUOTA)},
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


@dataclass(frozen=True)
class QuotaComponent(Component):
    """The namespace's ResourceQuota."""

    quota: QuotaSettings

    @classmethod
    def from_config(cls, config: HubConfig) -> QuotaComponent | None:
        return cls(config.quota) if config.quota.enabled else None

    def build(self, scope: Construct, context: Context) -> None:
        NamespaceQuota(scope, "quota", quota=self.quota, names=context.names)


@dataclass(frozen=True)
class LimitRangeComponent(Component):
    """The namespace's LimitRange, with a ceiling from the largest container the environment declares."""

    limits: LimitRangeSettings
    user: UserServerSize
    own: tuple[Footprint, ...]

    @classmethod
    def from_config(cls, config: HubConfig) -> LimitRangeComponent | None:
        if not config.limit_range.enabled:
            return None
        return cls(config.limit_range, largest_user_server(config.singleuser), tuple(config.own_containers()))

    def build(self, scope: Construct, context: Context) -> None:
        ContainerLimits(
            scope, "limit-range", limits=self.limits, user=self.user, own=list(self.own), names=context.names
        )
