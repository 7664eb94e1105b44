"""The import's machinery: a walk over the values file that applies a table of rows, one per chart key.

It knows nothing of the chart: the rows and the reasons for keys without one
are in rows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


class NotMapped(Exception):
    """Raised by a transform: this value has no equivalent here (the message says why and what to do)."""


@dataclass
class Migration:
    """What the import produced so far: the config, and one line per key it could not carry over."""

    config: dict = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    hub_secret_env: dict[str, dict] = field(default_factory=dict)
    password_env: str | None = None
    pull_secrets: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Pull secret name -> (chart key, whose images it pulls) for every key that names it."""
    pending: dict[str, Any] = field(default_factory=dict)
    """Chart values read together once the walk is done (volumes with their mounts, the static home), by key."""

    def put(self, path: str, value: Any) -> None:
        """Set `path`; two chart keys with one target (e.g. two node selectors) add up."""
        *parents, last = path.split(".")
        node = self.config
        for part in parents:
            node = node.setdefault(part, {})
        previous = node.get(last)
        if isinstance(previous, dict) and isinstance(value, dict):
            value = {**previous, **value}
        elif isinstance(previous, list) and isinstance(value, list):
            value = previous + value
        node[last] = value

    def get(self, path: str, default: Any = None) -> Any:
        node: Any = self.config
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


Transform = Callable[[Any, Migration, str], Any]
SKIP = object()
"""A transform's result when the value was consumed without a config value of its own."""


@dataclass(frozen=True)
class Row:
    """One chart key: its target path and conversion, or the reason it is not mapped.

    A row covers the whole value at its key; with `keys`, only those sub-keys
    (the others are looked up in the table on their own).
    """

    source: str
    target: str | None = None
    transform: Transform | None = None
    reason: str = ""
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """All rows, and why a key without a row is not mapped: the reason of the closest section it is below."""

    rows: list[Row]
    reasons_below: dict[str, str]
    unknown: str

    @cached_property
    def by_source(self) -> dict[str, Row]:
        return {row.source: row for row in self.rows}

    def reason_for_unknown(self, path: str) -> str:
        prefixes = [p for p in self.reasons_below if path.startswith(p + ".")]
        return self.reasons_below[max(prefixes, key=len)] if prefixes else self.unknown


def merged(base: dict, override: dict) -> dict:
    """`override` over `base`, maps merged key by key."""
    result = dict(base)
    for key, value in override.items():
        result[key] = (
            merged(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
        )
    return result


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _apply(row: Row, value: Any, migration: Migration) -> None:
    if row.transform is None:
        migration.unmapped.append((row.source, f"not mapped: {row.reason}"))
        return
    try:
        result = row.transform(value, migration, row.source)
    except NotMapped as reason:
        migration.unmapped.append((row.source, f"not mapped: {reason}"))
        return
    except (AttributeError, TypeError, KeyError, IndexError):
        # A value of another shape than the chart's (a string where the chart takes a map, ...).
        migration.unmapped.append((row.source, f"not mapped: {value!r} is not a value this key takes in the chart"))
        return
    migration.mapped.append(row.source)
    if result is not SKIP and row.target:
        migration.put(row.target, result)


def walk(values: dict, table: Table, migration: Migration) -> None:
    """Apply the row of every key set in `values`; report each key without one with the table's reason."""
    _walk(values, "", table, migration)


def _walk(node: Any, path: str, table: Table, migration: Migration) -> None:
    if _empty(node):
        return
    row = table.by_source.get(path)
    if row and not row.keys:
        _apply(row, node, migration)
        return
    if row and isinstance(node, dict):
        if own := {k: node[k] for k in row.keys if k in node}:
            _apply(row, own, migration)
        node = {k: v for k, v in node.items() if k not in row.keys}
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(value, f"{path}.{key}" if path else str(key), table, migration)
    else:
        migration.unmapped.append((path, f"not mapped: {table.reason_for_unknown(path)}"))
