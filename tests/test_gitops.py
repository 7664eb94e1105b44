"""ArgoCD delivery: the objects in dist/argocd/ are valid for the real CRDs and sync what dist/ holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from support.crds import ARGOCD_TAGS, argocd_tags_from, crd_errors, validate_custom_resource
from support.synthesis import MINIMAL, ROOT, dist_objects, environment, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError, load_environments, load_file
from jupyterhub_cdk8s.config.versions import (
    ARGOCD_WHITELIST_BY_NAME,
    NEWEST_ARGOCD,
    NEWEST_KUBERNETES,
    OLDEST_ARGOCD,
    OLDEST_KUBERNETES,
    minor_version,
)
from jupyterhub_cdk8s.synth import manifests

ARGOCD = ROOT / "dist" / "argocd"
WORKLOAD_ENVS = sorted(p.name for p in (ROOT / "dist").iterdir() if p.is_dir() and p.name != "argocd")
GITOPS_ENVS = sorted(p.stem for p in ARGOCD.glob("*.yaml"))


def _load(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _argocd_objects() -> list[dict]:
    return [obj for path in sorted(ARGOCD.rglob("*.yaml")) for obj in _load(path)]


@pytest.mark.output
def test_reference_environments_are_delivered_by_argocd():
    assert GITOPS_ENVS == ["254carbon", "course", "research", "thinkube", "urbalurba"]


def _declared_argocd() -> dict[str, str]:
    """The Argo CD minor version each environment with `gitops` declares."""
    environments = load_environments(ROOT / "environments")
    return {env.name: env.config.gitops.argocd_version for env in environments if env.config.gitops is not None}


def _argocd_files_and_releases() -> list[tuple[str, str]]:
    """Each file of dist/argocd/ with every vendored Argo CD release it must be accepted by."""
    declared = _declared_argocd()
    oldest_in_fleet = min(declared.values(), key=minor_version)
    files = {f"{env}.yaml": version for env, version in declared.items()}
    files["fleet/applicationset.yaml"] = oldest_in_fleet
    return [(path, tag) for path, version in sorted(files.items()) for tag in argocd_tags_from(version)]


@pytest.mark.output
@pytest.mark.parametrize(("path", "release"), _argocd_files_and_releases())
def test_argocd_objects_validate_against_every_release_they_are_written_for(path, release):
    """What is written for Argo CD 3.3 must be accepted by 3.3 and by the newest supported release alike."""
    objects = _load(ARGOCD / path)
    assert {o["kind"] for o in objects} >= {"AppProject"}
    errors = {f"{o['kind']} {o['metadata']['name']}": crd_errors(o, release) for o in objects}
    assert {name: found for name, found in errors.items() if found} == {}


@pytest.mark.output
def test_every_kind_in_dist_argocd_is_validated():
    kinds = {o["kind"] for o in _argocd_objects()}
    assert kinds == {"AppProject", "Application", "ApplicationSet"}


@pytest.mark.unit
def test_vendored_argocd_releases_are_the_oldest_and_newest_supported_and_the_first_with_names():
    minors = [tuple(int(p) for p in tag.removeprefix("v").split(".")[:2]) for tag in ARGOCD_TAGS]
    assert minors[0] == OLDEST_ARGOCD and minors[-1] == NEWEST_ARGOCD
    assert ARGOCD_WHITELIST_BY_NAME in minors


@pytest.mark.output
def test_the_oldest_release_refuses_a_cluster_whitelist_entry_by_name():
    """The validator sees version differences: 3.0's AppProject has no `name` in clusterResourceWhitelist."""
    project = next(o for o in _load(ARGOCD / "254carbon.yaml") if o["kind"] == "AppProject")
    assert any("name" in entry for entry in project["spec"]["clusterResourceWhitelist"])
    assert any("'name' was unexpected" in error for error in crd_errors(project, ARGOCD_TAGS[0]))
    assert crd_errors(project, argocd_tags_from("3.3")[0]) == []


