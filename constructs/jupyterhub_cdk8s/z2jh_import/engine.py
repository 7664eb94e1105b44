"""The import's machinery: a walk over the values file that applies a table of rows, one per chart key.

It knows nothing of the chart: the rows and the reasons for keys without one
are in rows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..config.yaml_input import shown


class NotMapped(Exception):
    """Raised by a transform: this value has no equivalent here (the message says why and what to do)."""


class WrongValue(Exception):
    """Raised by a transform: the chart itself would not take this value; `at` is below the row's key."""

    def __init__(self, message: str, at: str = ""):
        self.at = at
        super().__init__(message)


@dataclass(frozen=True)
class Shape:
    """The type a chart key takes (its values.schema.yaml type), said as what to write."""

    says: str
    fits: Callable[[Any], bool]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


TEXT = Shape("text", lambda value: isinstance(value, str))
WHOLE = Shape("a whole number", _whole)
SWITCH = Shape("true or false", lambda value: isinstance(value, bool))
NUMBER = Shape("a number", lambda value: _whole(value) or isinstance(value, float))
QUANTITY = Shape("a quantity like 2, 0.5, 512M or 1G", lambda value: NUMBER.fits(value) or isinstance(value, str))
MAPPING = Shape("a mapping of keys to values", lambda value: isinstance(value, dict))
LIST = Shape("a list", lambda value: isinstance(value, list))


def list_of(item: Shape) -> Shape:
    return Shape(f"a list of {item.says}", lambda value: isinstance(value, list) and all(map(item.fits, value)))


def map_of(item: Shape) -> Shape:
    return Shape(
        f"a mapping of names to {item.says}",
        lambda value: isinstance(value, dict) and all(map(item.fits, value.values())),
    )


def either(*shapes: Shape) -> Shape:
    return Shape(" or ".join(shape.says for shape in shapes), lambda value: any(s.fits(value) for s in shapes))


IMAGE = Shape(
    "an image {name: text, tag: text}",
    lambda value: (
        isinstance(value, dict)
        and isinstance(value.get("name", ""), str)
        and (isinstance(value.get("tag", ""), str) or _whole(value.get("tag")))
    ),
)


@dataclass
class Migration:
    """What the import produced so far: the config, and one line per key it could not carry over."""

    config: dict = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str]] = field(default_factory=list)
    """Values the chart itself would not take, by chart key: the import stops with them (exit 2)."""
    origins: dict[str, str] = field(default_factory=dict)
    """Chart key of each target path the table set, to report a problem of the environment at its key."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    hub_secret_env: dict[str, dict] = field(default_factory=dict)
    password_env: str | None = None
    hosts: list[tuple[str, str]] = field(default_factory=list)
    """(chart key, host) of every place the values name the public host, in the order the keys are met."""
    services: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
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

    def origin_of(self, path: str) -> tuple[str, str] | None:
        """The chart key that set `path` of the environment (or a section above it), and the part below it."""
        for target in sorted(self.origins, key=len, reverse=True):
            if path == target or path.startswith((target + ".", target + "[")):
                return self.origins[target], path[len(target) :]
        return None

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
    takes: Shape | None = None
    """The type the chart takes here: a value of another type is refused before any transform sees it."""


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
    if row.takes is not None and not row.takes.fits(value):
        migration.wrong.append((row.source, f"{shown(value)} is not {row.takes.says}, which the chart takes here"))
        return
    if row.transform is None:
        migration.unmapped.append((row.source, f"not mapped: {row.reason}"))
        return
    try:
        result = row.transform(value, migration, row.source)
    except NotMapped as reason:
        migration.unmapped.append((row.source, f"not mapped: {reason}"))
        return
    except WrongValue as wrong:
        migration.wrong.append((row.source + wrong.at, str(wrong)))
        return
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, OverflowError):
        # Inside a value of the right type, a part of another shape (a string where the chart takes a map, ...).
        migration.wrong.append((row.source, f"{shown(value)} is not a value the chart takes here"))
        return
    migration.mapped.append(row.source)
    if result is not SKIP and row.target:
        migration.put(row.target, result)
        migration.origins.setdefault(row.target, row.source)


def walk(values: dict, table: Table, migration: Migration) -> None:
    """Apply the row of every key set in `values`; report each key without one with the table's reason."""
    _walk(values, "", table, migration)


def _walk(node: Any, path: str, table: Table, migration: Migration) -> None:
    if _empty(node):
        return
    row = table.by_source.get(path)
    if row and (not row.keys or not isinstance(node, dict)):
        _apply(row, node, migration)  # a row of some keys of a mapping refuses anything else by its `takes`
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
