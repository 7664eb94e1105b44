"""`python main.py import-z2jh values.yaml`: the environment file on stdout, every problem on stderr.

Every line about the values file reads `values.yaml: chart.key: message`, the
chart key as the values file spells it. A values file that cannot be read, a
value the chart itself would not take, or an environment the loader refuses
ends the import with exit 2 and nothing on stdout; keys that are only not
carried over are listed and the import goes on (exit 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..config.loader import ConfigError
from ..config.yaml_input import InputRefused, read_yaml
from . import migrate, render, validate
from .engine import Migration

NOT_IMPORTED = "nothing was imported: fix the values above in the values file and import again"


def import_values(values: Path, namespace: str, out: TextIO, err: TextIO) -> int:
    """Import the values file at `values` into an environment of `namespace`; the exit code."""
    try:
        data = read_yaml(values)
    except InputRefused as refused:
        return _stop(err, [_line(values, path, message) for path, message in refused.problems])
    if not isinstance(data if data is not None else {}, dict):
        return _stop(err, [_line(values, "", "must be a mapping of chart values (hub:, proxy:, singleuser:, ...)")])
    migration = migrate(data or {}, namespace)
    if migration.wrong:
        return _stop(err, [_line(values, path, message) for path, message in migration.wrong])
    text = render(migration)
    for path, message in migration.unmapped:
        print(_line(values, path, message), file=err)
    for path, message in migration.notes:
        print(_line(values, path, f"note: {message}"), file=err)
    try:
        validate(text)
    except ConfigError as error:
        return _stop(err, [_at_chart_key(values, migration, p.path, p.message) for p in error.problems])
    print(f"{len(migration.unmapped)} key(s) not mapped (listed above).", file=err)
    out.write(text)
    return 0


def _at_chart_key(values: Path, migration: Migration, path: str, message: str) -> str:
    """A problem of the imported environment, at the chart key that set it (or at the setting it made)."""
    origin = migration.origin_of(path)
    if origin is None:
        return _line(values, f"(imported as {path})", message)
    key, below = origin
    return _line(values, key, message if not below else f"{message} (imported as {path})")


def _line(values: Path, path: str, message: str) -> str:
    return f"{values}: {path}: {message}" if path else f"{values}: {message}"


def _stop(err: TextIO, lines: list[str]) -> int:
    for line in lines:
        print(line, file=err)
    print(NOT_IMPORTED, file=err)
    return 2
