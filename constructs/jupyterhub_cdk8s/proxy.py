"""configurable-http-proxy: the singleton that routes users to the hub and their servers.

It lives in its own pod so running notebooks stay reachable while the hub
restarts; the hub programs its routes through the proxy-api Service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Component, Context
from .config import HubConfig
from .config.proxy import ProxySettings
from .config.secrets import PROXY_TOKEN_KEY
from .config_file import ConfigFile, Order
from .naming import CORE_TIER, HUB, PROXY, SINGLEUSER, Names
from .network import ANY_POD_OF_THIS_NAMESPACE, EVERYWHERE, ip_block, tcp
from .parts import Part
from .pods import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    SECRET_FROM_ENV,
    accepted_findings,
    http_probe,
    int_or_string,
    resource_requirements,
    restricted_container_security,
    restricted_pod_security,
    secret_env,
    singleton_disruption_budget,
)
from .ports import HUB_PORT, PROXY_API_PORT, PROXY_METRICS_PORT, PROXY_PUBLIC_PORT, SERVER_PORT
from .rbac import Identity

PROXY_UID = 65534  # nobody, as in the configurable-http-proxy image
TOKEN_ENV = "CONFIGPROXY_AUTH_TOKEN"


def configure_hub_for_proxy(file: ConfigFile, names: Names, hub_secret: str) -> None:
    """Tell the hub where the proxy's API is and that it must not start a proxy itself."""
    file.section(Order.PROXY, "Proxy: the hub programs an external configurable-http-proxy")
    file.set("ConfigurableHTTPProxy", "should_start", False)
    file.set("ConfigurableHTTPProxy", "api_url", f"http://{names.service_host(names.proxy_api)}:{PROXY_API_PORT}")
    file.set("ConfigurableHTTPProxy", "auth_token", file.secret_env(TOKEN_ENV, hub_secret, PROXY_TOKEN_KEY))


def proxy_command(names: Names, base_url: str, metrics: bool = False) -> list[str]:
    hub = f"http://{names.service_host(names.hub)}:{HUB_PORT}"
    metrics_flags = ["--metrics-ip=", f"--metrics-port={PROXY_METRICS_PORT}"] if metrics else []
    return [
        "configurable-http-proxy",
        "--ip=",
        f"--port={PROXY_PUBLIC_PORT}",
        "--api-ip=",
        f"--api-port={PROXY_API_PORT}",
        f"--default-target={hub}",
        f"--error-target={hub}{base_url}hub/error",
        # The Ingress controller or Gateway in front says how the user connected (X-Forwarded-Proto: https).
        # The proxy's own X-Forwarded-* would be appended to that ("https,http": http-proxy-3's XHeaders), and
        # the hub reads the last entry (tornado httpserver `_apply_xheaders`): behind Envoy or Traefik, which send
        # no X-Scheme, it took every request for plain HTTP and set its login cookies without Secure.
        "--no-x-forward",
        *metrics_flags,
    ]


