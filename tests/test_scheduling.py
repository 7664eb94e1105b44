"""Scheduling and image pulling: user scheduler, priorities, placeholders, image pullers.

Expected values come from the environment YAML (parsed by the loader), from
the generated jupyterhub_config.py loaded by the real JupyterHub and
KubeSpawner, from the kube-scheduler's Go types (tests/data) and from the
Kubernetes OpenAPI schemas shipped with kubernetes-validate, never from the
code under test.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from jupyterhub.app import JupyterHub
from kubernetes_asyncio.config import kube_config
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

from jupyterhub_cdk8s.cli import main as cli_main
from jupyterhub_cdk8s.config import ConfigError

SCHEDULER_SCHEMA = json.loads((Path(__file__).parent / "data" / "kube-scheduler-config-v1.schema.json").read_text())
OLDEST_KUBERNETES = "1.27.0"
NEWEST_KUBERNETES = kubernetes_validate.utils.latest_version()
HOOK = "argocd.argoproj.io/hook"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
WAVE = "argocd.argoproj.io/sync-wave"

EVERYTHING = (
    MINIMAL
    + """
singleuser:
  image: quay.io/jupyter/scipy-notebook:2025-01-06
  cpu: {guarantee: 500m, limit: "2"}
  memory: {guarantee: 3Gi, limit: 4Gi}
scheduling:
  user_placeholders: {replicas: 3}
  user_pods:
    node_selector: {hub.jupyter.org/node-purpose: user}
    tolerations:
      - {key: hub.jupyter.org/dedicated, operator: Equal, value: user, effect: NoSchedule}
      - {key: nvidia.com/gpu, operator: Exists}
  image_puller:
    extra_images:
      - quay.io/jupyter/pyspark-notebook:spark-3.5.3
      - quay.io/jupyter/scipy-notebook:2025-01-06
"""
)

SCHEDULING_KINDS = {"PriorityClass", "DaemonSet", "StatefulSet", "Job", "ClusterRoleBinding", "PodDisruptionBudget"}
SCHEDULING_COMPONENTS = {
    "user-scheduler",
    "priority",
    "user-placeholder",
    "image-puller",
    "image-awaiter",
}


def component(obj: dict) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def of_component(objects: list[dict], name: str) -> list[dict]:
    return [o for o in objects if component(o) == name]


@pytest.fixture(scope="module")
def everything(tmp_path_factory) -> list[dict]:
    return synth_objects(EVERYTHING, tmp_path_factory.mktemp("everything"))


# --- the real JupyterHub and KubeSpawner read the generated config ----------


def loaded_spawner(objects: list[dict], tmp_path: Path, monkeypatch):
    """KubeSpawner (mocked: no API calls) configured by the generated jupyterhub_config.py."""
    hub = next(o for o in objects if o["kind"] == "Deployment" and component(o) == "hub")
    for env in hub["spec"]["template"]["spec"]["containers"][0].get("env", []):
        monkeypatch.setenv(env["name"], "ab" * 32)  # Secret values never reach dist/; any hex value loads
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "nobody", "user": {"token": "x"}}],
                "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "nobody"}}],
                "current-context": "nowhere",
            }
        )
    )
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
    path = tmp_path / "jupyterhub_config.py"
    path.write_text(hub_config_text(objects), encoding="utf-8")
    app = JupyterHub()
    app.load_config_file(str(path))

    async def make():  # KubeSpawner needs a running event loop to be made
        return app.spawner_class(config=app.config, _mock=True)

    return asyncio.run(make())


@pytest.mark.real
def test_user_pods_scheduling_reaches_kubespawner(everything, tmp_path, monkeypatch):
    spawner = loaded_spawner(everything, tmp_path, monkeypatch)
    config = environment(EVERYTHING, tmp_path).config.scheduling
    assert spawner.node_selector == config.user_pods.node_selector
    # Named, so a profile's override adds its own (GPU) tolerations to these instead of replacing them.
    assert spawner.tolerations == {
        "user-nodes-0": {
            "key": "hub.jupyter.org/dedicated",
            "operator": "Equal",
            "value": "user",
            "effect": "NoSchedule",
        },
        "user-nodes-1": {"key": "nvidia.com/gpu", "operator": "Exists"},
    }
    user_class = find(everything, "PriorityClass", spawner.priority_class_name)
    assert user_class["value"] == config.priorities.user
    # Pullers and placeholders go exactly where user pods go.
    for obj in everything:
        if obj["kind"] in {"DaemonSet", "StatefulSet"}:
            pod = obj["spec"]["template"]["spec"]
            assert pod["nodeSelector"] == spawner.node_selector
            assert pod["tolerations"] == list(spawner.tolerations.values())


# --- the KubeSchedulerConfiguration ------------------------------------------


def scheduler_configuration(objects: list[dict]) -> dict:
    (configmap,) = [o for o in of_component(objects, "user-scheduler") if o["kind"] == "ConfigMap"]
    (text,) = configmap["data"].values()
    return yaml.safe_load(text)


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_scheduler_configuration_matches_the_kube_scheduler_types(env):
    jsonschema.validate(scheduler_configuration(dist_objects(env)), SCHEDULER_SCHEMA)


@pytest.mark.output
def test_scheduler_schema_rejects_unknown_fields(everything):
    """The schema is strict like kube-scheduler's decoder, so the test above can fail."""
    config = scheduler_configuration(everything)
    config["profiles"][0]["pluginConfig"][0]["args"]["scoringStrategy"]["typ"] = "MostAllocated"
    with pytest.raises(jsonschema.ValidationError, match="typ"):
        jsonschema.validate(config, SCHEDULER_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {**scheduler_configuration(everything), "apiVersion": "kubescheduler.config.k8s.io/v1beta3"},
            SCHEDULER_SCHEMA,
        )


