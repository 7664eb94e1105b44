"""A second synth process for a fleet, started before the config is even loaded.

jsii's Node process belongs to the Python process that started it (a fork
would share its pipes), so the helper is a spawned Python of its own, which
takes about as long to start as synthesizing ten environments. The command
line starts it first thing when a folder holds a fleet; by the time this
process has loaded the config and jsii, the helper is nearly ready. Both then
take environments from one queue until it is empty, so neither waits for the
other, and the results are put back in input order: the files are the same
as from one process.

The command line passes `Helper.share` to `synth.manifests`; synth knows
nothing of this module. This module imports synth (and so cdk8s) only where
it synthesizes, never at load: the command line imports it before anything
heavy so that the helper starts first.

An interrupted run must not leave the helper behind (processes.py): it is
born ignoring SIGINT, dies with its parent even when that is killed, and
`helper_for` stops it when the run ends early.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .processes import die_with_parent, prepare_jsii, sigint_ignored

if TYPE_CHECKING:
    from .synth import EnvironmentFiles, Task

# Below this many environments the helper would be ready only when the work is done.
FAN_OUT_MIN = 16
# How long a helper that was told to stop may take to exit before it is killed.
STOP_TIMEOUT = 5.0


class HelperFailed(Exception):
    """The helper process failed or died; the message says how."""


class Helper:
    """The second process; `share` hands it part of the environments, once."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        with _tracker_quiet():
            self._tasks, self._results = context.Queue(), context.Queue()
            self._process = context.Process(
                target=_work, args=(self._tasks, self._results, os.getpid()), name="synth-helper", daemon=True
            )
            with sigint_ignored():
                self._process.start()
        self._open = True

    def share(self, tasks: list[Task]) -> list[EnvironmentFiles]:
        """Each environment's files, synthesized by this process and the helper together, in input order."""
        from cdk8s import App

        from .synth import environment_files

        for index, task in enumerate(tasks):
            self._tasks.put((index, task))
        # One end mark for each process: whichever takes one stops taking.
        self._tasks.put(None)
        self._tasks.put(None)
        self._open = False
        done: dict[int, EnvironmentFiles] = {}
        app = App()
        while (item := self._tasks.get()) is not None:
            index, task = item
            done[index] = environment_files(app, task)
        for index, files in self._results_until_done():
            done[index] = files
        return [done[index] for index in range(len(tasks))]

    def close(self) -> None:
        """Let an unused helper exit cleanly (not killed, so jsii stops its Node process and removes its files)."""
        if self._open:
            self._open = False
            self._tasks.put(None)
            for _ in self._results_until_done():
                pass

    def stop(self) -> None:
        """End the helper now (the run was interrupted or failed): asked first, then killed."""
        self._open = False
        self._process.terminate()
        self._process.join(STOP_TIMEOUT)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _results_until_done(self) -> Iterator[tuple[int, EnvironmentFiles]]:
        """What the helper did, until it says it is done; then wait for it to exit."""
        while True:
            try:
                message = self._results.get(timeout=1)
            except queue.Empty:
                if not self._process.is_alive():
                    raise HelperFailed(f"the synth helper exited with code {self._process.exitcode}") from None
                continue
            if message is None:
                break
            index, files = message
            if index is None:
                raise HelperFailed(f"the synth helper failed:\n{files}")
            yield index, files
        self._process.join()


@contextmanager
def _tracker_quiet() -> Iterator[None]:
    """The resource tracker multiprocessing starts with the first queue keeps quiet about the queues' semaphores.

    When a run is killed it removes them itself; its warning that it did so
    would be the last line of a `kill -9`ed run, and means nothing to a user.
    """
    quiet = "ignore::UserWarning:multiprocessing.resource_tracker"
    warnings = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = f"{warnings},{quiet}" if warnings else quiet
    try:
        yield
    finally:
        if warnings is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = warnings


@contextmanager
def helper_for(environment_count: int) -> Iterator[Helper | None]:
    """A Helper when `environment_count` makes one worth its start-up on this machine, else None."""
    if environment_count < FAN_OUT_MIN or len(os.sched_getaffinity(0)) < 2:
        yield None
        return
    helper = Helper()
    try:
        yield helper
    except BaseException:
        helper.stop()
        raise
    helper.close()


def _work(tasks, results, parent: int | None = None) -> None:
    """The helper: one message per environment it takes, then None; or the error.

    Run as a process (`parent` its parent's pid), it dies with the parent and
    keeps its Node process out of the terminal's reach (processes.py).
    """
    if parent is not None:
        die_with_parent(parent)
        # Born ignoring SIGINT (see Helper); SIGTERM, from `stop`, ends it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        prepare_jsii()
    try:
        from cdk8s import App

        from .synth import environment_files

        app = App()
        while (item := tasks.get()) is not None:
            index, task = item
            results.put((index, environment_files(app, task)))
        results.put(None)
    except BaseException:
        results.put((None, traceback.format_exc()))
        results.put(None)
    gc.freeze()  # the collector is off (main.py): no pass over everything at this process's shutdown
