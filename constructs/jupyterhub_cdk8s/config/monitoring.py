"""Config of monitoring: what Prometheus scrapes, which alerts fire when, and the Grafana dashboard."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, create_model

from .alerts import ALERTS, AlertDefinition, Severity
from .base import DnsLabel, SecretKeyRef, StrictModel
from .kubernetes import AnnotationKey, Labels
from .yaml_input import shown

_DURATION = re.compile(r"^[1-9][0-9]*(s|m|h|d)$")


def _duration(value: Any) -> str:
    if not isinstance(value, str) or not _DURATION.match(value):
        raise ValueError(
            f"{shown(value)} is not a Prometheus duration; write a whole number and one unit of s, m, h or d, e.g. 5m"
        )
    return value


Duration = Annotated[str, BeforeValidator(_duration), Field(json_schema_extra={"examples": ["30s", "5m", "1h"]})]
"""A Prometheus duration of one unit: 30s, 5m, 1h, 1d."""


class TokenAccess(StrictModel):
    """Prometheus presents an API token of a hub service that may only read metrics."""

    type: Literal["token"] = Field("token", description="The hub keeps /hub/metrics authenticated (recommended).")
    token_secret: SecretKeyRef | None = Field(
        None,
        description=(
            "Secret key holding the token (the same Secret feeds the hub and the ServiceMonitor, so it must be in the "
            "hub's namespace). Unset: key prometheus-api-token of the hub's own Secret, which the bootstrap Job "
            "generates (or that you add to secrets.existing_secret)."
        ),
    )


class NetworkAccess(StrictModel):
    """/hub/metrics without authentication, reachable on the hub port from the Prometheus pods."""

    type: Literal["network"] = Field(
        description=(
            "Turns JupyterHub.authenticate_prometheus off and opens the hub port to the Prometheus pods. "
            "Every pod that may reach the hub port (proxy, user servers) can then read the metrics too, and "
            "through the proxy so can anyone who reaches the hub's URL."
        )
    )

    def warnings(self) -> list[tuple[str, str]]:
        return [
            (
                "type",
                "network serves /hub/metrics without a token to whoever reaches the hub, and the proxy forwards "
                "every request to it: anyone who can open the hub's URL reads the user counts, activity and spawn "
                "failures; write {type: token} unless that is acceptable (a development cluster)",
            )
        ]


HubMetricsAccess = Annotated[TokenAccess | NetworkAccess, Field(discriminator="type")]


class PrometheusTarget(StrictModel):
    """The Prometheus (Operator) instance that should pick up our ServiceMonitors and rules."""

    namespace: DnsLabel = Field(
        "monitoring", description="Namespace Prometheus runs in; it alone may scrape the hub in network mode."
    )
    pod_labels: Labels = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "prometheus"},
        description="Labels of the Prometheus server pods (the peer the hub's NetworkPolicy lets in).",
    )
    selector_labels: Labels = Field(
        default_factory=lambda: {"release": "kube-prometheus-stack"},
        description=(
            "Labels put on the ServiceMonitors and the PrometheusRule so the Prometheus instance selects them "
            "(its serviceMonitorSelector / ruleSelector), e.g. release: kube-prometheus-stack."
        ),
    )
    scrape_interval: Duration = Field("30s", description="How often Prometheus scrapes the hub and the proxy.")


class Alert(StrictModel):
    """Base of every alert's settings: on or off (the other fields come from its `AlertDefinition`)."""

    enabled: bool = Field(True, description="Write this alert.")


def _share(value: float) -> float:
    if value > 1:
        raise ValueError(f"{value} is a share, not a percentage; write a value up to 1, e.g. 0.9")
    return value


Share = Annotated[float, AfterValidator(_share)]
"""A threshold that is a share of a whole, 0 to 1."""


