"""The README's Quickstart, as written: what a fresh Debian needs, and "Try it in this repository".

Issue 16: `make test` needed promtool (and now slapd), which only .ci/run installed. The other
path, "Use it in your own GitOps repository", runs in test_packaging.py (it
needs the built wheel).

`make synth` runs for real in a copy of this checkout whose .venv is the
shared one, already installed (its stamp newer than pyproject.toml), so make
goes straight to the synth; `make test` is checked with `make -n`, as running
the whole suite from inside it would be the suite twice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.commands import copy_of_this_checkout, tree
from support.synthesis import ROOT

pytestmark = pytest.mark.output

DEBIAN_HINT = (
    "missing promtool or slapd: run 'sudo apt-get update && sudo apt-get install -y prometheus slapd' (Debian, Ubuntu)"
)


def readme_block(heading: str) -> list[str]:
    """The command lines of the first ```sh block below `heading`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(f"\n{heading}\n") :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def make(*args: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess:
    # A make of its own, not a sub-make of `make test` (which would print "Entering directory").
    outer = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {**{k: v for k, v in os.environ.items() if k not in outer}, "PATH": path or os.environ["PATH"]}
    command = [shutil.which("make") or "make", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_debian_packages_the_quickstart_names_exist():
    (line,) = readme_block("## Quickstart")
    packages = line.split("apt-get install -y ")[1].split()
    if shutil.which("apt-cache") is None:
        pytest.skip("not a Debian machine")
    shown = subprocess.run(["apt-cache", "show", *packages], capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert set(re.findall(r"^Package: (\S+)$", shown.stdout, re.M)) >= set(packages)


def test_try_it_in_this_repository_as_written(tmp_path):
    clone, synth, test = readme_block("### Try it in this repository")
    assert clone.startswith("git clone ") and clone.endswith("&& cd jupyterhub-cdk8s")
    checkout = copy_of_this_checkout(tmp_path / "jupyterhub-cdk8s")
    stamp = (ROOT / ".venv" / ".installed").stat().st_mtime
    for prerequisite in ("pyproject.toml", "package.json"):  # installed already: make must not reinstall
        os.utime(checkout / prerequisite, (stamp - 60, stamp - 60))
    committed = tree(checkout / "dist")

    assert synth == "make synth"
    result = make("synth", cwd=checkout)
    assert result.returncode == 0, result.stderr
    environments = len(list((checkout / "environments").glob("*.yaml")))
    assert f"synthesized {environments} environment(s)" in result.stdout and "pip install" not in result.stdout
    assert tree(checkout / "dist") == committed

    assert test == "make test"
    plan = make("-n", "test", cwd=checkout)
    assert plan.returncode == 0, plan.stderr
    assert "command -v promtool" in plan.stdout
    assert ".venv/bin/ruff check ." in plan.stdout and ".venv/bin/mypy" in plan.stdout
    assert ".venv/bin/python -m pytest -n 2" in plan.stdout


def test_make_installs_the_debian_packages_only_when_missing_and_else_names_the_command(tmp_path):
    if shutil.which("promtool") and Path("/usr/sbin/slapd").exists():
        assert make("debian-packages", cwd=ROOT).stdout == ""  # present: nothing to do

    # Missing, and no apt-get: the exact command to run.
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "id").symlink_to(shutil.which("id"))
    missing = make("debian-packages", cwd=ROOT, path=str(bare))
    assert missing.returncode != 0
    assert missing.stderr.splitlines()[0] == DEBIAN_HINT

    # Missing, apt-get there, but not root: the same command, nothing run with apt-get.
    user = tmp_path / "user"
    user.mkdir()
    (user / "id").write_text("#!/bin/sh\necho 1000\n")
    (user / "apt-get").write_text(f"#!/bin/sh\ntouch {tmp_path}/apt-get-ran\n")
    for script in ("id", "apt-get"):
        (user / script).chmod(0o755)
    not_root = make("debian-packages", cwd=ROOT, path=str(user))
    assert not_root.returncode != 0 and not_root.stderr.splitlines()[0] == DEBIAN_HINT
    assert not (tmp_path / "apt-get-ran").exists()

    # Missing, root, apt-get there: it installs Debian's prometheus package.
    root = tmp_path / "root"
    root.mkdir()
    (root / "id").write_text("#!/bin/sh\necho 0\n")
    (root / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/apt-get-calls\n')
    (root / "debconf-set-selections").write_text(
        f'#!/bin/sh\nread selection; echo "$selection" >> {tmp_path}/debconf\n'
    )
    for script in ("id", "apt-get", "debconf-set-selections"):
        (root / script).chmod(0o755)
    installs = make("debian-packages", cwd=ROOT, path=str(root))
    assert installs.returncode == 0, installs.stderr
    assert (tmp_path / "apt-get-calls").read_text().splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends prometheus slapd",
    ]
    # slapd's own server stays unconfigured: the LDAP test starts one of its own on loopback.
    assert (tmp_path / "debconf").read_text() == "slapd slapd/no_configuration boolean true\n"
