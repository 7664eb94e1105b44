"""Synthesized objects meet the API server's own rules, or the synth stops at the setting that breaks them."""

from __future__ import annotations

import copy
import textwrap

import pytest
from support.synthesis import MINIMAL, environment, find, synth_objects

from jupyterhub_cdk8s.config import ConfigError
from jupyterhub_cdk8s.config.base import RELEASE_MAX
from jupyterhub_cdk8s.kinds import CLUSTER_SCOPED
from jupyterhub_cdk8s.output_check import object_problems, output_problems
from jupyterhub_cdk8s.synth import manifests

pytestmark = pytest.mark.unit

GOOD = textwrap.dedent(MINIMAL)


def test_the_longest_names_allowed_still_make_valid_objects(tmp_path):
    """A release of RELEASE_MAX characters in a 63-character namespace: every name, label and reference fits."""
    text = GOOD.replace("namespace: hub-test", f"namespace: {'n' * 63}\nname: h{'x' * (RELEASE_MAX - 1)}")
    text += "scheduling: {user_placeholders: {replicas: 2}}\nmonitoring: {enabled: true}\n"
    objects = synth_objects(text, tmp_path)
    assert {problem for obj in objects for problem in object_problems(obj)} == set()
    assert [o for o in objects if o["kind"] == "Job" and "-pull-wait-" in o["metadata"]["name"]]


def test_cluster_scoped_names_cannot_collide_across_namespace_and_release(tmp_path):
    """Namespace a-b with release c, and namespace a with release b-c, wrote the same a-b-c-* names."""
    first = environment(GOOD.replace("hub-test", "a-b") + "name: c\n", tmp_path, "first")
    second = environment(GOOD.replace("hub-test", "a") + "name: b-c\n", tmp_path, "second")
    names = [
        {(o["kind"], o["metadata"]["name"]) for m in manifests([env]) for o in m.objects if o["kind"] in CLUSTER_SCOPED}
        for env in (first, second)
    ]
    assert names[0] & names[1] == set()
    assert ("PriorityClass", "a-b.c-core-priority-1000") in names[0]
    assert ("PriorityClass", "a.b-c-core-priority-1000") in names[1]


def test_a_cluster_scoped_clash_names_both_files(tmp_path):
    first = environment(GOOD, tmp_path, "first")
    second = environment(GOOD.replace("hub-test", "other"), tmp_path, "second")
    objects = [obj for m in manifests([first]) for obj in m.objects]
    clash = find(objects, "PriorityClass", "hub-test.jupyterhub-core-priority-1000")
    (problem,) = output_problems([first, second], [objects, [copy.deepcopy(clash)]])
    assert str(problem) == (
        "environments/second.yaml: name: PriorityClass hub-test.jupyterhub-core-priority-1000 on cluster in-cluster is "
        "also written by environments/first.yaml; one would overwrite the other, so give one environment another "
        "namespace or name"
    )


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        (lambda o: o["metadata"].update(name="1-proxy"), "metadata.name", "must be lower-case letters, digits and"),
        (lambda o: o["metadata"]["labels"].update(team="x" * 64), "metadata.labels.team", "is 64 characters long"),
        (lambda o: o["metadata"].update(annotations={"a/b/c": "x"}), "metadata.annotations.a/b/c", "at most one '/'"),
        (lambda o: o["spec"]["ports"][0].update(port=70000), "spec.ports[0].port", "must be a port from 1 to 65535"),
        (lambda o: o["spec"]["ports"][0].update(port=0), "spec.ports[0].port", "must be a port from 1 to 65535"),
        (lambda o: o["spec"].update(priority=1.0e30), "spec.priority", "must be a whole number"),
        (lambda o: o["spec"].update(count=2**40), "spec.count", "must be between -2147483648 and 2147483647"),
    ],
)
def test_each_rule_of_the_api_server_is_checked(change, where, why, tmp_path):
    service = copy.deepcopy(find(synth_objects(GOOD, tmp_path), "Service", "jupyterhub-proxy-public"))
    change(service)
    assert [(at, message) for at, _, message in object_problems(service) if why in message] == [
        (where, next(message for at, _, message in object_problems(service) if why in message))
    ]


def test_a_problem_is_reported_at_the_setting_whose_value_reached_the_object(tmp_path):
    env = environment(GOOD + "ingress: {annotations: {example.com/note: keep}}\n", tmp_path)
    objects = [obj for m in manifests([env]) for obj in m.objects]
    ingress = find(objects, "Ingress", "jupyterhub")
    ingress["spec"]["rules"][0]["host"] = "10.1.2.3"
    ingress["metadata"]["name"] = "jupyterhub-" + env.config.host.replace(".", "-") + "-" * 3
    problems = sorted(str(p) for p in output_problems([env], [objects]))
    assert problems == [
        "environments/test.yaml: makes Ingress 'jupyterhub-hub-example-com---' spec.rules[0] '10.1.2.3', which "
        "Kubernetes refuses: it must be a DNS name, not an IP address (a bug of jupyterhub-cdk8s; please report it)",
        "environments/test.yaml: name: makes Ingress 'jupyterhub-hub-example-com---' metadata.name "
        "'jupyterhub-hub-example-com---', which Kubernetes refuses: it must be lower-case letters, digits, '-' and "
        "'.', starting and ending with a letter or digit",
    ]


def test_the_synth_stops_with_a_config_error_before_anything_is_written(tmp_path, monkeypatch):
    env = environment(GOOD, tmp_path)
    monkeypatch.setattr("jupyterhub_cdk8s.output_check.object_problems", lambda obj: [("metadata.name", "x", "bad")])
    with pytest.raises(ConfigError):
        manifests([env])


def test_a_config_map_beyond_one_mebibyte_is_reported_at_the_setting_that_filled_it(tmp_path):
    snippet = "x = 1  # " + "-" * (1024 * 1024 - 2000)
    env = environment(GOOD + f"hub: {{extra_config: {{big: '{snippet}'}}}}\n", tmp_path)
    with pytest.raises(ConfigError) as error:
        manifests([env])
    (problem,) = error.value.problems
    assert (problem.file, problem.path) == ("environments/test.yaml", "hub.extra_config.big")
    assert "which Kubernetes refuses: it makes its data" in problem.message
    assert problem.message.endswith("bytes, more than 1048576")
