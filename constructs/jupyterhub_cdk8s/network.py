"""Who may talk to whom: the one registry every NetworkPolicy of a hub goes through.

Kubernetes NetworkPolicies add up: once a pod is selected by any policy of a
direction, only the union of what all of them allow is let through. So each
component declares exactly its own connections, one policy per purpose
(`network.policy(purpose, pods).allow_to(...)`), and the namespace's default
deny makes everything else impossible.

The registry writes nothing at all when `network_policy.enabled` is false: a
lone Egress policy left behind by one feature would cut the pods it selects
off from DNS, the hub and the API server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .config.network import CLOUD_HOST_ENDPOINTS, EVERYWHERE, NetworkPolicySettings, PodsElsewhere, link_local
from .config.network_rules import ExtraRules, RulePeer
from .naming import NETWORK_POLICY, Names
from .pods import int_or_string


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


def namespace(name: str, pod_labels: dict[str, str] | None = None) -> Peer:
    """Pods of another namespace, by the namespace's immutable name label."""
    return Peer(
        description=f"namespace {name}",
        namespace_labels={"kubernetes.io/metadata.name": name},
        pod_labels=pod_labels,
    )


def pods_elsewhere(pods: PodsElsewhere) -> Peer:
    """Pods of another namespace, as a config section names them (every pod of it without labels)."""
    return namespace(pods.namespace, dict(sorted(pods.pod_labels.items())) or None)


def _rule_peer(peer: RulePeer) -> Peer:
    if peer.cidr is not None:
        return ip_block(peer.cidr)
    if peer.namespace is not None:
        return namespace(peer.namespace, dict(sorted(peer.pod_labels.items())))
    raise ValueError("a network rule peer without cidr or namespace (config.network.RulePeer refuses one)")


def ip_block(cidr: str, except_cidrs: tuple[str, ...] = ()) -> Peer:
    return Peer(description=cidr, cidr=cidr, except_cidrs=except_cidrs)


def beyond_link_local(cidr: str) -> Peer:
    """`cidr` without the link-local range it may contain (0.0.0.0/0 does): node agents answer there."""
    local = link_local(cidr)
    contains = ipaddress.ip_network(local).subnet_of(ipaddress.ip_network(cidr))  # type: ignore[arg-type]
    return ip_block(cidr, (local,) if contains else ())


ANY_POD_OF_THIS_NAMESPACE = Peer(description="any pod of this namespace", pod_labels={})


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = "TCP"

    def to_json(self) -> dict:
        return {"port": int_or_string(self.number), "protocol": self.protocol}


def tcp(*numbers: int) -> list[Port]:
    return [Port(number) for number in numbers]


@dataclass(frozen=True)
class Route:
    """Several peers on the same ports: one rule."""

    peers: tuple[Peer, ...]
    ports: tuple[Port, ...]


@dataclass(frozen=True)
class Endpoint:
    """A destination answered by several peers, maybe on different ports (the API server, cluster DNS)."""

    routes: tuple[Route, ...]


class Connections:
    """One NetworkPolicy: the connections one purpose opens for the pods it selects.

    `allow_from` adds an ingress rule, `allow_to` an egress rule; a policy
    only restricts the directions it has rules for, so a component's default
    deny stays in force for the rest.
    """

    def __init__(self, name: str, pods: dict[str, str]):
        self.name = name
        self.annotations: dict[str, str] = {}
        self._spec: dict = {"podSelector": {"matchLabels": pods}, "policyTypes": []}

    def with_hook(self, annotations: dict[str, str]) -> Connections:
        """Make this policy an Argo CD hook with these annotations, so it is applied before the hook it serves.

        A PreSync hook runs before the sync applies anything else (gitops-engine pkg/sync/sync_context.go: the
        PreSync phase is synced, and must succeed, before the Sync phase). Its policy as an ordinary object would
        only arrive after it: a wrong one would fail the hook on every sync, and its correction could never land.
        """
        self.annotations = dict(annotations)
        return self

    def allow_from(self, peer: Peer, ports: list[Port]) -> Connections:
        """Let `peer` open connections to these pods on `ports` (all ports if empty)."""
        self._add("ingress", "Ingress", "from", [peer], ports)
        return self

    def allow_to(self, peer: Peer, ports: list[Port]) -> Connections:
        """Let these pods open connections to `peer` on `ports` (all ports if empty)."""
        self._add("egress", "Egress", "to", [peer], ports)
        return self

    def reach(self, endpoint: Endpoint) -> Connections:
        """Let these pods reach every peer of `endpoint` on its ports: one rule per route."""
        for route in endpoint.routes:
            self._add("egress", "Egress", "to", route.peers, list(route.ports))
        return self

    @property
    def spec(self) -> dict:
        return self._spec

    def _add(self, key: str, policy_type: str, direction: str, peers: Sequence[Peer], ports: list[Port]) -> None:
        if key not in self._spec:
            self._spec[key] = []
            self._spec["policyTypes"].append(policy_type)
        rule: dict = {direction: [peer.to_json() for peer in peers]}
        if ports:
            rule["ports"] = [port.to_json() for port in ports]
        self._spec[key].append(rule)


