"""Public entry through the Gateway API: an HTTPRoute to proxy-public, its certificate, and who may reach the proxy.

The objects are plain ApiObjects: the tests validate them against the
Gateway API and cert-manager CRDs vendored in crds/.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s import ApiObject, ApiObjectMetadata, JsonPatch
from constructs import Construct

from .component import Component, Context
from .config import HubConfig
from .config.gateway import GatewaySettings
from .naming import GATEWAY, PROXY, Names
from .network import pods_elsewhere, tcp
from .parts import Part
from .ports import PROXY_PUBLIC_PORT

HTTP_ROUTE_API = "gateway.networking.k8s.io/v1"
# ReferenceGrant is v1 only from Gateway API v1.6; v1beta1 is served by every release since v0.6.
REFERENCE_GRANT_API = "gateway.networking.k8s.io/v1beta1"
CERTIFICATE_API = "cert-manager.io/v1"


def _object(scope: Construct, id: str, api_version: str, kind: str, metadata: dict, spec: dict) -> ApiObject:
    obj = ApiObject(scope, id, api_version=api_version, kind=kind, metadata=ApiObjectMetadata(**metadata))
    obj.add_json_patch(JsonPatch.add("/spec", spec))
    return obj


class PublicRoute(Part):
    """The HTTPRoute from the Gateway to proxy-public; with a certificate, the Certificate and its ReferenceGrant."""

    def __init__(self, scope: Construct, id: str, *, gateway: GatewaySettings, hostnames: list[str], names: Names):
        super().__init__(scope, id)
        if gateway.parent is None:
            raise ValueError("an enabled gateway without a parent (config.gateway refuses one)")
        labels = names.labels(GATEWAY)
        parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway.parent.name}
        if gateway.parent.namespace:
            parent["namespace"] = gateway.parent.namespace
        if gateway.parent.section_name:
            parent["sectionName"] = gateway.parent.section_name
        backend = {"group": "", "kind": "Service", "name": names.proxy_public, "port": 80, "weight": 1}
        rule = {"matches": [{"path": {"type": "PathPrefix", "value": gateway.path}}], "backendRefs": [backend]}
        metadata = {"name": names.http_route, "labels": labels}
        if gateway.annotations:
            metadata["annotations"] = dict(sorted(gateway.annotations.items()))
        _object(
            self,
            "route",
            HTTP_ROUTE_API,
            "HTTPRoute",
            metadata,
            {"parentRefs": [parent], "hostnames": hostnames, "rules": [rule]},
        )
        if gateway.certificate is not None:
            secret = gateway.certificate.secret_name or names.certificate
            issuer = gateway.certificate.issuer
            _object(
                self,
                "certificate",
                CERTIFICATE_API,
                "Certificate",
                {"name": names.certificate, "labels": labels},
                {
                    "secretName": secret,
                    "dnsNames": hostnames,
                    "issuerRef": {"group": "cert-manager.io", "kind": issuer.kind, "name": issuer.name},
                },
            )
            if gateway.parent.namespace:
                # The Gateway's listener lives in another namespace: this lets it read the Secret, and nothing else.
                _object(
                    self,
                    "reference-grant",
                    REFERENCE_GRANT_API,
                    "ReferenceGrant",
                    {"name": names.certificate, "labels": labels},
                    {
                        "from": [
                            {
                                "group": "gateway.networking.k8s.io",
                                "kind": "Gateway",
                                "namespace": gateway.parent.namespace,
                            }
                        ],
                        "to": [{"group": "", "kind": "Secret", "name": secret}],
                    },
                )


@dataclass(frozen=True)
class GatewayComponent(Component):
    """Public entry through a Gateway: the route, its certificate, and the gateway pods' way to the proxy."""

    gateway: GatewaySettings

    @classmethod
    def from_config(cls, config: HubConfig) -> GatewayComponent | None:
        return cls(config.gateway) if config.gateway.enabled else None

    def hostnames(self, context: Context) -> list[str]:
        return list(self.gateway.hostnames) or [host for host in (context.host,) if host]

    def declare(self, context: Context) -> None:
        if self.gateway.pods is not None:
            context.network.policy("proxy-from-gateway", PROXY).allow_from(
                pods_elsewhere(self.gateway.pods), tcp(PROXY_PUBLIC_PORT)
            )

    def build(self, scope: Construct, context: Context) -> None:
        PublicRoute(scope, "gateway", gateway=self.gateway, hostnames=self.hostnames(context), names=context.names)
