"""The benchmark runs end to end on a small fleet and prints every row of its table (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from support.synthesis import ROOT

from bench.benchmark import fleet, shipped_environments
from jupyterhub_cdk8s.config import HubConfig


@pytest.mark.unit
def test_fleet_varies_namespace_cluster_host_and_resources_of_every_template():
    templates = {name: yaml.safe_load(text) for name, text in shipped_environments().items()}
    members = fleet(templates, 2 * len(templates))
    configs = [HubConfig.model_validate(data) for data in members.values()]
    assert len({c.namespace for c in configs}) == len(configs)
    assert len({c.host for c in configs}) == len(configs)
    assert len({c.cluster for c in configs}) > 1
    assert len({(c.singleuser.cpu.limit, c.singleuser.memory.limit) for c in configs}) > 1
    # Every shipped environment is a template, twice.
    assert sorted(name.split("-", 2)[2] for name in members) == sorted(list(templates) * 2)


@pytest.mark.output
def test_benchmark_prints_one_row_per_case_on_a_fleet_of_two(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "benchmark.py"),
            "--runs",
            "1",
            "--warmup",
            "0",
            "--fleet",
            "2",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| case")]
    names = [row.split("|")[1].strip() for row in rows]
    shipped = len(shipped_environments())
    assert names == [
        "floor: import cdk8s, cdk8s_plus_27",
        "default environment",
        f"shipped environments ({shipped})",
        "fleet of 2",
    ]
    objects = {name: row.split("|")[3].strip() for name, row in zip(names, rows, strict=False)}
    assert int(objects["fleet of 2"]) > 0 and int(objects["default environment"]) > 0
    assert all(row.split("|")[7].strip() not in ("", "n/a") for row in rows), "peak memory measured for every row"
    assert results.read_text(encoding="utf-8").endswith(done.stdout)
