"""The processes of a synth, and how an interrupt ends every one of them.

A synth is a small tree of processes: this Python process; for a fleet, the
helper (helper_process.py) and the resource tracker multiprocessing starts
with it; and for each Python process, jsii's Node runtime and the Node program
that runtime spawns (jsii 1.x `bin/jsii-runtime.js`). The rules that make
Ctrl-C, `kill` and `kill -9` end all of them, and quickly:

- A terminal's Ctrl-C reaches only the Python processes. Node runs in its own
  process group (`prepare_jsii`): the runtime would otherwise forward the
  signal to its program, which dies with a stack trace while Python still
  waits for its answer. The helper ignores SIGINT from birth (`Helper` starts
  it with SIGINT ignored); the command line stops it.
- Whatever way a Python process ends, its Node processes follow: they read
  their requests from its pipe and exit at end of input, which its death
  causes. The helper dies with the command line's process even under SIGKILL
  (`die_with_parent`). Nothing of jsii is left in the temporary folder either:
  Node starts from one copy of jsii's runtime in the user's cache folder
  (`prepare_jsii`), not from one extracted per process and removed only by a
  normal exit.
- Until the command line takes over, and again once its run is over while
  the process exits, an interrupt ends the process at once with its one line
  (`exit_at_once_on_interrupt`): nothing has started yet, or everything the
  run wrote is in place and the line says so. The process then ends with
  `os._exit`, skipping Python's shutdown, which would put the default
  handlers back (`cli.run`).
  The command line turns SIGINT and SIGTERM into `Interrupted` (a
  KeyboardInterrupt), so every `finally` on the way out runs: the helper is
  stopped, a half-written staging folder removed, the lock released. A second
  signal while that runs is ignored: cleaning up is bounded.
- Replacing the output (output.py) is short and must not be cut in two:
  `signals_deferred` notes a signal instead of raising it there.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM
_STOPPING = (signal.SIGINT, signal.SIGTERM)
_AGAIN_AFTER = 0.001  # seconds
# linux/prctl.h
_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; `exit_code` is 128 + the signal, as a shell reports it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


def interrupted_message(written: Sequence[Path]) -> str:
    """What an interrupted run says: nothing was written, or which output folders hold the new files in full."""
    if written:
        return (
            f"interrupted after {', '.join(str(path) for path in written)} was written in full: it holds the new files"
        )
    return "interrupted; nothing was written"


def exit_at_once_on_interrupt(written: Sequence[Path] = ()) -> None:
    """Outside the command line's run (before it, and while the process exits after it): SIGINT or SIGTERM end it.

    `written` is the run's live list of replaced output folders (`cli.Console.written`), read when the signal comes.
    """

    def stop(signum: int, frame: Any) -> None:
        os.write(2, f"{interrupted_message(written)}\n".encode())
        os._exit(128 + signum)

    for signum in _STOPPING:
        signal.signal(signum, stop)


_interrupted: list[int] = []
"""The signal that ended this process's run, once one has."""


def _on_signal(signum: int, frame: Any) -> None:
    # The first signal ends the run; cleaning up after it must not be cut short by a second one.
    for other in _STOPPING:
        signal.signal(other, signal.SIG_IGN)
    _interrupted.append(signum)
    raise Interrupted(signum)


def _interrupt_again(unraisable: Any) -> None:
    """`Interrupted` raised where Python cannot pass it on (a finalizer, a callback from C code) is printed as
    "Exception ignored" and lost, and the run would go on: raise it again a moment later, in the code that runs
    then. (Sending the signal again would not do: its handler would run at once, here, where it is lost too.)"""
    if not isinstance(unraisable.exc_value, Interrupted):
        # After an interrupt, what it left half-made may fail in its finalizer (jsii's Node process, stopped
        # while it started, has no process to stop): nothing to report beside "interrupted".
        if not _interrupted:
            sys.__unraisablehook__(unraisable)
        return
    signum = unraisable.exc_value.signum

    def again(alarm: int, frame: Any) -> None:
        if frame is not None and frame.f_code is _interrupt_again.__code__:
            signal.setitimer(signal.ITIMER_REAL, _AGAIN_AFTER)  # still in this hook: a moment later
            return
        _on_signal(signum, frame)

    signal.signal(signal.SIGALRM, again)
    signal.setitimer(signal.ITIMER_REAL, _AGAIN_AFTER)


@contextmanager
def interrupts_end_the_run() -> Iterator[None]:
    """For the duration of a command-line run: SIGINT and SIGTERM raise `Interrupted`, wherever they come."""
    previous = {signum: signal.signal(signum, _on_signal) for signum in (*_STOPPING, signal.SIGALRM)}
    previous_hook, sys.unraisablehook = sys.unraisablehook, _interrupt_again
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not _interrupted:  # else until the process ends: the finalizers of what the interrupt left run later
            sys.unraisablehook = previous_hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Note SIGINT and SIGTERM instead of acting on them, for a short step that must finish once begun.

    Yields the list of signals noted. Only the main thread can change handlers;
    elsewhere (and in a process whose handlers are not Python's) this does nothing.
    """
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    previous = {signum: signal.signal(signum, lambda signum, frame: noted.append(signum)) for signum in _STOPPING}
    try:
        yield noted
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while a child process is started, so that the child is born ignoring it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when `parent_pid`, its parent, dies (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


class _NodeInItsOwnGroup:
    """Stands in for the `subprocess` module inside jsii's process provider: Node starts in a process group of its own.

    jsii 1.x starts Node with `subprocess.Popen([...])` in
    `jsii/_kernel/providers/process.py` (`_NodeProcess.start`) and uses
    nothing else of the module but `PIPE` and `TimeoutExpired`.
    """

    PIPE = subprocess.PIPE
    TimeoutExpired = subprocess.TimeoutExpired

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen:
        return subprocess.Popen(*args, process_group=0, **kwargs)


def prepare_jsii() -> None:
    """How jsii will start Node (on the first use of cdk8s): in its own process group, from a cached runtime.

    Call it before cdk8s is imported; see the module for why.
    """
    from jsii._kernel.providers import process as jsii_process

    jsii_process.subprocess = _NodeInItsOwnGroup  # type: ignore[assignment]
    if (runtime := _cached_jsii_runtime()) is not None:
        # `_NodeProcess.start` calls this even when JSII_RUNTIME names a runtime (it is the default of a .get()).
        jsii_process._NodeProcess._jsii_runtime = lambda self: str(runtime)  # type: ignore[method-assign]


def _cached_jsii_runtime() -> Path | None:
    """jsii's Node runtime, extracted once per jsii version into the user's cache folder; None where it cannot be.

    jsii (`_NodeProcess._jsii_runtime`) would extract these files into a new
    temporary folder in every process, removed by an atexit hook.
    """
    import jsii
    from jsii._embedded import jsii as embedded

    try:
        caches = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder: jsii's own temporary copy, then
        return None
    if not caches.parent.is_dir():
        return None
    cache = caches / "jupyterhub-cdk8s"
    folder = cache / f"jsii-runtime-{jsii.__version__}"
    entry = folder / embedded.EMBEDDED_FILES[embedded.ENTRYPOINT]
    if entry.is_file():
        return entry
    try:
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=cache))
        try:
            source = resources.files(embedded)
            for resource, name in embedded.EMBEDDED_FILES.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(source.joinpath(resource).read_bytes())
            os.rename(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # what is left when another process was first
    except OSError:
        pass
    return entry if entry.is_file() else None
