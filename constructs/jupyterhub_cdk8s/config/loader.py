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

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .base import FieldProblems
from .environment import HubConfig

# libyaml's parser when PyYAML was built with it: the same documents, parsed several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# dist/argocd/ holds the ArgoCD objects of all environments.
RESERVED_NAMES = ("argocd",)
ARGOCD_DEFAULT_PROJECT = "default"


@dataclass(frozen=True)
class Problem:
    """One mistake in one file, at one field."""

    file: str
    path: str
    message: str

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
    files = sorted(directory.glob("*.yaml"))
    problems: list[Problem] = []
    environments: list[Environment] = []
    for path in files:
        shown = _display(path, display_root)
        try:
            environments.append(load_file(path, shown))
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


def load_file(path: Path, shown: str) -> Environment:
    name = path.stem
    problems: list[Problem] = []
    if not _ENV_NAME.match(name):
        problems.append(
            Problem(
                shown, "", f"file name {name!r} becomes dist/{name}/; rename it to lower-case letters, digits and '-'"
            )
        )
    if name in RESERVED_NAMES:
        problems.append(
            Problem(shown, "", f"dist/{name}/ holds the ArgoCD objects of all environments; rename the file")
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError([Problem(shown, "", f"not valid YAML at {where}: {error.problem}")]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError([Problem(shown, "", f"cannot be read: {error}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(shown, "", "must be a YAML mapping of settings, e.g. `namespace: jupyterhub` on its first line")]
        )
    try:
        config = HubConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems_from(error, shown))
    if problems:
        raise ConfigError(problems)
    warnings = tuple(Problem(shown, path, message) for path, message in config.warnings())
    return Environment(name=name, file=shown, config=config, warnings=warnings)


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
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


# --- turning pydantic errors into user-facing problems -----------------------


def _problems_from(error: ValidationError, shown: str) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path, owner, field = _walk(item["loc"])
        for sub_path, message in _message(item, owner, field):
            full = ".".join(part for part in (path, sub_path) if part)
            problems.append(Problem(shown, full, message))
    return problems


def _walk(loc: tuple[Any, ...]) -> tuple[str, type[BaseModel] | None, str | None]:
    """Render a pydantic location as `a.b[0].c`, skipping union tags.

    Returns the path, the model that owns the last key, and that key.
    """
    parts: list[str] = []
    current: Any = HubConfig
    owner: type[BaseModel] | None = None
    field_name: str | None = None
    index = 0
    while index < len(loc):
        step = loc[index]
        model = _model_of(current)
        union = _tagged_union(current)
        if union is not None and isinstance(step, str) and step in union:
            current = union[step]
            index += 1
            continue
        if model is not None and isinstance(step, str) and step not in model.model_fields and _is_tag(model, step):
            index += 1  # a one-variant tagged union: pydantic still names the tag
            continue
        if step == "[key]":
            index += 1  # pydantic's marker of a bad key of a map: the key itself is the field at fault
            continue
        if isinstance(step, int):
            parts.append(f"[{step}]")
            current = _item_type(current)
        elif model is not None:
            owner, field_name = model, str(step)
            info = model.model_fields.get(field_name)
            current = info.annotation if info else None
            parts.append(("." if parts else "") + field_name)
        else:
            parts.append(("." if parts else "") + str(step))
            current = _item_type(current)
        index += 1
    return "".join(parts), owner, field_name


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


def _message(item: ErrorDetails, owner: type[BaseModel] | None, field: str | None) -> list[tuple[str, str]]:
    kind, given = item["type"], item.get("input")
    if kind == "extra_forbidden":
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(field or "", allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return [("", f"unknown key; {hint}allowed here: {', '.join(allowed)}")]
    if kind == "missing":
        info = owner.model_fields.get(field) if owner and field else None
        about = f" ({info.description})" if info and info.description else ""
        return [("", f"required but missing; add it{about}")]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = item.get("ctx", {}).get("expected_tags", "")
        if kind == "union_tag_not_found":
            return [("type", f"missing; write one of: {expected}")]
        return [("type", f"unknown type {item['ctx'].get('tag')!r}; write one of: {expected}")]
    if kind == "value_error":
        error = item.get("ctx", {}).get("error")
        if isinstance(error, FieldProblems):
            return error.problems
        return [("", str(error) if error is not None else item["msg"])]
    if kind == "literal_error":
        return [("", f"{given!r} is not allowed; write one of {item['ctx']['expected']}")]
    if kind == "string_pattern_mismatch":
        info = owner.model_fields.get(field) if owner and field else None
        about = f"; {info.description}" if info and info.description else ""
        return [("", f"{given!r} does not have the expected form{about}")]
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return [("", f"must be a mapping of settings, not {given!r}")]
    message = item["msg"][0].lower() + item["msg"][1:]
    return [("", f"{message} (got {given!r})")]


def config_schema() -> str:
    """JSON Schema of an environment file, for editors (environments/schema.json)."""
    schema = HubConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "jupyterhub-cdk8s environment"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