@pytest.mark.real
def test_scheduler_packs_users_under_the_name_kubespawner_uses(everything, tmp_path, monkeypatch):
    config = scheduler_configuration(everything)
    (profile,) = config["profiles"]
    assert profile["schedulerName"] == loaded_spawner(everything, tmp_path, monkeypatch).scheduler_name
    (fit,) = [p for p in profile["pluginConfig"] if p["name"] == "NodeResourcesFit"]
    assert fit["args"]["scoringStrategy"]["type"] == "MostAllocated"
    assert {r["name"] for r in fit["args"]["scoringStrategy"]["resources"]} == {"cpu", "memory"}
    disabled = {p["name"] for p in profile["plugins"]["score"]["disabled"]}
    assert "NodeResourcesBalancedAllocation" in disabled
    # Placeholders keep room where users go only if the same scheduler places them.
    (placeholders,) = of_component(everything, "user-placeholder")
    assert placeholders["spec"]["template"]["spec"]["schedulerName"] == profile["schedulerName"]


@pytest.mark.unit
def test_scheduler_names_differ_between_environments_of_one_cluster(tmp_path):
    """A scheduler takes pods of its name from every namespace: two hubs must not share one."""
    other = MINIMAL.replace("namespace: hub-test", "namespace: hub-other")
    first = scheduler_configuration(synth_objects(MINIMAL, tmp_path, "first"))
    second = scheduler_configuration(synth_objects(other, tmp_path, "second"))
    assert first["profiles"][0]["schedulerName"] != second["profiles"][0]["schedulerName"]
    assert first["leaderElection"]["resourceNamespace"] == "hub-test"


SCHEDULER_RBAC = yaml.safe_load((Path(__file__).parent / "data" / "kube-scheduler-rbac.yaml").read_text())


def grants(rules: list[dict], lock: str) -> set:
    return {
        (
            group,
            resource,
            tuple(sorted(rule["verbs"])),
            tuple(n.replace("LOCK", lock) for n in rule.get("resourceNames", ())),
        )
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }


@pytest.mark.unit
@pytest.mark.parametrize("version", sorted(SCHEDULER_RBAC))
def test_user_scheduler_rbac_is_what_kube_scheduler_of_the_cluster_version_needs(version, tmp_path):
    """Issue 15, finding 4: a role written for the binary, not the cluster's system:kube-scheduler."""
    objects = synth_objects(MINIMAL + f'kubernetes_version: "{version}"\n', tmp_path)
    scheduler = of_component(objects, "user-scheduler")
    lock = scheduler_configuration(objects)["leaderElection"]["resourceName"]
    (cluster_role,) = [o for o in scheduler if o["kind"] == "ClusterRole"]
    (role,) = [o for o in scheduler if o["kind"] == "Role"]
    assert grants(cluster_role["rules"], lock) | grants(role["rules"], lock) == grants(SCHEDULER_RBAC[version], lock)
    # Leases only in the hub's namespace: the cluster's own kube-scheduler lease in kube-system stays out of reach.
    assert not [r for r in cluster_role["rules"] if {"leases", "leasecandidates"} & set(r["resources"])]
    (binding,) = [o for o in objects if o["kind"] == "ClusterRoleBinding"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": cluster_role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "jupyterhub-user-scheduler", "namespace": "hub-test"}
    ]


@pytest.mark.unit
@pytest.mark.parametrize(("version", "watches"), [("1.31", False), ("1.32", True)])
def test_a_scheduler_from_1_32_may_watch_volume_attachments(version, watches, tmp_path):
    """kubernetes/kubernetes#127757: without it a 1.32+ scheduler's caches never sync and no user pod is placed."""
    objects = synth_objects(MINIMAL + f'kubernetes_version: "{version}"\n', tmp_path)
    (cluster_role,) = [o for o in objects if o["kind"] == "ClusterRole"]
    assert any("volumeattachments" in rule["resources"] for rule in cluster_role["rules"]) is watches


