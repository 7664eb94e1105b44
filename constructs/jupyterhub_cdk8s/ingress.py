"""The Ingress: public traffic for the environment's host goes to proxy-public."""

from __future__ import annotations

from cdk8s_plus_27 import k8s
from constructs import Construct

from .config.ingress import IngressSettings
from .naming import INGRESS, Names


class PublicIngress(Construct):
    def __init__(self, scope: Construct, id: str, *, ingress: IngressSettings, host: str | None, names: Names):
        super().__init__(scope, id)
        backend = k8s.IngressBackend(
            service=k8s.IngressServiceBackend(name=names.proxy_public, port=k8s.ServiceBackendPort(number=80))
        )
        rule = k8s.IngressRule(
            host=host,
            http=k8s.HttpIngressRuleValue(paths=[k8s.HttpIngressPath(path="/", path_type="Prefix", backend=backend)]),
        )
        tls = [k8s.IngressTls(hosts=[host] if host else None, secret_name=ingress.tls_secret)] if ingress.tls_secret else None
        k8s.KubeIngress(
            self,
            "ingress",
            metadata=k8s.ObjectMeta(
                name=names.release,
                labels=names.labels(INGRESS),
                annotations=ingress.all_annotations(names.proxy_public) or None,
            ),
            spec=k8s.IngressSpec(ingress_class_name=ingress.class_name, rules=[rule], tls=tls),
        )
