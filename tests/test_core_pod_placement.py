"""scheduling.core_pods: the hub's own pods (hub, proxy, user scheduler, hooks) on a system pool; user pods not."""

from __future__ import annotations

import pytest
from support.synthesis import MINIMAL, environment, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError

pytestmark = pytest.mark.unit

CORE = """
scheduling:
  core_pods:
    node_selector: {pool: system}
    tolerations: [{key: dedicated, operator: Equal, value: system, effect: NoSchedule}]
    node_affinity:
      required: [{key: kubernetes.io/arch, values: [amd64]}]
      preferred: [{key: hub.jupyter.org/node-purpose, values: [core]}]
  user_pods:
    node_selector: {pool: users}
"""


def pod_specs(objects: list[dict]) -> dict[str, dict]:
    """Pod template spec of each workload, by its component label."""
    return {
        o["metadata"]["labels"]["app.kubernetes.io/component"] + ":" + o["metadata"]["name"]: o["spec"]["template"][
            "spec"
        ]
        for o in objects
        if o["kind"] in ("Deployment", "DaemonSet", "Job", "StatefulSet")
    }


def test_core_pods_follow_core_placement_and_user_side_pods_do_not(tmp_path):
    text = MINIMAL + CORE + "singleuser: {image: quay.io/jupyter/base-notebook:2025-03-17}\n"
    objects = synth_objects(text, tmp_path)
    specs = pod_specs(objects)
    core = {name: spec for name, spec in specs.items() if name.split(":")[0] in CORE_COMPONENTS}
    assert {name.split(":")[0] for name in core} == CORE_COMPONENTS
    for name, spec in core.items():
        assert spec["nodeSelector"] == {"pool": "system"}, name
        assert spec["tolerations"] == [
            {"key": "dedicated", "operator": "Equal", "value": "system", "effect": "NoSchedule"}
        ]
        affinity = spec["affinity"]["nodeAffinity"]
        assert affinity["requiredDuringSchedulingIgnoredDuringExecution"] == {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}
            ]
        }
        assert affinity["preferredDuringSchedulingIgnoredDuringExecution"] == [
            {
                "weight": 100,
                "preference": {
                    "matchExpressions": [{"key": "hub.jupyter.org/node-purpose", "operator": "In", "values": ["core"]}]
                },
            }
        ]
    for name, spec in specs.items():
        if name not in core:
            assert spec.get("nodeSelector") == {"pool": "users"}, name


CORE_COMPONENTS = {"hub", "proxy", "user-scheduler", "secrets-bootstrap", "image-awaiter"}


def test_without_core_placement_nothing_is_added(tmp_path):
    for spec in pod_specs(synth_objects(MINIMAL, tmp_path)).values():
        assert not {"nodeSelector", "affinity"} & set(spec)


def test_an_affinity_expression_must_fit_its_operator(tmp_path):
    text = (
        MINIMAL + "scheduling: {core_pods: {node_affinity: {required: [{key: pool, operator: Exists, values: [a]}]}}}\n"
    )
    with pytest.raises(ConfigError) as error:
        environment(text, tmp_path)
    assert [str(p) for p in error.value.problems] == [
        "environments/test.yaml: scheduling.core_pods.node_affinity.required[0].values: operator Exists takes no "
        "values; remove them"
    ]
