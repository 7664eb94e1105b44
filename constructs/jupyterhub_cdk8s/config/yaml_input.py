"""Read a YAML file a user wrote: bounded work, nothing silently changed, each problem at its key.

A config file is small and plain, so anything else is refused before it can
cost time or change meaning:

- only a regular file is read (a named pipe would block, a device never end),
  and at most `MAX_BYTES` of it;
- the events are scanned before anything is built: nesting deeper than
  `MAX_DEPTH` (libyaml's scanner is quadratic in it, and the composer recurses
  until the stack overflows), more than `MAX_NODES` values once aliases are
  expanded (a few hundred bytes of nested aliases expand to billions, which
  validation would walk), and an alias inside the collection it names are
  refused, each at the first event that crosses the line;
- a key written twice is an error (YAML keeps the last one silently), as are
  tags other than the plain ones (`!!set` has no order, `!!binary` and
  application tags make objects no setting takes) and keys that are not text;
- keys are kept as written: `yes:` and `~:` are the keys "yes" and "~", not
  true and null (every key of a config is a name); so is a date
  (`target_revision: 2024-01-01` is that text, not a datetime).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same documents, parsed several times faster.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1024 * 1024
"""Largest file read: environment files are a few KiB; a logo or a page of extra config still fits."""
MAX_DEPTH = 32
"""Deepest nesting of collections: the deepest setting (a profile option's choice) is 7 levels down."""
MAX_NODES = 100_000
"""Most values (keys, scalars, collections) once aliases are expanded; a full environment has about 500."""
SHOWN = 60
"""Most characters of a value a message repeats."""

_CORE_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = {_CORE_TAG + kind for kind in ("str", "int", "float", "bool", "null", "seq", "map")}
MERGE_KEY = "<<"


def shown(value: Any) -> str:
    """`value` as YAML spells it (true, null, 'text'), cut to `SHOWN` characters: never an unbounded echo."""
    text = {True: "true", False: "false", None: "null"}.get(value, repr(value)) if _scalar(value) else repr(value)
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 15]}...({len(text)} characters)"


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool)


