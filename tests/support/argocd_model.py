"""A model of what Argo CD does with the objects of dist/<env>/: the order of a sync, what a wave waits
for, what a prune and an Application's deletion remove, which hooks stay.

Read from Argo CD's code, not run against it (gitops-engine 093aef0dad58, the version argo-cd v3.1.0
pins; the same code is in argo-cd v3.5.1 under gitops-engine/):

- order: phase (PreSync, Sync, PostSync), then `argocd.argoproj.io/sync-wave`, then kind (`kindOrder`),
  then name (pkg/sync/sync_tasks.go, `Less`); a Namespace in git is moved before the first task that
  lives in it and takes that task's phase and wave, PreSync included (`Sort`, `adjustDeps`);
- a (phase, wave) group is applied when every task of the groups before it is done: a resource once
  Healthy (or at once when its kind has no health check), a hook once complete; Progressing keeps
  the whole sync waiting, with no timeout by default (pkg/sync/sync_context.go `Sync`; argo-cd
  docs/operator-manual/argocd-cmd-params-cm.yaml `controller.sync.timeout.seconds: "0"`);
- the last group is not waited for, unless it holds a hook ("successfully synced (all tasks run)");
  PruneLast moves every prune to a group after it, which is then waited for (`getSyncTasks`);
- hooks without a delete policy get BeforeHookCreation; HookSucceeded deletes a hook only when the
  whole operation succeeds, HookFailed when it fails (pkg/sync/hook/delete_policy.go, `deleteHooks`);
- prune skips `Prune=false`, an Application's cascade deletion skips `Delete=false`
  (argo-cd v3.1.0 controller/appcontroller.go `shouldBeDeleted`); deleting a Namespace deletes every
  object in it, whatever their own annotations say;
- health (pkg/health/): a DaemonSet other than OnDelete is Healthy only when every eligible node runs
  a ready pod of it; a PVC is Progressing while Pending, which on a WaitForFirstConsumer class lasts
  until a pod using it is scheduled; an Ingress until its controller publishes an address; a
  StatefulSet until all its replicas are ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
PHASES = ("PreSync", "Sync", "PostSync", "SyncFail")
# gitops-engine pkg/sync/sync_tasks.go, kindOrder; kinds not listed (custom resources) come last.
KIND_ORDER = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
]
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def _annotations(obj: dict) -> dict[str, str]:
    return obj["metadata"].get("annotations") or {}


def sync_options(obj: dict) -> set[str]:
    return {option.strip() for option in _annotations(obj).get(SYNC_OPTIONS, "").split(",") if option.strip()}


def key(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


@dataclass
class Task:
    obj: dict
    phase: str
    wave: int

    @property
    def hook(self) -> bool:
        return HOOK in _annotations(self.obj)

    @property
    def delete_policies(self) -> set[str]:
        written = {p.strip() for p in _annotations(self.obj).get(HOOK_DELETE_POLICY, "").split(",") if p.strip()}
        return written or {"BeforeHookCreation"}

    def _sort_key(self) -> tuple:
        kind = self.obj["kind"]
        order = KIND_ORDER.index(kind) - len(KIND_ORDER) if kind in KIND_ORDER else 0
        return (PHASES.index(self.phase), self.wave, order, self.obj["metadata"]["name"])


def sync_tasks(objects: Iterable[dict]) -> list[Task]:
    """The tasks of one sync in the order Argo CD runs them (`Sort`, then `adjustDeps` for Namespaces)."""
    tasks = []
    for obj in objects:
        annotations = _annotations(obj)
        phase = annotations.get(HOOK, "Sync").split(",")[0] if HOOK in annotations else "Sync"
        tasks.append(Task(obj, phase, int(annotations.get(SYNC_WAVE, "0"))))
    tasks.sort(key=Task._sort_key)
    first_in: dict[str, int] = {}
    index = 0
    while index < len(tasks):
        obj = tasks[index].obj
        if obj["kind"] == "Namespace" and obj["metadata"]["name"] in first_in:
            first = first_in[obj["metadata"]["name"]]
            moved = tasks.pop(index)
            moved.phase, moved.wave = tasks[first].phase, tasks[first].wave
            tasks.insert(first, moved)
            first_in = {ns: i + 1 if i >= first else i for ns, i in first_in.items()}
        elif namespace := obj["metadata"].get("namespace"):
            first_in.setdefault(namespace, index)
        index += 1
    return tasks


@dataclass
class Group:
    """The tasks Argo CD applies together: one phase and wave."""

    phase: str
    wave: int
    tasks: list[Task]

    @property
    def keys(self) -> list[str]:
        return [key(task.obj) for task in self.tasks]


def groups(tasks: list[Task]) -> list[Group]:
    found: list[Group] = []
    for task in tasks:
        if not found or (found[-1].phase, found[-1].wave) != (task.phase, task.wave):
            found.append(Group(task.phase, task.wave, []))
        found[-1].tasks.append(task)
    return found


def waited_for(all_groups: list[Group], *, prune_last: bool) -> list[Group]:
    """The groups a sync waits on before going on: all but a last group without hooks.

    With PruneLast, a sync that prunes anything adds a group of prunes after the last one, so the
    last group is waited for too.
    """
    if not all_groups:
        return []
    last = all_groups[-1]
    if prune_last or any(task.hook for task in last.tasks):
        return all_groups
    return all_groups[:-1]


# --- health --------------------------------------------------------------------------------------------


def needs_every_node(obj: dict) -> bool:
    """Healthy only when every eligible node runs a ready pod of it (health_daemonset.go)."""
    if obj["kind"] != "DaemonSet":
        return False
    return obj["spec"].get("updateStrategy", {}).get("type", "RollingUpdate") != "OnDelete"


def _claims(obj: dict) -> set[str]:
    template = obj["spec"].get("template", {}).get("spec", {}) if obj["kind"] in WORKLOADS else {}
    return {
        volume["persistentVolumeClaim"]["claimName"]
        for volume in template.get("volumes", [])
        if "persistentVolumeClaim" in volume
    }


def may_stay_progressing(group: Group) -> list[str]:
    """Objects of `group` that can stay Progressing for reasons no sync fixes.

    A PVC no workload of its group mounts (on a WaitForFirstConsumer class it binds only when a user
    pod arrives), an Ingress (until a controller publishes its address), a StatefulSet (placeholder
    pods are Pending whenever real users pre-empted them).
    """
    mounted = {claim for task in group.tasks for claim in _claims(task.obj)}
    return [
        key(task.obj)
        for task in group.tasks
        if task.obj["kind"] in ("Ingress", "StatefulSet")
        or (task.obj["kind"] == "PersistentVolumeClaim" and task.obj["metadata"]["name"] not in mounted)
    ]


# --- what survives -------------------------------------------------------------------------------------


def _with_namespace(objects: list[dict], kept: set[str]) -> set[str]:
    """`kept`, minus every namespaced object whose Namespace object was deleted."""
    gone = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace" and key(o) not in kept}
    return {key(o) for o in objects if key(o) in kept and o["metadata"].get("namespace") not in gone}


def survive_prune_of_everything(objects: list[dict]) -> set[str]:
    """What stays when every object left git and the Application prunes (Prune=false is skipped)."""
    kept = {key(o) for o in objects if HOOK in _annotations(o) or "Prune=false" in sync_options(o)}
    return _with_namespace(objects, kept)


def survive_application_deletion(objects: list[dict]) -> set[str]:
    """What stays when the Application is deleted with its resources finalizer (Delete=false is skipped)."""
    kept = {key(o) for o in objects if "Delete=false" in sync_options(o)}
    return _with_namespace(objects, kept)


def namespace_survives_deletion(objects: list[dict]) -> bool:
    """KubeSpawner's home PVCs are not in git: they stay exactly when their Namespace does."""
    return all("Delete=false" in sync_options(o) for o in objects if o["kind"] == "Namespace")


def hooks_left(objects: list[dict], *, succeeded: bool) -> list[str]:
    """The hooks still in the cluster after an operation that succeeded (or failed)."""
    policy = "HookSucceeded" if succeeded else "HookFailed"
    return [key(task.obj) for task in sync_tasks(objects) if task.hook and policy not in task.delete_policies]


# --- tracking --------------------------------------------------------------------------------------------

INSTANCE = "app.kubernetes.io/instance"


def label_tracked(objects: list[dict], application: str) -> list[dict]:
    """The objects as label tracking writes them: the Application's name in every top-level object's
    instance label (argo-cd util/argo/resource_tracking.go `SetAppInstance`); pod templates untouched."""
    rewritten = []
    for obj in objects:
        labels = {**(obj["metadata"].get("labels") or {}), INSTANCE: application}
        rewritten.append({**obj, "metadata": {**obj["metadata"], "labels": labels}})
    return rewritten