@pytest.mark.output
@pytest.mark.parametrize("version", ["3.0", "3.2"])
def test_older_argocd_gets_cluster_whitelists_by_kind_and_a_warning(tmp_path, version):
    text = MINIMAL + f"gitops: {{repo_url: 'https://git.example.com/hubs.git', argocd_version: '{version}'}}\n"
    env = environment(text, tmp_path)
    project, application = next(m for m in manifests([env]) if m.path == "argocd/test.yaml").objects
    allowed = project["spec"]["clusterResourceWhitelist"]
    assert allowed and all(set(entry) == {"group", "kind"} for entry in allowed)
    assert len({entry["kind"] for entry in allowed}) == len(allowed)
    for release in argocd_tags_from(version):
        for obj in (project, application):
            assert crd_errors(obj, release) == [], release
    (warning,) = [str(w) for w in env.warnings if w.path == "gitops.argocd_version"]
    assert f"Argo CD {version} cannot limit an AppProject's cluster-scoped objects by name" in warning


@pytest.mark.unit
def test_readme_states_the_supported_versions_the_config_accepts():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in readme.splitlines() if line.startswith("| ")}

    def written(version: tuple[int, int]) -> str:
        return ".".join(map(str, version))

    assert f"| {written(OLDEST_ARGOCD)} to {written(NEWEST_ARGOCD)} (default 3.3" in rows["Argo CD"]
    assert all(tag in rows["Argo CD"] for tag in ARGOCD_TAGS)
    assert f"| {written(OLDEST_KUBERNETES)} to {written(NEWEST_KUBERNETES)} (default" in rows["Kubernetes"]
    assert "annotation only" in rows["Resource tracking"]


@pytest.mark.unit
def test_default_argocd_version_lists_cluster_objects_by_name_without_a_warning(tmp_path):
    env = environment(MINIMAL + "gitops: {repo_url: 'https://git.example.com/hubs.git'}\n", tmp_path)
    assert env.config.gitops is not None and env.config.gitops.argocd_version == "3.3"
    assert not env.warnings


@pytest.mark.unit
@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("3.3", "3.3 is a number to YAML (1.30 reads as 1.3); write the version quoted"),
        ("'2.14'", "Argo CD 2.14 is not supported; supported are 3.0 to 3.5"),
        ("'3.6'", "Argo CD 3.6 is not supported; supported are 3.0 to 3.5"),
        ("'v3.3.1'", "'v3.3.1' is not an Argo CD minor version"),
    ],
)
def test_unsupported_argocd_versions_are_refused(tmp_path, written, message):
    text = MINIMAL + f"gitops: {{repo_url: 'https://git.example.com/hubs.git', argocd_version: {written}}}\n"
    with pytest.raises(ConfigError) as refused:
        environment(text, tmp_path)
    assert f"environments/test.yaml: gitops.argocd_version: {message}" in str(refused.value)


@pytest.mark.unit
def test_application_named_like_the_instance_label_is_refused(tmp_path):
    """Under label tracking an Application named `jupyterhub` would own every object labelled instance=jupyterhub."""
    text = MINIMAL + "gitops: {repo_url: 'https://git.example.com/hubs.git'}\n"
    with pytest.raises(ConfigError) as refused:
        environment(text, tmp_path, name="jupyterhub")
    assert "environments/jupyterhub.yaml: name: 'jupyterhub' is also the name of this environment's Argo CD" in str(
        refused.value
    )
    assert environment(text + "name: hub\n", tmp_path, name="jupyterhub").config.name == "hub"


@pytest.mark.output
def test_crd_validation_catches_a_misspelt_field():
    application = next(o for o in _load(ARGOCD / "urbalurba.yaml") if o["kind"] == "Application")
    application["spec"]["syncPolicy"]["automated"]["selfheal"] = True
    with pytest.raises(jsonschema.ValidationError, match="selfheal"):
        validate_custom_resource(application)


