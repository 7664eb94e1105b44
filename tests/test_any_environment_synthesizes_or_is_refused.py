"""Properties: any environment file either synthesizes valid objects or fails with a ConfigError, never a traceback."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyterhub_cdk8s.config import ConfigError
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.synth import manifests

pytestmark = pytest.mark.output

quantities = st.sampled_from(["100m", "2", "0.5", "1Gi", "512Mi", "8 gigs", "-1", "", 3, 0, True, "1e3", "10Ti"])
names = st.sampled_from(
    ["hub", "jupyter-a", "Bad_Name", "", "x" * 70, "ns-1", "kube-system", "default", "1abc", "a" * 45]
)
numbers = st.one_of(st.integers(-5, 500), st.sampled_from([2**31, -(2**31) - 1, 10**20, 1.5, 1e30, float("inf")]))
scalars = st.one_of(quantities, names, numbers, st.booleans(), st.none())
resources = st.fixed_dictionaries(
    {"cpu": st.fixed_dictionaries({"request": quantities, "limit": quantities})},
    optional={"memory": st.fixed_dictionaries({"request": quantities, "limit": quantities})},
)
labels = st.dictionaries(st.sampled_from(["a", "example.com/b", "a b", "a/b/c", "x" * 64]), names, max_size=2)
environment = st.fixed_dictionaries(
    {
        "namespace": names,
        "auth": st.fixed_dictionaries(
            {"type": st.sampled_from(["shared-password", "nope"])},
            optional={
                "password_secret": st.fixed_dictionaries({"name": names, "key": st.sampled_from(["password", "a b"])}),
                "allowed_users": st.lists(st.sampled_from(["alice", "bob"]), max_size=2),
                "allow_all": st.booleans(),
            },
        ),
    },
    optional={
        "host": st.sampled_from(["hub.example.com", "HUB", "a..b", "x.y", "10.0.0.1", "::1"]),
        "name": names,
        "hub": st.fixed_dictionaries(
            {},
            optional={
                "replicas": st.one_of(st.integers(0, 3), numbers, st.booleans()),
                "resources": resources,
                "base_url": st.sampled_from(["/", "/jupyter/", "jupyter", "/a b/"]),
                "concurrent_spawn_limit": st.integers(-1, 200),
            },
        ),
        "singleuser": st.fixed_dictionaries(
            {},
            optional={
                "cpu": st.fixed_dictionaries({}, optional={"guarantee": quantities, "limit": quantities}),
                "memory": st.fixed_dictionaries({}, optional={"guarantee": quantities, "limit": quantities}),
                "storage": st.fixed_dictionaries(
                    {}, optional={"type": st.sampled_from(["dynamic", "none", "nfs"]), "capacity": quantities}
                ),
                "start_timeout": st.one_of(st.integers(0, 1000), numbers),
                "uid": st.one_of(numbers, st.booleans()),
            },
        ),
        "ingress": st.fixed_dictionaries(
            {}, optional={"enabled": st.booleans(), "tls_secret": names, "class_name": names, "annotations": labels}
        ),
        "scheduling": st.fixed_dictionaries(
            {},
            optional={
                "user_placeholders": st.fixed_dictionaries({"replicas": numbers}),
                "user_pods": st.fixed_dictionaries({"node_selector": labels}),
            },
        ),
        "unexpected": scalars,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=environment)
def test_any_environment_synthesizes_valid_objects_or_is_refused_cleanly(data, tmp_path):
    path = tmp_path / "prop.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        env = load_file(path, "environments/prop.yaml")
    except ConfigError as error:
        assert error.problems
        assert all(str(p).startswith("environments/prop.yaml: ") for p in error.problems)
        return
    for manifest in manifests([env]):
        for obj in manifest.objects:
            kubernetes_validate.validate(obj, "1.27.0", strict=True)
