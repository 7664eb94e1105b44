"""Hostile input through the command line: every case refused at its field, in bounded time and memory.

The catalogue (tests/support/hostile.py) holds one file per case. All environment files go into one folder and
one run of `python main.py` (the loader reports every file's problems at once); all values files into one process
that runs `python main.py import-z2jh` on each. Both run under resource limits (address space and CPU time), so
an alias bomb, a runaway count or a parser recursion fails the run instead of the machine. Each case then checks
its own line: `file: field: message`, one line, no traceback, exit 2, dist/ byte-identical.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.hostile import COLLIDING_CASES, ENVIRONMENT_CASES, VALUES_CASES, Case, ValuesCase
from support.synthesis import ROOT

pytestmark = pytest.mark.output

ADDRESS_SPACE = 1024 * 2**20
"""A run may map 1 GiB: the CLI refusing 200 files needs about a third of it; an alias bomb needed 8 GB."""
CPU_SECONDS = 60
WALL_SECONDS = 120


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _run(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "PYTHONPATH": str(ROOT / "tests")}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS,
        preexec_fn=_limited,
    )
    return result, time.monotonic() - started


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


# --- environment files: one run for the whole catalogue ---------------------------------------------------


@dataclass(frozen=True)
class Batch:
    result: subprocess.CompletedProcess
    seconds: float
    dist_before: dict[str, bytes]
    dist_after: dict[str, bytes]

    def lines_of(self, case: Case) -> list[str]:
        prefix = f"environments/{case.name}: "
        return [line for line in self.result.stderr.splitlines() if line.startswith(prefix)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    root = tmp_path_factory.mktemp("hostile")
    (root / "environments").mkdir()
    for case in ENVIRONMENT_CASES + COLLIDING_CASES:
        case.write(root / "environments" / case.name)
    (root / "dist" / "old").mkdir(parents=True)
    (root / "dist" / "old" / "hub.yaml").write_bytes(b"# a previous synth\r\nkind: ConfigMap\n")
    before = _tree(root / "dist")
    result, seconds = _run([str(ROOT / "main.py"), "--environments", "environments", "--dist", "dist"], root)
    return Batch(result, seconds, before, _tree(root / "dist"))


def test_the_catalogue_covers_every_class_with_150_cases():
    environments = [case.id for case in ENVIRONMENT_CASES + COLLIDING_CASES]
    values = [case.id for case in VALUES_CASES]
    assert len(environments) + len(values) >= 150
    assert len(set(environments)) == len(environments) and len(set(values)) == len(values)
    assert {case.kind for case in ENVIRONMENT_CASES + COLLIDING_CASES} == {4, 5, 6, 9}


def test_the_run_ends_in_bounded_time_with_exit_2_and_dist_untouched(batch: Batch):
    assert batch.result.returncode == 2, batch.result.stderr[-2000:]
    assert batch.seconds < 30
    assert batch.dist_after == batch.dist_before
    assert batch.result.stdout == ""
    assert len(batch.result.stderr) < 200_000  # no echo of an unbounded value, no thousands of lines
    assert "Traceback" not in batch.result.stderr and "Error:" not in batch.result.stderr


def test_every_line_is_one_problem_of_one_file(batch: Batch):
    *problems, summary = batch.result.stderr.splitlines()
    assert re.fullmatch(r"\d+ problem\(s\); nothing was written\.", summary)
    assert int(summary.split()[0]) == len(problems)
    assert all(re.match(r"environments/[^/:]+: \S", line) for line in problems), problems


@pytest.mark.parametrize("case", [c for c in ENVIRONMENT_CASES + COLLIDING_CASES if c.fragment], ids=lambda c: c.id)
def test_each_hostile_environment_is_refused_at_its_field(case: Case, batch: Batch):
    lines = batch.lines_of(case)
    where = f"environments/{case.name}: {case.field}: " if case.field else f"environments/{case.name}: "
    assert any(line.startswith(where) and case.fragment in line for line in lines), lines


# --- chart values files: one process runs import-z2jh on each ------------------------------------------

DRIVER = """
import contextlib, io, json, sys
from jupyterhub_cdk8s.cli import main
results = {}
for path in sys.argv[1:]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["import-z2jh", path])
    results[path] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def imports(tmp_path_factory) -> dict[str, list]:
    root = tmp_path_factory.mktemp("hostile-values")
    for case in VALUES_CASES:
        data = case.content.encode() if isinstance(case.content, str) else case.content
        (root / f"{case.id}.yaml").write_bytes(data)
    code = f"import sys; sys.path[:0] = [{str(ROOT / 'constructs')!r}]\n" + DRIVER
    result, seconds = _run(["-c", code, *(f"{case.id}.yaml" for case in VALUES_CASES)], root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert seconds < 30
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", VALUES_CASES, ids=lambda c: c.id)
def test_each_hostile_values_file_stops_the_import_at_its_chart_key(case: ValuesCase, imports: dict[str, list]):
    code, out, err = imports[f"{case.id}.yaml"]
    assert (code, out) == (2, "")
    *lines, last = err.splitlines()
    assert last == "nothing was imported: fix the values above in the values file and import again"
    assert "Traceback" not in err and len(err) < 20_000
    assert all(line.startswith(f"{case.id}.yaml: ") for line in lines), lines
    where = f"{case.id}.yaml: {case.key}: " if case.key else f"{case.id}.yaml: "
    assert any(line.startswith(where) and case.fragment in line for line in lines), lines
