"""The quota limits user servers, never the hub's own pods or a sync's Jobs; and says when it fits too few."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.synthesis import ENVIRONMENTS, MINIMAL, ROOT, dist_objects, environment, hub_config_text
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.config.loader import ConfigError, load_file

CARBON_QUOTA = """
singleuser:
  cpu: {guarantee: "2", limit: "4"}
  memory: {guarantee: 8Gi, limit: 16Gi}
  storage:
    capacity: 10Gi
    shared_volumes: [{name: data, mount_path: /mnt/data, capacity: 50Gi, storage_class: nfs-client}]
    shared_quota: 50Gi
quota:
  cpu: {requests: "100", limits: "200"}
  memory: {requests: 200Gi, limits: 400Gi}
  persistent_volume_claims: 100
  storage: 1100Gi
"""


def _quotas(objects: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "ResourceQuota"}


def _pod_templates(objects: list[dict]) -> list[tuple[str, dict]]:
    return [
        (f"{o['kind']}/{o['metadata']['name']}", o["spec"]["template"]["spec"])
        for o in objects
        if "template" in o.get("spec", {})
    ]


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_cpu_and_memory_quota_counts_user_servers_and_nothing_else(env: str, tmp_path: Path):
    objects = dist_objects(env)
    quotas = _quotas(objects)
    (scoped,) = [spec for spec in quotas.values() if "scopeSelector" in spec]
    (unscoped,) = [spec for spec in quotas.values() if "scopeSelector" not in spec]
    assert set(scoped["hard"]) == {
        "requests.cpu",
        "limits.cpu",
        "requests.memory",
        "limits.memory",
        "requests.nvidia.com/gpu",
    }
    assert set(unscoped["hard"]) == {"persistentvolumeclaims", "requests.storage"}
    (expression,) = scoped["scopeSelector"]["matchExpressions"]
    assert (expression["scopeName"], expression["operator"]) == ("PriorityClass", "In")
    counted = set(expression["values"])

    user = user_pod(load_hub_config(hub_config_text(objects), tmp_path), {})
    assert user["spec"]["priorityClassName"] in counted
    ours = {name: spec.get("priorityClassName") for name, spec in _pod_templates(objects)}
    assert ours and {name: cls for name, cls in ours.items() if cls in counted} == {}


@pytest.mark.unit
def test_a_quota_that_fits_one_user_server_is_enough_whatever_our_own_pods_take(tmp_path: Path):
    """Hub, proxy, two user-scheduler replicas and a placeholder take no user quota."""
    text = (
        MINIMAL
        + "singleuser: {cpu: {guarantee: '1', limit: '2'}, memory: {guarantee: 1Gi, limit: 2Gi}}\n"
        + "quota: {cpu: {requests: '1', limits: '2'}, memory: {requests: 1Gi, limits: 2Gi}}\n"
        + "scheduling: {user_placeholders: {replicas: 1}}\n"
    )
    assert environment(text, tmp_path).config.quota.cpu.requests == "1"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("placeholders", "expected"),
    [
        (
            "3",
            "scheduling.user_placeholders.replicas: 3 placeholders hold room for more user servers than the quota "
            "admits (2: quota.memory.requests 2Gi / 1Gi of singleuser.memory.guarantee), and room no user can take "
            "is wasted; write at most 2, or raise quota.memory.requests",
        ),
        ("50000000", "scheduling.user_placeholders.replicas: 50000000 is more than the most it takes, 10000"),
    ],
)
def test_placeholders_beyond_what_users_may_take_are_refused(tmp_path: Path, placeholders: str, expected: str):
    """No quota counts placeholders (they must not take the users' share), so nothing in the cluster would stop
    50 million of them: the config does."""
    text = (
        MINIMAL
        + "singleuser: {cpu: {guarantee: 100m, limit: '2'}, memory: {guarantee: 1Gi, limit: 2Gi}}\n"
        + "quota: {cpu: {requests: '10', limits: '20'}, memory: {requests: 2Gi, limits: 4Gi}}\n"
        + f"scheduling: {{user_placeholders: {{replicas: {placeholders}}}}}\n"
    )
    with pytest.raises(ConfigError) as refused:
        environment(text, tmp_path)
    assert [problem.split(": ", 1)[1] for problem in str(refused.value).splitlines()] == [expected]


@pytest.mark.unit
def test_fewer_user_servers_than_expected_is_warned_about_with_the_tightest_number(tmp_path: Path):
    env = environment(MINIMAL + CARBON_QUOTA + "  expected_users: 300\n", tmp_path)
    (warning,) = [str(w) for w in env.warnings]
    assert warning.startswith(
        "environments/test.yaml: quota.expected_users: the quota fits 25 user servers of the default size "
        "(quota.memory.requests 200Gi / 8Gi of singleuser.memory.guarantee), fewer than expected_users 300"
    )
    assert "raise quota.cpu.requests to 600, quota.cpu.limits to 1200, quota.memory.requests to 2400Gi" in warning
    # storage: 1100Gi minus 1Gi (hub database) and 50Gi (shared) leaves 104 homes of 10Gi; PVCs: 100 minus 2.
    assert "quota.storage to 3051Gi, quota.persistent_volume_claims to 302" in warning
    assert not environment(MINIMAL + CARBON_QUOTA + "  expected_users: 25\n", tmp_path).warnings


@pytest.mark.unit
def test_the_default_profile_sets_the_size_servers_are_counted_in(tmp_path: Path):
    text = """
singleuser:
  profiles:
    - {display_name: Small, slug: small, default: true, memory: {guarantee: 2Gi, limit: 4Gi}}
    - {display_name: Big, slug: big, memory: {guarantee: 8Gi, limit: 16Gi}}
quota: {cpu: {requests: "100", limits: "200"}, memory: {requests: 40Gi, limits: 200Gi}, expected_users: 30}
"""
    (warning,) = [str(w) for w in environment(MINIMAL + text, tmp_path).warnings]
    assert (
        "the quota fits 20 user servers of the default size (quota.memory.requests 40Gi / 2Gi of "
        "singleuser.profiles[0].memory.guarantee (profile small)), fewer than expected_users 30"
    ) in warning


@pytest.mark.unit
def test_shared_volumes_take_storage_quota_before_homes(tmp_path: Path):
    text = MINIMAL + CARBON_QUOTA.replace("storage: 1100Gi", "storage: 55Gi")
    with pytest.raises(ConfigError) as refused:
        environment(text, tmp_path)
    assert (
        "quota.storage: 55Gi leaves no room for one user home: singleuser.storage.capacity is 10Gi and "
        "hub.database.capacity takes 1Gi and singleuser.storage.shared_volumes[0].capacity takes 50Gi; raise "
        "quota.storage to at least 61Gi"
    ) in str(refused.value)


@pytest.mark.unit
def test_shipped_environments_declare_no_expected_users_they_cannot_serve():
    for env in ENVIRONMENTS:
        warnings = load_file(ROOT / "environments" / f"{env}.yaml", env).warnings
        assert not [w for w in warnings if w.path == "quota.expected_users"], env
