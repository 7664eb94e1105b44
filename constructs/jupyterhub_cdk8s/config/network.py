"""Config of the NetworkPolicies, and the network values other sections share (ranges, metadata address, peers).

The namespace denies all traffic by default; each component opens what it
needs. Users may open more egress, but never to the cloud metadata address,
whose instance credentials would let any notebook act as the node.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .base import DnsLabel, FieldProblems, StrictModel
from .kubernetes import Labels, Port
from .yaml_input import shown

METADATA_CIDR = "169.254.169.254/32"
"""The cloud metadata address: instance credentials live behind it, so no pod of ours may ever reach it."""

LINK_LOCAL = {4: "169.254.0.0/16", 6: "fe80::/10"}
"""Link-local ranges: node agents answer there (cloud metadata, EKS Pod Identity 169.254.170.23 with credentials,
NodeLocal DNSCache 169.254.20.10); no pod of ours reaches them but through the DNS rule."""

CLOUD_HOST_ENDPOINTS = ["100.100.100.200/32", "168.63.129.16/32"]
"""What clouds serve their nodes outside link-local: Alibaba Cloud's metadata service, and Azure's WireServer (the
host agent's channel, through which AKS bootstrap tokens leaked in 2024). Never part of a pod's public internet."""

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
EVERYWHERE = "0.0.0.0/0"


def _contains_metadata(cidr: str) -> bool:
    return ipaddress.ip_address(METADATA_CIDR.split("/")[0]) in ipaddress.ip_network(cidr)


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ValueError(
            f"{shown(value)} is not a CIDR; write a network address with its prefix length, e.g. 10.0.0.0/8"
        ) from None


def _cidr_without_metadata(value: str) -> str:
    cidr = _cidr(value)
    if _contains_metadata(cidr):
        raise ValueError(
            f"{cidr} contains the cloud metadata address {METADATA_CIDR}, whose instance credentials no pod may "
            "reach; write only the ranges you need, e.g. the service's own /24 or /32"
        )
    return cidr


Cidr = Annotated[str, AfterValidator(_cidr)]
"""An IPv4/IPv6 network, e.g. 10.0.0.0/8."""

SafeCidr = Annotated[str, AfterValidator(_cidr_without_metadata)]
"""A network user-supplied egress may open: never one containing the metadata address."""


def link_local(cidr: str) -> str:
    """The link-local range of `cidr`'s IP version."""
    return LINK_LOCAL[ipaddress.ip_network(cidr).version]


def _beyond_link_local(value: str) -> str:
    cidr = _cidr(value)
    if ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network(link_local(cidr))):  # type: ignore[arg-type]
        raise ValueError(
            f"{cidr} is link-local: node agents answer there (cloud metadata, pod identity), never an API server; "
            "write the addresses `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes` "
            "shows"
        )
    return cidr


ApiServerCidr = Annotated[str, AfterValidator(_beyond_link_local)]
"""Where API server endpoints may be: anywhere but link-local (which the egress rule always leaves out)."""


class PodsElsewhere(StrictModel):
    """Pods of another namespace, chosen by namespace name and pod labels."""

    namespace: DnsLabel = Field(description="Name of the namespace the pods run in.")
    pod_labels: Labels = Field(
        default_factory=dict, description="Labels the pods carry; empty means every pod of that namespace."
    )


class IngressController(PodsElsewhere):
    """The ingress controller: its pods, and the node addresses it connects from when on the host network."""

    cidrs: list[Cidr] = Field(
        default_factory=list,
        description=(
            "Node addresses of an ingress controller that runs on the host network (hostNetwork: true, common on "
            "bare metal): its connections come from the nodes, which no pod selector names, e.g. [192.168.1.0/24]. "
            "They may reach the proxy's public port only."
        ),
    )


NODE_LOCAL_DNS = "169.254.20.10/32"
"""NodeLocal DNSCache's default address (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md)."""


