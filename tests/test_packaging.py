"""Installed like any other tool: the wheel holds everything, and the README's "own GitOps repository" path works.

Issue 16: imports/ (the generated bindings) was not in the wheel, so an
installed copy failed as soon as monitoring or `gitops:` was on, and there
was no command to run. These tests build the wheel with the standard tooling
(`python -m build`), install it into a new venv in a temporary folder, and
run the README's commands there as written, but for the placeholder URL.

Cost: about 20 s on an idle machine (the build, a venv, pip installing the
pinned dependencies from pip's cache or its index, two synths) and 5 s more
for the wheel built from a git URL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from support.commands import copy_of_this_checkout, tree
from support.synthesis import ROOT

from jupyterhub_cdk8s import __version__

pytestmark = pytest.mark.output

BARE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"
GIT = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com"}
GIT |= {"GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def run(command: list[str] | str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        shell=isinstance(command, str),
        **kwargs,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(tmp_path: Path) -> Path:
    source = copy_of_this_checkout(tmp_path / "source")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "wheels"), str(source)], cwd=tmp_path)
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    return wheel


def readme_block(heading: str) -> list[str]:
    """The command lines of the first ```sh block below `heading` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(f"\n{heading}\n") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def package_files() -> set[str]:
    """What the wheel must hold: every file of the package and of imports/ that git knows."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "constructs/jupyterhub_cdk8s", "imports"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name.removeprefix("constructs/") for name in listed}


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def test_the_readme_path_for_your_own_repository_works_as_written_and_writes_this_dist(tmp_path):
    wheel = build_wheel(tmp_path)
    assert package_files() <= wheel_files(wheel), sorted(package_files() - wheel_files(wheel))

    # Your repository, with a remote of its own; then the README's lines, the install line pointed at the wheel.
    repo = tmp_path / "platform-gitops"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=repo)
    script = ["set -eu", f'PATH="{BARE_PYTHON.parent}:/usr/local/bin:/usr/bin:/bin"', "cd " + str(tmp_path)]
    for line in readme_block("### Use it in your own GitOps repository"):
        if line.startswith("pip install "):
            line = f"pip install --quiet '{wheel}'"
        elif line.startswith("git push"):
            continue  # no remote here
        elif line.startswith("kubectl apply"):
            line = "test -s " + line.split(" -f ")[1].split()[0]
        script.append(line)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")} | GIT
    run("\n".join(script), cwd=tmp_path, env=env, executable="/bin/bash")

    assert run(["git", "status", "--porcelain"], cwd=repo).stdout == ""
    committed = run(["git", "ls-files"], cwd=repo).stdout.split()
    assert ".venv" not in {name.split("/")[0] for name in committed}
    assert {"environments/hub.yaml", "environments/schema.json", "dist/hub/hub.yaml"} <= set(committed)
    argocd = list(yaml.safe_load_all((repo / "dist" / "argocd" / "hub.yaml").read_text()))
    application = next(obj for obj in argocd if obj["kind"] == "Application")
    assert application["spec"]["source"] == {
        "repoURL": "https://github.com/your-org/platform-gitops.git",
        "targetRevision": "main",
        "path": "dist/hub",
    }
    assert [obj["kind"] for obj in argocd] == ["AppProject", "Application"]
    # The CI workflow installs this version and runs the check, which passes on what was committed.
    workflow = (repo / ".github" / "workflows" / "jupyterhub-cdk8s.yml").read_text()
    assert f"pip install 'jupyterhub-cdk8s=={__version__}'" in workflow and "jupyterhub-cdk8s check" in workflow
    tool = repo / ".venv" / "bin" / "jupyterhub-cdk8s"
    assert run([str(tool), "check"], cwd=repo, env=env).returncode == 0
    assert run([str(tool), "--version"], cwd=repo).stdout == f"jupyterhub-cdk8s {__version__}\n"

    # The installed tool, in a folder that holds only this repository's environments, writes this repository's dist/.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "environments", elsewhere / "environments")
    run([str(tool), "synth", "--quiet"], cwd=elsewhere, env=env)
    assert tree(elsewhere / "dist") == tree(ROOT / "dist")
    assert sorted(os.listdir(elsewhere)) == ["dist", "environments"]


def test_a_wheel_built_from_a_git_url_holds_the_package_and_its_generated_bindings(tmp_path):
    source = copy_of_this_checkout(tmp_path / "source")
    for shared in (".venv", "node_modules"):
        (source / shared).unlink()
    run(["git", "init", "-q"], cwd=source)
    run(["git", "add", "-A"], cwd=source)
    run(["git", "commit", "-q", "-m", "this checkout"], cwd=source, env={**os.environ, **GIT})
    requirement = f"jupyterhub-cdk8s @ git+file://{source}"
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "w"), requirement],
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "w").glob("*.whl")
    assert package_files() <= wheel_files(wheel), sorted(package_files() - wheel_files(wheel))
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(name for name in archive.namelist() if name.endswith("entry_points.txt"))
        assert "jupyterhub-cdk8s = jupyterhub_cdk8s.__main__:entry" in archive.read(entry_points).decode()
