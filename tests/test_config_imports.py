"""The config layer stands alone: loading every environment imports no construct, no cdk8s and no jsii."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support.synthesis import ROOT

pytestmark = pytest.mark.output

SCRIPT = """
import sys; sys.path[:0] = ['constructs', '.']
from pathlib import Path
from jupyterhub_cdk8s.config import load_environments

load_environments(Path('environments'))
foreign = ('cdk8s', 'cdk8s_plus_27', 'constructs', 'jsii', 'imports')
ours = [n for n in sys.modules if n.startswith('jupyterhub_cdk8s.') and not n.startswith('jupyterhub_cdk8s.config')]
print(sorted([n for n in sys.modules if n.split('.')[0] in foreign] + ours))
"""


def test_loading_the_environments_imports_nothing_outside_config():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
