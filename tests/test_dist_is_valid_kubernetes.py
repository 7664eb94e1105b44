"""Every object in dist/ is a valid Kubernetes object, strictly, on the oldest and newest supported minor."""

from __future__ import annotations

import kubernetes_validate
import pytest
from support.synthesis import ENVIRONMENTS, dist_objects

pytestmark = pytest.mark.output

OLDEST = "1.27.0"
NEWEST = kubernetes_validate.latest_version()
CORE_GROUPS = (
    "v1",
    "apps/",
    "batch/",
    "policy/",
    "rbac.authorization.k8s.io/",
    "networking.k8s.io/",
    "scheduling.k8s.io/",
)


def core_objects(env: str) -> list[dict]:
    """Objects of built-in kinds; custom resources are validated against their CRDs elsewhere."""
    return [o for o in dist_objects(env) if o["apiVersion"] == "v1" or o["apiVersion"].startswith(CORE_GROUPS)]


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_core_object_validates_strictly(env: str, version: str):
    objects = core_objects(env)
    assert objects, f"dist/{env} is empty"
    failures = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
    assert not failures, "\n".join(failures)


def test_validator_rejects_an_unknown_field():
    """The strict validator is really strict: a misspelt field fails."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "dta": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(obj, OLDEST, strict=True)