class ClusterDns(StrictModel):
    """Where cluster DNS answers, as pods see it after the kube-dns Service's NAT.

    The defaults hold on kubeadm, kind, minikube, k3s, the managed clusters
    (CoreDNS or kube-dns pods in kube-system on 53), OpenShift (pods in
    openshift-dns on 5353, openshift/cluster-dns-operator assets/dns/daemonset.yaml),
    vcluster (CoreDNS on 1053, loft-sh/vcluster chart/templates/_coredns.tpl) and
    NodeLocal DNSCache, which runs on the host network and answers on a
    link-local address and on the kube-dns ClusterIP without NAT, so only an
    IP block reaches it. The Helm chart allows 53 to any kube-system pod and
    to the private ranges the same way (templates/_helpers-netpol.tpl).
    """

    pods: list[PodsElsewhere] = Field(
        default_factory=lambda: [PodsElsewhere(namespace="kube-system"), PodsElsewhere(namespace="openshift-dns")],
        description=(
            "The DNS server pods: every pod of kube-system and openshift-dns by default; add pod_labels to narrow, "
            "e.g. {namespace: kube-system, pod_labels: {k8s-app: kube-dns}}."
        ),
    )
    pod_ports: list[Port] = Field(
        default_factory=lambda: [53, 5353, 1053],
        min_length=1,
        description="Ports (UDP and TCP) the DNS pods listen on: 53, 5353 (OpenShift), 1053 (vcluster).",
    )
    cidrs: list[SafeCidr] = Field(
        default_factory=lambda: [NODE_LOCAL_DNS, *PRIVATE_RANGES],
        description=(
            "Addresses answering DNS on port 53 without NAT: NodeLocal DNSCache's 169.254.20.10 and the kube-dns "
            "ClusterIP it also serves, which the private ranges hold. Narrow them to [169.254.20.10/32, "
            "<kube-dns ClusterIP>/32] to keep user servers from sending DNS to other private hosts."
        ),
    )

    @model_validator(mode="after")
    def _somewhere(self) -> ClusterDns:
        if not self.pods and not self.cidrs:
            raise FieldProblems(
                ("pods", "names no DNS server, so no pod could resolve a name; write pods: [{namespace: kube-system}]")
            )
        return self


class DatabaseEndpoint(StrictModel):
    """Where the hub's PostgreSQL is: an IP range, or pods of a namespace."""

    cidrs: list[SafeCidr] = Field(default_factory=list, description="IP ranges of the database, e.g. [10.0.5.10/32].")
    pods: PodsElsewhere | None = Field(None, description="The database's pods, when it runs in this cluster.")
    port: int = Field(5432, ge=1, le=65535, description="TCP port of the database.")


class ExtraEgress(StrictModel):
    """An extra destination user pods may reach, by IP range."""

    cidr: SafeCidr = Field(description="IP range, e.g. 10.20.0.0/16. It may not contain the metadata address.")
    ports: list[Port] = Field(default_factory=list, description="TCP ports; empty means every port.")


class ApiServer(StrictModel):
    """Where the Kubernetes API server answers, as pods see it: after the `kubernetes` Service's NAT.

    NetworkPolicy is evaluated on the endpoint, not on the Service's address, so
    what counts is what `kubectl get endpointslices -n default -l
    kubernetes.io/service-name=kubernetes` lists (README, "Network policies on
    your cluster", says where it is on each kind of cluster).
    """

    cidrs: list[ApiServerCidr] = Field(
        default_factory=lambda: [EVERYWHERE],
        min_length=1,
        description=(
            "IP ranges of the API server's endpoints, e.g. [10.0.12.34/32, 10.0.45.6/32]; the default, "
            "0.0.0.0/0, holds wherever they are (kind, k3d, minikube, managed clusters with a private or public "
            "endpoint). Link-local addresses are always left out. Narrow it when user servers reach public "
            "addresses (network_policy.user_internet, an examples repository): the ranges written here are "
            "then taken out of their internet egress."
        ),
    )
    ports: list[Port] = Field(
        default_factory=lambda: [443, 6443, 8443],
        min_length=1,
        description=(
            "TCP ports the endpoints listen on: 443 (managed clusters), 6443 (kubeadm, kind, k3s, OpenShift), "
            "8443 (minikube, vcluster)."
        ),
    )

    @property
    def anywhere(self) -> bool:
        """The endpoints may be any address: none can be taken out of the users' internet egress."""
        return any(ipaddress.ip_network(cidr).prefixlen == 0 for cidr in self.cidrs)


