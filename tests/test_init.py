"""`init` starts a GitOps repository: a starter environment that synthesizes, its schema, .gitignore, a CI check.

Issue 16. It never overwrites a file, and what it writes is valid before it is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from jupyterhub_cdk8s import __version__, load_config
from jupyterhub_cdk8s.cli import Exit, main
from jupyterhub_cdk8s.config import config_schema
from jupyterhub_cdk8s.scaffold import WORKFLOW, install_requirement

pytestmark = pytest.mark.unit


def init(folder: Path, *args: str) -> int:
    return main(["init", str(folder), *args])


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_writes_a_valid_starter_its_schema_a_gitignore_and_a_ci_check(tmp_path, capsys):
    assert init(tmp_path, "--name", "research", "--repo-url", "https://git.example.com/platform.git") == 0
    written = files(tmp_path)
    assert sorted(written) == [
        ".github/workflows/jupyterhub-cdk8s.yml",
        ".gitignore",
        "environments/research.yaml",
        "environments/schema.json",
    ]
    config = load_config(tmp_path / "environments" / "research.yaml")
    assert (config.namespace, config.host) == ("research", "research.example.com")
    assert config.gitops is not None and config.gitops.repo_url == "https://git.example.com/platform.git"
    assert written["environments/schema.json"] == config_schema()
    workflow = yaml.safe_load(written[".github/workflows/jupyterhub-cdk8s.yml"])
    steps = [step.get("run") for step in workflow["jobs"]["check"]["steps"]]
    assert f"pip install '{install_requirement()}'" in steps and "jupyterhub-cdk8s check" in steps
    assert {".venv/", "cdk8s.out/", ".dist.jupyterhub-cdk8s-*/"} <= set(written[".gitignore"].splitlines())
    out = capsys.readouterr().out
    assert "created environments/research.yaml" in out and "next: edit environments/research.yaml" in out


def test_without_a_repository_url_the_gitops_section_is_a_hint(tmp_path):
    assert init(tmp_path) == 0
    text = (tmp_path / "environments" / "hub.yaml").read_text()
    assert "# gitops:\n#   repo_url: https://github.com/<org>/<repository>.git\n" in text
    assert load_config(tmp_path / "environments" / "hub.yaml").gitops is None


def test_init_never_overwrites_and_writes_nothing_when_a_file_exists(tmp_path, capsys):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "hub.yaml").write_text("mine\n")
    assert init(tmp_path) == Exit.CANNOT_WRITE
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path}/environments/hub.yaml: exists; init never overwrites a file: move it away, or write it yourself"
    ]
    assert files(tmp_path) == {"environments/hub.yaml": "mine\n"}


def test_an_existing_gitignore_gets_only_the_lines_it_lacks(tmp_path):
    (tmp_path / ".gitignore").write_text("node_modules\n.venv/")
    assert init(tmp_path) == 0
    text = (tmp_path / ".gitignore").read_text()
    assert text.startswith("node_modules\n.venv/\n# jupyterhub-cdk8s:")
    (tmp_path / "environments" / "hub.yaml").unlink()
    (tmp_path / "environments" / "schema.json").unlink()
    (tmp_path / WORKFLOW).unlink()
    assert init(tmp_path) == 0
    assert (tmp_path / ".gitignore").read_text() == text


def test_a_bad_name_is_a_usage_error_and_a_bad_value_a_config_problem(tmp_path, capsys):
    assert init(tmp_path, "--name", "Research_EU") == Exit.USAGE
    assert init(tmp_path, "--host", "https://hub.example.com/") == Exit.CONFIG
    assert "environments/hub.yaml: host: 'https://hub.example.com/' is not a valid host name" in (
        capsys.readouterr().err
    )
    assert files(tmp_path) == {}


@pytest.mark.parametrize(
    ("direct_url", "requirement"),
    [
        (None, f"jupyterhub-cdk8s=={__version__}"),  # from an index or a wheel file
        ({"url": "file:///src/jupyterhub-cdk8s", "dir_info": {"editable": True}}, f"jupyterhub-cdk8s=={__version__}"),
        (
            {"url": "https://github.com/your-org/jupyterhub-cdk8s", "vcs_info": {"vcs": "git", "commit_id": "0123abc"}},
            "jupyterhub-cdk8s @ git+https://github.com/your-org/jupyterhub-cdk8s@0123abc",
        ),
    ],
    ids=["index or wheel", "local folder", "git URL"],
)
def test_the_ci_workflow_installs_the_version_running_now(monkeypatch, direct_url, requirement):
    class Installed:
        @staticmethod
        def read_text(name):
            assert name == "direct_url.json"  # PEP 610
            return None if direct_url is None else json.dumps(direct_url)

    monkeypatch.setattr("jupyterhub_cdk8s.scaffold.metadata.distribution", lambda name: Installed)
    assert install_requirement() == requirement
