"""An environment's own Kubernetes objects, read from `environments/<env>.d/` and written beside the hub's.

Why a folder of files beside the environment file rather than a list inside
it: these are plain Kubernetes manifests that other tools write (`kubeseal`
writes a SealedSecret file, a Gateway's docs give an HTTPRoute file); as
files they are copied in unchanged, edited with the Kubernetes schema in an
editor, and reviewed as what they are, while the environment file stays a
typed config whose schema (environments/schema.json) does not grow an
untyped "anything" list. `.d` marks a folder of additions, as in `conf.d`.

Each `*.yaml`, `*.yml` or `*.json` file of the folder becomes
`dist/<env>/extra-<file stem>.yaml`, its objects in the order written, each:

- checked at synth time for what Kubernetes needs of every object (apiVersion,
  kind, a DNS-1123 name, the environment's namespace or none) and refused if
  it is a Secret with values: nothing secret goes into git;
- of a built-in kind, validated against the OpenAPI schema of the
  environment's `kubernetes_version` (kubernetes-validate, strict: a key the
  API server would drop is refused too); a custom resource's schema lives in
  its CRD, in the cluster, so it gets only the checks above;
- put in the environment's namespace when it names none (unless its kind is
  cluster-scoped, kinds.py);
- given its ArgoCD sync wave (sync_waves.py) unless it names one;
- and so allowed by the environment's AppProject, whose whitelists gitops.py
  derives from every object of `dist/<env>/`, these included.

Files here are only read, never changed. Their YAML is read as environment
files are (config/yaml_input.py: size, nesting and alias bounds, no duplicate
keys, plain tags only), as a small file must not take unbounded work.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .config import ConfigError, Problem
from .config.loader import Environment
from .config.yaml_input import InputRefused, parse_yaml_documents, read_text
from .kinds import CLUSTER_SCOPED
from .rendering import GENERATED, Manifest
from .sync_waves import SYNC_WAVE, sync_wave

FOLDER_SUFFIX = ".d"
READ_SUFFIXES = (".yaml", ".yml", ".json")
# Read-me files may sit beside the manifests; anything else is named, not silently skipped.
NOT_READ_SUFFIXES = (".md", ".txt")
OUTPUT_PREFIX = "extra-"

_API_VERSION = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?v[0-9]+((alpha|beta)[0-9]+)?$"
)
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def folder_of(environment_file: Path) -> Path:
    """Where the own manifests of an environment file live: `<stem>.d/` beside it."""
    return environment_file.with_name(environment_file.stem + FOLDER_SUFFIX)


def load_extra(environments: Path, env: Environment, display_root: Path) -> list[Manifest]:
    """The files of `env`'s own manifests for dist/<env>/, or ConfigError with every problem of every file."""
    folder = folder_of(environments / f"{env.name}.yaml")
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    manifests: dict[str, Manifest] = {}
    seen: dict[tuple[str, str, str, str], str] = {}
    for path in sorted(folder.iterdir()):
        shown = _display(path, display_root)
        if path.name.startswith(".") or path.suffix in NOT_READ_SUFFIXES:
            continue
        if path.suffix not in READ_SUFFIXES:
            problems.append(Problem(shown, "", f"not read: only {', '.join(READ_SUFFIXES)} files are manifests here"))
            continue
        output = f"{env.name}/{OUTPUT_PREFIX}{path.stem}.yaml"
        if output in manifests:
            problems.append(Problem(shown, "", f"{output} is already written from another file; rename one of them"))
            continue
        objects, file_problems = _objects(path, shown, env.config.namespace, env.config.kubernetes_version)
        for index, obj in enumerate(objects):
            if not file_problems:
                key = _identity(obj)
                if key in seen:
                    problems.append(Problem(shown, _where(index, "metadata.name"), f"also written in {seen[key]}"))
                seen.setdefault(key, shown)
        problems.extend(file_problems)
        header = f"{GENERATED} from {shown}; do not edit: edit that file and synthesize again.\n"
        manifests[output] = Manifest(output, objects, header=header)
    if problems:
        raise ConfigError(problems)
    return list(manifests.values())


def collisions(env: Environment, extra: list[Manifest], workload: list[Manifest]) -> list[Problem]:
    """Own objects that are also objects the hub writes: the second would replace the first in the cluster."""
    written = {_identity(obj): manifest.path for manifest in workload for obj in manifest.objects}
    return [
        Problem(
            _source(manifest),
            _where(index, "metadata.name"),
            f"{obj['kind']} {obj['metadata']['name']!r} is also written by the hub (dist/{written[_identity(obj)]}); "
            "rename yours",
        )
        for manifest in extra
        for index, obj in enumerate(manifest.objects)
        if _identity(obj) in written
    ]