def udp_and_tcp(*numbers: int) -> tuple[Port, ...]:
    return tuple(Port(number, protocol) for number in numbers for protocol in ("UDP", "TCP"))


class NetworkPolicyRegistry:
    """Every NetworkPolicy of one hub: declared by the components, written once at the end.

    The well-known peers (this hub's components, cluster DNS, the API server,
    the public internet) are defined here once, from `network_policy`.
    """

    def __init__(self, settings: NetworkPolicySettings, names: Names):
        self.settings = settings
        self.names = names
        self._policies: dict[str, Connections] = {}

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def policy(self, purpose: str, pods: str | dict[str, str]) -> Connections:
        """The policy named after `purpose` for the pods of component `pods` (or pods with these labels)."""
        name = self.names.network_policy(purpose)
        if name in self._policies:
            raise ValueError(f"two components declare the network policy {name}")
        selector = self.names.selector(pods) if isinstance(pods, str) else pods
        self._policies[name] = Connections(name, selector)
        return self._policies[name]

    def component(self, name: str) -> Peer:
        """Pods of one of this hub's components, in its namespace."""
        return Peer(description=name, pod_labels=self.names.selector(name))

    @property
    def dns(self) -> Endpoint:
        """Cluster DNS: its pods on their ports after the kube-dns Service's NAT, and addresses answering on 53."""
        dns = self.settings.dns
        routes = []
        if dns.pods:
            routes.append(Route(tuple(pods_elsewhere(pods) for pods in dns.pods), udp_and_tcp(*dns.pod_ports)))
        if dns.cidrs:
            routes.append(Route(tuple(ip_block(cidr) for cidr in dns.cidrs), udp_and_tcp(53)))
        return Endpoint(tuple(routes))

    @property
    def api_server(self) -> Endpoint:
        """The API server's endpoints after the `kubernetes` Service's NAT, never a link-local address."""
        api = self.settings.api_server
        return Endpoint((Route(tuple(beyond_link_local(cidr) for cidr in api.cidrs), tuple(tcp(*api.ports))),))

    @property
    def public_internet(self) -> Peer:
        """Every IPv4 address but the private ranges, link-local addresses, the clouds' node endpoints outside
        link-local, and a narrowed API server's."""
        hidden = [*self.settings.private_ranges, link_local(EVERYWHERE), *CLOUD_HOST_ENDPOINTS]
        if not self.settings.api_server.anywhere:
            hidden += self.settings.api_server.cidrs
        networks = [ipaddress.ip_network(cidr) for cidr in hidden]
        collapsed = ipaddress.collapse_addresses(n for n in networks if isinstance(n, ipaddress.IPv4Network))
        return ip_block(EVERYWHERE, tuple(str(network) for network in collapsed))

    @property
    def ingress_controller(self) -> tuple[Peer, ...]:
        """The ingress controller's pods, and its nodes' addresses when it runs on the host network."""
        controller = self.settings.ingress_controller
        return (pods_elsewhere(controller), *(ip_block(cidr) for cidr in controller.cidrs))

    def extra_rules(self, component: str, rules: ExtraRules) -> None:
        """The rules the environment adds to a component's pods (`network_rules`), as one policy of their own."""
        if not rules.ingress and not rules.egress:
            return
        policy = self.policy(f"{component}-extra-rules", component)
        for rule in rules.ingress:
            policy.allow_from(_rule_peer(rule.peer), [Port(number, rule.protocol) for number in rule.ports])
        for rule in rules.egress:
            policy.allow_to(_rule_peer(rule.peer), [Port(number, rule.protocol) for number in rule.ports])

    def allow_api_server(self, component: str) -> Connections:
        """Egress of a component that talks to the Kubernetes API and nothing else (hooks, scheduler).

        It connects to the API server by the kubernetes Service's IP, so it needs no DNS either.
        """
        return self.policy(f"{component}-to-api-server", component).reach(self.api_server)

    def write(self, scope: Construct) -> None:
        """The namespace's default deny and every declared policy; nothing when policies are off."""
        if not self.enabled:
            return
        labels = self.names.labels(NETWORK_POLICY)
        # Selects every pod, allows nothing: what no other policy opens stays closed.
        deny = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        api_object(
            scope,
            "default-deny",
            k8s.KubeNetworkPolicy,
            {"metadata": {"name": self.names.network_policy("default-deny"), "labels": labels}, "spec": deny},
        )
        for name, policy in self._policies.items():
            metadata = {"name": name, "labels": labels} | (
                {"annotations": policy.annotations} if policy.annotations else {}
            )
            api_object(scope, name, k8s.KubeNetworkPolicy, {"metadata": metadata, "spec": policy.spec})
