"""CI gate: the committed dist/ is exactly what the committed environments synthesize to.

ArgoCD syncs dist/ from git, so a change to environments/ or the constructs
that was not re-synthesized and committed would silently never reach a cluster.
This is the only test that dist/ is current (the other output tests read it
as it is); that `--check` finds each kind of difference is tested in test_synth_check_and_bad_input.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support.synthesis import ROOT

pytestmark = pytest.mark.output


def test_committed_dist_is_up_to_date():
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    command = [sys.executable, str(ROOT / "main.py"), "--check"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"dist/ is stale; run `python main.py` and commit:\n{result.stderr}"