@pytest.mark.output
@pytest.mark.parametrize("env", GITOPS_ENVS)
def test_application_syncs_its_own_dist_folder_into_its_namespace(env):
    application = next(o for o in _load(ARGOCD / f"{env}.yaml") if o["kind"] == "Application")
    source, destination = application["spec"]["source"], application["spec"]["destination"]
    assert (ROOT / source["path"]).is_dir()
    assert source["path"] == f"dist/{env}"
    namespaces = {o["metadata"]["namespace"] for o in dist_objects(env) if "namespace" in o["metadata"]}
    assert namespaces == {destination["namespace"]}
    options = application["spec"]["syncPolicy"]["syncOptions"]
    assert "ServerSideApply=true" in options
    assert application["spec"]["syncPolicy"]["retry"]["backoff"]["factor"] > 1


@pytest.mark.output
@pytest.mark.parametrize("env", GITOPS_ENVS)
def test_a_namespace_in_git_gets_no_create_namespace_option(env):
    """With the Namespace in dist/, CreateNamespace and managedNamespaceMetadata do nothing (gitops-engine
    sync_context.go `autoCreateNamespace`): the Namespace object, never deleted, carries the labels."""
    application = next(o for o in _load(ARGOCD / f"{env}.yaml") if o["kind"] == "Application")
    (namespace,) = [o for o in dist_objects(env) if o["kind"] == "Namespace"]
    assert namespace["metadata"]["name"] == application["spec"]["destination"]["namespace"]
    assert "CreateNamespace=true" not in application["spec"]["syncPolicy"]["syncOptions"]
    assert "managedNamespaceMetadata" not in application["spec"]["syncPolicy"]
    assert namespace["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    assert "pod-security.kubernetes.io/enforce" in namespace["metadata"]["labels"]


@pytest.mark.output
@pytest.mark.parametrize("env", GITOPS_ENVS)
def test_project_allows_exactly_what_the_environment_creates(env):
    objects = dist_objects(env)
    project = next(o for o in _load(ARGOCD / f"{env}.yaml") if o["kind"] == "AppProject")
    spec = project["spec"]

    def kinds(selected):
        return {(o["apiVersion"].rpartition("/")[0], o["kind"]) for o in selected}

    allowed_namespaced = {(k["group"], k["kind"]) for k in spec["namespaceResourceWhitelist"]}
    allowed_cluster = {(k["group"], k["kind"], k["name"]) for k in spec["clusterResourceWhitelist"]}
    assert allowed_namespaced == kinds(o for o in objects if "namespace" in o["metadata"])
    cluster_scoped = [o for o in objects if "namespace" not in o["metadata"]]
    namespace = {o["metadata"]["namespace"] for o in objects if "namespace" in o["metadata"]}.pop()
    assert allowed_cluster == {
        (o["apiVersion"].rpartition("/")[0], o["kind"], o["metadata"]["name"]) for o in cluster_scoped
    } | {("", "Namespace", namespace)}
    assert spec["destinations"] == [
        next(o for o in _load(ARGOCD / f"{env}.yaml") if o["kind"] == "Application")["spec"]["destination"]
    ]
    assert "*" not in json.dumps(spec)


@pytest.mark.output
def test_project_whitelists_follow_the_config(tmp_path):
    """No Namespace object and no CreateNamespace: the project may not create namespaces at all.

    The cluster-scoped objects the hub does need (PriorityClasses, the user scheduler's
    ClusterRoleBindings) stay allowed, each by name.
    """
    text = MINIMAL + "create_namespace: false\ngitops: {repo_url: 'https://git.example.com/hubs.git'}\n"
    files = manifests([environment(text, tmp_path)])
    project, application = next(m for m in files if m.path == "argocd/test.yaml").objects
    cluster_scoped = {
        (obj["kind"], obj["metadata"]["name"]) for m in files if m.path.startswith("test/") for obj in m.objects
        if "namespace" not in obj["metadata"]
    }  # fmt: skip
    allowed = {(entry["kind"], entry.get("name")) for entry in project["spec"].get("clusterResourceWhitelist", [])}
    assert "Namespace" not in {kind for kind, _ in allowed}
    assert allowed == cluster_scoped
    assert "CreateNamespace=true" not in application["spec"]["syncPolicy"]["syncOptions"]
    assert "managedNamespaceMetadata" not in application["spec"]["syncPolicy"]
    for obj in (project, application):
        validate_custom_resource(obj)


@pytest.mark.output
def test_manual_sync_and_ignored_differences_are_rendered(tmp_path):
    text = (
        MINIMAL
        + """
gitops:
  repo_url: https://git.example.com/hubs.git
  automated: false
  ignore_differences:
    - group: apps
      kind: Deployment
      name: jupyterhub-proxy
      json_pointers: [/spec/replicas]
      reason: an autoscaler owns the replica count
"""
    )
    files = manifests([environment(text, tmp_path)])
    application = next(m for m in files if m.path == "argocd/test.yaml").objects[1]
    validate_custom_resource(application)
    assert "automated" not in application["spec"]["syncPolicy"]
    assert application["spec"]["ignoreDifferences"] == [
        {"group": "apps", "kind": "Deployment", "name": "jupyterhub-proxy", "jsonPointers": ["/spec/replicas"]}
    ]


@pytest.mark.unit
def test_ignored_difference_without_a_reason_is_refused(tmp_path):
    text = (
        MINIMAL
        + """
gitops:
  repo_url: https://git.example.com/hubs.git
  ignore_differences:
    - {kind: Deployment, json_pointers: [/spec/replicas]}
"""
    )
    with pytest.raises(ConfigError) as error:
        environment(text, tmp_path)
    assert "gitops.ignore_differences[0].reason: required but missing" in str(error.value)


@pytest.mark.unit
def test_environment_named_argocd_is_refused(tmp_path):
    (tmp_path / "argocd.yaml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(ConfigError, match="argocd.yaml: dist/argocd/ holds the ArgoCD objects"):
        load_environments(tmp_path)


@pytest.mark.unit
def test_no_gitops_section_writes_no_argocd_objects(tmp_path):
    files = manifests([environment(MINIMAL, tmp_path)])
    assert not [m.path for m in files if m.path.startswith("argocd/")]


# --- the fleet ApplicationSet ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{ (toJson )?\.(\w+) \}\}")


def _render(node, element: dict):
    """Go-template substitution of the two forms the fleet template uses."""
    if isinstance(node, dict):
        return {k: _render(v, element) for k, v in node.items()}
    if isinstance(node, list):
        return [_render(v, element) for v in node]
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: json.dumps(element[m[2]]) if m[1] else element[m[2]], node)
    return node


def _merge(base: dict, patch: dict) -> dict:
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and key in merged else value
    return merged


@pytest.mark.output
def test_fleet_generates_the_same_applications():
    fleet = _load(ARGOCD / "fleet" / "applicationset.yaml")
    (appset,) = [o for o in fleet if o["kind"] == "ApplicationSet"]
    assert appset["apiVersion"] == "argoproj.io/v1alpha1"
    assert appset["spec"]["goTemplate"] is True
    (generator,) = appset["spec"]["generators"]
    elements = generator["list"]["elements"]
    assert [e["name"] for e in elements] == GITOPS_ENVS

    for element in elements:
        generated = _render(appset["spec"]["template"], element)
        generated = _merge(generated, json.loads(_render(appset["spec"]["templatePatch"], element)))
        generated = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **generated}
        generated["metadata"]["namespace"] = appset["metadata"]["namespace"]
        validate_custom_resource(generated)
        original = next(o for o in _load(ARGOCD / f"{element['name']}.yaml") if o["kind"] == "Application")
        original["spec"].setdefault("ignoreDifferences", [])
        # The documented differences: no sync wave (the ApplicationSet orders nothing), and no resources
        # finalizer, which would override preserveResourcesOnDeletion.
        del original["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        assert original["metadata"].pop("finalizers") == ["resources-finalizer.argocd.argoproj.io"]
        assert generated == original

    projects = [o for o in fleet if o["kind"] == "AppProject"]
    assert [p["metadata"]["name"] for p in projects] == GITOPS_ENVS
    for project in projects:
        assert project == next(
            o for o in _load(ARGOCD / f"{project['metadata']['name']}.yaml") if o["kind"] == "AppProject"
        )


# --- sync waves and data safety -----------------------------------------------------------

WAVE = "argocd.argoproj.io/sync-wave"


@pytest.mark.output
@pytest.mark.parametrize("env", WORKLOAD_ENVS)
def test_every_object_has_a_sync_wave_in_the_documented_order(env):
    objects = dist_objects(env)
    waves = {}
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        assert re.fullmatch(r"-?[0-9]+", annotations.get(WAVE, "")), f"{obj['kind']} {obj['metadata']['name']}"
        if "argocd.argoproj.io/hook" not in annotations:
            waves.setdefault(obj["kind"], set()).add(int(annotations[WAVE]))
    workloads = waves["Deployment"]
    first = min(workloads)
    for kind in ("Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "PriorityClass"):
        assert all(w < first for w in waves.get(kind, ())), kind
    for kind in ("ServiceMonitor", "PodMonitor", "PrometheusRule"):
        assert all(w > max(workloads) for w in waves.get(kind, ())), kind
    assert max(waves.get("Namespace", {first - 1})) < min(
        waves.get("NetworkPolicy", {first}) | waves.get("ResourceQuota", {first})
    )


@pytest.mark.output
def test_hooks_keep_their_own_waves():
    objects = dist_objects("default")
    hooks = [o for o in objects if "argocd.argoproj.io/hook" in o["metadata"].get("annotations", {})]
    waves = {o["kind"]: int(o["metadata"]["annotations"][WAVE]) for o in hooks}
    # The Job's RBAC must exist before the Job: an earlier wave of the PreSync phase.
    assert waves["Role"] < waves["Job"] and waves["ServiceAccount"] < waves["Job"]


@pytest.mark.output
@pytest.mark.parametrize("env", WORKLOAD_ENVS)
def test_every_pvc_survives_prune_and_application_deletion(env):
    claims = [o for o in dist_objects(env) if o["kind"] == "PersistentVolumeClaim"]
    for claim in claims:
        options = claim["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-options", "")
        assert {"Prune=false", "Delete=false"} <= set(options.split(",")), claim["metadata"]["name"]


@pytest.mark.output
def test_pvc_protection_holds_in_every_environment_with_a_hub_database():
    # Guards the test above against passing vacuously: the reference environments with SQLite do write PVCs.
    sqlite = [
        env
        for env in WORKLOAD_ENVS
        if load_file(ROOT / "environments" / f"{env}.yaml", env).config.hub.database.type == "sqlite"
    ]
    assert len(sqlite) >= 3
    assert all(any(o["kind"] == "PersistentVolumeClaim" for o in dist_objects(env)) for env in sqlite)


@pytest.mark.unit
def test_synthesized_objects_get_waves_before_they_are_written(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    assert all(WAVE in o["metadata"]["annotations"] for o in objects)


@pytest.mark.unit
def test_two_environments_may_not_share_a_project(tmp_path):
    gitops = "gitops: {repo_url: 'https://git.example.com/hubs.git', project: shared}\n"
    (tmp_path / "one.yaml").write_text(MINIMAL + gitops, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(MINIMAL.replace("hub-test", "hub-two") + gitops, encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"two.yaml: gitops.project: AppProject 'shared' is already written by .*one.yaml"
    ):
        load_environments(tmp_path)


@pytest.mark.unit
def test_argocd_default_project_is_never_overwritten(tmp_path):
    (tmp_path / "default.yaml").write_text(MINIMAL + "gitops: {repo_url: 'https://git.example.com/hubs.git'}\n")
    with pytest.raises(ConfigError, match="default.yaml: gitops.project: 'default' is ArgoCD's own project"):
        load_environments(tmp_path)
