"""Who may talk to whom, as IBM's network-config-analyzer (nca) reads the synthesized NetworkPolicies.

nca (https://github.com/np-guard/network-config-analyzer, PyPI `network-config-analyzer`) computes
every connection a set of NetworkPolicies permits in a cluster of pods and IP ranges. It is an
independent judge of `dist/`: nothing here evaluates a policy; the tests only ask whether a
connection is among the ones nca lists.

The cluster ("world") is built around one environment without reading its policies: every pod
template of its `dist/`, two user pods as the real KubeSpawner makes them, the ingress controller,
Prometheus, the platform services and identity providers where the environment says they are, a
pod of an unrelated namespace, and, for every cluster topology below, where DNS and the API
server answer once the Service's NAT is done (NetworkPolicy sees the endpoint, not the Service).
Policy semantics do not depend on which other pods exist, so one world holds every topology and
one nca run per environment answers every question.

nca pins PyYAML 6.0.2 exactly (the project pins 6.0.3), so it lives in a venv of its own,
`.venv-nca`, which `make install` creates.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jupyterhub.app import JupyterHub

from jupyterhub_cdk8s.config import HubConfig
from jupyterhub_cdk8s.config.network import PRIVATE_RANGES

from .synthesis import ROOT, hub_config_text
from .user_pods import load_hub_config, user_pod

NCA_VERSION = "2.1.0"
NCA = ROOT / ".venv-nca" / "bin" / "nca"
INSTALL = (
    f"make .venv-nca/.installed (python3 -m venv .venv-nca && "
    f".venv-nca/bin/pip install network-config-analyzer=={NCA_VERSION})"
)
TCP, UDP = "TCP", "UDP"

# Ports of the hub's own processes, written here and not imported, so a change there must show here.
HUB_PORT, PROXY_PORT, PROXY_API_PORT, PROXY_METRICS_PORT = 8081, 8000, 8001, 8002

METADATA = "169.254.169.254"  # AWS, Azure, GCP and OpenStack instance metadata (credentials)
POD_IDENTITY = "169.254.170.23"  # EKS Pod Identity Agent (credentials), on every node
INTERNET = "93.184.215.14"  # any public address
INTRANET = "10.1.2.3"  # a company host in a private range
STRANGER_NAMESPACE = "other-team"


# ------------------------------------------------------------------------------------------------ the world


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = TCP
    name: str | None = None


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[Port, ...] = ()

    @classmethod
    def of(cls, name: str, namespace: str, labels: dict[str, str], ports: Iterable[Port] = ()) -> Pod:
        return cls(name, namespace, tuple(sorted(labels.items())), tuple(ports))

    @property
    def ref(self) -> str:
        """How nca names the pod: namespace/name."""
        return f"{self.namespace}/{self.name}"

    def manifest(self) -> dict:
        container: dict = {"name": "main", "image": "example"}
        if self.ports:
            container["ports"] = [
                {"containerPort": p.number, "protocol": p.protocol, **({"name": p.name} if p.name else {})}
                for p in self.ports
            ]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": dict(self.labels)},
            "spec": {"containers": [container]},
        }


@dataclass(frozen=True)
class Target:
    """Where a connection arrives after NAT: a pod (namespace/name) or an IP address, on one port."""

    peer: str
    port: int
    protocol: str = TCP

    def __str__(self) -> str:
        return f"{self.peer}:{self.port}/{self.protocol}"


def dns_pod(namespace: str, name: str, labels: dict[str, str], port: int) -> Pod:
    return Pod.of(name, namespace, labels, (Port(port, UDP, "dns"), Port(port, TCP, "dns-tcp")))


def answers_dns(peer: str, port: int = 53) -> tuple[Target, ...]:
    return (Target(peer, port, UDP), Target(peer, port, TCP))


# kubernetes/kubernetes cluster/addons/dns/coredns: Deployment `coredns` in kube-system, label k8s-app=kube-dns,
# port 53 (kubeadm, kind, minikube, k3s: k3s-io/k3s manifests/coredns.yaml, and the managed clusters).
COREDNS = dns_pod("kube-system", "coredns", {"k8s-app": "kube-dns"}, 53)
# openshift/cluster-dns-operator assets/dns/daemonset.yaml: DaemonSet dns-default in openshift-dns on 5353
# (the Service maps 53 to it), pods labelled dns.operator.openshift.io/daemonset-dns=default.
OPENSHIFT_DNS = dns_pod("openshift-dns", "dns-default", {"dns.operator.openshift.io/daemonset-dns": "default"}, 5353)
# loft-sh/vcluster chart/templates/_coredns.tpl: the virtual cluster's CoreDNS serves `.:1053`.
VCLUSTER_DNS = dns_pod("kube-system", "coredns-vcluster", {"k8s-app": "vcluster-kube-dns"}, 1053)


@dataclass(frozen=True)
class Topology:
    """What differs between clusters: where DNS and the API server answer, where ingress traffic comes from.

    The addresses are examples of what `kubectl get endpointslices -n default -l
    kubernetes.io/service-name=kubernetes` shows on such a cluster; the ports are the real ones.
    """

    name: str
    description: str
    api: tuple[Target, ...]
    dns: tuple[Target, ...]
    ingress_from: tuple[str, ...] = ()
    """Node addresses a host-network ingress controller connects from (none: it is a pod)."""

    def applies_to(self, config: HubConfig) -> bool:
        """The environment declares a cluster like this one: its API server's endpoints, its ingress nodes."""
        api = config.network_policy.api_server
        controller = config.network_policy.ingress_controller
        return all(target.port in api.ports and _within(target.peer, api.cidrs) for target in self.api) and all(
            _within(address, controller.cidrs) for address in self.ingress_from
        )


