"""Who may talk to whom, as NetworkPolicies built with methods.

Kubernetes NetworkPolicies add up: once a pod is selected by any policy of a
direction, only the union of what all of them allow is let through. So each
component opens exactly its own connections in a policy of its own
(`Connections(...).allow_to(...)`), and the namespace's default deny makes
everything else impossible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part, on_complete
from .config.network import PodsElsewhere
from .kube import kube_object
from .naming import Names
from .workload import int_or_string

EVERYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class Peer:
    """The other end of a connection: pods of a component, pods of other namespaces, or an IP block."""

    description: str
    pod_labels: dict[str, str] | None = None
    namespace_labels: dict[str, str] | None = None
    cidr: str | None = None
    except_cidrs: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        if self.cidr:
            block: dict = {"cidr": self.cidr}
            if self.except_cidrs:
                block["except"] = list(self.except_cidrs)
            return {"ipBlock": block}
        peer: dict = {}
        if self.namespace_labels is not None:
            peer["namespaceSelector"] = {"matchLabels": self.namespace_labels}
        if self.pod_labels is not None:
            peer["podSelector"] = {"matchLabels": self.pod_labels}
        return peer


def component(names: Names, name: str) -> Peer:
    """Pods of one of this environment's components, in its namespace."""
    return Peer(description=name, pod_labels=names.selector(name))


def namespace(name: str, pod_labels: dict[str, str] | None = None) -> Peer:
    """Pods of another namespace, by the namespace's immutable name label."""
    return Peer(
        description=f"namespace {name}",
        namespace_labels={"kubernetes.io/metadata.name": name},
        pod_labels=pod_labels,
    )


def pods_elsewhere(pods: PodsElsewhere) -> Peer:
    """Pods of another namespace, as a config section names them."""
    return namespace(pods.namespace, dict(sorted(pods.pod_labels.items())))


def ip_block(cidr: str, except_cidrs: tuple[str, ...] = ()) -> Peer:
    return Peer(description=cidr, cidr=cidr, except_cidrs=except_cidrs)


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = "TCP"

    def to_json(self) -> dict:
        return {"port": int_or_string(self.number), "protocol": self.protocol}


def tcp(*numbers: int) -> list[Port]:
    return [Port(number) for number in numbers]


class Connections(Part):
    """One NetworkPolicy: the connections one purpose opens for the pods it selects.

    `allow_from` adds an ingress rule, `allow_to` an egress rule; a policy
    only restricts the directions it has rules for, so a component's default
    deny stays in force for the rest.
    """

    def __init__(self, scope: Construct, id: str, *, name: str, labels: dict[str, str], pods: dict[str, str]):
        super().__init__(scope, id)
        self._name, self._labels = name, labels
        self._spec: dict = {"podSelector": {"matchLabels": pods}, "policyTypes": []}
        on_complete(self, self._write)

    def allow_from(self, peer: Peer, ports: list[Port]) -> Connections:
        """Let `peer` open connections to these pods on `ports` (all ports if empty)."""
        self._add("ingress", "Ingress", "from", peer, ports)
        return self

    def allow_to(self, peer: Peer, ports: list[Port]) -> Connections:
        """Let these pods open connections to `peer` on `ports` (all ports if empty)."""
        self._add("egress", "Egress", "to", peer, ports)
        return self

    def _add(self, key: str, policy_type: str, direction: str, peer: Peer, ports: list[Port]) -> None:
        if key not in self._spec:
            self._spec[key] = []
            self._spec["policyTypes"].append(policy_type)
        rule: dict = {direction: [peer.to_json()]}
        if ports:
            rule["ports"] = [port.to_json() for port in ports]
        self._spec[key].append(rule)

    def _write(self) -> None:
        metadata = {"name": self._name, "labels": self._labels}
        kube_object(self, "policy", k8s.KubeNetworkPolicy, {"metadata": metadata, "spec": self._spec})
