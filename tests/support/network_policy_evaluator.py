"""A small evaluator of NetworkPolicy semantics: may A open a connection to B on port P?

Pod selection, policyTypes, additive rules, namespaceSelector/podSelector/ipBlock
with except, and ports, as https://kubernetes.io/docs/concepts/services-networking/network-policies/
defines them; only the policies given are evaluated.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace + labels) or an address outside the cluster (ip)."""

    name: str
    namespace: str | None = None
    labels: dict = field(default_factory=dict, hash=False)
    ip: str | None = None

    @property
    def namespace_labels(self) -> dict:
        return {"kubernetes.io/metadata.name": self.namespace}


def selects(selector: dict | None, labels: dict) -> bool:
    """LabelSelector semantics: matchLabels and matchExpressions all hold; an empty selector selects all."""
    selector = selector or {}
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        held = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not held:
            return False
    return True


def peer_matches(peer: dict, policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        if other.ip is None:  # ipBlock is for addresses outside the cluster's pods
            return False
        address = ipaddress.ip_address(other.ip)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excluded) for excluded in block.get("except") or []
        )
    if other.namespace is None:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], other.namespace_labels):
            return False
    elif other.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector"), other.labels)


def port_matches(rule_ports: list[dict] | None, port: int, protocol: str) -> bool:
    if not rule_ports:
        return True
    for entry in rule_ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True
        low = entry["port"]
        if isinstance(low, str):
            raise AssertionError(f"named port {low}: give numbers so the evaluator can check them")
        if low <= port <= entry.get("endPort", low):
            return True
    return False


def policy_types(policy: dict) -> list[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        return spec["policyTypes"]
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def direction_allows(
    policies: list[dict], pod: Endpoint, other: Endpoint, port: int, protocol: str, direction: str
) -> bool:
    """Ingress to / egress from `pod`: open when no policy selects it for the direction, else when any rule allows."""
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [
        p
        for p in policies
        if p["metadata"]["namespace"] == pod.namespace
        and selects(p["spec"]["podSelector"], pod.labels)
        and direction in policy_types(p)
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(peer_matches(peer, policy["metadata"]["namespace"], other) for peer in peers)
            if peer_ok and port_matches(rule.get("ports"), port, protocol):
                return True
    return False


def may_connect(policies: list[dict], source: Endpoint, target: Endpoint, port: int, protocol: str = "TCP") -> bool:
    """Egress of the source (when it is a pod) and ingress of the target (when it is a pod) both allow it.

    Pods outside the environment's namespace are taken as unrestricted by
    policies of their own; only the synthesized policies are evaluated.
    """
    egress = source.namespace is None or direction_allows(policies, source, target, port, protocol, "Egress")
    ingress = target.namespace is None or direction_allows(policies, target, source, port, protocol, "Ingress")
    return egress and ingress
