"""The namespace's NetworkPolicies as a component: everything the other components declared, written once."""

from __future__ import annotations

from constructs import Construct

from .component import Component, Context
from .config import HubConfig
from .config.network_rules import ExtraRulesByComponent
from .naming import HUB, PROXY, SINGLEUSER
from .parts import Part


class NetworkPoliciesComponent(Component):
    """Default deny, then one policy per purpose; only when `network_policy.enabled`.

    Every component declares its connections on `context.network`; this one
    adds the environment's own rules (`network_rules`) and writes them all once declared.
    """

    def __init__(self, rules: ExtraRulesByComponent | None = None):
        self.rules = rules or ExtraRulesByComponent()

    @classmethod
    def from_config(cls, config: HubConfig) -> NetworkPoliciesComponent | None:
        return cls(config.network_rules) if config.network_policy.enabled else None

    def declare(self, context: Context) -> None:
        for component, rules in ((HUB, self.rules.hub), (PROXY, self.rules.proxy), (SINGLEUSER, self.rules.singleuser)):
            context.network.extra_rules(component, rules)

    def build(self, scope: Construct, context: Context) -> None:
        context.network.write(Part(scope, "network-policies"))