def _public(peer: str) -> bool:
    """A peer in what user_internet opens: an address outside the private ranges and link-local (not a pod)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return not address.is_link_local and not _within(peer, PRIVATE_RANGES)


def _within(address: str, cidrs: Iterable[str]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(cidr) for cidr in cidrs)


TOPOLOGIES = (
    # kind: kubeadm, the API server on the control-plane container (docker network `kind`) :6443.
    Topology(
        "kind",
        "kind: API server on the control-plane container :6443",
        (Target("172.18.0.2", 6443),),
        answers_dns(COREDNS.ref),
    ),
    # k3d/k3s: the server node :6443 (k3s-io/k3s, --https-listen-port default).
    Topology(
        "k3d", "k3d (k3s): API server on the server node :6443", (Target("172.19.0.3", 6443),), answers_dns(COREDNS.ref)
    ),
    # kubernetes/minikube pkg/minikube/constants/constants.go: APIServerPort = 8443; docker driver 192.168.49.2.
    Topology("minikube", "minikube: API server :8443", (Target("192.168.49.2", 8443),), answers_dns(COREDNS.ref)),
    # EKS private endpoint: ENIs in the VPC; GKE private clusters: 172.16.0.2 in the control plane's /28; :443.
    Topology(
        "managed-private",
        "EKS, GKE, AKS with a private API endpoint :443",
        (Target("10.0.12.34", 443), Target("172.16.0.2", 443)),
        answers_dns(COREDNS.ref),
    ),
    # EKS, AKS, GKE with a public endpoint: the endpoint slice lists a public address.
    Topology(
        "managed-public",
        "EKS, GKE, AKS with a public API endpoint :443",
        (Target("203.0.113.10", 443),),
        answers_dns(COREDNS.ref),
    ),
    # kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md: a hostNetwork DaemonSet answering on
    # 169.254.20.10 and (kube-proxy iptables mode, NOTRACK) on the kube-dns ClusterIP itself, without NAT.
    Topology(
        "nodelocaldns",
        "NodeLocal DNSCache: 169.254.20.10 and the kube-dns ClusterIP, without NAT",
        (Target("172.18.0.2", 6443),),
        answers_dns("169.254.20.10") + answers_dns("10.96.0.10"),
    ),
    Topology(
        "openshift",
        "OpenShift: DNS pods in openshift-dns on 5353, API server :6443",
        (Target("10.0.0.5", 6443),),
        answers_dns(OPENSHIFT_DNS.ref, 5353),
    ),
    # loft-sh/vcluster: chart/templates/service.yaml targetPort 8443 on the vcluster pod; CoreDNS on 1053.
    Topology(
        "vcluster",
        "vcluster: CoreDNS on 1053, API server = the vcluster pod :8443",
        (Target("10.244.0.7", 8443),),
        answers_dns(VCLUSTER_DNS.ref, 1053),
    ),
    # Bare metal: an ingress controller with hostNetwork: true connects from its node's address.
    Topology(
        "hostnet-ingress",
        "ingress controller on the host network: it connects from node addresses",
        (Target("192.168.1.10", 6443),),
        answers_dns(COREDNS.ref),
        ingress_from=("192.168.1.11",),
    ),
)
DNS_PODS = (COREDNS, OPENSHIFT_DNS, VCLUSTER_DNS)
REQUIRED_TOPOLOGIES = ("kind", "k3d", "minikube", "managed-private", "nodelocaldns", "openshift", "vcluster")
"""Every shipped environment works on these without any network setting written."""


@dataclass
class World:
    """The pods, addresses and destinations one environment's questions are asked about."""

    config: HubConfig
    pods: dict[str, Pod]
    """Role -> pod: hub, proxy, user-scheduler, ..., user, other-user, ingress, gateway, "service <name>", prometheus,
    stranger."""
    services: dict[str, Target] = field(default_factory=dict)
    """Platform service name -> where its pods listen."""
    identity_providers: list[Target] = field(default_factory=list)
    database: list[Target] = field(default_factory=list)
    extra: list[Pod] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.config.namespace

    def resources(self) -> dict:
        """The pods and namespaces, as the `kind: List` nca reads with --resource_list."""
        pods = list(dict.fromkeys([*self.pods.values(), *self.extra]))
        namespaces = sorted({pod.namespace for pod in pods})
        items = [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
            }
            for name in namespaces
        ]
        return {"apiVersion": "v1", "kind": "List", "items": items + [pod.manifest() for pod in pods]}

    def role(self, ref: str) -> str:
        """The role a pod reference plays, for people reading a table ("hub", "user"); else the reference."""
        for role, pod in self.pods.items():
            if pod.ref == ref:
                return role
        return ref


