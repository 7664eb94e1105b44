"""Fault injection: SIGKILL, SIGTERM and SIGINT at random moments of a fleet synth, repeated.

Issue 19, class 3 and its proof. Ctrl-C during a fleet synth used to hang;
after SIGKILL or SIGTERM of the command, the helper and Node processes ran on;
a kill between two renames left no dist/ at all, and `.dist-*` folders stayed.

Each trial synthesizes a fleet (16 environments, so the helper process runs)
whose files differ from what dist/ holds, and signals it at a random moment:
SIGKILL and SIGTERM to the command's process (`kill PID`), SIGINT to its
process group (what Ctrl-C does). After each: dist/ is the old tree or the new
one (the old one whenever the run said "nothing was written"), and no process
of the run is left (this test is their subreaper, so orphans become its
children and are seen). Finally a normal run succeeds and leaves no debris,
beside dist/ or in its TMPDIR. The seed is printed on failure (FAULT_SEED=...
repeats it); about 35 s on an idle machine, at most about 70 s on a busy one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from support.commands import ENV, MAIN, tree, write_fleet

from jupyterhub_cdk8s.helper_process import FAN_OUT_MIN

pytestmark = [
    pytest.mark.output,
    pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc"),
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the helper process runs only with a second core"),
]

# At least two trials of each signal; more, up to 12, while the trials have taken less than TRIALS_BUDGET seconds
# (a busy machine makes each synth, and so each trial, longer).
TRIALS = (6, 12)
TRIALS_BUDGET = 40.0
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
_PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def subreaper(on: bool) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)


def children() -> set[int]:
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


def alive(pids: set[int]) -> dict[int, str]:
    """Which of `pids` still run (zombies are reaped), with their command lines."""
    running = {}
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state == "Z":
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            continue
        running[pid] = command[:120]
    return running


def survivors(before: set[int], within: float) -> dict[int, str]:
    """Processes of the run still there after `within` seconds (an orphan of it is a child of this subreaper)."""
    deadline = time.monotonic() + within
    while True:
        left = alive(children() - before)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def set_version(environments: Path, names: list[str], version: str) -> None:
    """Every environment's host names the version: all their ingress files differ between versions."""
    for name in names:
        path = environments / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["host"] = f"{name}.{version}.example.com"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def start(work: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*MAIN, "-q", "--environments", "environments", "--dist", "dist"],
        cwd=work,
        env={**ENV, "TMPDIR": str(work / "tmp")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a command started from a shell has
    )


def synthesize(work: Path) -> float:
    began = time.monotonic()
    run = start(work)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    return time.monotonic() - began


