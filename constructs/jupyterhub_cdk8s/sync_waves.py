"""The order ArgoCD applies objects in: one table, applied to every object before it is written.

Kept apart from gitops.py so that every synth can annotate waves without
loading the ArgoCD bindings, which only environments with `gitops:` need.
"""

from __future__ import annotations

from .naming import CONTINUOUS_IMAGE_PULLER, HOOK_IMAGE_AWAITER, HOOK_IMAGE_PULLER, MONITORING, SECRETS_BOOTSTRAP

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"

# --- sync order ---------------------------------------------------------------
# One table decides when each object is applied. ArgoCD applies a lower wave
# first and waits until it is healthy; within a wave it orders by kind itself
# (Namespace, RBAC, Services, then workloads).
WAVE_NAMESPACE = -3
WAVE_POLICIES = -2
WAVE_BOOTSTRAP = -1
WAVE_HUB = 0
WAVE_MONITORING = 1

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
}
# Component labels (naming.py) of objects whose kind alone does not place them.
WAVE_OF_COMPONENT = {
    SECRETS_BOOTSTRAP: WAVE_BOOTSTRAP,
    # Pullers put the user image on every node before the hub can start a user on it.
    CONTINUOUS_IMAGE_PULLER: WAVE_BOOTSTRAP,
    HOOK_IMAGE_PULLER: WAVE_BOOTSTRAP,
    HOOK_IMAGE_AWAITER: WAVE_BOOTSTRAP,
    # Dashboards (ConfigMaps) with the rest of the monitoring.
    MONITORING: WAVE_MONITORING,
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