POD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def build_world(objects: list[dict], config: HubConfig, user_pods: list[dict]) -> World:
    """The world of one environment: its synthesized objects, its config, and two pods KubeSpawner made."""
    pods: dict[str, Pod] = {}
    for obj in objects:
        if obj["kind"] not in POD_KINDS:
            continue
        template = obj["spec"]["template"]
        labels = template["metadata"]["labels"]
        role = labels["app.kubernetes.io/component"]
        pods.setdefault(role, Pod.of(role, obj["metadata"]["namespace"], labels, _container_ports(template)))
    # KubeSpawner creates user pods in the hub's own namespace (its manifest leaves the namespace to the API call).
    user, other = (
        Pod.of(pod["metadata"]["name"], config.namespace, pod["metadata"]["labels"], _container_ports(pod))
        for pod in user_pods
    )
    pods["user"], pods["other-user"] = user, other
    policy = config.network_policy
    controller = policy.ingress_controller
    pods["ingress"] = Pod.of("ingress-controller", controller.namespace, dict(controller.pod_labels))
    if config.gateway.enabled and config.gateway.pods is not None:
        # A Gateway's data-plane pods (gateway.pods): with a Gateway API route, they bring the users in.
        pods["gateway"] = Pod.of("gateway", config.gateway.pods.namespace, dict(config.gateway.pods.pod_labels))
    for service in config.hub.services:
        if service.runs_in is not None:
            # A hub service running in pods of its own (hub.services[].runs_in): a client of the hub's API.
            runs_in = service.runs_in
            pods[f"service {service.name}"] = Pod.of(
                f"service-{service.name}", runs_in.namespace, dict(runs_in.pod_labels)
            )
    prometheus = config.monitoring.prometheus
    pods["prometheus"] = Pod.of("prometheus", prometheus.namespace, dict(prometheus.pod_labels))
    pods["stranger"] = Pod.of("stranger", STRANGER_NAMESPACE, {"app": "stranger"})
    world = World(config, pods, extra=list(DNS_PODS))
    for service in config.platform_services.services:
        name, namespace = service.host.split(".")
        port = service.target_port or service.port
        pod = Pod.of(f"{name}-0", namespace, {"app.kubernetes.io/name": name}, [Port(port)])
        world.extra.append(pod)
        world.services[service.name] = Target(pod.ref, port)
    for index, destination in enumerate(getattr(config.auth, "egress", [])):
        ports = destination.ports or config.auth.provider_ports()
        world.identity_providers += _destinations(world, f"identity-provider-{index}", destination, ports)
    if policy.database is not None:
        world.database = _destinations(world, "database", policy.database, [policy.database.port])
    return world


