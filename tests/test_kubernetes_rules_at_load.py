"""Values the API server would refuse are refused at load, at their key: types, ranges, names, labels, namespaces."""

from __future__ import annotations

import textwrap
import time
import types
import typing
from pathlib import Path

import annotated_types
import pytest
from pydantic import BaseModel
from support.synthesis import MINIMAL

from jupyterhub_cdk8s.config import ConfigError, HubConfig
from jupyterhub_cdk8s.config.base import RELEASE_MAX
from jupyterhub_cdk8s.config.kubernetes import INT32_MAX, INT32_MIN
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.config.scheduling import MAX_PLACEHOLDERS

pytestmark = pytest.mark.unit

GOOD = textwrap.dedent(MINIMAL)


def problems_of(extra: str, tmp_path: Path, base: str = GOOD) -> list[str]:
    path = tmp_path / "test.yaml"
    path.write_text(base + extra)
    with pytest.raises(ConfigError) as error:
        load_file(path, "environments/test.yaml")
    return [str(problem).removeprefix("environments/test.yaml: ") for problem in error.value.problems]


# --- numbers -------------------------------------------------------------------------------------------


def _int_fields(model: type[BaseModel], path: str = "") -> typing.Iterator[tuple[str, list]]:
    """Every integer a config holds, with its constraints: fields, list items and map values, in every model."""
    for name, info in model.model_fields.items():
        yield from _ints_in(info.annotation, list(info.metadata), f"{path}{info.alias or name}")


def _ints_in(annotation, metadata: list, path: str) -> typing.Iterator[tuple[str, list]]:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = metadata + [m for e in extra for m in getattr(e, "metadata", [e])]
    if annotation is int:
        yield path, metadata
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _int_fields(annotation, path + ".")
    elif typing.get_origin(annotation) in (typing.Union, types.UnionType, list, dict):
        for arg in typing.get_args(annotation):
            yield from _ints_in(arg, metadata if typing.get_origin(annotation) is not dict else [], f"{path}[]")


def test_every_integer_of_the_config_is_bounded_within_int32():
    """Kubernetes counts in int32 (replicas, ports, ids, priorities, seconds); an unbounded int overflows on the way."""
    fields = dict(_int_fields(HubConfig))
    assert "scheduling.user_placeholders.replicas" in fields and len(fields) > 30
    unbounded = []
    for path, metadata in fields.items():
        lows = [m.ge for m in metadata if isinstance(m, annotated_types.Ge)]
        highs = [m.le for m in metadata if isinstance(m, annotated_types.Le)]
        # One replica exactly (only_one_replica); a GPU choice's range is checked with its kind (_choice_problem).
        checked_elsewhere = path in (
            "hub.replicas",
            "proxy.replicas",
            "singleuser.profiles[].options[].choices[].value[]",
        )
        if not checked_elsewhere and not (lows and highs and min(lows) >= INT32_MIN and max(highs) <= INT32_MAX):
            unbounded.append(path)
    assert unbounded == []


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("singleuser: {uid: true}\n", "singleuser.uid: true is not a whole number; write digits only, e.g. 3"),
        ("hub: {replicas: 1.0}\n", "hub.replicas: 1.0 is not a whole number; write digits only, e.g. 3"),
        ("singleuser: {fs_gid: '100'}\n", "singleuser.fs_gid: '100' is not a whole number; write digits only, e.g. 3"),
        ("ingress: {enabled: 'yes'}\n", "ingress.enabled: 'yes' is not true or false; write one of them"),
        ("ingress: {enabled: 1}\n", "ingress.enabled: 1 is not true or false; write one of them"),
        (
            "monitoring: {alerts: {pending_spawns: {threshold: .inf}}}\n",
            "monitoring.alerts.pending_spawns.threshold: inf is not a finite number; write digits, e.g. 0.5",
        ),
        (
            "singleuser: {uid: 1000000000000000000000000000000}\n",
            "singleuser.uid: 1000000000000000000000000000000 is more than the most it takes, 2147483647",
        ),
        (
            "scheduling: {user_scheduler: {replicas: 3000000000}}\n",
            "scheduling.user_scheduler.replicas: 3000000000 is more than the most it takes, 5",
        ),
        (
            "scheduling: {priorities: {user: -3000000000}}\n",
            "scheduling.priorities.user: -3000000000 is less than the least it takes, -2147483648",
        ),
        (
            "network_policy: {user_egress: [{cidr: 10.1.0.0/16, ports: [0, 70000]}]}\n",
            "network_policy.user_egress[0].ports[0]: 0 is less than the least it takes, 1",
        ),
        (
            "singleuser:\n  profiles:\n  - {display_name: F, slug: f, default: true, "
            "extra_resources: {xilinx.com/fpga: 3000000000}}\n",
            "singleuser.profiles[0].extra_resources.xilinx.com/fpga: 3000000000 is more than the most it takes, "
            "2147483647",
        ),
    ],
)
def test_a_number_must_have_its_type_and_range(extra, problem, tmp_path):
    assert problem in [p.split(" (")[0] for p in problems_of(extra, tmp_path)]


def test_a_count_costs_no_work_of_its_size(tmp_path):
    path = tmp_path / "test.yaml"
    path.write_text(
        GOOD + f"quota: {{enabled: false}}\nscheduling: {{user_placeholders: {{replicas: {MAX_PLACEHOLDERS}}}}}\n"
    )
    started = time.monotonic()
    assert load_file(path, "environments/test.yaml").config.scheduling.user_placeholders.replicas == MAX_PLACEHOLDERS
    assert time.monotonic() - started < 2


