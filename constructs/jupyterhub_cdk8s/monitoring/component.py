"""Monitoring as a component: who may read the hub's metrics, the scrape policies, the monitoring objects."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..component import Component, Context
from ..config import HubConfig
from ..config.hub import SqliteDatabase
from ..config.monitoring import MonitoringSettings
from ..naming import HUB, PROXY
from ..network import namespace, tcp
from ..ports import HUB_PORT, PROXY_METRICS_PORT
from .hub_metrics import TOKEN_KEY, configure_hub_metrics, metrics_token


@dataclass(frozen=True)
class MonitoringComponent(Component):
    """ServiceMonitors, alert rules and dashboards, when `monitoring.enabled`."""

    monitoring: MonitoringSettings
    cluster: str
    sqlite: bool
    """The hub keeps its database on its own PVC, whose fill level is watched."""

    @classmethod
    def from_config(cls, config: HubConfig) -> MonitoringComponent | None:
        if not config.monitoring.enabled:
            return None
        return cls(config.monitoring, config.cluster, isinstance(config.hub.database, SqliteDatabase))

    def declare(self, context: Context) -> None:
        token = metrics_token(self.monitoring, context.hub_secret)
        if token is not None and token.name == context.hub_secret:
            context.hub_pod.secret_keys.append(TOKEN_KEY)
        # Let the Prometheus pods in through the namespace's default deny, to the metrics ports only.
        prometheus = self.monitoring.prometheus
        scraper = namespace(prometheus.namespace, prometheus.pod_labels)
        for component, port in ((HUB, HUB_PORT), (PROXY, PROXY_METRICS_PORT)):
            context.network.policy(f"{component}-metrics-scrape", component).allow_from(scraper, tcp(port))

    def configure(self, context: Context) -> None:
        configure_hub_metrics(context.config_file, self.monitoring, context.hub_secret)

    def build(self, scope: Construct, context: Context) -> None:
        # Imported here: the Prometheus Operator bindings are slow to load and only needed now.
        from .construct import Monitoring

        Monitoring(
            scope,
            "monitoring",
            monitoring=self.monitoring,
            names=context.names,
            cluster=self.cluster,
            hub_secret=context.hub_secret,
            base_url=context.base_url,
            hub_claim=context.names.hub_database if self.sqlite else None,
        )
