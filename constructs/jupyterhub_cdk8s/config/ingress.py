"""Config of the Ingress that brings public traffic to the proxy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import DnsLabel, FieldProblems, StrictModel
from .gateway import CertManagerIssuer
from .kubernetes import Annotations, ClassName


def controller_annotations(controller: str, service_name: str) -> dict[str, str]:
    """What a JupyterHub behind an NGINX controller needs.

    Notebooks upload large files, and kernels keep websockets open for hours.
    ingress-nginx upgrades websockets by itself, so long read/send timeouts are
    what keep them from being cut after 60 s; the NGINX Inc. controller must be
    told which Service speaks websockets.
    """
    if controller == "ingress-nginx":
        return {
            "nginx.ingress.kubernetes.io/proxy-body-size": "0",
            "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
            "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        }
    if controller == "nginx-inc":
        return {
            "nginx.org/websocket-services": service_name,
            "nginx.org/client-max-body-size": "0",
            "nginx.org/proxy-read-timeout": "3600s",
            "nginx.org/proxy-send-timeout": "3600s",
        }
    return {}


class IngressSettings(StrictModel):
    """An Ingress for the environment's `host`, routed to the proxy-public Service."""

    enabled: bool = Field(True, description="Create the Ingress.")
    class_name: ClassName | None = Field(
        "nginx", description="IngressClass to use (nginx, traefik, ...); unset uses the cluster default."
    )
    controller: Literal["ingress-nginx", "nginx-inc", "other"] = Field(
        "ingress-nginx",
        description=(
            "ingress-nginx (kubernetes/ingress-nginx) and nginx-inc (NGINX Inc.'s controller) get the annotations "
            "JupyterHub needs behind them: websockets, unlimited body size, 1 h read/send timeouts; other gets none."
        ),
    )
    tls_secret: DnsLabel | None = Field(
        None, description="Secret holding the TLS certificate for host; unset serves plain HTTP."
    )
    annotations: Annotations = Field(
        default_factory=dict, description="Extra annotations; they override the controller's defaults."
    )

    cert_manager_issuer: CertManagerIssuer | None = Field(
        None,
        description=(
            "Let cert-manager issue the certificate into tls_secret (the GitOps counterpart of the chart's "
            "automatic HTTPS), e.g. {name: letsencrypt, kind: ClusterIssuer}."
        ),
    )

    def all_annotations(self, service_name: str) -> dict[str, str]:
        issuer = self.cert_manager_issuer.annotation() if self.cert_manager_issuer else {}
        return {**controller_annotations(self.controller, service_name), **issuer, **self.annotations}

    @model_validator(mode="after")
    def _issuer_needs_a_secret(self) -> IngressSettings:
        if self.cert_manager_issuer is not None and self.tls_secret is None:
            raise FieldProblems(
                ("tls_secret", "cert-manager writes the certificate into tls_secret; name it, e.g. jupyter-tls")
            )
        return self
