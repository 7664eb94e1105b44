"""Running the command line as a user does (a process), a fleet of environments, and folder trees as bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bench.benchmark import fleet, shipped_environments

from .synthesis import ROOT

# What every command-line test runs: `python main.py` of this checkout, jsii's Node 20 warning silenced.
MAIN = [sys.executable, str(ROOT / "main.py")]
ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


def run_main(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`python main.py ARGS` in `cwd`; output as text."""
    return subprocess.run(
        [*MAIN, *args], cwd=cwd, env=env or ENV, capture_output=True, text=True, timeout=timeout, check=False
    )


def tree(path: Path) -> dict[str, bytes]:
    """Every file below `path` (hidden ones too) by relative path, as bytes."""
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def write_fleet(folder: Path, size: int) -> list[str]:
    """`size` environment files made from the shipped ones, as bench/benchmark.py makes its fleets; their names."""
    templates = {name: yaml.safe_load(text) for name, text in shipped_environments().items()}
    folder.mkdir(parents=True, exist_ok=True)
    members = fleet(templates, size)
    for name, data in members.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return sorted(members)


def copy_of_this_checkout(target: Path) -> Path:
    """The files of this checkout as they are now (committed or not, ignored ones left out), with its shared tools.

    .venv and node_modules are linked, not copied: they are shared (and never written by a test).
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file() and not source.is_symlink():
            (target / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / os.fsdecode(name))
    for shared in (".venv", "node_modules"):
        (target / shared).symlink_to((ROOT / shared).resolve())
    return target