@pytest.mark.unit
@pytest.mark.parametrize("version", ["1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"])
def test_user_scheduler_runs_the_kube_scheduler_of_the_cluster_version(version, tmp_path):
    """Never newer than the API server (the version skew policy), and the version its RBAC is written for."""
    objects = synth_objects(MINIMAL + f'kubernetes_version: "{version}"\n', tmp_path)
    deployment = find(objects, "Deployment", "jupyterhub-user-scheduler")
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    repository, _, tag = image.partition(":")
    assert repository == "registry.k8s.io/kube-scheduler"
    assert tag.startswith(f"v{version}.")


@pytest.mark.unit
def test_a_scheduler_image_of_another_version_is_refused(tmp_path):
    text = (
        'kubernetes_version: "1.30"\nscheduling: {user_scheduler: {image: mirror.example.com/kube-scheduler:v1.33.9}}\n'
    )
    with pytest.raises(ConfigError) as refused:
        environment(MINIMAL + text, tmp_path)
    assert str(refused.value) == (
        "environments/test.yaml: scheduling.user_scheduler.image: mirror.example.com/kube-scheduler:v1.33.9 is "
        "kube-scheduler 1.33, but kubernetes_version is 1.30: its RBAC is written for 1.30, and a scheduler newer "
        "than the API server is not supported; write a 1.30 tag (registry.k8s.io/kube-scheduler:v1.30.14), remove "
        "image, or correct kubernetes_version"
    )
    mirror = "mirror.example.com/kube-scheduler:v1.30.2"
    objects = synth_objects(MINIMAL + text.replace("v1.33.9", "v1.30.2"), tmp_path)
    assert (
        find(objects, "Deployment", "jupyterhub-user-scheduler")["spec"]["template"]["spec"]["containers"][0]["image"]
        == mirror
    )


@pytest.mark.unit
def test_scheduler_scores_for_packing_with_the_helm_charts_weights(everything):
    """z2jh 4.4.0 values.yaml scheduling.userScheduler.plugins: NodeResourcesFit alone at weight 1 packs weakly."""
    (profile,) = scheduler_configuration(everything)["profiles"]
    score = profile["plugins"]["score"]
    assert {p["name"] for p in score["disabled"]} == {
        "NodeResourcesBalancedAllocation",
        "NodeAffinity",
        "InterPodAffinity",
        "NodeResourcesFit",
        "ImageLocality",
    }
    assert {p["name"]: p["weight"] for p in score["enabled"]} == {
        "NodeAffinity": 14631,
        "InterPodAffinity": 1331,
        "NodeResourcesFit": 121,
        "ImageLocality": 11,
    }


@pytest.mark.unit
def test_user_scheduler_deployment_is_highly_available(everything):
    deployment = next(o for o in of_component(everything, "user-scheduler") if o["kind"] == "Deployment")
    pdb = next(o for o in of_component(everything, "user-scheduler") if o["kind"] == "PodDisruptionBudget")
    assert deployment["spec"]["replicas"] == 2 and pdb["spec"]["minAvailable"] == 1
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    for probe in (container["livenessProbe"], container["readinessProbe"]):
        assert probe["httpGet"]["scheme"] == "HTTPS" and probe["httpGet"]["path"] == "/healthz"
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"


# --- priorities ---------------------------------------------------------------


@pytest.mark.real
def test_priorities_order_core_above_users_above_pullers_and_placeholders(everything, tmp_path, monkeypatch):
    value = {o["metadata"]["name"]: o["value"] for o in everything if o["kind"] == "PriorityClass"}
    pods = {
        (o["kind"], component(o)): o["spec"]["template"]["spec"].get("priorityClassName")
        for o in everything
        if o["kind"] in {"Deployment", "StatefulSet", "DaemonSet"}
    }
    core = {value[pods[("Deployment", c)]] for c in ("hub", "proxy", "user-scheduler")}
    user = value[loaded_spawner(everything, tmp_path, monkeypatch).priority_class_name]
    assert len(core) == 1 and min(core) > user
    assert value[pods[("StatefulSet", "user-placeholder")]] < user
    assert value[pods[("DaemonSet", "image-puller")]] < user
    assert all(not o.get("globalDefault") for o in everything if o["kind"] == "PriorityClass")


