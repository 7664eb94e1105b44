"""The alert rules, run by the real promtool: valid, and each fires on its failure and stays quiet when healthy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from support.alert_cases import CASES, ENVIRONMENT, AlertCases, Case
from support.synthesis import ENVIRONMENTS, dist_objects, find, synth_objects

PROMTOOL_MISSING = "promtool is not installed: apt-get install prometheus (Debian), as .ci/run does"


def promtool() -> str:
    path = shutil.which("promtool")
    assert path, PROMTOOL_MISSING
    return path


def rule_file(objects: list[dict], path: Path) -> dict[str, dict]:
    """The PrometheusRule's groups as a Prometheus rule file; returns the alerting rules by name."""
    groups = find(objects, "PrometheusRule")["spec"]["groups"]
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False), encoding="utf-8")
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.real
@pytest.mark.parametrize(
    "env", [env for env in ENVIRONMENTS if any(o["kind"] == "PrometheusRule" for o in dist_objects(env))]
)
def test_promtool_checks_the_committed_rules(env, tmp_path):
    rules = rule_file(dist_objects(env), tmp_path / "rules.yaml")
    assert rules
    result = run("check", "rules", str(tmp_path / "rules.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.unit
def test_every_alert_pages_with_a_runbook(tmp_path):
    rules = rule_file(synth_objects(ENVIRONMENT, tmp_path), tmp_path / "rules.yaml")
    for name, rule in rules.items():
        assert rule["for"] and rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert {"summary", "description", "runbook"} <= set(rule["annotations"]), name
        assert rule["annotations"]["runbook"].startswith("1. "), f"{name}: the runbook lists steps"


def expected_alerts(case: Case, rule: dict) -> list[dict]:
    """promtool compares annotations too: the summary is given per case; the rest is static text of the rule."""
    static = {key: value for key, value in rule["annotations"].items() if key != "summary"}
    assert not any("{{" in value for value in static.values()), "only the summary may be a template"
    return [
        {
            "exp_labels": {key: value for key, value in alert.items() if key != "summary"},
            "exp_annotations": {**static, "summary": alert["summary"]},
        }
        for alert in case.alerts
    ]


def unit_tests(rules: dict[str, dict]) -> list[dict]:
    tests = []
    for name, cases in sorted(CASES.items()):
        for kind, case in [("firing", c) for c in cases.firing] + [("healthy", c) for c in cases.healthy]:
            assert bool(case.alerts) == (kind == "firing"), f"{name}: a {kind} case lists alerts {case.alerts}"
            tests.append(
                {
                    "name": f"{name} {kind}",
                    "interval": "1m",
                    "input_series": [{"series": series, "values": values} for series, values in case.series.items()],
                    "alert_rule_test": [
                        {
                            "eval_time": case.eval_time,
                            "alertname": name,
                            "exp_alerts": expected_alerts(case, rules[name]),
                        }
                    ],
                }
            )
    return tests


@pytest.mark.unit
def test_every_alert_has_a_firing_and_a_healthy_case(tmp_path):
    rules = rule_file(synth_objects(ENVIRONMENT, tmp_path), tmp_path / "rules.yaml")
    assert set(CASES) == set(rules)
    assert all(isinstance(c, AlertCases) and c.firing and c.healthy for c in CASES.values())


@pytest.mark.real
def test_alerts_fire_on_failures_and_stay_quiet_when_healthy(tmp_path):
    rules = rule_file(synth_objects(ENVIRONMENT, tmp_path), tmp_path / "rules.yaml")
    test_file = tmp_path / "alerts_test.yaml"
    test_file.write_text(
        yaml.safe_dump(
            {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": unit_tests(rules)}, sort_keys=False
        ),
        encoding="utf-8",
    )
    result = run("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.real
def test_the_unit_tests_can_fail(tmp_path):
    """A rule that never fires makes the firing cases fail: the suite above is not vacuous."""
    objects = synth_objects(
        ENVIRONMENT.replace("enabled: true", "enabled: true\n  alerts: {quota: {threshold: 0.99}}"), tmp_path
    )
    rules = rule_file(objects, tmp_path / "rules.yaml")
    test_file = tmp_path / "alerts_test.yaml"
    tests = [t for t in unit_tests(rules) if t["name"] == "JupyterHubQuotaNearlyExhausted firing"]
    test_file.write_text(yaml.safe_dump({"rule_files": ["rules.yaml"], "tests": tests}), encoding="utf-8")
    result = run("test", "rules", str(test_file))
    assert result.returncode != 0 and "JupyterHubQuotaNearlyExhausted" in result.stdout + result.stderr
