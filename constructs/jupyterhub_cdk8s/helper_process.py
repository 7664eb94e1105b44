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
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config.loader import Environment
    from .synth import EnvironmentFiles

# Below this many environments the helper would be ready only when the work is done.
FAN_OUT_MIN = 16


class Helper:
    """The second process; `share` hands it part of the environments, once."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._tasks, self._results = context.Queue(), context.Queue()
        self._process = context.Process(
            target=_work, args=(self._tasks, self._results), name="synth-helper", daemon=True
        )
        self._process.start()
        self._open = True

    def share(self, environments: list[Environment]) -> list[EnvironmentFiles]:
        """Each environment's files, synthesized by this process and the helper together, in input order."""
        from cdk8s import App

        from .synth import environment_files

        for index, env in enumerate(environments):
            self._tasks.put((index, env))
        # One end mark for each process: whichever takes one stops taking.
        self._tasks.put(None)
        self._tasks.put(None)
        self._open = False
        done: dict[int, EnvironmentFiles] = {}
        app = App()
        while (task := self._tasks.get()) is not None:
            index, env = task
            done[index] = environment_files(app, env)
        for index, files in self._results_until_done():
            done[index] = files
        return [done[index] for index in range(len(environments))]

    def close(self) -> None:
        """Let an unused helper exit cleanly (not killed, so jsii stops its Node process and removes its files)."""
        if self._open:
            self._open = False
            self._tasks.put(None)
            for _ in self._results_until_done():
                pass

    def _results_until_done(self) -> Iterator[tuple[int, EnvironmentFiles]]:
        """What the helper did, until it says it is done; then wait for it to exit."""
        while True:
            try:
                message = self._results.get(timeout=1)
            except queue.Empty:
                if not self._process.is_alive():
                    raise RuntimeError(f"the synth helper exited with code {self._process.exitcode}") from None
                continue
            if message is None:
                break
            index, files = message
            if index is None:
                raise RuntimeError(f"the synth helper failed:\n{files}")
            yield index, files
        self._process.join()


@contextmanager
def helper_for(environment_count: int) -> Iterator[Helper | None]:
    """A Helper when `environment_count` makes one worth its start-up on this machine, else None."""
    if environment_count < FAN_OUT_MIN or len(os.sched_getaffinity(0)) < 2:
        yield None
        return
    helper = Helper()
    try:
        yield helper
    finally:
        helper.close()


def _work(tasks, results) -> None:
    """The helper: one message per environment it takes, then None; or the error."""
    try:
        from cdk8s import App

        from .synth import environment_files

        app = App()
        while (task := tasks.get()) is not None:
            index, env = task
            results.put((index, environment_files(app, env)))
        results.put(None)
    except BaseException:
        results.put((None, traceback.format_exc()))
        results.put(None)
    gc.freeze()  # as in main.py, which disabled the collector of this process