def _destinations(world: World, name: str, destination, ports: list[int] | None = None) -> list[Target]:
    """Targets of a config destination: an address inside each CIDR, its pods, or a public address."""
    ports = ports or destination.ports
    peers = [str(next(iter(ipaddress.ip_network(cidr).hosts()))) for cidr in getattr(destination, "cidrs", [])]
    if getattr(destination, "cidr", None):
        peers.append(str(next(iter(ipaddress.ip_network(destination.cidr).hosts()))))
    if getattr(destination, "public_internet", False):
        peers.append(INTERNET)
    if destination.pods is not None:
        pod = Pod.of(name, destination.pods.namespace, dict(destination.pods.pod_labels), [Port(p) for p in ports])
        world.extra.append(pod)
        peers.append(pod.ref)
    return [Target(peer, port) for peer in peers for port in ports]


def _container_ports(template: dict) -> list[Port]:
    return [
        Port(port["containerPort"], port.get("protocol", TCP), port.get("name"))
        for container in template["spec"]["containers"]
        for port in container.get("ports") or []
    ]


# ------------------------------------------------------------------------------------------------ the questions


@dataclass(frozen=True)
class Check:
    """One question: may `source` open a connection to `target`? `allowed` is the answer a hub needs."""

    question: str
    source: str
    target: Target
    allowed: bool


API_CLIENTS = ("hub", "user-scheduler", "secrets-bootstrap", "image-awaiter")
DNS_CLIENTS = ("hub", "proxy", "user")


