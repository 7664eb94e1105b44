"""The chart of one environment: a loop over the components of a hub.

Each component is made from its slice of the config; they share one
`Context` (names, the hub's Secret, base URL, host, and the registries they
declare into). See component.py for the three passes.
"""

from __future__ import annotations

from cdk8s import Chart
from constructs import Construct

from .authentication import AuthenticationComponent
from .branding import BrandingComponent
from .component import Component, Context, assemble
from .config import HubConfig
from .hub import HubComponent
from .hub.files import HubFilesComponent
from .hub.services import IdleCullerComponent
from .ingress import IngressComponent
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
    ProxyComponent,
    IngressComponent,
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