# --- names, labels and namespaces ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "namespace",
    ["default", "kube-system", "kube-public", "kube-node-lease", "kube-flannel", "openshift", "openshift-x"],
)
def test_the_clusters_own_namespaces_are_refused(namespace, tmp_path):
    assert problems_of("", tmp_path, GOOD.replace("namespace: hub-test", f"namespace: {namespace}")) == [
        f"namespace: '{namespace}' is one of the cluster's own namespaces (default, kube-*, openshift-*); this "
        "environment's network policies, quota and Pod Security labels would apply to what runs there: write a "
        "namespace of the hub's own, e.g. jupyterhub"
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("1hub", "it must be lower-case letters, digits and '-', starting with a letter and ending with a letter"),
        ("h" * (RELEASE_MAX + 1), f"it is {RELEASE_MAX + 1} characters long, more than {RELEASE_MAX}"),
    ],
    ids=["digit-first", "too-long"],
)
def test_a_release_name_that_would_break_service_or_job_names_is_refused(name, why, tmp_path):
    (problem,) = problems_of(f"name: {name}\n", tmp_path)
    assert problem.startswith(f"name: '{name}' cannot start the names of this environment's objects: {why}")


@pytest.mark.parametrize("host", ["10.0.0.1", "2001:db8::1"])
def test_an_ip_address_is_no_host(host, tmp_path):
    assert problems_of("", tmp_path, GOOD.replace("hub.example.com", f"'{host}'")) == [
        f"host: '{host}' is an IP address; write the DNS name users open, e.g. jupyter.example.com"
    ]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "scheduling: {user_pods: {node_selector: {'bad key!': v}}}\n",
            "scheduling.user_pods.node_selector.bad key!: 'bad key!' is not a label key",
        ),
        (
            "scheduling: {user_pods: {node_selector: {pool: 'two words'}}}\n",
            "scheduling.user_pods.node_selector.pool: 'two words' is not a label value",
        ),
        (
            "network_policy: {ingress_controller: {namespace: ing, pod_labels: {a/b/c: x}}}\n",
            "network_policy.ingress_controller.pod_labels.a/b/c: 'a/b/c' is not a label key",
        ),
        ("ingress: {annotations: {'Not Valid/x': '1'}}\n", "ingress.annotations.Not Valid/x: 'Not Valid/x' is not an"),
        ("proxy: {service: {annotations: {'-x': y}}}\n", "proxy.service.annotations.-x: '-x' is not an annotation key"),
        ("ingress: {class_name: 'Nginx Public'}\n", "ingress.class_name: 'Nginx Public' is not a class name"),
        (
            "hub: {database: {type: sqlite, storage_class: fast_ssd}}\n",
            "hub.database.storage_class: 'fast_ssd' is not a class name",
        ),
        (
            "singleuser: {storage: {storage_class: '-x'}}\n",
            "singleuser.storage.storage_class: '-x' is not a class name",
        ),
        (
            "scheduling: {user_pods: {tolerations: [{key: 'a b', value: c}]}}\n",
            "scheduling.user_pods.tolerations[0].key: 'a b' is not a label key",
        ),
        ("singleuser: {gpu_nodes: {resource: gpu}}\n", "singleuser.gpu_nodes.resource: 'gpu' is not an extended"),
        # Issue 17's fields follow the same rules.
        ("singleuser: {labels: {'a b': x}}\n", "singleuser.labels.a b: 'a b' is not a label key"),
        ("singleuser: {labels: {team: 'two words'}}\n", "singleuser.labels.team: 'two words' is not a label value"),
        (
            "singleuser: {labels: {app.kubernetes.io/name: x}}\n",
            "singleuser.labels.app.kubernetes.io/name: 'app.kubernetes.io/name' is set by KubeSpawner",
        ),
        (
            "singleuser: {storage: {type: static, existing_claim: Homes}}\n",
            "singleuser.storage.existing_claim: 'Homes' is not a Kubernetes object name",
        ),
        (
            "singleuser: {service_account: {name: 'my_account'}}\n",
            "singleuser.service_account.name: 'my_account' is not a Kubernetes object name",
        ),
        (
            "image_pull_secrets: [{name: r, registries: [registry.example.org/]}]\n",
            "image_pull_secrets[0].registries[0]: 'registry.example.org/' is not a registry or repository prefix",
        ),
        (
            "monitoring: {dashboards: {sidecar_labels: {grafana_dashboard: '1 '}}}\n",
            "monitoring.dashboards.sidecar_labels.grafana_dashboard: '1 ' is not a label value",
        ),
    ],
)
def test_labels_annotations_and_class_names_follow_kubernetes_rules(extra, problem, tmp_path):
    assert any(p.startswith(problem) for p in problems_of(extra, tmp_path)), problems_of(extra, tmp_path)


def test_every_bad_environment_variable_name_is_reported(tmp_path):
    extra = "singleuser: {extra_env: {1A: x, GOOD: y, 'with space': z, é: w}}\n"
    message = "is not an environment variable name; use ASCII letters, digits and _, e.g. MY_SETTING"
    assert problems_of(extra, tmp_path) == [
        f"singleuser.extra_env.1A: {message}",
        f"singleuser.extra_env.with space: {message}",
        f"singleuser.extra_env.é: {message}",
    ]
