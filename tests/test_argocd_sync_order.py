"""What Argo CD does with dist/, from a model of its sync, prune and deletion (tests/support/argocd_model.py).

A sync applies every environment's objects in order, waiting for each group to be healthy; a prune or
the Application's deletion removes what it tracks. These tests state what must hold for every shipped
environment: the namespace exists before anything lives in it, nothing whose health needs every node
holds back the hub and proxy, nothing that may stay Pending gates a later group, users' data outlives
a prune and a deletion, and the hooks' RBAC is gone after the sync.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.argocd_model import (
    INSTANCE,
    groups,
    hooks_left,
    key,
    label_tracked,
    may_stay_progressing,
    namespace_survives_deletion,
    needs_every_node,
    survive_application_deletion,
    survive_prune_of_everything,
    sync_options,
    sync_tasks,
    waited_for,
)
from support.synthesis import ROOT, dist_objects

pytestmark = pytest.mark.output

ARGOCD = ROOT / "dist" / "argocd"
ENVS = sorted(p.name for p in (ROOT / "dist").iterdir() if p.is_dir() and p.name != "argocd")
RBAC = ("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
WRITE = {"create", "update", "patch", "delete", "deletecollection"}


def _load(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _application(env: str) -> dict | None:
    path = ARGOCD / f"{env}.yaml"
    return next((o for o in _load(path) if o["kind"] == "Application"), None) if path.exists() else None


def _prune_last(env: str) -> bool:
    application = _application(env)
    options = (application or {}).get("spec", {}).get("syncPolicy", {}).get("syncOptions", [])
    return "PruneLast=true" in options


def _component(obj: dict) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


@pytest.mark.parametrize("env", ENVS)
def test_every_namespaced_object_hooks_included_comes_after_its_namespace(env):
    tasks = sync_tasks(dist_objects(env))
    namespaces = [i for i, task in enumerate(tasks) if task.obj["kind"] == "Namespace"]
    assert len(namespaces) == 1, "every shipped environment writes its Namespace"
    (first,) = namespaces
    assert tasks[first].phase == "PreSync", "a PreSync hook lives in the namespace: the Namespace moves before it"
    assert all(i > first for i, task in enumerate(tasks) if task.obj["metadata"].get("namespace"))


@pytest.mark.parametrize("env", ENVS)
def test_every_hook_jobs_network_policies_are_applied_before_it_runs(env):
    """A PreSync Job runs before the sync applies ordinary objects: were its way to the API server one of them,
    a wrong `network_policy.api_server` would fail it on every sync, and the corrected policy would never land."""
    tasks = sync_tasks(dist_objects(env))
    jobs = [(i, t.obj) for i, t in enumerate(tasks) if t.obj["kind"] == "Job" and t.hook]
    assert jobs, "every shipped environment has hook Jobs (secrets bootstrap, image awaiter)"
    for index, job in jobs:
        pod_labels = job["spec"]["template"]["metadata"]["labels"]
        selecting = [
            i
            for i, task in enumerate(tasks)
            if task.obj["kind"] == "NetworkPolicy"
            and task.obj["spec"]["podSelector"].get("matchLabels")
            and task.obj["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
        ]
        assert selecting, f"{key(job)}: no policy opens its way out"
        assert all(i < index for i in selecting), f"{key(job)}: a policy of its pods comes after it"


@pytest.mark.parametrize("env", ENVS)
def test_nothing_that_needs_every_node_gates_the_hub_and_proxy(env):
    """One NotReady node, one unpullable image must not hold back the hub: no timeout would end the wait."""
    all_groups = groups(sync_tasks(dist_objects(env)))
    core = [i for i, g in enumerate(all_groups) if any(_component(t.obj) in ("hub", "proxy") for t in g.tasks)]
    assert core, "the hub and proxy are synced"
    before = all_groups[: max(core)]
    assert [k for g in before for t in g.tasks if needs_every_node(t.obj) for k in [key(t.obj)]] == []


@pytest.mark.parametrize("env", ENVS)
def test_nothing_that_may_stay_pending_gates_a_later_group(env):
    """A Pending PVC (WaitForFirstConsumer, no RWX driver), an Ingress without an address or a pre-empted
    placeholder keeps its group Progressing: it must be in the last group, which Argo CD does not wait for."""
    all_groups = groups(sync_tasks(dist_objects(env)))
    gated = {
        f"{g.phase} {g.wave}": stuck
        for g in waited_for(all_groups, prune_last=_prune_last(env))
        if (stuck := may_stay_progressing(g))
    }
    assert gated == {}


@pytest.mark.parametrize("env", ENVS)
def test_users_data_and_the_namespace_survive_a_prune_of_everything(env):
    objects = dist_objects(env)
    kept = survive_prune_of_everything(objects)
    data = {key(o) for o in objects if o["kind"] in ("Namespace", "PersistentVolumeClaim")}
    assert data - kept == set()


@pytest.mark.parametrize("env", ENVS)
def test_users_data_and_the_namespace_survive_the_applications_deletion(env):
    """The resources finalizer deletes what the Application tracks; the Namespace would take every home PVC."""
    objects = dist_objects(env)
    kept = survive_application_deletion(objects)
    data = {key(o) for o in objects if o["kind"] in ("Namespace", "PersistentVolumeClaim")}
    assert data - kept == set()
    assert namespace_survives_deletion(objects), "KubeSpawner's home PVCs go with the Namespace"


@pytest.mark.parametrize("env", ENVS)
def test_no_hook_rbac_outlives_a_successful_sync(env):
    objects = dist_objects(env)
    assert [k for k in hooks_left(objects, succeeded=True) if k.split("/")[0] in RBAC] == []


@pytest.mark.parametrize("env", ENVS)
def test_no_hook_identity_that_can_write_outlives_a_failed_sync(env):
    """The secrets bootstrap's Role may create any Secret of the namespace: it goes whatever the outcome."""
    objects = dist_objects(env)
    writers = {
        o["metadata"]["name"]
        for o in objects
        if o["kind"] == "Role" and any(set(rule["verbs"]) & WRITE for rule in o["rules"])
    }
    hooks = {key(o) for o in objects if "argocd.argoproj.io/hook" in o["metadata"].get("annotations", {})}
    assert any(f"Role/{name}" in hooks for name in writers), "the secrets bootstrap's Role is a hook"
    left = [k for k in hooks_left(objects, succeeded=False) if k.split("/")[0] in RBAC and k.split("/")[1] in writers]
    assert left == []