class Proxy(Part):
    """Proxy Deployment with its proxy-api (hub only) and proxy-public Services."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        proxy: ProxySettings,
        names: Names,
        base_url: str,
        hub_secret: str,
        priority_class_name: str | None = None,
        metrics: bool = False,
        pod_fields: Mapping[str, Any] | None = None,
    ):
        super().__init__(scope, id)
        labels = names.labels(PROXY)
        selector = names.selector(PROXY)
        # Its own identity without any grant or token, rather than the namespace's shared default.
        Identity(self, "identity", name=names.proxy, labels=labels)
        container = {
            "name": "chp",
            "image": proxy.image,
            "imagePullPolicy": "IfNotPresent",
            "command": proxy_command(names, base_url, metrics),
            "env": [secret_env(TOKEN_ENV, hub_secret, PROXY_TOKEN_KEY)],
            "ports": [
                {"name": "http", "containerPort": PROXY_PUBLIC_PORT},
                {"name": "api", "containerPort": PROXY_API_PORT},
                *([{"name": "metrics", "containerPort": PROXY_METRICS_PORT}] if metrics else []),
            ],
            "resources": resource_requirements(proxy.resources),
            "securityContext": restricted_container_security(),
            "readinessProbe": http_probe("/_chp_healthz", "http", period=10, failures=3),
            "livenessProbe": http_probe("/_chp_healthz", "http", period=10, failures=6, initial_delay=30),
        }
        api_object(
            self,
            "deployment",
            k8s.KubeDeployment,
            {
                "metadata": {
                    "name": names.proxy,
                    "labels": labels,
                    "annotations": accepted_findings(PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, SECRET_FROM_ENV),
                },
                "spec": {
                    "replicas": 1,
                    # Two proxies at once would each hold a partial routing table.
                    "strategy": {"type": "Recreate"},
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": selector},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "serviceAccountName": names.proxy,
                            "automountServiceAccountToken": False,
                            "priorityClassName": priority_class_name,
                            "securityContext": restricted_pod_security(PROXY_UID),
                            "containers": [container],
                            "enableServiceLinks": False,
                            **(pod_fields or {}),
                        },
                    },
                },
            },
        )
        api_object(
            self,
            "api-service",
            k8s.KubeService,
            {
                "metadata": {"name": names.proxy_api, "labels": labels},
                "spec": {
                    "type": "ClusterIP",
                    "selector": selector,
                    "ports": [
                        {"name": "api", "port": PROXY_API_PORT, "targetPort": int_or_string("api"), "protocol": "TCP"}
                    ],
                },
            },
        )
        api_object(
            self,
            "public-service",
            k8s.KubeService,
            {
                "metadata": {
                    "name": names.proxy_public,
                    "labels": labels,
                    "annotations": proxy.service.annotations or None,
                },
                "spec": {
                    "type": proxy.service.type,
                    "selector": selector,
                    "ports": [{"name": "http", "port": 80, "targetPort": int_or_string("http"), "protocol": "TCP"}],
                },
            },
        )
        singleton_disruption_budget(self, "disruption-budget", names.proxy, labels, selector)


@dataclass(frozen=True)
class ProxyComponent(Component):
    """configurable-http-proxy: public entry of every request, programmed by the hub."""

    proxy: ProxySettings
    metrics: bool
    """Serve Prometheus metrics (monitoring is on)."""

    @classmethod
    def from_config(cls, config: HubConfig) -> ProxyComponent:
        return cls(config.proxy, metrics=config.monitoring.enabled)

    def configure(self, context: Context) -> None:
        configure_hub_for_proxy(context.config_file, context.names, context.hub_secret)

    def declare(self, context: Context) -> None:
        network = context.network
        public = network.policy("proxy-public", PROXY)
        for controller in network.ingress_controller:
            public.allow_from(controller, tcp(PROXY_PUBLIC_PORT))
        public.allow_from(ANY_POD_OF_THIS_NAMESPACE, tcp(PROXY_PUBLIC_PORT))
        if self.proxy.service.type != "ClusterIP":
            # A LoadBalancer/NodePort Service brings clients from anywhere.
            public.allow_from(ip_block(EVERYWHERE), tcp(PROXY_PUBLIC_PORT))
        (
            network.policy("proxy", PROXY)
            .allow_from(network.component(HUB), tcp(PROXY_API_PORT))
            .allow_to(network.component(HUB), tcp(HUB_PORT))
            .allow_to(network.component(SINGLEUSER), tcp(SERVER_PORT))
            # The proxy finds the hub by its Service name.
            .reach(network.dns)
        )

    def build(self, scope: Construct, context: Context) -> None:
        Proxy(
            scope,
            "proxy",
            proxy=self.proxy,
            names=context.names,
            base_url=context.base_url,
            hub_secret=context.hub_secret,
            priority_class_name=context.names.priority_class(CORE_TIER),
            metrics=self.metrics,
            pod_fields=context.core_pod_fields([self.proxy.image]),
        )
