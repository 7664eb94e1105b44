"""A PriorityClass's value can never change (kubernetes ValidatePriorityClassUpdate): a new value is a new name."""

from __future__ import annotations

import re

import pytest
from support.synthesis import MINIMAL, hub_config_text, synth_objects

pytestmark = pytest.mark.unit


def _classes(objects: list[dict]) -> dict[str, int]:
    return {o["metadata"]["name"]: o["value"] for o in objects if o["kind"] == "PriorityClass"}


def _references(objects: list[dict]) -> set[str]:
    """Every PriorityClass name a pod template or the hub's KubeSpawner config names."""
    named = {
        o["spec"]["template"]["spec"]["priorityClassName"]
        for o in objects
        if "template" in o.get("spec", {}) and o["spec"]["template"]["spec"].get("priorityClassName")
    }
    return named | set(re.findall(r"c\.KubeSpawner\.priority_class_name = '([^']+)'", hub_config_text(objects)))


def test_changing_a_priority_makes_a_new_class_and_never_changes_a_value(tmp_path):
    before = synth_objects(MINIMAL + "scheduling: {user_placeholders: {replicas: 1}}\n", tmp_path)
    after = synth_objects(
        MINIMAL + "scheduling: {user_placeholders: {replicas: 1}, priorities: {user: 10, placeholder: -20}}\n",
        tmp_path,
    )
    old, new = _classes(before), _classes(after)
    assert {name: value for name, value in new.items() if name in old and old[name] != value} == {}
    changed = {name for name in old if name not in new}
    assert changed == {"hub-test.jupyterhub-user-priority-0", "hub-test.jupyterhub-user-placeholder-priority-minus-10"}
    assert set(new) - set(old) == {
        "hub-test.jupyterhub-user-priority-10",
        "hub-test.jupyterhub-user-placeholder-priority-minus-20",
    }
    for objects, classes in ((before, old), (after, new)):
        assert _references(objects) <= set(classes)
    assert {"hub-test.jupyterhub-user-priority-10", "hub-test.jupyterhub-core-priority-1000"} <= _references(after)
