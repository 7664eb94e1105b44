"""The chart of one environment: a loop over the components of a hub.

Each component is made from its slice of the config; they share one
`Context` (names, the hub's Secret, base URL, host, and the registries they
declare into). See component.py for the three passes.
"""

from __future__ import annotations

from typing import Any

from cdk8s import Chart
from constructs import Construct

from .authentication import AuthenticationComponent
from .branding import BrandingComponent
from .component import Component, Context, assemble
from .config import HubConfig
from .gateway import GatewayComponent
from .hub import HubComponent
from .hub.files import HubFilesComponent
from .hub.services import HubServicesComponent, IdleCullerComponent
from .ingress import IngressComponent
from .kinds import CLUSTER_SCOPED
from .monitoring import MonitoringComponent
from .namespace import NamespaceComponent
from .network_policies import NetworkPoliciesComponent
from .parts import complete
from .platform_services import PlatformServicesComponent
from .proxy import ProxyComponent
from .quotas import LimitRangeComponent, QuotaComponent
from .scheduling import (
    ImagePullersComponent,
    PrioritiesComponent,
    UserPlaceholdersComponent,
    UserSchedulerComponent,
)
from .secrets_bootstrap import SecretsBootstrapComponent
from .singleuser import UserServersComponent
from .sync_waves import annotate_sync_waves

# Every component a hub can have. The order is only the order of objects
# within a file of dist/; what components share goes through the Context.
COMPONENTS: tuple[type[Component], ...] = (
    NamespaceComponent,
    SecretsBootstrapComponent,
    BrandingComponent,
    HubComponent,
    HubFilesComponent,
    AuthenticationComponent,
    UserServersComponent,
    PlatformServicesComponent,
    IdleCullerComponent,
    HubServicesComponent,
    ProxyComponent,
    IngressComponent,
    GatewayComponent,
    UserSchedulerComponent,
    UserPlaceholdersComponent,
    ImagePullersComponent,
    PrioritiesComponent,
    QuotaComponent,
    LimitRangeComponent,
    NetworkPoliciesComponent,
    MonitoringComponent,
)


def components_of(config: HubConfig) -> list[Component]:
    """The components `config` turns on, each with its slice."""
    return [component for kind in COMPONENTS if (component := kind.from_config(config)) is not None]


class JupyterHubChart(Chart):
    """Every object of one environment."""

    def __init__(self, scope: Construct, id: str, *, config: HubConfig):
        super().__init__(scope, id, namespace=config.namespace, disable_resource_name_hashes=True)
        assemble(components_of(config), self, Context.of(config))
        complete(self)

    def to_json(self) -> list[Any]:
        """The objects as dist/ holds them: cluster-scoped ones without the chart's namespace, each in its sync wave.

        An override, so that `App.synth()` of someone else's app that holds this
        chart writes them so too: jsii calls it back from Node.
        """
        objects = super().to_json()
        for obj in objects:
            if obj["kind"] in CLUSTER_SCOPED:
                obj["metadata"].pop("namespace", None)
        annotate_sync_waves(objects)
        return objects
