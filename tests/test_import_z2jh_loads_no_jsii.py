"""`import-z2jh` turns YAML into YAML: it never loads cdk8s or jsii (most of a synth's start-up, and a Node process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support.synthesis import ROOT

pytestmark = pytest.mark.output

JSII_MODULES = ("jsii", "cdk8s", "cdk8s_plus_27")
# Runs `python main.py ARGS...` as the shell would, then says which jsii modules it loaded: at exit, from an
# atexit function (the command line ends with os._exit once those have run).
PROBE = """
import atexit, json, runpy, sys
sys.argv = sys.argv[1:]
def report():
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in {modules!r})
    sys.stderr.write("\\n" + json.dumps({{"loaded": loaded}}) + "\\n")
    sys.stderr.flush()
atexit.register(report)
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _loaded_by(*args: str) -> tuple[int, list[str], str]:
    """Exit code, jsii modules loaded and stdout of `python main.py ARGS...`."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=JSII_MODULES), str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.returncode, report["loaded"], result.stdout


def test_import_z2jh_loads_neither_cdk8s_nor_jsii():
    code, loaded, out = _loaded_by("import-z2jh", str(ROOT / "tests" / "data" / "z2jh-values.yaml"))
    assert code == 0 and out.startswith("# Imported from a JupyterHub Helm chart values file")
    assert loaded == []


def test_the_probe_sees_jsii_where_a_command_loads_it():
    """The check above can fail: a synth (here `--check`, which writes nothing) does load them."""
    code, loaded, _ = _loaded_by("--check")
    assert code == 0
    assert {"jsii", "cdk8s"} <= {name.split(".")[0] for name in loaded}


def test_the_console_script_s_import_z2jh_loads_neither_either():
    """The same through `jupyterhub_cdk8s.__main__`, what the `jupyterhub-cdk8s` console script runs."""
    probe = PROBE.format(modules=JSII_MODULES).replace(
        'runpy.run_path(sys.argv[0], run_name="__main__")', 'runpy.run_module("jupyterhub_cdk8s", run_name="__main__")'
    )
    values = str(ROOT / "tests" / "data" / "z2jh-values.yaml")
    result = subprocess.run(
        [sys.executable, "-c", probe, "jupyterhub-cdk8s", "import-z2jh", values],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'constructs'}:{ROOT}"},
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert (result.returncode, report) == (0, {"loaded": []})
    assert result.stdout.startswith("# Imported from a JupyterHub Helm chart values file")