def checks(world: World, topology: Topology) -> list[Check]:
    """Every connection a hub needs on this topology (allowed), and what must stay impossible (denied)."""
    pods = world.pods
    ref = {role: pod.ref for role, pod in pods.items()}
    hub, proxy, user, other = ref["hub"], ref["proxy"], ref["user"], ref["other-user"]
    server_port = pods["user"].ports[0].number
    result: list[Check] = []

    def need(question: str, source: str, target: Target) -> None:
        result.append(Check(question, source, target, True))

    def deny(question: str, source: str, target: Target) -> None:
        result.append(Check(question, source, target, False))

    for source in topology.ingress_from or (ref["ingress"],):
        need("ingress controller -> proxy", source, Target(proxy, PROXY_PORT))
    # The gateway and each hub service reach what they use, and nothing else of the hub's.
    if "gateway" in ref:
        need("gateway -> proxy", ref["gateway"], Target(proxy, PROXY_PORT))
        deny("gateway -> hub", ref["gateway"], Target(hub, HUB_PORT))
        deny("gateway -> proxy API", ref["gateway"], Target(proxy, PROXY_API_PORT))
        deny("gateway -> user server", ref["gateway"], Target(user, server_port))
    for role in [role for role in ref if role.startswith("service ")]:
        need(f"{role} -> hub API", ref[role], Target(hub, HUB_PORT))
        deny(f"{role} -> proxy", ref[role], Target(proxy, PROXY_PORT))
        deny(f"{role} -> proxy API", ref[role], Target(proxy, PROXY_API_PORT))
        deny(f"{role} -> user server", ref[role], Target(user, server_port))
    for source in topology.ingress_from:
        deny("ingress controller's node -> hub", source, Target(hub, HUB_PORT))
        deny("ingress controller's node -> proxy API", source, Target(proxy, PROXY_API_PORT))
        deny("ingress controller's node -> user server", source, Target(user, server_port))
    need("proxy -> hub", ref["proxy"], Target(hub, HUB_PORT))
    need("hub -> proxy API", ref["hub"], Target(proxy, PROXY_API_PORT))
    need("proxy -> user server", ref["proxy"], Target(user, server_port))
    need("hub -> user server", ref["hub"], Target(user, server_port))
    need("user server -> hub API", ref["user"], Target(hub, HUB_PORT))
    for client in DNS_CLIENTS:
        for target in topology.dns:
            need(f"{client} -> DNS", ref[client], target)
    for client in API_CLIENTS:
        for target in topology.api if client in ref else ():
            need(f"{client} -> API server", ref[client], target)
    monitoring = world.config.monitoring
    if monitoring.enabled:
        need("Prometheus -> proxy metrics", ref["prometheus"], Target(proxy, PROXY_METRICS_PORT))
        need("Prometheus -> hub metrics", ref["prometheus"], Target(hub, HUB_PORT))
    for name, target in world.services.items():
        need(f"user server -> {name}", ref["user"], target)
    for target in world.identity_providers:
        need("hub -> identity provider", ref["hub"], target)
        deny("proxy -> identity provider", ref["proxy"], target)
        deny("hub -> identity provider, another port", ref["hub"], Target(target.peer, 22))
        # A provider on public addresses is part of the internet users may reach (user_internet).
        if not (world.config.network_policy.user_internet and _public(target.peer)):
            deny("user server -> identity provider", ref["user"], target)
    for target in world.database:
        need("hub -> database", ref["hub"], target)
        deny("user server -> database", ref["user"], target)

    # Users reach the hub and their own server's clients; nothing of other users, the proxy API or the cluster.
    deny("user server -> another user's server", ref["user"], Target(other, server_port))
    deny("user server -> proxy API", ref["user"], Target(proxy, PROXY_API_PORT))
    deny("user server -> proxy", ref["user"], Target(proxy, PROXY_PORT))
    deny("user server -> hub, another port", ref["user"], Target(hub, PROXY_PORT))
    for target in topology.api:
        deny("user server -> API server", ref["user"], target)
    deny("user server -> intranet", ref["user"], Target(INTRANET, 5432))
    for address in (METADATA, POD_IDENTITY):
        deny(f"user server -> link-local {address}", ref["user"], Target(address, 80))
    if world.config.network_policy.user_internet:
        need("user server -> internet", ref["user"], Target(INTERNET, 443))
    else:  # (HTTPS may be open for the examples repository)
        deny("user server -> internet", ref["user"], Target(INTERNET, 22))
    # Nobody outside reaches in but through the proxy's public port.
    for source in ("stranger", "ingress"):
        deny(f"{source} -> hub", ref[source], Target(hub, HUB_PORT))
        deny(f"{source} -> user server", ref[source], Target(user, server_port))
        deny(f"{source} -> proxy API", ref[source], Target(proxy, PROXY_API_PORT))
    deny("stranger -> proxy", ref["stranger"], Target(proxy, PROXY_PORT))
    # Our own pods reach nothing they do not use: no metadata address on any port, no internet, no API for the rest.
    for role, pod in pods.items():
        if pod.namespace == world.namespace:
            for port in (80, 443, 6443, 8080):
                deny(f"{role} -> cloud metadata", pod.ref, Target(METADATA, port))
    deny("hub -> internet, plain HTTP", ref["hub"], Target(INTERNET, 80))
    deny("hub -> proxy, public port", ref["hub"], Target(proxy, PROXY_PORT))
    deny("hub -> kubelet", ref["hub"], Target(topology.api[0].peer, 10250))
    deny("proxy -> internet", ref["proxy"], Target(INTERNET, 443))
    deny("proxy -> hub, another port", ref["proxy"], Target(hub, PROXY_API_PORT))
    for target in topology.api:
        deny("proxy -> API server", ref["proxy"], target)
    if "secrets-bootstrap" in ref:
        for target in topology.dns:
            deny("secrets-bootstrap -> DNS", ref["secrets-bootstrap"], target)
        deny("secrets-bootstrap -> hub", ref["secrets-bootstrap"], Target(hub, HUB_PORT))
        deny("secrets-bootstrap -> internet, plain HTTP", ref["secrets-bootstrap"], Target(INTERNET, 80))
        deny("user server -> secrets-bootstrap", ref["user"], Target(ref["secrets-bootstrap"], server_port))
    return result


# ------------------------------------------------------------------------------------------------ nca