def _settings(alert: AlertDefinition) -> type[Alert]:
    """The settings model of one alert; every field has its own default, so `{threshold: 0.5}` alone is enough."""
    fields: dict[str, Any] = {
        "for_": (
            Duration,
            Field(alert.for_, alias="for", description="How long the condition must hold before the alert fires."),
        ),
        "severity": (Severity, Field(alert.severity, description="The severity label Alertmanager routes on.")),
    }
    if alert.threshold is not None:
        kind = Share if alert.threshold.share else float
        fields["threshold"] = (kind, Field(alert.threshold.default, gt=0, description=alert.threshold.description))
    name = "".join(word.capitalize() for word in alert.setting.split("_")) + "Alert"
    return create_model(name, __base__=Alert, __module__=__name__, __doc__=alert.title, **fields)


class AlertRules(StrictModel):
    """The settings of the PrometheusRule as a whole; `Alerts` adds one field per alert of `ALERTS`."""

    enabled: bool = Field(True, description="Write the PrometheusRule.")
    rate_window: Duration = Field(
        "10m", description="Window of rates and ratios (spawn failures, durations, throttling)."
    )
    runbook_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description=(
            "Base URL of your runbook; each alert links to <runbook_url>#<alert "
            "name>. Steps are in the runbook annotation anyway."
        ),
    )


_SETTINGS = {alert.setting: _settings(alert) for alert in ALERTS}
# Each is a module attribute under its own name, as a class statement would make it: the fan-out pickles
# environments for its helper process, and pickle finds a class by its module and name.
globals().update({model.__name__: model for model in _SETTINGS.values()})

_ALERT_FIELDS: dict[str, Any] = {
    key: (model, Field(default_factory=model, description=model.__doc__)) for key, model in _SETTINGS.items()
}
Alerts = create_model(
    "Alerts",
    __base__=AlertRules,
    __module__=__name__,
    __doc__="The PrometheusRule: alerts an operator pages or tickets on.",
    **_ALERT_FIELDS,
)


class Dashboards(StrictModel):
    """Grafana dashboards in a ConfigMap that Grafana's dashboard sidecar loads."""

    enabled: bool = Field(True, description="Write the dashboard ConfigMap.")
    sidecar_labels: Labels = Field(
        default_factory=lambda: {"grafana_dashboard": "1"},
        description=(
            'Labels the Grafana sidecar watches ConfigMaps for (kube-prometheus-stack: grafana_dashboard: "1").'
        ),
    )
    namespace: DnsLabel | None = Field(
        None,
        description=(
            "Namespace of the dashboard ConfigMap. Unset: the hub's namespace, which the sidecar must search "
            "(searchNamespace: ALL or this namespace); or write Grafana's own namespace."
        ),
    )
    folder: str | None = Field(
        "JupyterHub", description="Grafana folder of the dashboards; unset leaves them in the sidecar's default folder."
    )
    folder_annotation: AnnotationKey = Field(
        "grafana_folder", description="Annotation key the sidecar reads the folder from (its folderAnnotation setting)."
    )


class MonitoringSettings(StrictModel):
    """Prometheus Operator resources and Grafana dashboards; needs the Prometheus Operator CRDs in the cluster."""

    enabled: bool = Field(False, description="Write ServiceMonitors, the PrometheusRule and the dashboard ConfigMap.")
    prometheus: PrometheusTarget = Field(
        default_factory=PrometheusTarget, description="The Prometheus that scrapes us."
    )
    hub_metrics: HubMetricsAccess = Field(
        default_factory=TokenAccess,
        description="How Prometheus may read /hub/metrics: an API token, or network isolation.",
    )
    alerts: Alerts = Field(default_factory=Alerts, description="Alert rules.")
    dashboards: Dashboards = Field(default_factory=Dashboards, description="Grafana dashboards.")


def monitoring_problems(monitoring: MonitoringSettings, *, network_policies: bool) -> list[tuple[str, str]]:
    """Rules between `monitoring` and the rest of the environment, as (field path, message)."""
    if monitoring.enabled and isinstance(monitoring.hub_metrics, NetworkAccess) and not network_policies:
        return [
            (
                "monitoring.hub_metrics.type",
                "network turns the hub's metrics authentication off and relies on a NetworkPolicy to let only "
                "Prometheus in, but network_policy.enabled is false, so every pod of the cluster could read "
                "/hub/metrics; write hub_metrics: {type: token}, or turn network_policy on",
            )
        ]
    return []