# --- one file --------------------------------------------------------------------


def _objects(path: Path, shown: str, namespace: str, kubernetes_version: str) -> tuple[list[dict], list[Problem]]:
    try:
        documents = parse_yaml_documents(read_text(path))
    except InputRefused as refused:
        return [], [Problem(shown, at, message) for at, message in refused.problems]
    problems = []
    for index, doc in enumerate(documents):
        # The schema only of an object Kubernetes could take at all: every problem of the file at once.
        found = _object_problems(doc, namespace) or _schema_problems(doc, kubernetes_version)
        problems += [Problem(shown, _where(index, field), message) for field, message in found]
    if problems:
        return [], problems
    for doc in documents:
        _complete(doc, namespace)
    return documents, []


def _object_problems(doc: Any, namespace: str) -> list[tuple[str, str]]:
    """What Kubernetes would refuse, or this project must not write, in one object."""
    if not isinstance(doc, dict):
        return [("", "must be a Kubernetes object: a mapping with apiVersion, kind and metadata")]
    problems = []
    api_version, kind, metadata = doc.get("apiVersion"), doc.get("kind"), doc.get("metadata")
    if not isinstance(api_version, str) or not _API_VERSION.match(api_version):
        problems.append(("apiVersion", f"{_short(api_version)} is not an API version; write e.g. v1 or apps/v1"))
    if not isinstance(kind, str) or not _KIND.match(kind):
        problems.append(("kind", f"{_short(kind)} is not a kind; write e.g. ConfigMap"))
    elif kind.endswith("List"):
        problems.append(("kind", f"{kind} is a list; write each item as its own document (---)"))
    if not isinstance(metadata, dict):
        return [*problems, ("metadata", "required: a mapping with at least `name`")]
    name = metadata.get("name")
    if not isinstance(name, str) or not _SUBDOMAIN.match(name):
        problems.append(
            ("metadata.name", f"{_short(name)} is not a Kubernetes name; use lower-case letters, digits, '-' and '.'")
        )
    for field in ("labels", "annotations"):
        if metadata.get(field) is not None and not isinstance(metadata[field], dict):
            problems.append((f"metadata.{field}", "must be a mapping"))
    given = metadata.get("namespace")
    if kind in CLUSTER_SCOPED and given is not None:
        problems.append(("metadata.namespace", f"{kind} is cluster-scoped; remove the namespace"))
    elif kind not in CLUSTER_SCOPED and given is not None and given != namespace:
        problems.append(
            (
                "metadata.namespace",
                f"{_short(given)}: the environment's AppProject deploys only to {namespace!r}; "
                "remove the namespace or write this one",
            )
        )
    if kind == "Secret" and api_version == "v1" and (doc.get("data") or doc.get("stringData")):
        problems.append(
            (
                "data" if doc.get("data") else "stringData",
                "a Secret's values would be committed to git in dist/; use a SealedSecret or an ExternalSecret, "
                "or create the Secret in the cluster",
            )
        )
    return problems


def _schema_problems(doc: dict, kubernetes_version: str) -> list[tuple[str, str]]:
    """The first way a built-in object breaks its kind's schema in `kubernetes_version`; none for custom resources.

    Imported here: jsonschema's loading costs most of a second, paid only by environments with own manifests.
    """
    import kubernetes_validate

    try:
        kubernetes_validate.validate(doc, kubernetes_version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return []  # a custom resource (or a kind this Kubernetes does not have: the API server will say so)
    except kubernetes_validate.ValidationError as error:
        field = ".".join(str(part) for part in error.absolute_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        return [(field, f"{message} (the Kubernetes {kubernetes_version} schema of {doc['kind']})")]
    return []


def _complete(doc: dict, namespace: str) -> None:
    """The environment's namespace and the object's sync wave, where it names none."""
    metadata = doc["metadata"]
    if doc["kind"] not in CLUSTER_SCOPED:
        metadata.setdefault("namespace", namespace)
    if metadata.get("annotations") is None:
        metadata["annotations"] = {}
    metadata["annotations"].setdefault(SYNC_WAVE, str(sync_wave(doc)))


def _identity(obj: dict) -> tuple[str, str, str, str]:
    return (
        str(obj["apiVersion"]).rpartition("/")[0],
        str(obj["kind"]),
        str(obj["metadata"].get("namespace", "")),
        str(obj["metadata"]["name"]),
    )


def _where(index: int, field: str) -> str:
    return f"document {index + 1}" + (f": {field}" if field else "")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _source(manifest: Manifest) -> str:
    """The file an own-manifests output was made from, as its header names it."""
    return manifest.header.removeprefix(f"{GENERATED} from ").split(";")[0]


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
