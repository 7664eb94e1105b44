"""Read environment files and turn every mistake into one line a user can act on.

A problem reads `environments/x.yaml: path.to.field: what is wrong and what to
write`. All problems of all files are collected before anything is reported,
so one run shows everything to fix.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from .base import FieldProblems
from .environment import HubConfig
from .yaml_input import InputRefused, read_yaml, short_key, shown

_ENV_NAME = re.compile(r"^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# dist/argocd/ holds the ArgoCD objects of all environments.
RESERVED_NAMES = ("argocd",)
ARGOCD_DEFAULT_PROJECT = "default"
ENVIRONMENT_SUFFIX = ".yaml"
# Names an editor or a habit gives YAML files; read only as *.yaml, so any other is reported, never skipped silently.
YAML_SUFFIXES = (".yaml", ".yml")
MAX_MESSAGE = 1000
"""Most characters of one problem's message."""
MAX_PROBLEMS = 50
"""Problems shown per file: a file with thousands of mistakes is fixed from its first ones."""


@dataclass(frozen=True)
class Problem:
    """One mistake in one file, at one field."""

    file: str
    path: str
    message: str

    def __post_init__(self) -> None:
        # The last guard against an unbounded echo: a message is one line of at most MAX_MESSAGE characters.
        message = self.message.replace("\n", " ").replace("\r", " ")
        if len(message) > MAX_MESSAGE:
            message = f"{message[: MAX_MESSAGE // 2]} ... {message[-MAX_MESSAGE // 2 :]}"
        object.__setattr__(self, "message", message)

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found; the CLI prints them and exits 2."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.path, p.message))
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class Environment:
    """A validated environment: its name (the file stem), its file and its config."""

    name: str
    file: str
    config: HubConfig
    warnings: tuple[Problem, ...] = ()
    """Valid but risky settings (e.g. dummy authentication): printed, never fatal."""


def load_environments(directory: Path, display_root: Path | None = None) -> list[Environment]:
    """Load and validate every `*.yaml` in `directory`, or raise ConfigError listing all problems."""
    files = sorted(directory.glob(f"*{ENVIRONMENT_SUFFIX}"))
    problems: list[Problem] = [
        Problem(
            _display(path, display_root),
            "",
            f"environment files end in {ENVIRONMENT_SUFFIX} and this one is not read; rename it to "
            f"{path.stem.lower()}{ENVIRONMENT_SUFFIX}",
        )
        for path in sorted(directory.glob("*"))
        if path.suffix.lower() in YAML_SUFFIXES and path.suffix != ENVIRONMENT_SUFFIX
    ]
    environments: list[Environment] = []
    for path in files:
        file = _display(path, display_root)
        try:
            environments.append(load_file(path, file))
        except ConfigError as error:
            problems.extend(error.problems)
    problems.extend(_cross_environment_problems(environments))
    if not files:
        problems.append(
            Problem(_display(directory, display_root), "", "no *.yaml environment files; add e.g. default.yaml")
        )
    if problems:
        raise ConfigError(problems)
    return environments


def load_file(path: Path, file: str) -> Environment:
    name = path.stem
    problems: list[Problem] = []
    if not _ENV_NAME.match(name):
        problems.append(
            Problem(
                file,
                "",
                f"file name {shown(name)} becomes a folder of dist/ and an ArgoCD name; rename it to at most 63 "
                "lower-case letters, digits and '-'",
            )
        )
    if name in RESERVED_NAMES:
        problems.append(
            Problem(file, "", f"dist/{name}/ holds the ArgoCD objects of all environments; rename the file")
        )
    try:
        data = read_yaml(path)
    except InputRefused as refused:
        raise ConfigError(problems + [Problem(file, at, message) for at, message in refused.problems]) from None
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(file, "", "must be a YAML mapping of settings, e.g. `namespace: jupyterhub` on its first line")]
        )
    config: HubConfig | None = None
    try:
        config = HubConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems_from(error, file))
    if config is not None and config.gitops is not None and config.name == name:
        problems.append(
            Problem(
                file,
                "name",
                f"{name!r} is also the name of this environment's Argo CD Application, and every object here, "
                "KubeSpawner's user pods and home PVCs included, carries it as its app.kubernetes.io/instance "
                "label: under Argo CD's label tracking that Application would take them for its own and prune "
                "them; rename the file (the Application takes its name) or write another `name`, e.g. `name: hub`",
            )
        )
    if problems or config is None:
        raise ConfigError(_at_most(MAX_PROBLEMS, problems))
    warnings = tuple(Problem(file, path, message) for path, message in config.warnings())
    return Environment(name=name, file=file, config=config, warnings=warnings)


