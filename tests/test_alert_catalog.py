"""Each alert is one entry of `config.alerts.ALERTS`: its settings and its PrometheusRule entry both come from it."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from jupyterhub_cdk8s.config.alerts import ALERTS, Scope
from jupyterhub_cdk8s.config.monitoring import Alerts
from jupyterhub_cdk8s.monitoring.rules import alert_rules

pytestmark = pytest.mark.unit

SCOPE = Scope(
    namespace="lab",
    hub_job="jupyterhub-hub",
    proxy_job="jupyterhub-proxy-metrics",
    proxy_deployment="jupyterhub-proxy",
    hub_claim=None,
    user_claim_prefix="claim-",
)


def test_every_alert_has_settings_with_its_own_defaults_and_descriptions():
    assert set(Alerts.model_fields) == {"enabled", "rate_window", "runbook_url", *(a.setting for a in ALERTS)}
    defaults = Alerts()
    for alert in ALERTS:
        setting = getattr(defaults, alert.setting)
        assert (setting.enabled, setting.for_, setting.severity) == (True, alert.for_, alert.severity), alert.name
        assert Alerts.model_fields[alert.setting].description == alert.title
        fields = type(setting).model_fields
        if alert.threshold is None:
            assert "threshold" not in fields, alert.name
        else:
            assert (setting.threshold, fields["threshold"].description) == (
                alert.threshold.default,
                alert.threshold.description,
            )


def test_the_rule_of_an_alert_carries_its_settings():
    alerts = Alerts.model_validate(
        {"quota": {"threshold": 0.5, "for": "1h", "severity": "critical"}, "hub_down": {"enabled": False}}
    )
    rules = {rule.alert: rule for rule in alert_rules(alerts, SCOPE)}
    # Off, and not applicable without a hub volume (hub_claim None): the other alerts all render.
    assert set(rules) == {a.name for a in ALERTS} - {"JupyterHubDown", "JupyterHubDatabaseVolumeFull"}
    quota = rules["JupyterHubQuotaNearlyExhausted"]
    assert quota.expr.endswith("> 0.5") and quota.for_ == "1h"
    assert quota.labels == {"severity": "critical", "namespace": "lab"}


@pytest.mark.parametrize("alert", [a for a in ALERTS if a.threshold], ids=lambda a: a.setting)
def test_only_a_share_threshold_is_limited_to_one(alert):
    values = {alert.setting: {"threshold": 1.5}}
    if alert.threshold.share:
        with pytest.raises(ValidationError, match="1.5 is a share, not a percentage; write a value up to 1"):
            Alerts.model_validate(values)
    else:
        assert getattr(Alerts.model_validate(values), alert.setting).threshold == 1.5


def test_alert_settings_survive_pickling():
    # The fan-out sends environments to its helper process pickled; pickle finds each class by module and name.
    alerts = Alerts.model_validate({"quota": {"threshold": 0.5}})
    assert pickle.loads(pickle.dumps(alerts)) == alerts