class InputRefused(Exception):
    """The file cannot be taken as a config: each problem as (path of the key, or "", message)."""

    def __init__(self, problems: Iterable[tuple[str, str]]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{path}: {message}" if path else message for path, message in self.problems))


def read_yaml(path: Path) -> Any:
    """The YAML document in the file at `path`, or InputRefused saying why not."""
    return parse_yaml(read_text(path))


def read_text(path: Path) -> str:
    """The text of the regular file at `path`, at most MAX_BYTES, as UTF-8."""
    try:
        if kind := _not_a_file(os.stat(path).st_mode):
            raise InputRefused([("", f"is {kind}, not a file; only regular files are read")])
        # O_NONBLOCK: if the path became a named pipe since the stat, opening it must not wait for a writer.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(descriptor, "rb") as file:
            if kind := _not_a_file(os.fstat(file.fileno()).st_mode):
                raise InputRefused([("", f"is {kind}, not a file; only regular files are read")])
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise InputRefused([("", f"cannot be read: {error.strerror or error}")]) from None
    if len(data) > MAX_BYTES:
        raise InputRefused([("", f"is larger than {MAX_BYTES // 1024} KiB; a config file is a few KiB of settings")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputRefused(
            [("", f"is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line}; save the file as UTF-8")]
        ) from None


def _not_a_file(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a device")


def parse_yaml(text: str) -> Any:
    """The single document of `text`, keys as written; InputRefused for what `_Scan` refuses or bad syntax."""
    return _parse(text, lambda: yaml.load(text, Loader=_KeysAsWritten))  # a safe loader: see _KeysAsWritten


def parse_yaml_documents(text: str) -> list[Any]:
    """Every document of `text` (`---` between them), read as `parse_yaml` reads one; empty ones left out."""
    return _parse(text, lambda: [doc for doc in yaml.load_all(text, Loader=_KeysAsWritten) if doc is not None])


def _parse(text: str, load: Callable[[], Any]) -> Any:
    try:
        scan = _Scan()
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            scan.see(event)
        if scan.problems:
            raise InputRefused(scan.problems)
        return load()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise InputRefused([("", f"not valid YAML at {where}: {what}")]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, max(error.position, 0)) + 1
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else shown(error.character)
        raise InputRefused(
            [("", f"line {line}: the character {character} is not allowed in YAML; remove it")]
        ) from None
    except yaml.YAMLError as error:
        raise InputRefused([("", f"not valid YAML: {error}")]) from None


class _Stop(InputRefused):
    """A limit was crossed: scanning further would cost what the limit is there to prevent."""


@dataclass
class _Collection:
    """A mapping or sequence being scanned: where it is, what it holds so far."""

    path: str
    mapping: bool
    anchor: str | None
    nodes_before: int
    keys: dict[str, int] = field(default_factory=dict)
    key: str | None = None
    """In a mapping: the key whose value comes next; None while a key is expected."""
    items: int = 0


class _Scan:
    """Counts and checks the events of a stream before any object is built."""

    def __init__(self) -> None:
        self.stack: list[_Collection] = []
        self.nodes = 0
        self.anchors: dict[str, int] = {}
        self.problems: list[tuple[str, str]] = []

    def see(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.CollectionEndEvent):
            done = self.stack.pop()
            if done.anchor is not None:
                self.anchors[done.anchor] = self.nodes - done.nodes_before
            return
        if not isinstance(event, yaml.NodeEvent):
            return  # stream and document marks
        line = event.start_mark.line + 1 if event.start_mark else 0
        path = self._place(event, line)
        if isinstance(event, yaml.AliasEvent):
            self._count(path, self._alias_size(event.anchor, path, line))
            return
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in PLAIN_TAGS:
            written = tag.replace(_CORE_TAG, "!!")
            self.problems.append(
                (path, f"line {line}: the tag {shown(written)[1:-1]} is not plain YAML; write the value without it")
            )
        if isinstance(event, yaml.ScalarEvent) and _long_number(event):
            self.problems.append((path, f"line {line}: a number of {len(event.value)} digits; no setting takes one"))
        self._count(path, 1)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                raise _Stop([(path, f"line {line}: nests deeper than {MAX_DEPTH} levels; no setting is that deep")])
            mapping = isinstance(event, yaml.MappingStartEvent)
            self.stack.append(_Collection(path, mapping, event.anchor, self.nodes - 1))
        elif event.anchor is not None:
            self.anchors[event.anchor] = 1

    def _place(self, event: yaml.NodeEvent, line: int) -> str:
        """The path of this node (a key's path is the key's own), and keep track of keys and items."""
        if not self.stack:
            return ""
        parent = self.stack[-1]
        if not parent.mapping:
            parent.items += 1
            return f"{parent.path}[{parent.items - 1}]"
        if parent.key is not None:
            path, parent.key = _join(parent.path, parent.key), None
            return path
        if not isinstance(event, yaml.ScalarEvent):
            parent.key = "?"
            self.problems.append(
                (parent.path, f"line {line}: a key must be written as text, not as a list, mapping or alias")
            )
            return _join(parent.path, "?")
        key = event.value
        parent.key = key
        if key in parent.keys:
            self.problems.append(
                (
                    _join(parent.path, key),
                    f"line {line}: written twice (first on line {parent.keys[key]}); YAML would silently keep the "
                    "last one, so remove one",
                )
            )
        parent.keys.setdefault(key, line)
        return _join(parent.path, key)

    def _alias_size(self, anchor: str | None, path: str, line: int) -> int:
        if anchor in self.anchors:
            return self.anchors[anchor]
        if any(collection.anchor == anchor for collection in self.stack):
            message = f"line {line}: *{anchor} is inside the collection &{anchor} it names; a value cannot hold itself"
            raise _Stop([(path, message)])
        return 1  # an undefined alias: the composer reports it with its place

    def _count(self, path: str, size: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _Stop(
                [
                    (
                        path,
                        f"holds more than {MAX_NODES:,} values once its aliases (*name) are expanded; "
                        "a config is a few hundred: write each setting out, or repeat fewer aliases",
                    )
                ]
            )


def _long_number(event: yaml.ScalarEvent) -> bool:
    """A plain scalar YAML reads as an integer beyond any int64 (Python refuses to convert 4,300 digits and more)."""
    plain = event.tag is None and event.implicit[0]
    return plain and len(event.value) > 40 and _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False)) == INT


INT = _CORE_TAG + "int"
_RESOLVER = yaml.resolver.Resolver()


def _join(path: str, key: str) -> str:
    return f"{path}.{short_key(key)}" if path else short_key(key)


class _KeysAsWritten(SAFE_LOADER):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader, with mapping keys and dates kept as the text written (after `_Scan` refused the rest)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # merge keys (<<: *base) first; keys written here win over merged ones
        return {key.value: self.construct_object(value, deep=deep) for key, value in node.value}

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> str:
        """A date (`2024-01-01`, YAML 1.1's implicit timestamp) is the text written: no setting takes a date."""
        return str(node.value)


_KeysAsWritten.add_constructor(_CORE_TAG + "timestamp", _KeysAsWritten.construct_yaml_timestamp)
# YAML 1.1 (PyYAML) reads 1.5e300 and 1e3 as text: its floats need a sign after the `e`. YAML 1.2, JSON, Go's
# YAML and so Kubernetes and Helm read numbers there, and so does this reader (a plain scalar only: "1e3" in
# quotes stays text), or a number in `extra_files.data` would be written to JSON as a string.
_KeysAsWritten.add_implicit_resolver(
    _CORE_TAG + "float", re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][0-9]+$"), list("-+.0123456789")
)


def short_key(key: str) -> str:
    """A key as a path shows it: cut to `SHOWN` characters."""
    return key if len(key) <= SHOWN else f"{key[: SHOWN - 15]}...({len(key)} characters)"