def _at_most(count: int, problems: list[Problem]) -> list[Problem]:
    if len(problems) <= count:
        return problems
    first = sorted(problems, key=lambda p: (p.path, p.message))[:count]
    return [*first, Problem(first[0].file, "", f"{count} of {len(problems)} problems shown; fix them and run again")]


def _cross_environment_problems(environments: list[Environment]) -> list[Problem]:
    problems = []
    owners: dict[tuple[str, str], Environment] = {}
    for env in environments:
        first = owners.setdefault((env.config.cluster, env.config.namespace), env)
        if first is not env:
            problems.append(
                Problem(
                    env.file,
                    "namespace",
                    f"{env.config.namespace!r} on cluster {env.config.cluster!r} is already written by {first.file}; "
                    "two hubs in one namespace would fight over the same objects, so give this environment its own "
                    "namespace (or set `cluster` if it is deployed to another cluster)",
                )
            )
    projects: dict[tuple[str, str], Environment] = {}
    for env in environments:
        if env.config.gitops is None:
            continue
        project = env.config.gitops.project or env.name
        if project == ARGOCD_DEFAULT_PROJECT:
            problems.append(
                Problem(
                    env.file,
                    "gitops.project",
                    "'default' is ArgoCD's own project, which this environment's AppProject would overwrite; "
                    "write another name, e.g. `project: jupyterhub-default`",
                )
            )
        first = projects.setdefault((env.config.gitops.argocd_namespace, project), env)
        if first is not env:
            problems.append(
                Problem(
                    env.file,
                    "gitops.project",
                    f"AppProject {project!r} is already written by {first.file}; each environment's project allows "
                    "only its own namespace, so give this one its own name (or leave `project` unset)",
                )
            )
    return problems


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        # Not resolved first: a symlinked environment file is shown where it is, not where it points.
        for shown_path, shown_root in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
            if shown_path.is_relative_to(shown_root):
                return str(shown_path.relative_to(shown_root))
    return str(path)


# --- turning pydantic errors into user-facing problems -----------------------