class NetworkPolicySettings(StrictModel):
    """NetworkPolicies: default deny for the namespace, then one policy per connection a component needs."""

    enabled: bool = Field(True, description="Write the NetworkPolicies (the cluster's CNI must enforce them).")
    ingress_controller: IngressController = Field(
        default_factory=lambda: IngressController(
            namespace="ingress-nginx", pod_labels={"app.kubernetes.io/name": "ingress-nginx"}
        ),
        description="The ingress controller: the only pods (and node addresses) outside that may reach the proxy.",
    )
    dns: ClusterDns = Field(
        default_factory=ClusterDns, description="Cluster DNS, for the hub, the proxy and user servers."
    )
    api_server: ApiServer = Field(
        default_factory=ApiServer,
        description="The Kubernetes API server's endpoints, for the hub, the user scheduler and the hooks.",
    )
    database: DatabaseEndpoint | None = Field(
        None, description="The hub's PostgreSQL; required when hub.database.type is postgresql."
    )
    user_internet: bool = Field(
        False,
        description=(
            "Let user servers reach the internet, e.g. for pip install: 0.0.0.0/0 minus private_ranges, the "
            "link-local range 169.254.0.0/16 (cloud metadata, node agents) and api_server.cidrs, which must then "
            "be narrowed."
        ),
    )
    private_ranges: list[Cidr] = Field(
        default_factory=lambda: list(PRIVATE_RANGES),
        description="The cluster's and company's private ranges, excluded from every internet egress.",
    )
    user_egress: list[ExtraEgress] = Field(
        default_factory=list, description="More destinations user servers may reach, by IP range."
    )


def network_policy_problems(
    policy: NetworkPolicySettings, uses_postgresql: bool, user_internet_by: str | None
) -> list[tuple[str, str]]:
    """A database the hub could not reach, a declared one it does not use, an API server users could reach.

    `user_internet_by` is the setting that lets user servers reach public addresses, if any.
    """
    if not policy.enabled:
        return []
    if user_internet_by and policy.api_server.anywhere:
        return [
            (
                "network_policy.api_server.cidrs",
                f"{user_internet_by} lets user servers reach public addresses, and with 0.0.0.0/0 the API server "
                "may be one of them, which cannot be left out; write where its endpoints are (`kubectl get "
                "endpointslices -n default -l kubernetes.io/service-name=kubernetes`), e.g. [203.0.113.10/32], or "
                "[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16] when they are private addresses",
            )
        ]
    if uses_postgresql and policy.database is None:
        return [
            (
                "network_policy.database",
                "hub.database is postgresql but the NetworkPolicies would block the hub from reaching it; write "
                "network_policy.database: {cidrs: [10.0.5.10/32], port: 5432} "
                "or {pods: {namespace: db, pod_labels: {...}}}",
            )
        ]
    if policy.database is not None and not uses_postgresql:
        return [
            (
                "network_policy.database",
                "hub.database is sqlite, the hub reaches no database over the network; remove it",
            )
        ]
    if policy.database is not None and not policy.database.cidrs and policy.database.pods is None:
        return [("network_policy.database", "names no endpoint; write cidrs: [10.0.5.10/32] or pods: {namespace: db}")]
    return []
