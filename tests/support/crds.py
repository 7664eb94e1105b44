"""Validators for custom resources, from the CRD files vendored in crds/ (see crds/README.md).

Argo CD's CRDs are vendored for several releases (crds/argo-cd/<tag>/): the
objects written for a declared Argo CD minor version must be accepted by that
version and by every newer supported one.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jsonschema
import yaml

from jupyterhub_cdk8s.config.versions import minor_version
from support.synthesis import ROOT

CRDS = ROOT / "crds"
ARGOCD_CRDS = CRDS / "argo-cd"
ARGOCD_GROUP = "argoproj.io/"


def _release(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.removeprefix("v").split("."))


ARGOCD_TAGS = tuple(sorted((path.name for path in ARGOCD_CRDS.iterdir() if path.is_dir()), key=_release))
"""The vendored Argo CD releases, oldest first, e.g. ("v3.0.23", "v3.3.14", "v3.5.1")."""


def argocd_tags_from(minor: str) -> tuple[str, ...]:
    """The vendored releases an object written for Argo CD `minor` (e.g. "3.3") must validate against."""
    return tuple(tag for tag in ARGOCD_TAGS if _release(tag)[:2] >= minor_version(minor))


def _strict(node: dict) -> dict:
    """The schema refusing fields it does not declare, where the API server would silently prune them."""
    node = dict(node)
    if "properties" in node:
        node["properties"] = {name: _strict(child) for name, child in node["properties"].items()}
        if not node.get("x-kubernetes-preserve-unknown-fields"):
            node.setdefault("additionalProperties", False)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            node[key] = _strict(node[key])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            node[key] = [_strict(child) for child in node[key]]
    return node


@functools.cache
def _validators(directory: Path) -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    validators = {}
    for path in sorted(directory.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in crd["spec"]["versions"]:
            api_version = f"{crd['spec']['group']}/{version['name']}"
            schema = _strict(version["schema"]["openAPIV3Schema"])
            validators[(api_version, crd["spec"]["names"]["kind"])] = jsonschema.Draft7Validator(schema)
    return validators


def crd_validator(obj: dict, argocd: str | None = None) -> jsonschema.Draft7Validator:
    """The strict validator of the object's apiVersion and kind; Argo CD's of release `argocd` (default: newest)."""
    argocd_object = obj["apiVersion"].startswith(ARGOCD_GROUP)
    directory = ARGOCD_CRDS / (argocd or ARGOCD_TAGS[-1]) if argocd_object else CRDS
    return _validators(directory)[(obj["apiVersion"], obj["kind"])]


def crd_errors(obj: dict, argocd: str | None = None) -> list[str]:
    """Every place the object breaks its CRD's schema, as `path: message`."""
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in crd_validator(obj, argocd).iter_errors(obj)]


def validate_custom_resource(obj: dict, argocd: str | None = None) -> None:
    """Raise the most relevant schema error of the object, as `jsonschema.validate` does."""
    error = jsonschema.exceptions.best_match(crd_validator(obj, argocd).iter_errors(obj))
    if error is not None:
        raise error
