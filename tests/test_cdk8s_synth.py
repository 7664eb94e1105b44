"""`cdk8s synth`, run by the real cdk8s CLI from node_modules, in a copy of this checkout.

Issue 16: the CLI deletes its output folder (then `dist`) before it runs the
app; without an activated venv the app failed, leaving the committed dist/
deleted; `-o` was ignored, `--stdout` printed nothing, the notices were lost.
cdk8s.yaml now names `cdk8s.out` as the CLI's folder and `python3 main.py` as
the app, which finds the checkout's .venv itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.commands import copy_of_this_checkout, tree
from support.synthesis import ROOT

pytestmark = pytest.mark.output

CDK8S = str(ROOT / "node_modules" / ".bin" / "cdk8s")
# Python without the project's packages first on PATH, no venv active: a new user's shell.
BARE_PYTHON = Path(sys.base_prefix) / "bin"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return copy_of_this_checkout(tmp_path_factory.mktemp("checkout"))


def cdk8s_synth(checkout: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH", "CDK8S_OUTDIR")}
    env["PATH"] = path or f"{BARE_PYTHON}:/usr/local/bin:/usr/bin:/bin"
    return subprocess.run(
        [CDK8S, "synth", "--no-check-upgrade", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_bare_python_lacks_the_packages_so_main_py_must_find_the_venv():
    probe = subprocess.run([str(BARE_PYTHON / "python3"), "-c", "import cdk8s"], capture_output=True, check=False)
    assert probe.returncode != 0


def test_cdk8s_synth_writes_dist_as_the_command_line_does_and_shows_the_notices(checkout):
    committed = tree(checkout / "dist")
    result = cdk8s_synth(checkout)
    assert result.returncode == 0, result.stderr
    assert tree(checkout / "dist") == committed
    assert 'notice: environments/default.yaml: user pods meet Pod Security "restricted"' in result.stderr
    environments = len(list((ROOT / "environments").glob("*.yaml")))
    assert f"synthesized {environments} environment(s)" in result.stderr
    # Its CLI lists what it finds in its own folder, a copy; dist/ is the one to commit.
    assert "  - cdk8s.out/default/hub.yaml" in result.stdout
    assert tree(checkout / "cdk8s.out") == committed


def test_cdk8s_synth_output_writes_the_tree_there_and_leaves_dist(checkout, tmp_path):
    committed = tree(checkout / "dist")
    result = cdk8s_synth(checkout, "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "out") == committed
    assert tree(checkout / "dist") == committed


def test_cdk8s_synth_stdout_prints_every_object_as_one_stream(checkout):
    result = cdk8s_synth(checkout, "--stdout")
    assert result.returncode == 0, result.stderr
    printed = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    committed = [
        doc
        for path in sorted((checkout / "dist").rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]
    assert len(printed) == len(committed) > 200
    key = lambda doc: (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])  # noqa: E731
    assert sorted(printed, key=key) == sorted(committed, key=key)


def test_without_the_packages_or_a_venv_it_fails_in_one_line_and_dist_stays(checkout, tmp_path):
    bare = tmp_path / "bare"  # a fresh clone before `make install`: no .venv
    shutil.copytree(checkout / "constructs", bare / "constructs")
    for name in ("main.py", "cdk8s.yaml"):
        (bare / name).write_bytes((checkout / name).read_bytes())
    (bare / "dist").mkdir()
    (bare / "dist" / "kept.yaml").write_text("kept: true\n")
    result = cdk8s_synth(bare)
    assert result.returncode != 0
    assert f"lacks cdk8s, cdk8s_plus_27 and there is no {bare}/.venv: run `make install` here first" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(bare / "dist") == {"kept.yaml": b"kept: true\n"}