def test_signals_at_random_moments_leave_the_old_or_the_new_tree_and_no_process(tmp_path):
    seed = int(os.environ.get("FAULT_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    work = tmp_path / "work"
    (work / "tmp").mkdir(parents=True)
    names = write_fleet(work / "environments", FAN_OUT_MIN)
    trees = {}
    for version in ("a", "b"):
        set_version(work / "environments", names, version)
        duration = synthesize(work)
        trees[version] = tree(work / "dist")
    assert trees["a"] != trees["b"]

    subreaper(True)
    began = time.monotonic()
    try:
        current = "b"
        for trial in range(TRIALS[1]):
            if trial >= TRIALS[0] and time.monotonic() - began > TRIALS_BUDGET:
                break
            target = "a" if current == "b" else "b"
            set_version(work / "environments", names, target)
            how = SIGNALS[trial % len(SIGNALS)]
            moment = rng.uniform(0.05, duration * 1.1)
            context = f"seed {seed}, trial {trial}: {how.name} after {moment:.2f} s of a {duration:.1f} s synth"
            before = children()
            run = start(work)
            time.sleep(moment)
            with contextlib.suppress(ProcessLookupError):
                if how == signal.SIGINT:
                    os.killpg(run.pid, how)  # Ctrl-C: the whole foreground group
                else:
                    run.send_signal(how)
            try:
                _, err = run.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                run.kill()
                pytest.fail(f"{context}: still running 20 s after the signal")
            # The environments' own warnings (urbalurba's hub_metrics) come before whatever the signal made.
            err = "".join(line for line in err.splitlines(keepends=True) if not line.startswith("WARNING: "))
            left = survivors(before, within=10)
            assert not left, f"{context}: processes of the run survived: {left}"

            now = tree(work / "dist")
            assert now in (trees[current], trees[target]), f"{context}: dist/ is neither the old tree nor the new one"
            assert "Traceback" not in err and "Warning" not in err, f"{context}:\n{err}"
            # 130/143 from the run; -2/-15 if the signal came while Python itself was starting; 0 if it came too late.
            assert run.returncode in (-how, 128 + how if how != signal.SIGKILL else 0, 0), f"{context}: {err}"
            if run.returncode in (130, 143):
                # Before the new tree is in place nothing was written; after, the run says it was (its path as given).
                written = "interrupted after dist was written in full: it holds the new files\n"
                assert err in ("interrupted; nothing was written\n", written), f"{context}:\n{err}"
                expected = trees[target] if err == written else trees[current]
                assert now == expected, f"{context}: said {err.strip()!r}, but dist/ is the other tree"
            if run.returncode == 0:
                assert now == trees[target], context
            if run.returncode < 0 and how != signal.SIGKILL:
                assert now == trees[current], f"{context}: killed before it started, but dist/ changed"
            current = "a" if now == trees["a"] else "b"
    finally:
        subreaper(False)

    # The next run succeeds and leaves nothing behind: no staging folder, nothing of jsii in TMPDIR.
    target = "a" if current == "b" else "b"
    set_version(work / "environments", names, target)
    synthesize(work)
    assert tree(work / "dist") == trees[target]
    assert sorted(os.listdir(work)) == ["dist", "environments", "tmp"], f"seed {seed}"
    assert os.listdir(work / "tmp") == [], f"seed {seed}"


def test_ctrl_c_while_node_works_is_one_line_without_a_node_stack(tmp_path):
    """A single environment, interrupted once jsii's Node runtime runs: it used to print Python's and Node's stacks."""
    work = tmp_path / "work"
    (work / "tmp").mkdir(parents=True)
    write_fleet(work / "environments", 1)
    subreaper(True)
    try:
        before = children()
        run = start(work)
        deadline = time.monotonic() + 60
        while not any("jsii-runtime" in command for command in alive(descendants(run.pid)).values()):
            assert time.monotonic() < deadline and run.poll() is None, "Node never started"
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGINT)
        _, err = run.communicate(timeout=20)
        assert (run.returncode, err) == (130, "interrupted; nothing was written\n")
        assert not survivors(before, within=10)
    finally:
        subreaper(False)
    assert not (work / "dist").exists()
    assert os.listdir(work / "tmp") == []


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found |= {int(child)} | descendants(int(child))
    return found


def interrupted_at(work: Path, step: str) -> subprocess.CompletedProcess[str]:
    """Run the command line over `work` with SIGINT sent by `step`, a statement run instead of one of its steps,
    so the moment is the same every time."""
    script = (
        "import argparse, os, runpy, signal, sys\n"
        "interrupt = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGINT)\n"
        f"{step}\n"
        f"sys.argv = [{MAIN[1]!r}, '--environments', 'environments', '--dist', 'dist']\n"
        f"runpy.run_path({MAIN[1]!r}, run_name='__main__')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=work, env=ENV, capture_output=True, text=True, timeout=120
    )


def while_the_command_line_is_read(*statements: str) -> str:
    """A step for `interrupted_at`: `statements` run in argparse's `parse_args`, then it reads the command line."""
    body = "".join(f"    {statement}\n" for statement in statements)
    return (
        "read = argparse.ArgumentParser.parse_args\n"
        f"def parse_args(self, *args, **kwargs):\n{body}    return read(self, *args, **kwargs)\n"
        "argparse.ArgumentParser.parse_args = parse_args"
    )


def test_an_interrupt_while_the_command_line_is_read_is_one_line_and_nothing_written(tmp_path):
    """Found by the random trials above (a CI run): SIGINT while argparse built the parser escaped `main` as a
    traceback. The signal is sent from the parser's `parse_args`."""
    work = tmp_path / "work"
    write_fleet(work / "environments", 1)
    run = interrupted_at(work, "argparse.ArgumentParser.parse_args = interrupt")
    assert run.returncode == 130, run.stderr
    assert run.stderr == "interrupted; nothing was written\n"
    assert not (work / "dist").exists()


def test_an_interrupt_inside_a_finalizer_still_ends_the_run(tmp_path):
    """Found by the random trials above: SIGINT while a finalizer ran (there, one of a compiled pattern) raised
    where Python cannot pass an exception on; it printed "Exception ignored ... Traceback" and the run went on.
    The signal is sent from an object's `__del__` while the command line is read."""
    work = tmp_path / "work"
    write_fleet(work / "environments", 1)
    in_a_finalizer = (
        "class Dying:\n    def __del__(self):\n        interrupt()\n        sum(range(1000))\n"
        + while_the_command_line_is_read("Dying()")
    )
    run = interrupted_at(work, in_a_finalizer)
    assert run.returncode == 130, run.stderr
    assert run.stderr == "interrupted; nothing was written\n"
    assert not (work / "dist").exists()


def test_what_an_interrupt_leaves_half_made_fails_in_its_finalizer_without_a_word(tmp_path):
    """Found by the random trials above: SIGTERM while jsii started its Node process left an object without one,
    whose finalizer then failed with "Exception ignored ... Traceback" after the run's one line. Here an object
    whose finalizer fails is alive in the frame the interrupt leaves."""
    work = tmp_path / "work"
    write_fleet(work / "environments", 1)
    half_made = "class HalfMade:\n    def __del__(self):\n        self.process.stop()\n" + (
        while_the_command_line_is_read("starting = HalfMade()", "interrupt()")
    )
    run = interrupted_at(work, half_made)
    assert run.returncode == 130, run.stderr
    assert run.stderr == "interrupted; nothing was written\n"


def test_an_interrupt_while_the_process_exits_after_its_run_says_the_new_files_are_in_place(tmp_path):
    """Found by the random trials above, twice: SIGINT after the run, while the process exited, said "nothing was
    written" over the new tree (the handler of the process's first moments was back); and SIGTERM during Python's
    own shutdown, which puts the default handlers back, killed it without a word. The signal is sent from the
    process's last step, `os._exit` in cli.run."""
    work = tmp_path / "work"
    write_fleet(work / "environments", 1)
    at_the_exit = (
        "last = os._exit\n"
        "def exit_interrupted(code):\n"
        "    os._exit = last\n"
        "    interrupt()\n"
        "    last(code)\n"
        "os._exit = exit_interrupted"
    )
    run = interrupted_at(work, at_the_exit)
    assert run.returncode == 130, run.stderr
    assert run.stderr == "interrupted after dist was written in full: it holds the new files\n"
    assert (work / "dist" / ".jupyterhub-cdk8s").exists()
