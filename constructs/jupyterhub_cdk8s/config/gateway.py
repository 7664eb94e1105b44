"""Config of public entry through the Gateway API (an HTTPRoute), and of certificates from cert-manager.

The alternative to the Ingress for clusters that run a Gateway API
implementation (Envoy Gateway, Istio, Cilium, NGINX Gateway Fabric, ...): the
cluster's admins own the Gateway; this hub attaches an HTTPRoute to it, as the
chart's `httpRoute` (z2jh 4.3.0+) does. The gateway's pods are the outside
pods that may reach the proxy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import DnsLabel, FieldProblems, Hostname, StrictModel
from .network import PodsElsewhere


class CertManagerIssuer(StrictModel):
    """A cert-manager issuer: an Issuer of this namespace or a ClusterIssuer."""

    name: DnsLabel = Field(description="Name of the issuer, e.g. letsencrypt.")
    kind: Literal["ClusterIssuer", "Issuer"] = Field(
        "ClusterIssuer", description="ClusterIssuer (cluster-wide) or Issuer (in the environment's namespace)."
    )

    def annotation(self) -> dict[str, str]:
        """The cert-manager annotation of an Ingress that asks for its certificate (ingress-shim)."""
        key = "cert-manager.io/cluster-issuer" if self.kind == "ClusterIssuer" else "cert-manager.io/issuer"
        return {key: self.name}


class ParentGateway(StrictModel):
    """The Gateway the HTTPRoute attaches to."""

    name: DnsLabel = Field(description="Name of the Gateway, e.g. public.")
    namespace: DnsLabel | None = Field(
        None, description="Namespace of the Gateway; unset: the environment's own namespace."
    )
    section_name: str | None = Field(
        None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", description="Listener of the Gateway, e.g. https."
    )


class GatewayCertificate(StrictModel):
    """A cert-manager Certificate for the route's host names, in a Secret the Gateway's listener may use."""

    issuer: CertManagerIssuer = Field(description="Who signs the certificate.")
    secret_name: DnsLabel | None = Field(
        None, description="Secret the certificate is written to; unset: <name>-tls. The Gateway's listener uses it."
    )


class GatewaySettings(StrictModel):
    """An HTTPRoute from a Gateway to the proxy-public Service: the Gateway API alternative to the Ingress."""

    enabled: bool = Field(False, description="Create the HTTPRoute (turn ingress.enabled off if it replaces it).")
    parent: ParentGateway | None = Field(None, description="The Gateway to attach to; required when enabled.")
    hostnames: list[Hostname] = Field(
        default_factory=list, description="Host names the route matches; unset: the environment's host."
    )
    path: str = Field(
        "/",
        pattern=r"^/([A-Za-z0-9._~-]+/?)*$",
        description="Path prefix the route matches; / sends the whole host to the hub (whose base_url applies).",
    )
    annotations: dict[str, str] = Field(default_factory=dict, description="Annotations of the HTTPRoute.")
    pods: PodsElsewhere | None = Field(
        None,
        description=(
            "The gateway's data-plane pods, e.g. {namespace: envoy-gateway-system, pod_labels: "
            "{gateway.envoyproxy.io/owning-gateway-name: public}}: the NetworkPolicies let them reach the proxy. "
            "Required while network_policy is enabled."
        ),
    )
    certificate: GatewayCertificate | None = Field(
        None,
        description=(
            "Ask cert-manager for the certificate of the host names, and let the Gateway's namespace read its "
            "Secret (a ReferenceGrant)."
        ),
    )

    @model_validator(mode="after")
    def _has_a_parent(self) -> GatewaySettings:
        if self.enabled and self.parent is None:
            raise FieldProblems(
                ("parent", "an HTTPRoute needs its Gateway; write parent: {name: <gateway>, namespace: <ns>}")
            )
        return self


def gateway_problems(gateway: GatewaySettings, host: str | None, network_policies: bool) -> list[tuple[str, str]]:
    """Rules between the gateway and the rest of the environment."""
    if not gateway.enabled:
        return []
    problems = []
    if not gateway.hostnames and host is None:
        problems.append(("gateway.hostnames", "the route needs a host name; write `host: jupyter.example.com`"))
    if network_policies and gateway.pods is None:
        problems.append(
            (
                "gateway.pods",
                "the NetworkPolicies let only the listed outside pods reach the proxy, so the gateway could not; "
                "write its pods, e.g. pods: {namespace: envoy-gateway-system, pod_labels: "
                "{gateway.envoyproxy.io/owning-gateway-name: public}}",
            )
        )
    return problems
