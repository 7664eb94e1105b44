"""Config of monitoring: what Prometheus scrapes, which alerts fire when, and the Grafana dashboard."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .base import DnsLabel, SecretKeyRef, StrictModel, field_problems

Duration = Annotated[
    str,
    Field(
        pattern=r"^[1-9][0-9]*(s|m|h|d)$",
        json_schema_extra={"examples": ["30s", "5m", "1h"]},
    ),
]
"""A Prometheus duration of one unit: 30s, 5m, 1h, 1d."""

Severity = Literal["critical", "warning", "info"]


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
            "Every pod that may reach the hub port (proxy, user servers) can then read the metrics too."
        )
    )


HubMetricsAccess = Annotated[Union[TokenAccess, NetworkAccess], Field(discriminator="type")]


class PrometheusTarget(StrictModel):
    """The Prometheus (Operator) instance that should pick up our ServiceMonitors and rules."""

    namespace: DnsLabel = Field("monitoring", description="Namespace Prometheus runs in; it alone may scrape the hub in network mode.")
    pod_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "prometheus"},
        description="Labels of the Prometheus server pods (the peer the hub's NetworkPolicy lets in).",
    )
    selector_labels: dict[str, str] = Field(
        default_factory=lambda: {"release": "kube-prometheus-stack"},
        description=(
            "Labels put on the ServiceMonitors and the PrometheusRule so the Prometheus instance selects them "
            "(its serviceMonitorSelector / ruleSelector), e.g. release: kube-prometheus-stack."
        ),
    )
    scrape_interval: Duration = Field("30s", description="How often Prometheus scrapes the hub and the proxy.")


class Alert(StrictModel):
    """One alert: on or off, how long its condition must hold, and how loud it is."""

    enabled: bool = Field(True, description="Write this alert.")
    for_: Duration = Field(alias="for", description="How long the condition must hold before the alert fires.")
    severity: Severity = Field(description="The severity label Alertmanager routes on.")


class ThresholdAlert(Alert):
    """An alert on a measured value crossing a threshold."""

    threshold: float = Field(gt=0, description="The value above which the condition holds (unit: see the alert).")


def _alert(for_: str, severity: Severity):
    return Field(default_factory=lambda: Alert(**{"for": for_, "severity": severity}))


def _threshold(for_: str, severity: Severity, threshold: float, what: str):
    return Field(
        default_factory=lambda: ThresholdAlert(**{"for": for_, "severity": severity, "threshold": threshold}),
        description=what,
    )


RATIOS = ("spawn_failure_ratio", "hub_storage", "user_storage", "quota")


class Alerts(StrictModel):
    """The PrometheusRule: alerts an operator pages or tickets on."""

    enabled: bool = Field(True, description="Write the PrometheusRule.")
    rate_window: Duration = Field("10m", description="Window of rates and ratios (spawn failures, durations, throttling).")
    runbook_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Base URL of your runbook; each alert links to <runbook_url>#<alert name>. Steps are in the runbook annotation anyway.",
    )
    hub_down: Alert = _alert("5m", "critical")
    proxy_down: Alert = _alert("5m", "critical")
    spawn_failure_ratio: ThresholdAlert = _threshold(
        "15m", "warning", 0.2, "Share of finished spawns that failed, 0 to 1 (0.2 = one in five)."
    )
    spawn_duration_p90: ThresholdAlert = _threshold(
        "15m", "warning", 120, "90th percentile of successful spawn durations, in seconds."
    )
    pending_spawns: ThresholdAlert = _threshold(
        "10m", "warning", 5,
        "Spawns refused in one rate_window because concurrent_spawn_limit spawns were already pending.",
    )
    user_pod_pending: Alert = _alert("15m", "warning")
    hub_storage: ThresholdAlert = _threshold("15m", "critical", 0.85, "Used share of the hub's database PVC, 0 to 1.")
    user_storage: ThresholdAlert = _threshold("30m", "warning", 0.9, "Used share of a user's home PVC, 0 to 1.")
    quota: ThresholdAlert = _threshold("15m", "warning", 0.9, "Used share of any ResourceQuota of the namespace, 0 to 1.")

    @model_validator(mode="after")
    def _ratios_at_most_one(self) -> "Alerts":
        problems = [
            (f"{name}.threshold", f"{getattr(self, name).threshold} is a share, not a percentage; write a value up to 1, e.g. 0.9")
            for name in RATIOS
            if getattr(self, name).threshold > 1
        ]
        if problems:
            raise field_problems(*problems)
        return self


class Dashboards(StrictModel):
    """Grafana dashboards in a ConfigMap that Grafana's dashboard sidecar loads."""

    enabled: bool = Field(True, description="Write the dashboard ConfigMap.")
    sidecar_labels: dict[str, str] = Field(
        default_factory=lambda: {"grafana_dashboard": "1"},
        description="Labels the Grafana sidecar watches ConfigMaps for (kube-prometheus-stack: grafana_dashboard: \"1\").",
    )
    folder: str | None = Field("JupyterHub", description="Grafana folder of the dashboards; unset leaves them in the sidecar's default folder.")
    folder_annotation: str = Field(
        "grafana_folder", description="Annotation key the sidecar reads the folder from (its folderAnnotation setting)."
    )


class MonitoringSettings(StrictModel):
    """Prometheus Operator resources and Grafana dashboards; needs the Prometheus Operator CRDs in the cluster."""

    enabled: bool = Field(False, description="Write ServiceMonitors, the PrometheusRule and the dashboard ConfigMap.")
    prometheus: PrometheusTarget = Field(default_factory=PrometheusTarget, description="The Prometheus that scrapes us.")
    hub_metrics: HubMetricsAccess = Field(
        default_factory=TokenAccess, description="How Prometheus may read /hub/metrics: an API token, or network isolation."
    )
    alerts: Alerts = Field(default_factory=Alerts, description="Alert rules.")
    dashboards: Dashboards = Field(default_factory=Dashboards, description="Grafana dashboards.")