def _problems_from(error: ValidationError, file: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        where = _walk(item["loc"])
        for sub_path, message in _message(item, where):
            full = ".".join(part for part in (where.path, sub_path) if part)
            problems.append(Problem(file, full, message))
    return problems


@dataclass(frozen=True)
class _Where:
    """Where a pydantic error is: the path as users write it, the model owning its last key, and that key's type."""

    path: str
    owner: type[BaseModel] | None
    key: str | None
    annotation: Any


def _walk(loc: tuple[Any, ...]) -> _Where:
    """Render a pydantic location as `a.b[0].c`, skipping union tags, with keys as users write them (aliases)."""
    parts: list[str] = []
    current: Any = HubConfig
    owner: type[BaseModel] | None = None
    key: str | None = None
    index = 0
    while index < len(loc):
        step = loc[index]
        model = _model_of(current)
        union = _tagged_union(current)
        if union is not None and isinstance(step, str) and step in union:
            current = union[step]
            index += 1
            continue
        if model is not None and isinstance(step, str) and step not in _fields(model) and _is_tag(model, step):
            index += 1  # a one-variant tagged union: pydantic still names the tag
            continue
        if step == "[key]":
            pass  # the key itself is wrong: its path is already the key's
        elif isinstance(step, int):
            parts.append(f"[{step}]")
            current = _item_type(current)
        elif model is not None:
            owner, key = model, str(step)
            info = _fields(model).get(key)
            current = info.annotation if info else None
            parts.append(("." if parts else "") + short_key(key))
        else:
            parts.append(("." if parts else "") + short_key(str(step)))
            current = _item_type(current)
        index += 1
    return _Where("".join(parts), owner, key, current)


def _fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """A model's fields by the key users write: the alias where there is one (`for`, not `for_`)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _model_of(args[0])
    return None


def _tagged_union(annotation: Any) -> dict[str, type[BaseModel]] | None:
    """Variants of a discriminated union by tag, or None."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    variants = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
    tags = {}
    for variant in variants:
        tag_field = variant.model_fields.get("type")
        if tag_field is None:
            return None
        for tag in typing.get_args(tag_field.annotation):
            tags[tag] = variant
    return tags or None


def _is_tag(model: type[BaseModel], step: str) -> bool:
    tag_field = model.model_fields.get("type")
    return tag_field is not None and step in typing.get_args(tag_field.annotation)


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(_strip(annotation))
    return args[-1] if args else None


def _message(item: ErrorDetails, where: _Where) -> list[tuple[str, str]]:
    kind, given = item["type"], item.get("input")
    info = _fields(where.owner).get(where.key or "") if where.owner else None
    if kind == "extra_forbidden":
        allowed = sorted(_fields(where.owner)) if where.owner else []
        close = difflib.get_close_matches(where.key or "", _same_kind(where.key or "", allowed), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return [("", f"unknown key; {hint}allowed here: {', '.join(allowed)}")]
    if kind == "missing":
        about = f" ({info.description})" if info and info.description else ""
        return [("", f"required but missing; add it{about}")]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = ", ".join(map(repr, _tagged_union(where.annotation) or {}))
        if kind == "union_tag_not_found":
            return [("type", f"missing; write one of: {expected}")]
        return [("type", f"unknown type {shown(item['ctx'].get('tag'))}; write one of: {expected}")]
    if kind == "value_error":
        error = item.get("ctx", {}).get("error")
        if isinstance(error, FieldProblems):
            return error.problems
        return [("", str(error) if error is not None else item["msg"])]
    if kind == "literal_error":
        return [("", f"{shown(given)} is not allowed; write one of {item['ctx']['expected']}")]
    if kind == "string_pattern_mismatch":
        about = f"; {info.description}" if info and info.description else ""
        return [("", f"{shown(given)} does not have the expected form{about}")]
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return [("", f"must be a mapping of settings, not {shown(given)}")]
    if kind in _BOUNDS:
        bound, text = _BOUNDS[kind]
        return [("", f"{shown(given)} {text} {item['ctx'][bound]}")]
    if kind in _WRITE_INSTEAD:
        return [("", f"{shown(given)} is not {_WRITE_INSTEAD[kind]}")]
    message = item["msg"][0].lower() + item["msg"][1:]
    return [("", f"{message} (got {shown(given)})")]


_BOUNDS = {
    "less_than_equal": ("le", "is more than the most it takes,"),
    "less_than": ("lt", "must be less than"),
    "greater_than_equal": ("ge", "is less than the least it takes,"),
    "greater_than": ("gt", "must be more than"),
}

# Types a value must have, said as what to write; YAML gives each its own spelling, so nothing is converted.
_WRITE_INSTEAD = {
    "int_type": "a whole number; write digits only, e.g. 3 (true/false and quoted text are not numbers)",
    "int_from_float": "a whole number; write digits only, e.g. 3",
    "float_type": "a number; write digits, e.g. 0.5",
    "finite_number": "a finite number; write digits, e.g. 0.5",
    "bool_type": "true or false; write one of them",
    "string_type": "text; write it in quotes, e.g. '1.10'",
    "list_type": "a list; write [a, b] or one `- item` per line",
}


def _same_kind(field: str, names: list[str]) -> list[str]:
    """Names a misspelt `field` may be suggested as: an admin setting never for an access one, nor the reverse.

    `admin_organizations` is not `allowed_organizations`: that would grant login instead of admin rights.
    """
    admin = field.startswith("admin")
    return [name for name in names if name.startswith("admin") == admin]


def config_schema() -> str:
    """JSON Schema of an environment file, for editors (environments/schema.json)."""
    schema = HubConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "jupyterhub-cdk8s environment"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
