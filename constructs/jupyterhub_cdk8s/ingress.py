"""The Ingress: public traffic for the environment's host goes to proxy-public."""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Component, Context
from .config import HubConfig
from .config.ingress import IngressSettings
from .naming import INGRESS, Names
from .parts import Part


class PublicIngress(Part):
    def __init__(self, scope: Construct, id: str, *, ingress: IngressSettings, host: str | None, names: Names):
        super().__init__(scope, id)
        backend = {"service": {"name": names.proxy_public, "port": {"number": 80}}}
        rule = {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
        tls = [{"hosts": [host] if host else None, "secretName": ingress.tls_secret}] if ingress.tls_secret else None
        api_object(
            self,
            "ingress",
            k8s.KubeIngress,
            {
                "metadata": {
                    "name": names.ingress,
                    "labels": names.labels(INGRESS),
                    "annotations": ingress.all_annotations(names.proxy_public) or None,
                },
                "spec": {"ingressClassName": ingress.class_name, "rules": [rule], "tls": tls},
            },
        )


@dataclass(frozen=True)
class IngressComponent(Component):
    """Public entry: an Ingress for the environment's host, routed to proxy-public."""

    ingress: IngressSettings

    @classmethod
    def from_config(cls, config: HubConfig) -> IngressComponent | None:
        return cls(config.ingress) if config.ingress.enabled else None

    def build(self, scope: Construct, context: Context) -> None:
        PublicIngress(scope, "ingress", ingress=self.ingress, host=context.host, names=context.names)
