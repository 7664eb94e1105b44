"""Guardrails: the policy scanner over dist/, Pod Security of every pod, quota and limit-range refusals."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from support.pod_security import BASELINE, RESTRICTED, violations
from support.synthesis import (
    ENVIRONMENTS,
    MINIMAL,
    ROOT,
    dist_objects,
    environment,
    find,
    hub_config_text,
    synth_objects,
)
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.cli import main
from jupyterhub_cdk8s.config.loader import load_file

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}


def pod_templates(objects: list[dict]) -> list[tuple[str, dict]]:
    return [(f"{o['kind']}/{o['metadata']['name']}", o["spec"]["template"]) for o in objects if o["kind"] in WORKLOADS]


# ------------------------------------------------------------------ checkov


@pytest.mark.output
def test_checkov_finds_no_failed_check_in_dist():
    """Every check passes, or the object carries a skip annotation with its reason."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} missing: run `make install` (checkov lives in its own venv)")
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(ROOT / "dist"),
            "--framework",
            "kubernetes",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    summary = report["summary"]
    print(
        f"checkov {summary['checkov_version']}: {summary['passed']} "
        f"passed, {summary['failed']} failed, {summary['skipped']} skipped"
    )
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"]]
    assert failed == [], "checkov failures:\n" + "\n".join(failed)
    assert summary["parsing_errors"] == 0
    assert summary["passed"] > 0
    # A skip without its reason is not accepted.
    for path in sorted((ROOT / "dist").rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for key, value in ((doc or {}).get("metadata", {}).get("annotations") or {}).items():
                if key.startswith("checkov.io/skip"):
                    check, _, reason = value.partition("=")
                    assert check.startswith("CKV_K8S_") and len(reason.split()) >= 5, f"{path}: {key}: {value}"


# ------------------------------------------------------------------ Pod Security


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_pod_template_in_dist_meets_restricted(env):
    templates = pod_templates(dist_objects(env))
    assert templates, f"no workloads in dist/{env}"
    for where, template in templates:
        assert violations(template["spec"], "restricted", template["metadata"].get("annotations")) == [], where


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kubespawner_user_pod_meets_baseline(env, tmp_path):
    pod = user_pod(load_hub_config(hub_config_text(dist_objects(env)), tmp_path), {})
    assert pod["kind"] == "Pod" and pod["spec"]["containers"][0]["name"] == "notebook"
    assert violations(pod["spec"], "baseline", pod["metadata"].get("annotations")) == []


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_namespace_is_labelled_for_pod_security_admission(env):
    labels = find(dist_objects(env), "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert labels["pod-security.kubernetes.io/audit"] == "restricted"


@pytest.mark.unit
def test_pod_security_levels_are_configurable(tmp_path):
    text = MINIMAL + "pod_security: {enforce: restricted, version: v1.30}\n"
    labels = find(synth_objects(text, tmp_path), "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.30"


# The checker itself: a pod that meets "restricted", and one bad pod per control.
GOOD = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "app",
            "image": "example/app:1",
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        }
    ],
    "volumes": [{"name": "tmp", "emptyDir": {}}],
}


def with_pod(**fields) -> dict:
    return {**GOOD, **fields}


def with_container(**context) -> dict:
    container = {**GOOD["containers"][0], "securityContext": {**GOOD["containers"][0]["securityContext"], **context}}
    return {**GOOD, "containers": [container]}