@dataclass(frozen=True)
class Edge:
    """One line of nca's `txt_no_fw_rules` output: source => destination : connections."""

    source: str
    target: str
    connections: str


class Connectivity:
    """Every connection nca found permitted."""

    def __init__(self, edges: list[Edge]):
        self.edges = edges

    def allows(self, source: str, target: Target) -> bool:
        return any(
            covers(edge.source, source)
            and covers(edge.target, target.peer)
            and admits(edge.connections, target.port, target.protocol)
            for edge in self.edges
        )

    def wrong(self, checks: Iterable[Check]) -> list[str]:
        """The checks nca answers otherwise, one line each."""
        return [
            f"{check.question}: {check.source} -> {check.target} is {'denied' if check.allowed else 'allowed'}"
            for check in checks
            if self.allows(check.source, check.target) != check.allowed
        ]


def run_nca(policies: list[dict], world: World, workdir: Path) -> Connectivity:
    """nca's connectivity map of `world` under `policies` (one run, ~0.5 s)."""
    if not NCA.exists():
        raise FileNotFoundError(f"network-config-analyzer is not installed at {NCA}; run {INSTALL}")
    workdir.mkdir(parents=True, exist_ok=True)
    policy_file, world_file, output = workdir / "policies.yaml", workdir / "world.yaml", workdir / "connectivity.txt"
    policy_file.write_text(yaml.safe_dump_all(policies, sort_keys=False), encoding="utf-8")
    world_file.write_text(yaml.safe_dump(world.resources(), sort_keys=False), encoding="utf-8")
    output.unlink(missing_ok=True)  # nca appends to an existing --file_out
    command = [str(NCA), "--connectivity", str(policy_file), "--resource_list", str(world_file)]
    command += ["--output_format", "txt_no_fw_rules", "--file_out", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not output.exists():
        raise RuntimeError(f"nca failed ({result.returncode}): {result.stdout}{result.stderr}")
    return Connectivity(parse(output.read_text(encoding="utf-8")))


LINE = re.compile(r"^(?P<source>\S+) => (?P<target>\S+) : (?P<connections>.+)$")


def parse(text: str) -> list[Edge]:
    """The edges of nca's output; any other non-empty line is refused, so a new format cannot pass silently."""
    edges = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(("final fw rules", "For connections of type")):
            continue
        match = LINE.match(line.strip())
        if not match:
            raise ValueError(f"not an nca connectivity line: {line!r}")
        edges.append(Edge(match["source"], match["target"], match["connections"].strip()))
    return edges


CUBE = re.compile(r"\{([^{}]*)\}")
PROTOCOLS = ("TCP", "UDP", "SCTP")


def admits(connections: str, port: int, protocol: str) -> bool:
    """Whether nca's connection string (All connections, {protocols:TCP,dst_ports:443}, All but {...}) admits it."""
    if connections == "All connections":
        return True
    if connections == "No connections":
        return False
    if connections.startswith("All but "):
        return not admits(connections.removeprefix("All but "), port, protocol)
    cubes = CUBE.findall(connections)
    if not cubes or CUBE.sub("", connections).strip(", "):
        raise ValueError(f"not an nca connection set: {connections!r}")
    return any(_cube_admits(cube, port, protocol) for cube in cubes)


def _cube_admits(cube: str, port: int, protocol: str) -> bool:
    fields = _cube_fields(cube)
    if "protocols" in fields:
        text = fields["protocols"].strip()
        negated = text.startswith("all but ")
        names = {name.strip() for name in text.removeprefix("all but ").split(",")}
        if not names <= set(PROTOCOLS):
            raise ValueError(f"unknown protocols in nca cube: {cube!r}")
        if (protocol in names) == negated:
            return False
    if "dst_ports" in fields:
        return any(low <= port <= high for low, high in _port_ranges(fields["dst_ports"]))
    return True


def _cube_fields(cube: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for token in cube.split(","):  # "protocols:TCP, UDP,dst_ports:53,80-90": a "name:" starts a field
        name, colon, value = token.partition(":")
        if colon and re.fullmatch(r"\s*[a-z_]+", name):
            key = name.strip()
            fields[key] = value
        elif key is not None:
            fields[key] += "," + token
        else:
            raise ValueError(f"not an nca cube: {cube!r}")
    if set(fields) - {"protocols", "dst_ports"}:
        raise ValueError(f"nca cube with dimensions this parser does not know: {cube!r}")
    return fields


def _port_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


def covers(token: str, peer: str) -> bool:
    """Whether an nca endpoint (ns/name[Pod], an IP range a-b, several joined by commas) is or holds `peer`."""
    if token.endswith("]"):
        return token.rsplit("[", 1)[0] == peer
    if not _is_address(peer):
        return False
    address = ipaddress.ip_address(peer)
    for part in token.split(","):
        low, _, high = part.partition("-")
        if "/" in low:
            network = ipaddress.ip_network(low)
            if address.version == network.version and address in network:
                return True
            continue
        first, last = ipaddress.ip_address(low), ipaddress.ip_address(high or low)
        if first.version == address.version and first <= address <= last:
            return True
    return False


def _is_address(peer: str) -> bool:
    try:
        ipaddress.ip_address(peer)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------------ the table


def address_ranges(tokens: Iterable[str]) -> list[ipaddress.IPv4Network]:
    """nca's IP tokens as one collapsed list of IPv4 networks."""
    networks: list[ipaddress.IPv4Network] = []
    for token in tokens:
        for part in token.split(","):
            low, _, high = part.partition("-")
            first, last = ipaddress.IPv4Address(low), ipaddress.IPv4Address(high or low)
            networks += ipaddress.summarize_address_range(first, last)
    return list(ipaddress.collapse_addresses(networks))


def readable_addresses(networks: list[ipaddress.IPv4Network]) -> str:
    """A list of networks, or `any address except ...` when the exceptions are fewer."""
    everything = ipaddress.IPv4Network("0.0.0.0/0")
    missing = [everything]
    for network in networks:
        missing = [piece for hole in missing for piece in (_minus(hole, network))]
    missing = list(ipaddress.collapse_addresses(missing))
    if not missing:
        return "any address"
    if len(missing) < len(networks):
        return "any address except " + ", ".join(map(str, missing))
    return ", ".join(map(str, networks))


def _minus(network: ipaddress.IPv4Network, other: ipaddress.IPv4Network) -> list[ipaddress.IPv4Network]:
    if not network.overlaps(other):
        return [network]
    if other.supernet_of(network):
        return []
    return list(network.address_exclude(other))


def readable_connections(connections: str) -> str:
    """nca's connection set for people: `TCP 443, 6443`, `TCP, UDP 53`, `all`, `all but UDP`."""
    if connections == "All connections":
        return "all"
    if connections.startswith("All but "):
        return "all but " + readable_connections(connections.removeprefix("All but "))
    parts = []
    for cube in CUBE.findall(connections):
        fields = _cube_fields(cube)
        protocols = fields.get("protocols", "any protocol").strip()
        ports = fields.get("dst_ports", "").replace(",", ", ")
        parts.append(f"{protocols} {ports}".strip())
    return "; ".join(parts)


def permitted(world: World, connectivity: Connectivity) -> list[tuple[str, str, str]]:
    """(from, to, connections) of every permitted connection into or out of the hub's namespace, for people.

    Pods are named by the role they play here, addresses grouped per source and connection.
    """
    own = world.namespace + "/"
    rows: set[tuple[str, str, str]] = set()
    addresses: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for edge in connectivity.edges:
        if not (edge.source.startswith(own) or edge.target.startswith(own)):
            continue
        source_is_pod, target_is_pod = edge.source.endswith("]"), edge.target.endswith("]")
        source = world.role(edge.source.rsplit("[", 1)[0]) if source_is_pod else edge.source
        target = world.role(edge.target.rsplit("[", 1)[0]) if target_is_pod else edge.target
        if source_is_pod and target_is_pod:
            rows.add((source, target, edge.connections))
        elif source_is_pod:
            addresses[("out", source, edge.connections)].append(target)
        else:
            addresses[("in", target, edge.connections)].append(source)
    for (direction, pod, connections), tokens in addresses.items():
        peer = readable_addresses(address_ranges(tokens))
        rows.add((pod, peer, connections) if direction == "out" else (peer, pod, connections))
    return sorted(rows)


@dataclass(frozen=True)
class Analysis:
    """One environment judged: its world, nca's connectivity, the topologies it declares it runs on."""

    name: str
    world: World
    connectivity: Connectivity
    metrics_need_token: bool
    """JupyterHub.authenticate_prometheus as the real JupyterHub reads the generated config."""

    @property
    def topologies(self) -> list[Topology]:
        return [topology for topology in TOPOLOGIES if topology.applies_to(self.world.config)]

    def metrics_readers(self) -> str:
        """Who can read /hub/metrics: token holders, or every pod nca lets reach the hub's port."""
        if self.metrics_need_token:
            return "only with a token holding the read:metrics scope (the Prometheus service's, an admin's)"
        return "without a token, by every pod that reaches hub:8081: " + ", ".join(self.hub_port_clients())

    def hub_port_clients(self) -> list[str]:
        """The roles of the pods nca lets connect to the hub's port."""
        hub = Target(self.world.pods["hub"].ref, HUB_PORT)
        return sorted(role for role, pod in self.world.pods.items() if self.connectivity.allows(pod.ref, hub))


DOCUMENT_HEADER = """\
# Who may talk to whom

Generated from the output of IBM's network-config-analyzer {version} over `dist/<environment>/`
(`make connectivity`; `tests/test_network_connectivity.py` fails when this file is stale). Do not edit.

For each environment the analyzer computed every connection its NetworkPolicies permit in a small
cluster: the hub's pods as synthesized, two user servers as KubeSpawner makes them (`user`,
`other-user`), the ingress controller, Prometheus, a pod of another namespace (`stranger`), the
platform services, and the DNS servers and API server endpoints of the clusters below. The tests
assert, per environment and cluster, that every connection JupyterHub needs is in the table and
that user servers reach neither each other, the proxy's API, the API server, link-local addresses
(cloud metadata) nor private networks, and that no other namespace reaches the hub or the users.

| cluster | how it differs |
|---|---|
{topologies}
"""


def document(analyses: list[Analysis]) -> str:
    """docs/connectivity.md: per environment, the clusters it was checked on and every permitted connection."""
    rows = "\n".join(f"| {t.name} | {t.description} |" for t in TOPOLOGIES)
    parts = [DOCUMENT_HEADER.format(version=NCA_VERSION, topologies=rows)]
    for analysis in analyses:
        parts.append(f"## {analysis.name}\n")
        parts.append(f"Checked on: {', '.join(t.name for t in analysis.topologies)}.\n")
        parts.append(f"`/hub/metrics`: {analysis.metrics_readers()}.\n")
        parts.append("| from | to | connections |\n|---|---|---|")
        parts += [
            f"| {s} | {t} | {readable_connections(c)} |" for s, t, c in permitted(analysis.world, analysis.connectivity)
        ]
        parts.append("")
    return "\n".join(parts)


def analyze(name: str, objects: list[dict], config: HubConfig, workdir: Path) -> Analysis:
    """Build the world of one environment's objects and config, and run nca over its NetworkPolicies."""
    workdir.mkdir(parents=True, exist_ok=True)
    hub_config = load_hub_config(hub_config_text(objects), workdir)
    users = [user_pod(hub_config, {}, username) for username in ("alice", "bob")]
    world = build_world(objects, config, users)
    policies = [obj for obj in objects if obj["kind"] == "NetworkPolicy"]
    connectivity = run_nca(policies, world, workdir / "nca")
    return Analysis(name, world, connectivity, JupyterHub(config=hub_config).authenticate_prometheus)


DOCUMENT = ROOT / "docs" / "connectivity.md"


def shipped_document(analyses: Iterable[Analysis]) -> str:
    return document(sorted(analyses, key=lambda analysis: analysis.name))


if __name__ == "__main__":  # make connectivity: re-write docs/connectivity.md from the committed dist/
    from jupyterhub_cdk8s.config.loader import load_file

    from .synthesis import ENVIRONMENTS, dist_objects

    work = Path(tempfile.mkdtemp(prefix="connectivity-"))
    done = [
        analyze(env, dist_objects(env), load_file(ROOT / "environments" / f"{env}.yaml", env).config, work / env)
        for env in ENVIRONMENTS
    ]
    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(shipped_document(done), encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)}", file=sys.stderr)
