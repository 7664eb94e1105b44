"""The PrometheusRule's entries: each alert of the catalog, rendered with its settings for one environment.

What an alert watches, its defaults and its runbook are in `config.alerts`,
one entry per alert; this module only fills in the environment's `Scope` and
the settings of `monitoring.alerts`, and leaves out alerts that are turned off
or do not apply (no hub volume with an external database).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config.alerts import ALERTS, Condition, Scope
from ..config.monitoring import Alerts


@dataclass(frozen=True)
class AlertRule:
    """One rendered alerting rule of the PrometheusRule."""

    alert: str
    expr: str
    for_: str
    labels: dict[str, str]
    annotations: dict[str, str]


def alert_rules(alerts: Alerts, scope: Scope) -> list[AlertRule]:
    """The enabled alerts of `ALERTS` that apply to this environment, with its settings."""
    rules = []
    for definition in ALERTS:
        setting = getattr(alerts, definition.setting)
        if not setting.enabled or not definition.applies(scope):
            continue
        threshold = format(setting.threshold, "g") if definition.threshold else None
        annotations = {
            "summary": definition.summary(scope),
            "description": definition.description,
            "runbook": "\n".join(
                f"{number}. " + step.format(namespace=scope.namespace, hub=scope.hub_job, proxy=scope.proxy_deployment)
                for number, step in enumerate(definition.runbook, start=1)
            ),
        }
        if alerts.runbook_url:
            annotations["runbook_url"] = f"{alerts.runbook_url}#{definition.name.lower()}"
        rules.append(
            AlertRule(
                alert=definition.name,
                expr=definition.expr(Condition(scope, threshold, alerts.rate_window)),
                for_=setting.for_,
                labels={"severity": setting.severity, "namespace": scope.namespace},
                annotations=annotations,
            )
        )
    return rules
