"""The monitoring objects: ServiceMonitors, the PrometheusRule, the dashboard ConfigMap, the scrape policy.

Imported only when an environment turns monitoring on: the typed Prometheus
Operator bindings cost a quarter of a second to load.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

from cdk8s_plus_27 import k8s
from constructs import Construct

from imports.monitoring.coreos.com_prometheusrules.com.coreos import monitoring as rule_crd
from imports.monitoring.coreos.com_servicemonitors.com.coreos import monitoring as monitor_crd

from ..api_objects import api_object
from ..config.monitoring import Dashboards, MonitoringSettings
from ..config.singleuser import USER_CONTAINER
from ..naming import HUB, MONITORING, PROXY, Names
from ..parts import Part
from ..pods import int_or_string
from ..ports import PROXY_METRICS_PORT
from .hub_metrics import metrics_token
from .rules import AlertRule, Scope, alert_rules

DASHBOARDS = resources.files(__package__).joinpath("dashboards")
CONFIGMAP_LIMIT = 1024 * 1024  # bytes of a ConfigMap's data, enforced by the API server
GRAFANA_UID_LENGTH = 40


def scope_of(names: Names, hub_claim: str | None) -> Scope:
    """Labels of this environment's series: Prometheus names each scrape job after its Service."""
    return Scope(
        namespace=names.namespace,
        hub_job=names.hub,
        proxy_job=names.proxy_metrics,
        proxy_deployment=names.proxy,
        hub_claim=hub_claim,
        user_claim_prefix=names.user_claim_prefix,
    )


def rule_groups(rules: list[AlertRule], names: Names) -> list[dict]:
    return [
        {
            "name": names.alert_group,
            "rules": [
                {
                    "alert": rule.alert,
                    "expr": rule_crd.PrometheusRuleSpecGroupsRulesExpr.from_string(rule.expr),
                    "for": rule.for_,
                    "labels": rule.labels,
                    "annotations": rule.annotations,
                }
                for rule in rules
            ],
        }
    ]


def dashboard(file: str, names: Names, scope: Scope, cluster: str) -> dict:
    """A dashboard of the package, pointed at this environment's namespace, jobs and claims."""
    board = json.loads(DASHBOARDS.joinpath(file).read_text(encoding="utf-8"))
    # Grafana keeps one dashboard per uid: each environment needs its own.
    key = hashlib.sha256(f"{cluster}/{names.namespace}/{names.release}/{file}".encode()).hexdigest()
    board["uid"] = f"{board['uid']}-{key}"[:GRAFANA_UID_LENGTH]
    board["title"] = f"{board['title']} ({cluster}/{names.namespace}/{names.release})"
    constants = {
        "hub_job": scope.hub_job,
        "proxy_job": scope.proxy_job,
        "user_claim_prefix": scope.user_claim_prefix,
        "user_container": USER_CONTAINER,
    }
    for variable in board["templating"]["list"]:
        if variable["name"] in constants:
            variable["query"] = constants[variable["name"]]
        elif variable["name"] == "namespace":
            variable["current"] = {"text": names.namespace, "value": names.namespace}
    return board


def dashboard_files() -> list[str]:
    return sorted(entry.name for entry in DASHBOARDS.iterdir() if entry.name.endswith(".json"))


class Monitoring(Part):
    """What Prometheus and Grafana need to watch one environment."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        monitoring: MonitoringSettings,
        names: Names,
        cluster: str,
        hub_secret: str,
        base_url: str,
        hub_claim: str | None,
    ):
        super().__init__(scope, id)
        self.names = names
        self.cluster = cluster
        self.labels = names.labels(MONITORING)
        selected = {**self.labels, **monitoring.prometheus.selector_labels}
        prometheus = monitoring.prometheus

        token = metrics_token(monitoring, hub_secret)
        self._service_monitor(
            "hub-monitor",
            names.hub,
            selected,
            service_labels=names.selector(HUB),
            endpoint={
                "port": "http",
                "path": f"{base_url}hub/metrics",
                "interval": prometheus.scrape_interval,
                "authorization": {"type": "Bearer", "credentials": {"name": token.name, "key": token.key}}
                if token
                else None,
            },
        )
        api_object(
            self,
            "proxy-metrics-service",
            k8s.KubeService,
            {
                "metadata": {"name": names.proxy_metrics, "labels": names.labels(PROXY)},
                "spec": {
                    "type": "ClusterIP",
                    "selector": names.selector(PROXY),
                    "ports": [
                        {
                            "name": "metrics",
                            "port": PROXY_METRICS_PORT,
                            "targetPort": int_or_string("metrics"),
                            "protocol": "TCP",
                        }
                    ],
                },
            },
        )
        # Selects the proxy's Services; only the metrics Service has a `metrics` port.
        self._service_monitor(
            "proxy-monitor",
            names.proxy,
            selected,
            service_labels=names.selector(PROXY),
            endpoint={"port": "metrics", "path": "/metrics", "interval": prometheus.scrape_interval},
        )

        environment = scope_of(names, hub_claim)
        if monitoring.alerts.enabled:
            api_object(
                self,
                "rules",
                rule_crd.PrometheusRule,
                {
                    "metadata": {"name": names.alerts, "labels": selected},
                    "spec": {"groups": rule_groups(alert_rules(monitoring.alerts, environment), names)},
                },
            )
        if monitoring.dashboards.enabled:
            self._dashboards(monitoring.dashboards, environment)

    def _service_monitor(
        self, id: str, name: str, labels: dict[str, str], *, service_labels: dict[str, str], endpoint: dict
    ) -> None:
        api_object(
            self,
            id,
            monitor_crd.ServiceMonitor,
            {
                "metadata": {"name": name, "labels": labels},
                "spec": {
                    "selector": {"matchLabels": service_labels},
                    "namespaceSelector": {"matchNames": [self.names.namespace]},
                    "endpoints": [endpoint],
                },
            },
        )

    def _dashboards(self, settings: Dashboards, scope: Scope) -> None:
        data = {
            file: json.dumps(dashboard(file, self.names, scope, self.cluster), indent=1, sort_keys=True) + "\n"
            for file in dashboard_files()
        }
        size = sum(len(key.encode()) + len(value.encode()) for key, value in data.items())
        if size >= CONFIGMAP_LIMIT:
            raise ValueError(f"dashboards take {size} bytes; a ConfigMap holds less than {CONFIGMAP_LIMIT}")
        annotations = {settings.folder_annotation: settings.folder} if settings.folder else None
        metadata = {
            "name": self.names.dashboards,
            "namespace": settings.namespace,
            "labels": {**self.labels, **settings.sidecar_labels},
            "annotations": annotations,
        }
        api_object(self, "dashboards", k8s.KubeConfigMap, {"metadata": metadata, "data": data})
