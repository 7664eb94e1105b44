"""Who may talk to whom in the namespace: deny everything, then open each component's connections.

User servers run arbitrary code. With these policies a user pod can answer
only the proxy and the hub, reach only the hub, DNS and what the environment
declares, and never the cloud metadata address, even with internet egress on.
Other features (platform services, identity provider, Prometheus, scheduler,
image puller) add policies of their own next to these; `api_server_only` is
the one for components that talk to the Kubernetes API and nothing else.
"""

from __future__ import annotations

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.network import METADATA_CIDR, ApiServer, DatabaseEndpoint, NetworkPolicySettings
from .hub.settings import HUB_PORT
from .kube import kube_object
from .naming import HUB, NETWORK_POLICY, PROXY, SINGLEUSER, Names
from .network import EVERYWHERE, Connections, Peer, Port, component, ip_block, pods_elsewhere, tcp
from .proxy import API_PORT, PUBLIC_PORT
from .singleuser import SERVER_PORT

DNS_PORTS = [Port(53, "UDP"), Port(53, "TCP")]
THIS_NAMESPACE = Peer(description="any pod of this namespace", pod_labels={})


def api_server_peers(api_server: ApiServer) -> list[Peer]:
    return [ip_block(cidr) for cidr in api_server.cidrs]


def connections(scope: Construct, names: Names, purpose: str, pods: str) -> Connections:
    """A policy named after its purpose, for the pods of component `pods`."""
    return Connections(
        scope, purpose, name=names.of(purpose), labels=names.labels(NETWORK_POLICY), pods=names.selector(pods)
    )


def api_server_only(scope: Construct, names: Names, component_name: str, api_server: ApiServer) -> Connections:
    """Egress of a component that only talks to the Kubernetes API (bootstrap hook, user scheduler, puller).

    It connects to the API server by the kubernetes Service's IP, so it needs
    no DNS either.
    """
    policy = connections(scope, names, f"{component_name}-to-api-server", component_name)
    for peer in api_server_peers(api_server):
        policy.allow_to(peer, tcp(*api_server.ports))
    return policy


class NetworkPolicies(Part):
    """The namespace's default deny and the connections of the hub, proxy, user servers and bootstrap hook."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        policy: NetworkPolicySettings,
        names: Names,
        proxy_exposed_directly: bool,
        api_clients: list[str],
    ):
        super().__init__(scope, id)
        self._default_deny(names)
        hub, proxy, users = component(names, HUB), component(names, PROXY), component(names, SINGLEUSER)
        dns = pods_elsewhere(policy.dns)

        public = connections(self, names, "proxy-public", PROXY)
        public.allow_from(pods_elsewhere(policy.ingress_controller), tcp(PUBLIC_PORT))
        public.allow_from(THIS_NAMESPACE, tcp(PUBLIC_PORT))
        if proxy_exposed_directly:
            # A LoadBalancer/NodePort Service brings clients from anywhere.
            public.allow_from(ip_block(EVERYWHERE), tcp(PUBLIC_PORT))
        (
            connections(self, names, "proxy", PROXY)
            .allow_from(hub, tcp(API_PORT))
            .allow_to(hub, tcp(HUB_PORT))
            .allow_to(users, tcp(SERVER_PORT))
            # The proxy finds the hub by its Service name.
            .allow_to(dns, DNS_PORTS)
        )

        hub_policy = (
            connections(self, names, "hub", HUB)
            .allow_from(proxy, tcp(HUB_PORT))
            .allow_from(users, tcp(HUB_PORT))
            .allow_to(proxy, tcp(API_PORT))
            .allow_to(users, tcp(SERVER_PORT))
            .allow_to(dns, DNS_PORTS)
        )
        for peer in api_server_peers(policy.api_server):
            hub_policy.allow_to(peer, tcp(*policy.api_server.ports))
        if policy.database is not None:
            self._database(names, policy.database)

        (
            connections(self, names, "singleuser", SINGLEUSER)
            .allow_from(proxy, tcp(SERVER_PORT))
            .allow_from(hub, tcp(SERVER_PORT))
            .allow_to(hub, tcp(HUB_PORT))
            .allow_to(dns, DNS_PORTS)
        )
        if policy.user_internet:
            blocked = tuple(sorted({METADATA_CIDR, *policy.private_ranges}))
            connections(self, names, "singleuser-internet", SINGLEUSER).allow_to(ip_block(EVERYWHERE, blocked), [])
        if policy.user_egress:
            extra = connections(self, names, "singleuser-extra-egress", SINGLEUSER)
            for rule in policy.user_egress:
                extra.allow_to(ip_block(rule.cidr), tcp(*rule.ports))

        for component_name in api_clients:
            api_server_only(self, names, component_name, policy.api_server)

    def _default_deny(self, names: Names) -> None:
        """Selects every pod, allows nothing: what no other policy opens stays closed."""

        metadata = {"name": names.of("default-deny"), "labels": names.labels(NETWORK_POLICY)}
        spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        kube_object(self, "default-deny", k8s.KubeNetworkPolicy, {"metadata": metadata, "spec": spec})

    def _database(self, names: Names, database: DatabaseEndpoint) -> None:
        to_database = connections(self, names, "hub-to-database", HUB)
        peers = [ip_block(cidr) for cidr in database.cidrs]
        if database.pods is not None:
            peers.append(pods_elsewhere(database.pods))
        for peer in peers:
            to_database.allow_to(peer, tcp(database.port))
