"""The command line: synth, --check, determinism, and bad input that never touches dist/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.synthesis import MINIMAL, ROOT

pytestmark = pytest.mark.output

GOOD = textwrap.dedent(MINIMAL)


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--environments",
            str(tmp_path / "environments"),
            "--dist",
            str(tmp_path / "dist"),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "good.yaml").write_text(GOOD)
    return tmp_path


def test_synth_is_byte_identical_between_runs_and_check_passes(project: Path):
    assert run(project).returncode == 0
    first = tree(project / "dist")
    assert run(project).returncode == 0
    assert tree(project / "dist") == first
    assert "good/hub.yaml" in first
    check = run(project, "--check")
    assert check.returncode == 0, check.stderr


def test_check_fails_on_stale_dist(project: Path):
    assert run(project).returncode == 0
    (project / "environments" / "good.yaml").write_text(GOOD.replace("hub.example.com", "other.example.com"))
    check = run(project, "--check")
    assert check.returncode == 1
    assert "changed: good/ingress.yaml" in check.stderr


def test_check_fails_when_an_argocd_file_is_stale(project: Path):
    good = project / "environments" / "good.yaml"
    good.write_text(GOOD + "gitops: {repo_url: 'https://git.example.com/hubs.git', target_revision: main}\n")
    assert run(project).returncode == 0
    good.write_text(good.read_text().replace("target_revision: main", "target_revision: release"))
    check = run(project, "--check")
    assert check.returncode == 1
    assert "changed: argocd/good.yaml" in check.stderr
    assert "dist is stale: run `python main.py` and commit the result." in check.stderr


def test_check_fails_when_a_file_was_removed_from_environments(project: Path):
    assert run(project).returncode == 0
    shutil.copy(project / "environments" / "good.yaml", project / "environments" / "second.yaml")
    text = (project / "environments" / "second.yaml").read_text().replace("hub-test", "hub-second")
    (project / "environments" / "second.yaml").write_text(text)
    assert run(project).returncode == 0
    (project / "environments" / "second.yaml").unlink()
    check = run(project, "--check")
    assert check.returncode == 1
    assert "not synthesized: second/hub.yaml" in check.stderr


BAD_CASES = {
    "unknown key": (
        GOOD + "hub:\n  replica: 1\n",
        "environments/bad.yaml: hub.replica: unknown key; did you mean 'replicas'?",
    ),
    "wrong quantity": (
        GOOD + "singleuser:\n  memory: {guarantee: 8 gigs, limit: 16Gi}\n",
        (
            "environments/bad.yaml: singleuser.memory.guarantee: '8 gigs' is not a "
            "memory/storage quantity; write a number with a binary suffix like 512Mi, 8Gi or 1Ti"
        ),
    ),
    "missing required field": (
        GOOD.replace("namespace: hub-test\n", ""),
        "environments/bad.yaml: namespace: required but missing; add it",
    ),
    "invalid host name": (
        GOOD.replace("host: hub.example.com", "host: https://hub.example.com/"),
        (
            "environments/bad.yaml: host: 'https://hub.example.com/' is not a valid "
            "host name; write a lower-case DNS name without scheme, port or path"
        ),
    ),
    "two hub replicas": (
        GOOD + "hub:\n  replicas: 2\n",
        (
            "environments/bad.yaml: hub.replicas: 2 replicas refused: "
            "JupyterHub keeps its state in its database and in memory"
        ),
    ),
    "two proxy replicas": (
        GOOD + "proxy:\n  replicas: 3\n",
        (
            "environments/bad.yaml: proxy.replicas: 3 replicas refused: "
            "configurable-http-proxy keeps its routing table in memory"
        ),
    ),
    "request above limit": (
        GOOD + "hub:\n  resources: {cpu: {request: '4', limit: '2'}, memory: {request: 1Gi, limit: 1Gi}}\n",
        "environments/bad.yaml: hub.resources.cpu.request: 4 is above the limit 2; lower it or raise cpu.limit",
    ),
    "no access rule": (
        GOOD.replace("  allowed_users: [alice]\n  admin_users: [admin]\n", ""),
        (
            "environments/bad.yaml: auth.allow_all: no access rule: nobody could log "
            "in; list who may (allowed_users, admin_users), or write `allow_all: true`"
        ),
    ),
    "unknown auth type": (
        GOOD.replace("type: shared-password", "type: pam"),
        (
            "environments/bad.yaml: auth.type: unknown type 'pam'; write one of: "
            "'keycloak', 'oidc', 'cloudflare-access', 'github', 'gitlab', 'google', 'azuread', 'ldap', 'lti13', "
            "'shared-password', 'dummy'"
        ),
    ),
    "untagged image": (
        GOOD + "singleuser:\n  image: jupyter/scipy-notebook\n",
        "environments/bad.yaml: singleuser.image: 'jupyter/scipy-notebook' has no tag; pin the image",
    ),
    "not yaml": (
        "namespace: [unclosed\n",
        "environments/bad.yaml: not valid YAML at line 2, column 1",
    ),
    "not a mapping": (
        "- a\n- b\n",
        "environments/bad.yaml: must be a YAML mapping of settings",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_with_file_and_field_and_leaves_dist_untouched(project: Path, case: str):
    assert run(project).returncode == 0
    before = tree(project / "dist")
    text, expected = BAD_CASES[case]
    (project / "environments" / "bad.yaml").write_text(text)
    result = run(project)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(project / "dist") == before


def test_every_problem_of_every_file_is_listed_at_once(project: Path):
    (project / "environments" / "a.yaml").write_text(GOOD + "hub:\n  replicas: 2\n  colour: blue\n")
    (project / "environments" / "b.yaml").write_text("namespace: hub-b\nauth: {type: shared-password}\n")
    result = run(project)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("environments/")]
    assert any(line.startswith("environments/a.yaml: hub.replicas:") for line in lines)
    assert any(line.startswith("environments/a.yaml: hub.colour: unknown key") for line in lines)
    assert any(line.startswith("environments/b.yaml: auth.password_secret: required but missing") for line in lines)
    assert not (project / "dist").exists()


def test_two_environments_writing_one_namespace_are_refused(project: Path):
    (project / "environments" / "twin.yaml").write_text(GOOD)
    result = run(project)
    assert result.returncode == 2
    assert (
        "environments/twin.yaml: namespace: 'hub-test' on cluster "
        "'in-cluster' is already written by environments/good.yaml"
    ) in result.stderr
    (project / "environments" / "twin.yaml").write_text(GOOD + "cluster: other\n")
    assert run(project).returncode == 0


def test_bad_file_name_is_refused(project: Path):
    (project / "environments" / "Prod_EU.yaml").write_text(GOOD.replace("hub-test", "hub-eu"))
    result = run(project)
    assert result.returncode == 2
    assert "environments/Prod_EU.yaml: file name 'Prod_EU' becomes a folder of dist/ and an ArgoCD name; rename it" in (
        result.stderr
    )


def test_schema_json_is_current():
    """environments/schema.json is what the models export."""
    from jupyterhub_cdk8s.config import config_schema

    committed = (ROOT / "environments" / "schema.json").read_text()
    assert committed == config_schema(), "environments/schema.json is stale: run `python main.py schema` and commit it"


def test_schema_command_writes_the_schema_beside_the_environments(project: Path):
    from jupyterhub_cdk8s.config import config_schema

    command = [sys.executable, str(ROOT / "main.py"), "schema", "--environments", str(project / "environments")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (project / "environments" / "schema.json").read_text() == config_schema()