@pytest.mark.parametrize("env", [p.stem for p in ARGOCD.glob("*.yaml")])
def test_a_parent_application_never_prunes_nor_deletes_an_application_or_its_project(env):
    for obj in _load(ARGOCD / f"{env}.yaml"):
        assert {"Prune=false", "Delete=false"} <= sync_options(obj), key(obj)


def test_the_fleet_keeps_applications_and_their_resources_when_an_element_or_itself_goes():
    fleet = _load(ARGOCD / "fleet" / "applicationset.yaml")
    for project in (o for o in fleet if o["kind"] == "AppProject"):
        assert {"Prune=false", "Delete=false"} <= sync_options(project), key(project)
    (appset,) = [o for o in fleet if o["kind"] == "ApplicationSet"]
    assert {"Prune=false", "Delete=false"} <= sync_options(appset)
    policy = appset["spec"]["syncPolicy"]
    assert policy["preserveResourcesOnDeletion"] is True
    # An explicit finalizer in the template overrides preserveResourcesOnDeletion (applicationset/utils/utils.go).
    assert "finalizers" not in appset["spec"]["template"]["metadata"]
    # create-update: a removed element no longer deletes its Application (applicationset_controller.go).
    assert policy["applicationsSync"] == "create-update"
    assert {"Prune=false", "Delete=false"} <= set(
        appset["spec"]["template"]["metadata"]["annotations"]["argocd.argoproj.io/sync-options"].split(",")
    )


MONITORED_BY_ARGOCD = [
    p.stem for p in ARGOCD.glob("*.yaml") if any(o["kind"] == "ServiceMonitor" for o in dist_objects(p.stem))
]


@pytest.mark.parametrize("env", MONITORED_BY_ARGOCD)
def test_annotation_tracking_is_required_for_the_service_monitors(env):
    """Label tracking writes the Application's name into every object's instance label (README, Supported
    platforms): the ServiceMonitors, which select on it, would then find no Service."""
    objects = dist_objects(env)
    monitors = [o for o in objects if o["kind"] == "ServiceMonitor"]
    assert monitors

    def selected(objects: list[dict]) -> list[bool]:
        services = [o for o in objects if o["kind"] == "Service"]
        return [
            any(
                monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
                for service in services
            )
            for monitor in monitors
        ]

    assert all(selected(objects))
    assert not any(selected(label_tracked(objects, env)))
    assert all(o["metadata"]["labels"][INSTANCE] != env for o in objects if "labels" in o["metadata"])


@pytest.mark.parametrize("env", [p.stem for p in ARGOCD.glob("*.yaml")])
def test_no_prune_last(env):
    """PruneLast would add a group of prunes after the last wave whenever something is pruned."""
    assert not _prune_last(env)


@pytest.mark.parametrize("env", ENVS)
def test_the_last_group_holds_no_hook_and_the_hub_database_is_synced_with_the_hub(env):
    """The hub's database PVC binds when the hub pod is scheduled: in the hub's own group it cannot stall."""
    all_groups = groups(sync_tasks(dist_objects(env)))
    assert not any(task.hook for task in all_groups[-1].tasks)
    for group in all_groups:
        if any(_component(t.obj) == "hub" and t.obj["kind"] == "PersistentVolumeClaim" for t in group.tasks):
            assert any(_component(t.obj) == "hub" and t.obj["kind"] == "Deployment" for t in group.tasks)
