"""Kubernetes objects from the API's own JSON, in one crossing to jsii each.

The Python constructors of the cdk8s-plus-27 L1 classes (`k8s.KubeDeployment`
and its nested structs) check every field of every struct with typeguard before
the object crosses to jsii's Node process; that was about a third of a synth.
`api_object` hands the same L1 class its props as plain JSON, keyed by the
L1's own property names: the API's camelCase names, with acronyms written as
words where the bindings do (`repoUrl` for `repoURL`). The Node side
deserializes them into the typed props, refusing a value of the wrong type (a
bare string where a `Quantity` belongs, say), and serializes the object
exactly as the typed constructor would.

A key the L1 schema does not know would be dropped by that serialization, not
refused: `every_prop_is_written` finds such keys, and the tests run it on every
object of every environment.
"""

from __future__ import annotations

from typing import TypeVar

import jsii
from cdk8s import ApiObject
from constructs import Construct

L1 = TypeVar("L1", bound=ApiObject)

# The props each object was made from, for `every_prop_is_written`.
_PROPS = "_kube_props"


def api_object(scope: Construct, id: str, l1: type[L1], props: dict) -> L1:
    """An object of the L1 class `l1` with `props` (metadata, spec, ...) as JSON.

    Values that are classes in the L1 API stay objects here: `pods.quantity`
    and `pods.int_or_string`.
    """
    obj = l1.__new__(l1)
    # What the generated constructor does once its Python type checks pass.
    jsii.create(l1, obj, [scope, id, props])
    setattr(obj, _PROPS, props)
    return obj


def made_from_json(obj: ApiObject) -> bool:
    return hasattr(obj, _PROPS)


def every_prop_is_written(obj: ApiObject) -> list[str]:
    """Paths of the props of `obj` (made by `api_object`) that its JSON lacks: keys the L1 schema does not know."""
    return _missing(getattr(obj, _PROPS), obj.to_json(), "")


def _missing(given, written, path: str) -> list[str]:
    if isinstance(given, dict):
        if not isinstance(written, dict):
            return [path or "/"]
        # The L1 writes `repoUrl` as `repoURL`.
        written = {key.lower(): value for key, value in written.items()}
        return [
            missing
            for key, value in given.items()
            if value is not None
            for missing in (
                _missing(value, written[key.lower()], f"{path}/{key}") if key.lower() in written else [f"{path}/{key}"]
            )
        ]
    if isinstance(given, list):
        if not isinstance(written, list) or len(written) != len(given):
            return [path]
        return [
            missing
            for index, (a, b) in enumerate(zip(given, written, strict=False))
            for missing in _missing(a, b, f"{path}/{index}")
        ]
    return []
