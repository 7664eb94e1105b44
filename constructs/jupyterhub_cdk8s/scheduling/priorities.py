"""Priorities and where user pods run: the PriorityClasses, and KubeSpawner's scheduling settings.

When a cluster is full, Kubernetes evicts the lowest priority first: core pods
(hub, proxy, user scheduler) stay above users, and users above image pullers
and placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.scheduling import SchedulingSettings
from ..config_file import ConfigFile, Order
from ..naming import CORE_TIER, IMAGE_PULLER_TIER, PLACEHOLDER_TIER, PRIORITY, USER_TIER, Names
from ..parts import Part
from ..singleuser.placement import USER_NODES, named_tolerations


class PriorityClasses(Part):
    """The cluster-scoped PriorityClasses of one environment, one per tier in use."""

    DESCRIPTIONS = {
        CORE_TIER: "JupyterHub core pods (hub, proxy, user scheduler): never evicted for user load.",
        USER_TIER: "JupyterHub user servers.",
        IMAGE_PULLER_TIER: "JupyterHub image pullers: below users so they never keep a user out.",
        PLACEHOLDER_TIER: "JupyterHub user placeholders: pre-empted by any real user.",
    }

    def __init__(self, scope: Construct, id: str, *, tiers: list[str], names: Names):
        super().__init__(scope, id)
        for tier in tiers:
            api_object(
                self,
                tier,
                k8s.KubePriorityClass,
                {
                    "metadata": {
                        "name": names.priority_class(tier),
                        "labels": names.labels(PRIORITY),
                    },
                    "value": names.priority_value(tier),
                    "globalDefault": False,
                    "description": self.DESCRIPTIONS[tier],
                },
            )


def configure_scheduling(file: ConfigFile, scheduling: SchedulingSettings, names: Names) -> None:
    """KubeSpawner settings that give user pods their scheduler, priority and nodes."""
    file.section(Order.USER_SCHEDULING, "User servers: scheduling")
    if scheduling.user_scheduler.enabled:
        file.set("KubeSpawner", "scheduler_name", names.user_scheduler_name)
    file.set("KubeSpawner", "priority_class_name", names.priority_class(USER_TIER))
    user_pods = scheduling.user_pods
    if user_pods.node_selector:
        file.set("KubeSpawner", "node_selector", dict(sorted(user_pods.node_selector.items())))
    if user_pods.tolerations:
        file.set("KubeSpawner", "tolerations", named_tolerations(USER_NODES, user_pods.tolerations))


@dataclass(frozen=True)
class PrioritiesComponent(Component):
    """The PriorityClasses of the tiers in use, and where KubeSpawner puts user pods."""

    scheduling: SchedulingSettings

    @classmethod
    def from_config(cls, config: HubConfig) -> PrioritiesComponent:
        return cls(config.scheduling)

    def tiers(self) -> list[str]:
        """Core and user always; placeholders and pullers when they run."""
        tiers = [CORE_TIER, USER_TIER]
        if self.scheduling.user_placeholders.replicas:
            tiers.append(PLACEHOLDER_TIER)
        if self.scheduling.image_puller.continuous:
            tiers.append(IMAGE_PULLER_TIER)
        return sorted(tiers)

    def configure(self, context: Context) -> None:
        configure_scheduling(context.config_file, self.scheduling, context.names)

    def build(self, scope: Construct, context: Context) -> None:
        PriorityClasses(scope, "priority-classes", tiers=self.tiers(), names=context.names)
