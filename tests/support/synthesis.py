"""Synthesize an environment in-process, read the committed dist/, and find objects in either."""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

import yaml

from jupyterhub_cdk8s.cli import main
from jupyterhub_cdk8s.config.loader import Environment, load_file
from jupyterhub_cdk8s.synth import manifests

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = sorted(path.stem for path in (ROOT / "environments").glob("*.yaml"))

MINIMAL = """
namespace: hub-test
host: hub.example.com
auth:
  type: shared-password
  password_secret: {name: hub-password, key: password}
  allowed_users: [alice]
  admin_users: [admin]
  admin_password_secret: {name: hub-password, key: admin-password}
"""


def environment(text: str, tmp_path: Path, name: str = "test") -> Environment:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_file(path, f"environments/{name}.yaml")


def synth_objects(text: str, tmp_path: Path, name: str = "test") -> list[dict]:
    """All objects one environment file synthesizes to, in file order."""
    return [obj for m in manifests([environment(text, tmp_path, name)]) for obj in m.objects]


def dist_objects(env: str) -> list[dict]:
    """All objects of the committed dist/<env>/."""
    return [
        doc
        for path in sorted((ROOT / "dist" / env).glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def find(objects: list[dict], kind: str, name: str | None = None) -> dict:
    matches = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(matches) == 1, f"expected one {kind} {name or ''}, found {len(matches)}"
    return matches[0]


def hub_config_text(objects: list[dict]) -> str:
    """The generated jupyterhub_config.py."""
    configmaps = [o for o in objects if o["kind"] == "ConfigMap" and "jupyterhub_config.py" in o.get("data", {})]
    assert len(configmaps) == 1
    return configmaps[0]["data"]["jupyterhub_config.py"]


def refused_at_the_command_line(extra: str, tmp_path: Path) -> str:
    """MINIMAL plus `extra` as environments/lab.yaml, synthesized by the command line over an existing dist/.

    Asserts what every refusal must do (exit 2, no traceback, dist/ exactly as it was) and returns what it printed.
    """
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "lab.yaml").write_text(textwrap.dedent(MINIMAL) + textwrap.dedent(extra), encoding="utf-8")
    dist = tmp_path / "dist"
    (dist / "lab").mkdir(parents=True)
    (dist / "lab" / "hub.yaml").write_text("before\n", encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        code = main(["--environments", str(environments), "--dist", str(dist)], root=tmp_path)
    errors = printed.getvalue()
    assert code == 2, errors
    assert "Traceback" not in errors
    assert [p.name for p in dist.rglob("*")] == ["lab", "hub.yaml"]
    assert (dist / "lab" / "hub.yaml").read_text() == "before\n"
    return errors