BAD_PODS = [
    (
        "host_process",
        with_pod(securityContext={**GOOD["securityContext"], "windowsOptions": {"hostProcess": True}}),
        None,
    ),
    ("host_namespaces", with_pod(hostNetwork=True), None),
    ("host_namespaces", with_pod(hostPID=True), None),
    ("privileged", with_container(privileged=True), None),
    ("capabilities", with_container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}), None),
    ("host_path_volumes", with_pod(volumes=[{"name": "root", "hostPath": {"path": "/"}}]), None),
    (
        "host_ports",
        {**GOOD, "containers": [{**GOOD["containers"][0], "ports": [{"containerPort": 80, "hostPort": 80}]}]},
        None,
    ),
    ("app_armor", with_container(appArmorProfile={"type": "Unconfined"}), None),
    ("app_armor", GOOD, {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
    ("se_linux", with_container(seLinuxOptions={"type": "spc_t"}), None),
    ("se_linux", with_container(seLinuxOptions={"user": "system_u"}), None),
    ("proc_mount", with_container(procMount="Unmasked"), None),
    ("seccomp", with_container(seccompProfile={"type": "Unconfined"}), None),
    (
        "sysctls",
        with_pod(securityContext={**GOOD["securityContext"], "sysctls": [{"name": "kernel.msgmax", "value": "1"}]}),
        None,
    ),
]
RESTRICTED_ONLY_BAD_PODS = [
    ("volume_types", with_pod(volumes=[{"name": "share", "nfs": {"server": "nfs", "path": "/"}}])),
    ("privilege_escalation", with_container(allowPrivilegeEscalation=True)),
    (
        "privilege_escalation",
        {**GOOD, "containers": [{**GOOD["containers"][0], "securityContext": {"capabilities": {"drop": ["ALL"]}}}]},
    ),
    (
        "running_as_non_root",
        with_pod(securityContext={"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}}),
    ),
    ("running_as_non_root", with_container(runAsNonRoot=False)),
    ("running_as_non_root_user", with_container(runAsUser=0)),
    ("seccomp_restricted", with_pod(securityContext={"runAsNonRoot": True, "runAsUser": 1000})),
    ("capabilities_restricted", with_container(capabilities={"drop": ["NET_RAW"]})),
    ("capabilities_restricted", with_container(capabilities={"drop": ["ALL"], "add": ["CHOWN"]})),
]


@pytest.mark.unit
def test_a_pod_meeting_restricted_has_no_violations():
    assert violations(GOOD, "restricted") == []


@pytest.mark.unit
@pytest.mark.parametrize("check, pod, annotations", BAD_PODS)
def test_baseline_check_fails_its_bad_pod(check, pod, annotations):
    assert {line.split(":")[0] for line in violations(pod, "baseline", annotations)} == {check}
    assert check in {line.split(":")[0] for line in violations(pod, "restricted", annotations)}


@pytest.mark.unit
@pytest.mark.parametrize("check, pod", RESTRICTED_ONLY_BAD_PODS)
def test_restricted_check_fails_its_bad_pod_that_baseline_allows(check, pod):
    assert violations(pod, "baseline") == []
    assert {line.split(":")[0] for line in violations(pod, "restricted")} == {check}


@pytest.mark.unit
def test_every_control_of_the_standard_is_a_check():
    assert [c.__name__ for c in BASELINE] == [
        "host_process", "host_namespaces", "privileged", "capabilities", "host_path_volumes", "host_ports",
        "app_armor", "se_linux", "proc_mount", "seccomp", "sysctls",
    ]  # fmt: skip
    assert [c.__name__ for c in RESTRICTED[len(BASELINE):]] == [
        "volume_types", "privilege_escalation", "running_as_non_root", "running_as_non_root_user",
        "seccomp_restricted", "capabilities_restricted",
    ]  # fmt: skip
    assert {name for name, _, _ in BAD_PODS} | {name for name, _ in RESTRICTED_ONLY_BAD_PODS} == {
        c.__name__ for c in RESTRICTED
    }


# ------------------------------------------------------------------ quota and limit range


@pytest.mark.output
def test_254carbon_quota_has_the_seed_numbers():
    objects = dist_objects("254carbon")
    users = find(objects, "ResourceQuota", "jupyterhub-user-quota")["spec"]["hard"]
    storage = find(objects, "ResourceQuota", "jupyterhub-storage-quota")["spec"]["hard"]
    assert (users["requests.cpu"], users["requests.memory"], storage["persistentvolumeclaims"]) == ("100", "200Gi", 100)
    assert {"limits.cpu", "limits.memory", "requests.nvidia.com/gpu"} <= set(users)
    assert "requests.storage" in storage


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_limit_range_admits_every_container_of_dist_and_the_user_server(env, tmp_path):
    objects = dist_objects(env)
    limits = find(objects, "LimitRange")["spec"]["limits"][0]
    assert limits["type"] == "Container"
    containers = [c for _, t in pod_templates(objects) for c in t["spec"]["containers"]]
    containers += user_pod(load_hub_config(hub_config_text(objects), tmp_path), {})["spec"]["containers"]
    for container in containers:
        for resource, measure in (("cpu", _cores), ("memory", _bytes)):
            assert measure(str(container["resources"]["limits"][resource])) <= measure(str(limits["max"][resource])), (
                container["name"]
            )


def _cores(text: str) -> float:
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def _bytes(text: str) -> float:
    units = {
        "Ki": 2**10,
        "Mi": 2**20,
        "Gi": 2**30,
        "Ti": 2**40,
        "K": 10**3,
        "k": 10**3,
        "M": 10**6,
        "G": 10**9,
        "T": 10**12,
    }
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


# ------------------------------------------------------------------ bad input


def refused(tmp_path: Path, extra: str) -> str:
    """Synthesize MINIMAL + `extra` with the real CLI; it must refuse and leave dist/ as it was."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "bad.yaml").write_text(MINIMAL + extra, encoding="utf-8")
    dist = tmp_path / "dist"
    (dist / "bad").mkdir(parents=True)
    (dist / "bad" / "hub.yaml").write_text("previous\n", encoding="utf-8")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main([], root=tmp_path) == 2
    assert [p.name for p in dist.rglob("*") if p.is_file()] == ["hub.yaml"]
    assert (dist / "bad" / "hub.yaml").read_text(encoding="utf-8") == "previous\n"
    return stderr.getvalue()


@pytest.mark.unit
def test_user_server_above_the_quota_is_refused_naming_both_numbers(tmp_path):
    message = refused(
        tmp_path,
        "singleuser: {memory: {guarantee: 8Gi, limit: 16Gi}}\nquota: {memory: {requests: 6Gi, limits: 64Gi}}\n",
    )
    assert "environments/bad.yaml: quota.memory.requests: 6Gi leaves no room for one user server" in message
    assert "singleuser.memory.guarantee is 8Gi" in message
    assert "raise quota.memory.requests to at least" in message


@pytest.mark.unit
def test_every_quota_too_small_for_one_user_server_is_named(tmp_path):
    message = refused(
        tmp_path,
        "singleuser: {cpu: {guarantee: '3', limit: '9'}, storage: {capacity: 100Gi}}\n"
        "quota: {cpu: {requests: '2', limits: '8'}, storage: 50Gi, persistent_volume_claims: 1}\n",
    )
    assert "quota.cpu.requests: 2 leaves no room for one user server: singleuser.cpu.guarantee is 3" in message
    assert (
        "quota.cpu.limits: 8 leaves no room for one user server: singleuser.cpu.limit is 9; raise "
        "quota.cpu.limits to at least 9 or lower singleuser.cpu.limit"
    ) in message
    assert "quota.storage: 50Gi leaves no room for one user home: singleuser.storage.capacity is 100Gi" in message
    assert "quota.persistent_volume_claims: 1 leaves no PVC for a user home; write at least 2" in message


@pytest.mark.unit
def test_limit_range_max_below_a_user_server_limit_is_refused(tmp_path):
    message = refused(
        tmp_path, "singleuser: {cpu: {guarantee: '1', limit: '4'}}\nlimit_range: {max: {cpu: '2', memory: 8Gi}}\n"
    )
    assert "environments/bad.yaml: limit_range.max.cpu: 2 is below the cpu limit 4 of singleuser" in message
    assert "raise limit_range.max.cpu to at least 4" in message


PROFILES = """
singleuser:
  gpu_nodes: {node_selector: {gpu: "yes"}, tolerations: [{key: nvidia.com/gpu}]}
  profiles:
    - {display_name: Small, slug: small, default: true}
    - display_name: Big
      slug: big
      cpu: {guarantee: "2", limit: "6"}
      memory: {guarantee: 24Gi, limit: 48Gi}
      options:
        size:
          kind: cpu
          display_name: CPU
          default: six
          choices: {six: {display_name: "6", value: "6"}, twelve: {display_name: "12", value: "12"}}
        gpu:
          kind: gpu
          display_name: GPUs
          default: none
          choices: {none: {display_name: "0", value: 0}, two: {display_name: "2", value: 2}}
"""


@pytest.mark.unit
def test_a_profile_above_the_quota_is_refused_naming_the_profile_and_both_numbers(tmp_path):
    message = refused(tmp_path, PROFILES + "quota: {memory: {requests: 20Gi, limits: 200Gi}, gpus: 1}\n")
    assert (
        "quota.memory.requests: 20Gi leaves no room for one user server: singleuser.profiles[1].memory.guarantee "
        "(profile big) is 24Gi"
    ) in message
    # A drop-down choice counts as much as the profile's own numbers.
    assert (
        "quota.gpus: 1 is below the 2 GPUs of singleuser.profiles[1].options.gpu.choices.two.value (profile big)"
        in message
    )


@pytest.mark.unit
def test_a_limit_range_max_below_a_profile_choice_is_refused(tmp_path):
    message = refused(
        tmp_path, PROFILES + "quota: {gpus: 2, cpu: {limits: '40'}}\nlimit_range: {max: {cpu: '8', memory: 64Gi}}\n"
    )
    assert (
        "limit_range.max.cpu: 8 is below the cpu limit 12 of singleuser.profiles[1].options.size.choices.twelve.value "
        "(profile big), which could then never start"
    ) in message
    assert "limit_range.max.memory" not in message


@pytest.mark.unit
def test_the_default_limit_range_ceiling_admits_the_largest_profile_choice(tmp_path):
    objects = synth_objects(MINIMAL + PROFILES + "quota: {gpus: 2, cpu: {limits: '40'}}\n", tmp_path)
    ceiling = find(objects, "LimitRange")["spec"]["limits"][0]["max"]
    assert (ceiling["cpu"], ceiling["memory"]) == ("12", "48Gi")


@pytest.mark.unit
def test_limit_range_max_below_the_hub_limit_is_refused(tmp_path):
    message = refused(
        tmp_path,
        (
            "hub: {resources: {cpu: {request: 100m, limit: '1'}, memory: {request: 1Gi, limit: 4Gi}}}\nlimit_range: "
            "{max: {cpu: '2', memory: 3Gi}}\n"
        ),
    )
    assert "limit_range.max.memory: 3Gi is below the memory limit 4Gi of hub.resources" in message


@pytest.mark.unit
def test_user_egress_that_opens_the_metadata_address_is_refused(tmp_path):
    message = refused(tmp_path, "network_policy: {user_egress: [{cidr: 169.254.0.0/16}]}\n")
    assert "environments/bad.yaml: network_policy.user_egress[0].cidr:" in message
    assert "169.254.0.0/16 contains the cloud metadata address 169.254.169.254/32" in message


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ("network_policy: {user_internet: true}\n", "network_policy.user_internet"),
        (
            "singleuser: {storage: {examples: {url: 'https://github.com/o/r.git', mount_path: /home/jovyan/ex}}}\n",
            "singleuser.storage.examples",
        ),
    ],
)
def test_users_on_the_internet_need_the_api_server_written_down(tmp_path, extra, setting):
    """A public API endpoint could not be left out of the users' internet egress (issue 15, finding 1)."""
    message = refused(tmp_path, extra)
    assert (
        f"environments/bad.yaml: network_policy.api_server.cidrs: {setting} lets user servers reach public "
        "addresses, and with 0.0.0.0/0 the API server may be one of them, which cannot be left out; write where its "
        "endpoints are (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`)"
    ) in message


@pytest.mark.unit
def test_a_link_local_api_server_is_refused(tmp_path):
    message = refused(tmp_path, "network_policy: {api_server: {cidrs: [169.254.0.0/16]}}\n")
    assert "environments/bad.yaml: network_policy.api_server.cidrs[0]: 169.254.0.0/16 is link-local: node agents " in (
        message
    )


@pytest.mark.unit
def test_dns_nowhere_is_refused(tmp_path):
    message = refused(tmp_path, "network_policy: {dns: {pods: [], cidrs: []}}\n")
    assert "environments/bad.yaml: network_policy.dns.pods: names no DNS server, so no pod could resolve a name" in (
        message
    )


@pytest.mark.unit
def test_the_metadata_blocker_needs_a_privileged_namespace(tmp_path):
    """Its init container is privileged with NET_ADMIN: under baseline every user pod would be refused."""
    message = refused(tmp_path, "singleuser: {cloud_metadata: {block_with_iptables: true}}\n")
    assert (
        "environments/bad.yaml: singleuser.cloud_metadata.block_with_iptables: the block-cloud-metadata init container "
        "runs privileged with NET_ADMIN, which Pod Security baseline refuses, so no user pod could start; write "
        "pod_security.enforce: privileged to allow it"
    ) in message


@pytest.mark.unit
def test_postgresql_without_a_database_endpoint_is_refused(tmp_path):
    message = refused(tmp_path, "hub: {database: {type: postgresql, url_secret: {name: db, key: url}}}\n")
    assert "network_policy.database: hub.database is postgresql but the NetworkPolicies would block" in message


@pytest.mark.unit
def test_guardrails_can_be_turned_off(tmp_path):
    text = MINIMAL + "quota: {enabled: false}\nlimit_range: {enabled: false}\nnetwork_policy: {enabled: false}\n"
    kinds = {o["kind"] for o in synth_objects(text, tmp_path)}
    assert not kinds & {"ResourceQuota", "LimitRange", "NetworkPolicy"}


@pytest.mark.unit
def test_config_environment_accepts_the_defaults(tmp_path):
    config = environment(MINIMAL, tmp_path).config
    assert config.quota.enabled and config.limit_range.enabled and config.network_policy.enabled
    assert not config.network_policy.user_internet


# ------------------------------------------------------------------ RBAC

# What the processes call, read from their code: KubeSpawner 7.0.0 (pod and event
# reflectors, create/delete of pods; create and read of home PVCs where it makes them, their
# delete only with delete_pvc) and ensure_secret.py (read, create, patch of the hub's Secret).
HUB_RULES = {
    ("", "pods", ("create", "delete", "list", "watch"), None),
    ("", "events", ("list", "watch"), None),
}
HOME_RULES = {"dynamic": {("", "persistentvolumeclaims", ("create", "get"), None)}, "static": set(), "none": set()}


def role_rules(role: dict) -> set:
    return {
        (group, resource, tuple(sorted(rule["verbs"])), tuple(rule.get("resourceNames") or ()) or None)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_identity_has_only_what_its_process_uses(env):
    objects = dist_objects(env)
    # The one cluster-wide grant: the user scheduler's own role, what its kube-scheduler reads and binds
    # (test_scheduling.py compares it with Kubernetes' bootstrap roles); never a built-in role, never secrets.
    cluster_roles = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ClusterRole"}
    cluster_bindings = {
        (o["subjects"][0]["name"], o["roleRef"]["name"]) for o in objects if o["kind"] == "ClusterRoleBinding"
    }
    assert cluster_bindings == {("jupyterhub-user-scheduler", name) for name in cluster_roles}
    for role in cluster_roles.values():
        assert not [rule for rule in role["rules"] if "secrets" in rule["resources"] or "leases" in rule["resources"]]
    roles = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Role"}
    for role in [*roles.values(), *cluster_roles.values()]:
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"] and "*" not in rule["apiGroups"]
    storage = load_file(ROOT / "environments" / f"{env}.yaml", env).config.singleuser.storage
    assert not storage.delete_on_user_deletion, "no shipped hub deletes homes"
    assert role_rules(roles["jupyterhub-hub"]) == HUB_RULES | HOME_RULES[storage.type]
    if "jupyterhub-secrets-bootstrap" in roles:
        rules = role_rules(roles["jupyterhub-secrets-bootstrap"])
        secret = ("jupyterhub-hub-secret",)
        # `create` cannot be limited to a name by RBAC; everything else is this one Secret.
        assert rules == {("", "secrets", ("get", "patch"), secret), ("", "secrets", ("create",), None)}
    if "jupyterhub-user-scheduler" in roles:
        lease = ("jupyterhub-user-scheduler-lock",)
        candidates = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
        assert role_rules(roles["jupyterhub-user-scheduler"]) == {
            ("coordination.k8s.io", "leases", ("create",), None),
            ("coordination.k8s.io", "leases", ("get", "list", "update", "watch"), lease),
            ("coordination.k8s.io", "leasecandidates", candidates, None),
        }
    for name, role in roles.items():
        if name == "jupyterhub-image-awaiter":
            pullers = tuple(o["metadata"]["name"] for o in objects if o["kind"] == "DaemonSet")
            assert role_rules(role) == {("apps", "daemonsets", ("get", "list", "watch"), pullers)}
    for account in (o for o in objects if o["kind"] == "ServiceAccount"):
        assert account["automountServiceAccountToken"] is False, account["metadata"]["name"]
    mounting = sorted(
        where
        for where, template in pod_templates(objects)
        if template["spec"].get("automountServiceAccountToken") is not False
    )
    api_clients = {
        "Deployment/jupyterhub-hub",
        "Job/jupyterhub-secrets-bootstrap",
        "Deployment/jupyterhub-user-scheduler",
        *(w for w, _ in pod_templates(objects) if w.startswith("Job/jupyterhub-pull-wait-")),
    }
    assert mounting == sorted(api_clients & {w for w, _ in pod_templates(objects)})
    # A pod with a token acts as its own account, never as the namespace's default one; pods without a
    # token (pullers, placeholders) cannot act as any account.
    assert all(t["spec"].get("serviceAccountName") for w, t in pod_templates(objects) if w in mounting), (
        "no pod of ours runs as default"
    )


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_user_pods_get_no_api_token(env, tmp_path):
    assert (
        user_pod(load_hub_config(hub_config_text(dist_objects(env)), tmp_path), {})["spec"][
            "automountServiceAccountToken"
        ]
        is False
    )
