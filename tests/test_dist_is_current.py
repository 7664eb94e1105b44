"""CI gate: the committed dist/ is exactly what the committed environments synthesize to.

ArgoCD syncs dist/ from git, so a change to environments/ or the constructs
that was not re-synthesized and committed would silently never reach a cluster.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from support.synthesis import ROOT

pytestmark = pytest.mark.output


def _check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_committed_dist_is_up_to_date():
    result = _check()
    assert result.returncode == 0, f"dist/ is stale; run `python main.py` and commit:\n{result.stderr}"


def test_a_changed_environment_makes_the_check_fail(tmp_path):
    environments, dist = tmp_path / "environments", tmp_path / "dist"
    shutil.copytree(ROOT / "environments", environments)
    shutil.copytree(ROOT / "dist", dist)
    assert _check("--environments", str(environments), "--dist", str(dist)).returncode == 0

    urbalurba = environments / "urbalurba.yaml"
    urbalurba.write_text(urbalurba.read_text().replace("target_revision: main", "target_revision: release"))
    result = _check("--environments", str(environments), "--dist", str(dist))
    assert result.returncode == 1
    assert "changed: argocd/urbalurba.yaml" in result.stderr
    assert "dist/ is stale" in result.stderr
