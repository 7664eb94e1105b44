"""The order ArgoCD applies objects in: one table, applied to every object before it is written.

Kept apart from gitops.py so that every synth can annotate waves without
loading the ArgoCD bindings, which only environments with `gitops:` need.
"""

from __future__ import annotations

from .naming import (
    IMAGE_AWAITER,
    IMAGE_PULLER,
    MONITORING,
    SECRETS_BOOTSTRAP,
    SHARED_STORAGE,
    USER_PLACEHOLDER,
)

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"

# Neither a prune nor deleting the Application (cascade, through its resources finalizer) removes
# the object: argo-cd controller/appcontroller.go `shouldBeDeleted` (v3.1.0), gitops-engine
# pkg/sync/sync_context.go `pruneObject`. For users' data, the Namespace that holds it (deleting a
# Namespace deletes every PVC in it, whatever their own annotations say), and the Argo CD objects a
# parent app-of-apps would otherwise prune.
KEEP = {SYNC_OPTIONS: "Prune=false,Delete=false"}

# --- sync order ---------------------------------------------------------------
# One table decides when each object is applied. ArgoCD applies a lower wave
# first and waits until it is healthy; within a wave it orders by kind itself
# (Namespace, RBAC, Services, then workloads).
WAVE_NAMESPACE = -3
WAVE_POLICIES = -2
WAVE_BOOTSTRAP = -1
WAVE_HUB = 0
WAVE_MONITORING = 1
# The last wave, which Argo CD applies and does not wait for (a sync succeeds once it applied the
# last group without hooks: gitops-engine pkg/sync/sync_context.go, "successfully synced (all tasks
# run)"). Its objects may stay Progressing for reasons no sync fixes, which would stall every later
# wave with no timeout: a PVC no pod of dist/ mounts (on a WaitForFirstConsumer class it binds when
# the first user pod arrives; health_pvc.go: Pending is Progressing), an Ingress until its controller
# publishes an address (health_ingress.go), placeholders pre-empted by real users (a StatefulSet is
# healthy only when all its replicas are ready). Nothing may come after it; the Application does not
# use PruneLast, which would add a group of prunes after it whenever anything is pruned.
WAVE_UNGATED = 10

WAVE_OF_KIND = {
    "Namespace": WAVE_NAMESPACE,
    # Quotas and policies exist before the first pod, so no pod ever runs unconstrained.
    "ResourceQuota": WAVE_POLICIES,
    "LimitRange": WAVE_POLICIES,
    "NetworkPolicy": WAVE_POLICIES,
    # A pod naming a PriorityClass that does not exist yet is refused.
    "PriorityClass": WAVE_POLICIES,
    # An environment's own secrets (extra_manifests.py) exist before the hub that reads them starts.
    "Secret": WAVE_BOOTSTRAP,
    "SealedSecret": WAVE_BOOTSTRAP,
    "ExternalSecret": WAVE_BOOTSTRAP,
    # Monitoring objects need the Services they scrape.
    "ServiceMonitor": WAVE_MONITORING,
    "PodMonitor": WAVE_MONITORING,
    "PrometheusRule": WAVE_MONITORING,
    "Ingress": WAVE_UNGATED,
}
# Component labels (naming.py) of objects whose kind alone does not place them.
WAVE_OF_COMPONENT = {
    SECRETS_BOOTSTRAP: WAVE_BOOTSTRAP,
    # Pullers put the user images on the nodes before the hub can start a user there; they never gate
    # the wave (OnDelete), the awaiter Sync hook of the same wave does the bounded waiting.
    IMAGE_PULLER: WAVE_BOOTSTRAP,
    IMAGE_AWAITER: WAVE_BOOTSTRAP,
    # Dashboards (ConfigMaps) with the rest of the monitoring.
    MONITORING: WAVE_MONITORING,
    SHARED_STORAGE: WAVE_UNGATED,
    USER_PLACEHOLDER: WAVE_UNGATED,
}


def sync_wave(obj: dict) -> int:
    """The wave of one object: its kind decides first, then its component, else the hub's wave."""
    component = obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")
    return WAVE_OF_KIND.get(obj["kind"], WAVE_OF_COMPONENT.get(component, WAVE_HUB))


def annotate_sync_waves(objects: list[dict]) -> None:
    """Give every object its wave; hooks that chose their own wave keep it."""
    for obj in objects:
        annotations = obj["metadata"].setdefault("annotations", {})
        if HOOK in annotations and SYNC_WAVE in annotations:
            continue
        annotations[SYNC_WAVE] = str(sync_wave(obj))
