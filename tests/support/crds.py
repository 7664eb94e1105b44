"""Validators for custom resources, from the CRD files vendored in crds/ (see crds/README.md)."""

from __future__ import annotations

import functools

import jsonschema
import yaml

from support.synthesis import ROOT

CRDS = ROOT / "crds"


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
def _validators() -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    validators = {}
    for path in sorted(CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in crd["spec"]["versions"]:
            api_version = f"{crd['spec']['group']}/{version['name']}"
            schema = _strict(version["schema"]["openAPIV3Schema"])
            validators[(api_version, crd["spec"]["names"]["kind"])] = jsonschema.Draft7Validator(schema)
    return validators


def crd_validator(obj: dict) -> jsonschema.Draft7Validator:
    """The strict validator of the object's apiVersion and kind."""
    return _validators()[(obj["apiVersion"], obj["kind"])]


def crd_errors(obj: dict) -> list[str]:
    """Every place the object breaks its CRD's schema, as `path: message`."""
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in crd_validator(obj).iter_errors(obj)]


def validate_custom_resource(obj: dict) -> None:
    """Raise the most relevant schema error of the object, as `jsonschema.validate` does."""
    error = jsonschema.exceptions.best_match(crd_validator(obj).iter_errors(obj))
    if error is not None:
        raise error
