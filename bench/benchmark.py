"""How long `python main.py` takes, measured against the floor no synth can beat.

The floor is a bare `python -c "import cdk8s, cdk8s_plus_27"`: starting Python,
loading the jsii assemblies and starting their Node process. Every other row
is a real `python main.py --environments DIR --dist DIR` into a temporary
folder (never the repository's dist/): the default environment alone, all
shipped environments, and generated fleets made from the shipped environments
as templates, so a capability added to those files is exercised by the fleet.

Runs are interleaved (floor, default, shipped, fleets; repeated), so machine
noise hits every row alike and ratios to the floor stay meaningful on a busy
machine. Usage: `python bench/benchmark.py [--runs 5] [--fleet 10 50]`.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "constructs"))

from jupyterhub_cdk8s.config import HubConfig  # noqa: E402

FLOOR_IMPORT = "import cdk8s, cdk8s_plus_27"
# Targets of issue 9, as ratios to the floor measured in the same run.
DEFAULT_TIME_BUDGET = 1.6
FLEET_SIZE_WITH_BUDGET = 50
FLEET_TIME_BUDGET = 8.0
FLEET_MEMORY_BUDGET_MB = 600

CLUSTERS = ("east", "west", "lab")
CPU_STEPS = (("100m", "1"), ("500m", "2"), ("1", "4"))
MEMORY_STEPS = (("512Mi", "2Gi"), ("1Gi", "4Gi"), ("4Gi", "16Gi"))


# --- the fleet ----------------------------------------------------------------


def fleet(templates: dict[str, dict], size: int) -> dict[str, dict]:
    """`size` environments cycling through `templates`, each its own team's hub.

    Every member gets its own namespace, and where the template allows it its
    own cluster, host and user resources. Variations are tried from the most
    to the least varied and the first one the schema accepts is kept, so the
    fleet stays valid when features add cross-field rules to the templates.
    """
    names = sorted(templates)
    members = {}
    for index in range(size):
        template = names[index % len(names)]
        team = f"team-{index:03d}"
        members[f"{team}-{template}"] = _first_valid(_variants(templates[template], index, team), f"{team}-{template}")
    return members


def _variants(template: dict, index: int, team: str) -> list[dict]:
    namespace_only = copy.deepcopy(template) | {"namespace": team}
    on_cluster = namespace_only | {"cluster": CLUSTERS[index % len(CLUSTERS)]}
    with_host = on_cluster | {"host": f"{team}.hubs.example.com"}
    cpu, memory = CPU_STEPS[index % len(CPU_STEPS)], MEMORY_STEPS[(index // len(CPU_STEPS)) % len(MEMORY_STEPS)]
    resized = copy.deepcopy(with_host)
    singleuser = resized.setdefault("singleuser", {})
    singleuser["cpu"] = {**singleuser.get("cpu", {}), "guarantee": cpu[0], "limit": cpu[1]}
    singleuser["memory"] = {**singleuser.get("memory", {}), "guarantee": memory[0], "limit": memory[1]}
    return [resized, with_host, on_cluster, namespace_only]


def _first_valid(variants: list[dict], name: str) -> dict:
    errors = []
    for variant in variants:
        try:
            HubConfig.model_validate(variant)
            return variant
        except ValueError as error:
            errors.append(str(error))
    raise SystemExit(f"fleet member {name}: no variant of its template is valid:\n" + "\n".join(errors))


def shipped_environments() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted((ROOT / "environments").glob("*.yaml"))}


# --- measuring one process ----------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _high_water_mark(pid: int) -> int:
    """Peak resident set of one process so far, in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory:
    """Peak memory of a process tree: the sum of each process's peak RSS.

    Python and its jsii Node processes (and a fleet's helper) live side by side, so
    their peaks add up. Sampled from /proc every 50 ms; on systems
    without /proc the peak is unknown (None).
    """

    # VmHWM is a high-water mark: sampling only has to see each process once
    # before it exits, and sampling less often takes less CPU from the run.
    INTERVAL = 0.05

    def __init__(self, pid: int):
        self._root = pid
        self._peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.available = Path("/proc/self/status").exists()
        if self.available:
            self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            pending = [self._root]
            while pending:
                pid = pending.pop()
                self._peaks[pid] = max(self._peaks.get(pid, 0), _high_water_mark(pid))
                pending += _children(pid)
            self._stop.wait(self.INTERVAL)

    def stop(self) -> int | None:
        if not self.available:
            return None
        self._stop.set()
        self._thread.join()
        return sum(self._peaks.values())


