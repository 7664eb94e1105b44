"""Config of the NetworkPolicies, and the network values other sections share (ranges, metadata address, peers).

The namespace denies all traffic by default; each component opens what it
needs. Users may open more egress, but never to the cloud metadata address,
whose instance credentials would let any notebook act as the node.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field

from .base import DnsLabel, StrictModel
from .kubernetes import Labels, Port
from .yaml_input import shown

METADATA_CIDR = "169.254.169.254/32"
"""The cloud metadata address: instance credentials live behind it, so no pod of ours may ever reach it."""

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


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


class PodsElsewhere(StrictModel):
    """Pods of another namespace, chosen by namespace name and pod labels."""

    namespace: DnsLabel = Field(description="Name of the namespace the pods run in.")
    pod_labels: Labels = Field(
        default_factory=dict, description="Labels the pods carry; empty means every pod of that namespace."
    )


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
    """Where the Kubernetes API server answers, as seen from pods (after the kubernetes Service's NAT)."""

    cidrs: list[SafeCidr] = Field(
        default_factory=lambda: list(PRIVATE_RANGES),
        description="IP ranges of the API server endpoints (`kubectl get endpoints kubernetes -n default`); "
        "default: the private ranges, which holds on most clusters.",
    )
    ports: list[Port] = Field(
        default_factory=lambda: [443, 6443], description="TCP ports the API server endpoints listen on."
    )


class NetworkPolicySettings(StrictModel):
    """NetworkPolicies: default deny for the namespace, then one policy per connection a component needs."""

    enabled: bool = Field(True, description="Write the NetworkPolicies (the cluster's CNI must enforce them).")
    ingress_controller: PodsElsewhere = Field(
        default_factory=lambda: PodsElsewhere(
            namespace="ingress-nginx", pod_labels={"app.kubernetes.io/name": "ingress-nginx"}
        ),
        description="The ingress controller's pods: the only outside pods that may reach the proxy.",
    )
    dns: PodsElsewhere = Field(
        default_factory=lambda: PodsElsewhere(namespace="kube-system", pod_labels={"k8s-app": "kube-dns"}),
        description="The cluster DNS pods (port 53 UDP and TCP).",
    )
    api_server: ApiServer = Field(default_factory=ApiServer, description="The Kubernetes API, for the hub and hooks.")
    database: DatabaseEndpoint | None = Field(
        None, description="The hub's PostgreSQL; required when hub.database.type is postgresql."
    )
    user_internet: bool = Field(
        False,
        description=(
            "Let user servers reach the internet (0.0.0.0/0 minus private_ranges and the metadata address), "
            "e.g. for pip install."
        ),
    )
    private_ranges: list[Cidr] = Field(
        default_factory=lambda: list(PRIVATE_RANGES),
        description="The cluster's and company's private ranges, excluded from user internet egress.",
    )
    user_egress: list[ExtraEgress] = Field(
        default_factory=list, description="More destinations user servers may reach, by IP range."
    )


def network_policy_problems(policy: NetworkPolicySettings, uses_postgresql: bool) -> list[tuple[str, str]]:
    """A database the hub could not reach, or a declared one it does not use."""
    if not policy.enabled:
        return []
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
