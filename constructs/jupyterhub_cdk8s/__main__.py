"""`python -m jupyterhub_cdk8s` and the `jupyterhub-cdk8s` console script: the command line.

An interrupt is handled from the first moment: before the command line's
modules are even loaded, it ends the process with its one line.
"""

from __future__ import annotations

from typing import NoReturn

from .processes import exit_at_once_on_interrupt

exit_at_once_on_interrupt()

from .cli import run  # noqa: E402


def entry() -> NoReturn:
    run()


if __name__ == "__main__":
    entry()
