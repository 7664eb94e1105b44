"""Config of monitoring: what Prometheus scrapes, which alerts fire when, and the Grafana dashboard."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, create_model, model_validator

from .base import DnsLabel, FieldProblems, SecretKeyRef, StrictModel

_DURATION = re.compile(r"^[1-9][0-9]*(s|m|h|d)$")


def _duration(value: Any) -> str:
    if not isinstance(value, str) or not _DURATION.match(value):
        raise ValueError(
            f"{value!r} is not a Prometheus duration; write a whole number and one unit of s, m, h or d, e.g. 5m"
        )
    return value


Duration = Annotated[str, BeforeValidator(_duration), Field(json_schema_extra={"examples": ["30s", "5m", "1h"]})]
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


HubMetricsAccess = Annotated[TokenAccess | NetworkAccess, Field(discriminator="type")]


class PrometheusTarget(StrictModel):
    """The Prometheus (Operator) instance that should pick up our ServiceMonitors and rules."""

    namespace: DnsLabel = Field(
        "monitoring", description="Namespace Prometheus runs in; it alone may scrape the hub in network mode."
    )
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


class ThresholdAlert(Alert):
    """An alert on a measured value crossing a threshold."""


def _alert(model: str, what: str, for_: str, severity: Severity, threshold: tuple[float, str] | None = None) -> Any:
    """The settings model of one alert; every field has its own default, so `{threshold: 0.5}` alone is enough."""
    fields: dict[str, Any] = {
        "for_": (
            Duration,
            Field(for_, alias="for", description="How long the condition must hold before the alert fires."),
        ),
        "severity": (Severity, Field(severity, description="The severity label Alertmanager routes on.")),
    }
    if threshold is not None:
        fields["threshold"] = (float, Field(threshold[0], gt=0, description=threshold[1]))
    return create_model(
        model, __base__=ThresholdAlert if threshold else Alert, __module__=__name__, __doc__=what, **fields
    )


def _setting(klass: Any) -> Any:
    return Field(default_factory=klass, description=klass.__doc__)


HubDownAlert = _alert("HubDownAlert", "The hub is down or cannot be scraped.", "5m", "critical")
ProxyDownAlert = _alert("ProxyDownAlert", "The proxy is down or cannot be scraped.", "5m", "critical")
SpawnFailureRatioAlert = _alert(
    "SpawnFailureRatioAlert",
    "Many server spawns fail.",
    "15m",
    "warning",
    (0.2, "Share of finished spawns that failed, 0 to 1 (0.2 = one in five)."),
)
SpawnDurationAlert = _alert(
    "SpawnDurationAlert",
    "Server spawns are slow.",
    "15m",
    "warning",
    (120, "90th percentile of successful spawn durations, in seconds."),
)
PendingSpawnsAlert = _alert(
    "PendingSpawnsAlert",
    "Spawns pile up to the concurrent spawn limit and new ones are refused.",
    "10m",
    "warning",
    (5, "Spawns refused within rate_window because hub.concurrent_spawn_limit spawns were already pending."),
)
UserPodPendingAlert = _alert("UserPodPendingAlert", "A user pod stays Pending.", "15m", "warning")
HubStorageAlert = _alert(
    "HubStorageAlert",
    "The hub database volume is almost full.",
    "15m",
    "critical",
    (0.85, "Used share of the hub's database PVC, 0 to 1."),
)
UserStorageAlert = _alert(
    "UserStorageAlert",
    "A user home volume is almost full.",
    "30m",
    "warning",
    (0.9, "Used share of a user's home PVC, 0 to 1."),
)
QuotaAlert = _alert(
    "QuotaAlert",
    "A ResourceQuota of the namespace is nearly exhausted.",
    "15m",
    "warning",
    (0.9, "Used share of any ResourceQuota of the namespace, 0 to 1."),
)

RATIOS = ("spawn_failure_ratio", "hub_storage", "user_storage", "quota")


class Alerts(StrictModel):
    """The PrometheusRule: alerts an operator pages or tickets on."""

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
    hub_down: HubDownAlert = _setting(HubDownAlert)
    proxy_down: ProxyDownAlert = _setting(ProxyDownAlert)
    spawn_failure_ratio: SpawnFailureRatioAlert = _setting(SpawnFailureRatioAlert)
    spawn_duration_p90: SpawnDurationAlert = _setting(SpawnDurationAlert)
    pending_spawns: PendingSpawnsAlert = _setting(PendingSpawnsAlert)
    user_pod_pending: UserPodPendingAlert = _setting(UserPodPendingAlert)
    hub_storage: HubStorageAlert = _setting(HubStorageAlert)
    user_storage: UserStorageAlert = _setting(UserStorageAlert)
    quota: QuotaAlert = _setting(QuotaAlert)

    @model_validator(mode="after")
    def _ratios_at_most_one(self) -> Alerts:
        problems = [
            (
                f"{name}.threshold",
                f"{getattr(self, name).threshold} is a share, not a percentage; write a value up to 1, e.g. 0.9",
            )
            for name in RATIOS
            if getattr(self, name).threshold > 1
        ]
        if problems:
            raise FieldProblems(*problems)
        return self


class Dashboards(StrictModel):
    """Grafana dashboards in a ConfigMap that Grafana's dashboard sidecar loads."""

    enabled: bool = Field(True, description="Write the dashboard ConfigMap.")
    sidecar_labels: dict[str, str] = Field(
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
    folder_annotation: str = Field(
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
