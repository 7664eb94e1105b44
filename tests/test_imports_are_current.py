"""CI gate: imports/ (the typed custom resource bindings) is exactly what `make imports` makes from cdk8s.yaml.

cdk8s.yaml names the vendored CRD file of each binding (crds/, Argo CD v3.5.1 and
Prometheus Operator v0.93.0); were imports/ generated from another file, the
bindings would write fields the declared versions do not have, or lack some they
do. The real cdk8s CLI (node_modules, installed by `make install`) regenerates
them offline into a scratch folder, about 13 s, and every file must match.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest
from support.commands import ENV
from support.synthesis import ROOT

pytestmark = pytest.mark.output

CDK8S = ROOT / "node_modules" / ".bin" / "cdk8s"


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.skipif(not CDK8S.exists(), reason="needs the cdk8s CLI: make install")
def test_imports_are_what_cdk8s_import_makes_from_the_vendored_crds(tmp_path):
    shutil.copy(ROOT / "cdk8s.yaml", tmp_path)
    shutil.copytree(ROOT / "crds", tmp_path / "crds")
    command = [str(CDK8S), "import", "--no-check-upgrade", "--language", "python", "--output", "imports", "--no-save"]
    result = subprocess.run(command, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    made, committed = tmp_path / "imports", ROOT / "imports"
    assert files(made) == files(committed), "imports/ is stale: run `make imports` and commit"
    different = [name for name in sorted(files(made)) if not filecmp.cmp(made / name, committed / name, shallow=False)]
    assert different == [], f"imports/ is stale: run `make imports` and commit; differing: {different}"
