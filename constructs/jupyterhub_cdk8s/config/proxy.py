"""Config of configurable-http-proxy, the pod that routes every request."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Image, StrictModel, only_one_replica
from .kubernetes import Annotations
from .resources import Resources, resources

PROXY_IMAGE = "quay.io/jupyterhub/configurable-http-proxy:5.2.0"

SINGLETON_REASON = (
    "configurable-http-proxy keeps its routing table in memory, so a second replica serves stale routes "
    "and users land on the wrong server or a 503; remove `replicas` or write 1"
)


class PublicService(StrictModel):
    """The Service users reach the proxy through (usually behind the Ingress)."""

    type: Literal["ClusterIP", "LoadBalancer", "NodePort"] = Field(
        "ClusterIP", description="ClusterIP behind an Ingress; LoadBalancer or NodePort to expose the proxy directly."
    )
    annotations: Annotations = Field(
        default_factory=dict, description="Annotations of the proxy-public Service (e.g. for a cloud load balancer)."
    )


class ProxySettings(StrictModel):
    """The proxy Deployment (a singleton)."""

    image: Image = Field(PROXY_IMAGE, description="configurable-http-proxy image.")
    replicas: Annotated[int, only_one_replica(SINGLETON_REASON)] = Field(
        1, description="Always 1: the routing table lives in memory (refused otherwise, with the reason)."
    )
    resources: Resources = Field(
        default_factory=lambda: resources(("100m", "1"), ("128Mi", "512Mi")),
        description="CPU and memory requests/limits of the proxy container.",
    )
    service: PublicService = Field(default_factory=PublicService, description="The proxy-public Service.")
