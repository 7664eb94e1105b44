"""Migration from the JupyterHub Helm chart: values files become environments that synthesize."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, find, hub_config_text, synth_objects
from jupyterhub_cdk8s.cli import main
from jupyterhub_cdk8s.config.loader import ConfigError
from jupyterhub_cdk8s.z2jh_import import ROWS, migrate, render, validate

DATA = Path(__file__).parent / "data"
URBALURBA = DATA / "urbalurba-values.yaml"
WIDE = DATA / "z2jh-values.yaml"


def _values(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _leaves(node, path=""):
    """Every set key of a values file, as a dotted path (maps that are values, like extraEnv, count per entry)."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif node not in (None, [], {}):
        yield path


def _import(path: Path, capsys) -> tuple[str, str]:
    assert main(["import-z2jh", str(path)]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def _container(objects, kind, name, container):
    spec = find(objects, kind, name)["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == container)


def test_urbalurba_values_become_a_hub_with_the_seed_facts(capsys, tmp_path):
    out, err = _import(URBALURBA, capsys)
    objects = synth_objects(out, tmp_path, name="urbalurba")

    hub = _container(objects, "Deployment", "jupyterhub-hub", "hub")
    password = [e for e in hub["env"] if e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == "urbalurba-secrets"]
    assert [e["valueFrom"]["secretKeyRef"]["key"] for e in password] == ["JUPYTERHUB_AUTH_PASSWORD"]
    assert hub["resources"] == {"requests": {"cpu": "200m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}
    proxy = _container(objects, "Deployment", "jupyterhub-proxy", "chp")
    assert proxy["resources"] == {"requests": {"cpu": "200m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}

    config = hub_config_text(objects)
    assert "'jupyter/pyspark-notebook:spark-3.5.0'" in config
    assert "'PYSPARK_PYTHON': '/opt/conda/bin/python'" in config
    assert "'local-path'" in config and "'10Gi'" in config
    assert "shared-password" in config and "DummyAuthenticator" not in config
    assert "fallback-password" not in out + config

    assert "singleuser.lifecycleHooks: not mapped:" in err


def test_urbalurba_import_reports_every_key_it_does_not_carry(capsys):
    out, err = _import(URBALURBA, capsys)
    reported = [line.split(": ")[1] for line in err.splitlines() if ": not mapped: " in line]
    assert reported == ["singleuser.lifecycleHooks"]


def test_wide_values_file_uses_at_least_30_chart_keys_and_synthesizes(capsys, tmp_path):
    leaves = set(_leaves(_values(WIDE)))
    assert len(leaves) >= 30
    out, err = _import(WIDE, capsys)
    objects = synth_objects(out, tmp_path, name="wide")
    ingress = find(objects, "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "hub.example.org"
    assert ingress["spec"]["tls"][0]["secretName"] == "hub-tls"
    config = hub_config_text(objects)
    assert "'quay.io/jupyter/scipy-notebook:2025-03-17'" in config
    assert "logo_file" in config
    hub = _container(objects, "Deployment", "jupyterhub-hub", "hub")
    assert {"name": "team-secrets", "key": "password"} in [
        e["valueFrom"]["secretKeyRef"] for e in hub["env"] if "valueFrom" in e
    ]
    for secret_value in ("0123456789abcdef", "abcdef0123456789", "do-not-put-me-here"):
        assert secret_value not in out


def test_no_key_is_dropped_silently():
    """Every key set in the values file is mapped by a row, or reported with a reason."""
    for path in (URBALURBA, WIDE):
        migration = migrate(_values(path), "jupyterhub")
        accounted = migration.mapped + [p for p, _ in migration.unmapped] + [p for p, _ in migration.notes]
        for leaf in _leaves(_values(path)):
            assert any(leaf == p or leaf.startswith(p + ".") or leaf.startswith(p + "[") for p in accounted), leaf
        assert all(reason.startswith("not mapped: ") and len(reason) > 20 for _, reason in migration.unmapped)


def test_unknown_keys_are_reported_where_they_are(capsys):
    values = {"hub": {"concurrentSpawnLimit": 5, "madeUpSetting": True}, "madeUpSection": {"a": 1}}
    migration = migrate(values, "jupyterhub")
    assert dict(migration.unmapped) == {
        "hub.madeUpSetting": "not mapped: no hub setting of this project corresponds",
        "madeUpSection.a": "not mapped: not a key of the JupyterHub chart 4.x that this importer knows",
    }
    assert yaml.safe_load(render(migration))["hub"]["concurrent_spawn_limit"] == 5


def test_capabilities_not_yet_here_are_reported_not_mapped():
    migration = migrate({"cull": {"enabled": True}, "scheduling": {"userScheduler": {"enabled": True}}}, "jupyterhub")
    reasons = dict(migration.unmapped)
    assert "culling of idle servers" in reasons["cull"]
    assert "user scheduler" in reasons["scheduling"]


def test_table_has_one_row_per_chart_key():
    sources = [row.source for row in ROWS]
    assert len(sources) == len(set(sources))
    assert all((row.target is None) == (row.transform is None) or row.source == "hub.extraEnv" for row in ROWS)
    assert all(row.reason for row in ROWS if row.transform is None)


def test_values_that_make_an_invalid_environment_print_nothing(tmp_path, capsys):
    values = tmp_path / "values.yaml"
    values.write_text("hub:\n  concurrentSpawnLimit: -1\n", encoding="utf-8")
    assert main(["import-z2jh", str(values)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "hub.concurrent_spawn_limit" in captured.err


def test_unreadable_values_file_is_a_clear_error(tmp_path, capsys):
    values = tmp_path / "values.yaml"
    values.write_text("hub: [unclosed\n", encoding="utf-8")
    assert main(["import-z2jh", str(values)]) == 2
    assert "cannot be read as YAML" in capsys.readouterr().err
    assert main(["import-z2jh", str(tmp_path / "missing.yaml")]) == 2


def test_command_line_writes_an_environment_file(tmp_path):
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import-z2jh", str(URBALURBA), "--namespace", "notebooks"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["namespace"] == "notebooks"
    assert "not mapped" in result.stderr and "not mapped" not in result.stdout


@pytest.mark.parametrize("type_", ["sqlite-memory", "mysql"])
def test_hub_database_without_equivalent_is_reported(type_):
    migration = migrate({"hub": {"db": {"type": type_}}}, "jupyterhub")
    assert "hub.db.type" in dict(migration.unmapped)


# --- any values file: an environment or a clear problem, never a traceback ---------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=8))
_values_of_any_shape = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=2),
    st.dictionaries(st.sampled_from(["name", "tag", "requests", "limits", "cpu", "memory", "secretName"]), _scalars, max_size=3),
)


def _nest(items: dict) -> dict:
    values: dict = {}
    for path, value in sorted(items.items()):
        *parents, last = path.split(".")
        node = values
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(last, value)
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([row.source for row in ROWS]), _values_of_any_shape, max_size=8))
def test_any_values_import_to_a_valid_environment_or_a_clear_problem(items):
    migration = migrate(_nest(items), "jupyterhub")
    try:
        validate(render(migration))
    except ConfigError as error:
        assert all(problem.path for problem in error.problems)