@pytest.mark.unit
def test_placeholders_request_what_a_user_is_guaranteed(everything, tmp_path):
    singleuser = environment(EVERYTHING, tmp_path).config.singleuser
    (placeholders,) = of_component(everything, "user-placeholder")
    assert placeholders["spec"]["replicas"] == 3
    (pause,) = placeholders["spec"]["template"]["spec"]["containers"]
    assert pause["resources"]["requests"] == {"cpu": singleuser.cpu.guarantee, "memory": singleuser.memory.guarantee}


@pytest.mark.unit
def test_defaults_keep_no_placeholders(minimal_objects):
    assert not of_component(minimal_objects, "user-placeholder")
    assert of_component(minimal_objects, "user-scheduler") and of_component(minimal_objects, "image-puller")


# --- schema validation of every new object -------------------------------------


@pytest.mark.output
@pytest.mark.parametrize("version", [OLDEST_KUBERNETES, NEWEST_KUBERNETES])
def test_every_scheduling_object_is_valid_kubernetes(everything, version):
    objects = [o for o in everything if component(o) in SCHEDULING_COMPONENTS or o["kind"] in SCHEDULING_KINDS]
    assert {component(o) for o in objects} >= SCHEDULING_COMPONENTS
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.output
@pytest.mark.parametrize("version", [OLDEST_KUBERNETES, NEWEST_KUBERNETES])
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_committed_scheduling_objects_are_valid_kubernetes(env, version):
    for obj in dist_objects(env):
        if component(obj) in SCHEDULING_COMPONENTS:
            kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.unit
def test_every_scheduling_pod_is_restricted(everything):
    for obj in everything:
        if component(obj) not in SCHEDULING_COMPONENTS or "template" not in obj.get("spec", {}):
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert context["seccompProfile"]["type"] == "RuntimeDefault"
            assert container["resources"]["limits"] and container["resources"]["requests"]


# --- ArgoCD hooks -------------------------------------------------------------


@pytest.mark.output
def test_no_helm_hooks_anywhere_in_dist():
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "dist").rglob("*.yaml"))]
    assert texts and not [text for text in texts if "helm.sh/hook" in text]


# --- bad input ------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("section", "path", "advice"),
    [
        ("scheduling: {user_scheduler: {replicas: 1}}", "scheduling.user_scheduler.replicas", "leader election"),
        (
            "scheduling: {user_scheduler: {replicas: 3000000000}}",
            "scheduling.user_scheduler.replicas",
            "most it takes, 5",
        ),
        (
            "scheduling: {user_placeholders: {replicas: -1}}",
            "scheduling.user_placeholders.replicas",
            "write 0 to keep no spare room",
        ),
        (
            "scheduling: {image_puller: {extra_images: [quay.io/jupyter/r-notebook]}}",
            "scheduling.image_puller.extra_images[0]",
            "pin the image",
        ),
        ("scheduling: {priorities: {user: 2000}}", "scheduling.priorities.core", "must be above user"),
        ("scheduling: {priorities: {placeholder: 5}}", "scheduling.priorities.placeholder", "must be below user"),
        (
            "scheduling: {user_pods: {tolerations: [{operator: Exists, value: x}]}}",
            "scheduling.user_pods.tolerations[0].value",
            "operator: Equal",
        ),
        ("scheduling: {user_scheduler: {enable: false}}", "scheduling.user_scheduler.enable", ""),
    ],
)
def test_bad_scheduling_input_is_refused_with_advice_and_dist_untouched(tmp_path, capsys, section, path, advice):
    envs = tmp_path / "environments"
    envs.mkdir()
    (envs / "bad.yaml").write_text(MINIMAL + section + "\n")
    dist = tmp_path / "dist"
    (dist / "bad").mkdir(parents=True)
    (dist / "bad" / "hub.yaml").write_text("kept\n")
    assert cli_main(["--environments", str(envs), "--dist", str(dist)], root=tmp_path) == 2
    err = capsys.readouterr().err
    line = next((line for line in err.splitlines() if f": {path}: " in line), None)
    assert line is not None and line.startswith("environments/bad.yaml: "), err
    assert advice in line
    assert [p.name for p in dist.rglob("*") if p.is_file()] == ["hub.yaml"]
    assert (dist / "bad" / "hub.yaml").read_text() == "kept\n"


@pytest.mark.unit
def test_one_scheduler_replica_is_fine_when_the_scheduler_is_off(tmp_path):
    objects = synth_objects(MINIMAL + "scheduling: {user_scheduler: {enabled: false, replicas: 1}}\n", tmp_path)
    assert not of_component(objects, "user-scheduler")
    assert "scheduler_name" not in hub_config_text(objects)


@pytest.mark.unit
def test_config_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"environments/test.yaml: scheduling.user_scheduler.replicas"):
        environment(MINIMAL + "scheduling: {user_scheduler: {replicas: 0}}\n", tmp_path)