def measure(command: list[str]) -> tuple[float, int | None]:
    """Wall-clock seconds and peak tree memory (bytes) of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(process.pid)
    # Read stderr before waiting: a full pipe would block the child.
    errors = process.stderr.read()
    process.wait()
    elapsed = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.decode(errors='replace')}")
    return elapsed, peak


# --- the cases ----------------------------------------------------------------


@dataclass
class Case:
    """One row of the table: a command run several times."""

    name: str
    environments: int
    environments_dir: Path | None = None
    seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    objects: int | None = None

    def command(self, python: str, dist: Path) -> list[str]:
        if self.environments_dir is None:
            return [python, "-c", FLOOR_IMPORT]
        return [python, str(ROOT / "main.py"), "--environments", str(self.environments_dir), "--dist", str(dist)]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_mb(self) -> float | None:
        return max(self.peaks) / 2**20 if self.peaks else None


def _write_environments(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def cases(workdir: Path, fleet_sizes: list[int]) -> list[Case]:
    shipped = shipped_environments()
    rows = [
        Case("floor: import cdk8s, cdk8s_plus_27", 0),
        Case("default environment", 1, _write_environments(workdir / "default", {"default": shipped["default"]})),
        Case(f"shipped environments ({len(shipped)})", len(shipped), _write_environments(workdir / "shipped", shipped)),
    ]
    templates = {name: yaml.safe_load(text) for name, text in shipped.items()}
    for size in fleet_sizes:
        members = fleet(templates, size)
        texts = {name: yaml.safe_dump(data, sort_keys=False) for name, data in members.items()}
        rows.append(Case(f"fleet of {size}", size, _write_environments(workdir / f"fleet-{size}", texts)))
    return rows


def count_objects(dist: Path) -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return sum(
        1
        for path in dist.rglob("*.yaml")
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=loader)
        if isinstance(doc, dict) and "kind" in doc
    )


def compile_bytecode(python: str) -> None:
    """Write the project's .pyc files, as any Python does on its first run.

    Where PYTHONDONTWRITEBYTECODE is set (as on the machine of RESULTS.md),
    Python would otherwise compile the package and the generated bindings in
    imports/ from source on every run, which no installed tool does.
    """
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "constructs"), str(ROOT / "imports")], check=True)


def run(rows: list[Case], python: str, runs: int, warmup: int, workdir: Path) -> None:
    for round_ in range(-warmup, runs):
        for index, case in enumerate(rows):
            dist = workdir / f"dist-{index}"
            seconds, peak = measure(case.command(python, dist))
            if round_ >= 0:
                case.seconds.append(seconds)
                if peak is not None:
                    case.peaks.append(peak)
            if case.objects is None and case.environments_dir is not None:
                case.objects = count_objects(dist)
            shutil.rmtree(dist, ignore_errors=True)


# --- the report ---------------------------------------------------------------


def _budget(case: Case, ratio: float) -> str:
    checks = []
    if case.name == "default environment":
        checks.append((f"≤ {DEFAULT_TIME_BUDGET}× floor", ratio <= DEFAULT_TIME_BUDGET))
    if case.name == f"fleet of {FLEET_SIZE_WITH_BUDGET}":
        checks.append((f"≤ {FLEET_TIME_BUDGET:g}× floor", ratio <= FLEET_TIME_BUDGET))
        if case.peak_mb is not None:
            checks.append((f"≤ {FLEET_MEMORY_BUDGET_MB} MB", case.peak_mb <= FLEET_MEMORY_BUDGET_MB))
    return ", ".join(f"{text} {'ok' if met else 'MISSED'}" for text, met in checks)


def table(rows: list[Case]) -> str:
    floor = rows[0]
    lines = [
        "| case | environments | objects | median s | min–max s | × floor | peak MB | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for case in rows:
        ratio = case.median / floor.median
        peak = f"{case.peak_mb:.0f}" if case.peak_mb is not None else "n/a"
        lines.append(
            f"| {case.name} | {case.environments} | {case.objects if case.objects is not None else '—'} "
            f"| {case.median:.2f} | {min(case.seconds):.2f}–{max(case.seconds):.2f} | {ratio:.2f}× | {peak} "
            f"| {_budget(case, ratio)} |"
        )
    return "\n".join(lines)


def _first_line(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _memory_gib() -> str:
    total = _first_line("/proc/meminfo", "MemTotal")
    return f"{int(total.split()[0]) / 2**20:.1f} GiB" if total != "unknown" else total


def _version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(python: str) -> list[str]:
    return [
        f"- machine: {os.cpu_count()} CPUs ({_first_line('/proc/cpuinfo', 'model name')}), "
        f"memory {_memory_gib()}, {platform.system()} {platform.release()}",
        f"- Python {_version([python, '-c', 'import platform; print(platform.python_version())'])}, "
        f"Node {_version(['node', '--version'])}",
    ]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per case; the table shows their median")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (fills OS and bytecode caches)")
    parser.add_argument("--fleet", type=int, nargs="*", default=[10, FLEET_SIZE_WITH_BUDGET], help="fleet sizes")
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs main.py")
    parser.add_argument("--results", type=Path, help="also write the report to this Markdown file")
    args = parser.parse_args(argv)

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    compile_bytecode(args.python)
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="jupyterhub-cdk8s-bench-") as tmp:
        rows = cases(Path(tmp), args.fleet)
        run(rows, args.python, args.runs, args.warmup, Path(tmp))
    header = machine(args.python) + [
        f"- {args.runs} measured run(s) per case after {args.warmup} warm-up round(s), interleaved; "
        f"load average before {load_before}, after {_load()}",
        "- peak MB: sum of the peak RSS of every process of the run "
        "(Python, its Node processes, and a fleet's helper process with its own)",
        "- the project's bytecode is compiled before the runs (`compileall`), as after any first run",
    ]
    report = "\n".join(header) + "\n\n" + table(rows) + "\n"
    print(report, end="")
    if args.results:
        args.results.write_text(
            "# Synth benchmark results\n\nFrom `make bench` (`python bench/benchmark.py`); see bench/README.md.\n\n"
            + report,
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
