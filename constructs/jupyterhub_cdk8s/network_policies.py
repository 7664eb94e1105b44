"""The namespace's NetworkPolicies as a component: everything the other components declared, written once."""

from __future__ import annotations

from constructs import Construct

from .component import Component, Context
from .config import HubConfig
from .parts import Part


class NetworkPoliciesComponent(Component):
    """Default deny, then one policy per purpose; only when `network_policy.enabled`.

    Every component declares its connections on `context.network`; this one
    writes them once all are declared.
    """

    @classmethod
    def from_config(cls, config: HubConfig) -> NetworkPoliciesComponent | None:
        return cls() if config.network_policy.enabled else None

    def build(self, scope: Construct, context: Context) -> None:
        context.network.write(Part(scope, "network-policies"))
