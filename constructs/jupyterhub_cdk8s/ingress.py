"""The Ingress: public traffic for the environment's host goes to proxy-public."""

from __future__ import annotations

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.ingress import IngressSettings
from .kube import kube_object
from .naming import INGRESS, Names


class PublicIngress(Part):
    def __init__(self, scope: Construct, id: str, *, ingress: IngressSettings, host: str | None, names: Names):
        super().__init__(scope, id)
        backend = {"service": {"name": names.proxy_public, "port": {"number": 80}}}
        rule = {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}
        tls = [{"hosts": [host] if host else None, "secretName": ingress.tls_secret}] if ingress.tls_secret else None
        kube_object(
            self,
            "ingress",
            k8s.KubeIngress,
            {
                "metadata": {
                    "name": names.release,
                    "labels": names.labels(INGRESS),
                    "annotations": ingress.all_annotations(names.proxy_public) or None,
                },
                "spec": {"ingressClassName": ingress.class_name, "rules": [rule], "tls": tls},
            },
        )
