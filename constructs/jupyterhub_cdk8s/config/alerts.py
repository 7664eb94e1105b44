"""Every alert, defined once: its settings with their defaults, and its rule.

`config.monitoring` turns each `AlertDefinition` into the settings model at
`monitoring.alerts.<setting>` (enabled, `for`, severity and, where the alert has
one, threshold, each with its default and description); `monitoring.rules`
turns it, with those settings and the environment's `Scope`, into one entry of
the PrometheusRule. Adding an alert means adding one entry to `ALERTS` (and its
synthetic series in tests/support/alert_cases.py). Data and the functions that
write each rule's expression: no cdk8s, so the config can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .singleuser import USER_CONTAINER

Severity = Literal["critical", "warning", "info"]

SPAWNS = "jupyterhub_server_spawn_duration_seconds"


def eq(label: str, value: str) -> str:
    return f'{label}="{value}"'


def matches(label: str, pattern: str) -> str:
    return f'{label}=~"{pattern}"'


def series(metric: str, *matchers: str) -> str:
    """A PromQL selector; every query names its metric this way, so tests can find each metric name."""
    return metric + "{" + ", ".join(matchers) + "}"


@dataclass(frozen=True)
class Scope:
    """The label values that pick this environment's series out of a shared Prometheus."""

    namespace: str
    hub_job: str
    proxy_job: str
    proxy_deployment: str
    hub_claim: str | None
    """The hub's database PVC; None with an external database."""
    user_claim_prefix: str

    @property
    def ns(self) -> str:
        return eq("namespace", self.namespace)

    @property
    def hub(self) -> tuple[str, str]:
        """Matchers of the hub's own metrics."""
        return (self.ns, eq("job", self.hub_job))


@dataclass(frozen=True)
class Condition:
    """What an expression builder gets: where to look, the threshold, the rate window."""

    scope: Scope
    threshold: str | None
    """The threshold as PromQL reads it (0.9, 120)."""
    window: str


@dataclass(frozen=True)
class Threshold:
    """The value an alert's condition compares against: its default and what it means."""

    default: float
    description: str
    share: bool = False
    """A share from 0 to 1; a value above 1 is refused (someone wrote a percentage)."""


@dataclass(frozen=True)
class AlertDefinition:
    """One alert: the defaults of its settings, and the rule written from them."""

    name: str
    setting: str
    """Key of its settings in `monitoring.alerts`."""
    title: str
    """What fires it, in one line: the description of its settings."""
    for_: str
    """Default of how long the condition must hold (a Prometheus duration)."""
    severity: Severity
    """Default severity label."""
    expr: Callable[[Condition], str]
    summary: Callable[[Scope], str]
    """One line with the affected object and value (a Prometheus template)."""
    description: str
    """What the alert means for users."""
    runbook: tuple[str, ...]
    """The steps to check and do, in order; {namespace}, {hub} and {proxy} are filled in."""
    threshold: Threshold | None = None
    applies: Callable[[Scope], bool] = lambda scope: True


# Prometheus template pieces of summaries (alert labels only hold what the expression keeps).
PERCENT = "{{ $value | humanizePercentage }}"
DURATION = "{{ $value | humanizeDuration }}"
NUMBER = "{{ $value | humanize }}"


def label(name: str) -> str:
    return "{{ $labels." + name + " }}"


def _target_down(job: Callable[[Scope], str]) -> Callable[[Condition], str]:
    # `== 1` inside absent(): fires both when the target is down and when it has disappeared.
    return lambda c: f"absent({series('up', c.scope.ns, eq('job', job(c.scope)))} == 1)"


def _volume_full(claim: Callable[[Scope], str]) -> Callable[[Condition], str]:
    def expr(c: Condition) -> str:
        by = "max by (namespace, persistentvolumeclaim)"
        used = series("kubelet_volume_stats_used_bytes", c.scope.ns, claim(c.scope))
        capacity = series("kubelet_volume_stats_capacity_bytes", c.scope.ns, claim(c.scope))
        return f"{by} ({used})\n  / {by} ({capacity})\n  > {c.threshold}"

    return expr


def _spawn_rate(c: Condition, status: str) -> str:
    return f"sum(rate({series(SPAWNS + '_count', *c.scope.hub, status)}[{c.window}]))"


def _spawn_failure_ratio(c: Condition) -> str:
    failed = _spawn_rate(c, eq("status", "failure"))
    finished = _spawn_rate(c, matches("status", "success|failure"))
    return f"{failed}\n  / {finished}\n  > {c.threshold}"


def _spawn_p90(c: Condition) -> str:
    buckets = series(SPAWNS + "_bucket", *c.scope.hub, eq("status", "success"))
    return f"histogram_quantile(0.9, sum by (le) (rate({buckets}[{c.window}])))\n  > {c.threshold}"


def _throttled_spawns(c: Condition) -> str:
    throttled = series(SPAWNS + "_count", *c.scope.hub, eq("status", "throttled"))
    return f"sum(increase({throttled}[{c.window}])) > {c.threshold}"


def _user_pod_pending(c: Condition) -> str:
    pending = series("kube_pod_status_phase", c.scope.ns, eq("phase", "Pending"))
    user_pods = series("kube_pod_container_info", c.scope.ns, eq("container", USER_CONTAINER))
    return f"max by (namespace, pod) ({pending}) == 1\n  and on (namespace, pod) {user_pods}"


def _quota(c: Condition) -> str:
    by = "max by (namespace, resourcequota, resource)"
    used = series("kube_resourcequota", c.scope.ns, eq("type", "used"))
    hard = series("kube_resourcequota", c.scope.ns, eq("type", "hard"))
    return f"{by} ({used})\n  / {by} ({hard} > 0)\n  > {c.threshold}"


ALERTS: tuple[AlertDefinition, ...] = (
    AlertDefinition(
        name="JupyterHubDown",
        setting="hub_down",
        title="The hub is down or cannot be scraped.",
        for_="5m",
        severity="critical",
        expr=_target_down(lambda scope: scope.hub_job),
        summary=lambda s: f"JupyterHub in namespace {s.namespace} is down or not scraped.",
        description="Nobody can log in or start a server; running servers stay reachable through the proxy.",
        runbook=(
            "kubectl -n {namespace} get pods -l app.kubernetes.io/component=hub: is the hub pod Running and Ready?",
            (
                "kubectl -n {namespace} logs deploy/{hub} --previous: a "
                "config error or failed database migration shows here."
            ),
            "If the pod is Running, check the Prometheus target page: a 403 means the metrics token or role is wrong.",
        ),
    ),
    AlertDefinition(
        name="JupyterHubProxyDown",
        setting="proxy_down",
        title="The proxy is down or cannot be scraped.",
        for_="5m",
        severity="critical",
        expr=_target_down(lambda scope: scope.proxy_job),
        summary=lambda s: f"configurable-http-proxy in namespace {s.namespace} is down or not scraped.",
        description="Every user request fails: the proxy routes all traffic to the hub and to user servers.",
        runbook=(
            "kubectl -n {namespace} get pods -l app.kubernetes.io/component=proxy.",
            (
                "kubectl -n {namespace} logs deploy/{proxy}: look for "
                "crashes; after out-of-memory kills raise proxy.resources."
            ),
            "After the proxy restarts, the hub re-adds all routes within a minute.",
        ),
    ),
    AlertDefinition(
        name="JupyterHubSpawnFailureRatioHigh",
        setting="spawn_failure_ratio",
        title="Many server spawns fail.",
        for_="15m",
        severity="warning",
        threshold=Threshold(0.2, "Share of finished spawns that failed, 0 to 1 (0.2 = one in five).", share=True),
        expr=_spawn_failure_ratio,
        summary=lambda s: f"{PERCENT} of server spawns in namespace {s.namespace} fail.",
        description="Users who start a server get an error instead of their notebook.",
        runbook=(
            "Hub log: search for 'Failed to spawn' or 'Unhandled error starting'.",
            "kubectl -n {namespace} get events --sort-by=.lastTimestamp: image pull errors, quota exceeded, "
            "PVC not bound, no node fits.",
            "Fix the cause (image tag, quota, storage class, node pool).",
        ),
    ),
    AlertDefinition(
        name="JupyterHubSpawnSlow",
        setting="spawn_duration_p90",
        title="Server spawns are slow.",
        for_="15m",
        severity="warning",
        threshold=Threshold(120, "90th percentile of successful spawn durations, in seconds."),
        expr=_spawn_p90,
        summary=lambda s: f"90% of server spawns in namespace {s.namespace} take up to {DURATION}.",
        description="Users wait long for their server; close to singleuser.start_timeout spawns start failing.",
        runbook=(
            "Are new nodes being added (cluster autoscaler)? Spawns wait for them.",
            "Are images pulled on every spawn? Pre-pull them (image puller) or use a closer registry.",
            "Slow volume attach: check the storage provisioner.",
        ),
    ),
    AlertDefinition(
        name="JupyterHubPendingSpawnsPilingUp",
        setting="pending_spawns",
        title="Spawns pile up to the concurrent spawn limit and new ones are refused.",
        for_="10m",
        severity="warning",
        threshold=Threshold(
            5, "Spawns refused within rate_window because hub.concurrent_spawn_limit spawns were already pending."
        ),
        expr=_throttled_spawns,
        summary=lambda s: f"{NUMBER} spawns in namespace {s.namespace} were refused: too many spawns pending at once.",
        description=(
            "hub.concurrent_spawn_limit spawns are pending, so the hub answers further spawns with 429 "
            "and users must retry."
        ),
        runbook=(
            "Find why spawns stay pending (see JupyterHubSpawnSlow and JupyterHubUserPodPending).",
            "If the cluster simply gets a burst of users, raise hub.concurrent_spawn_limit or add user placeholders.",
        ),
    ),
    AlertDefinition(
        name="JupyterHubUserPodPending",
        setting="user_pod_pending",
        title="A user pod stays Pending.",
        for_="15m",
        severity="warning",
        expr=_user_pod_pending,
        summary=lambda s: f"User pod {label('pod')} in namespace {s.namespace} is stuck Pending.",
        description=(
            "A user's server cannot start: no node fits it, its volume does not bind, or its image does not pull."
        ),
        runbook=(
            "kubectl -n {namespace} describe pod POD: read the Events.",
            "FailedScheduling: add nodes or lower singleuser guarantees.",
            "PVC not bound: check the storage class. ImagePullBackOff: check the image name and pull secret.",
        ),
    ),
    AlertDefinition(
        name="JupyterHubDatabaseVolumeFull",
        setting="hub_storage",
        title="The hub database volume is almost full.",
        for_="15m",
        severity="critical",
        threshold=Threshold(0.85, "Used share of the hub's database PVC, 0 to 1.", share=True),
        expr=_volume_full(lambda scope: eq("persistentvolumeclaim", scope.hub_claim or "")),
        summary=lambda s: f"The hub database volume {label('persistentvolumeclaim')} is {PERCENT} full.",
        description="When it is full, the hub's SQLite database stops accepting writes and the hub fails.",
        runbook=(
            "Raise hub.database.capacity (the storage class must allow volume expansion) and sync.",
            "Or move to hub.database type postgresql.",
        ),
        applies=lambda scope: scope.hub_claim is not None,
    ),
    AlertDefinition(
        name="JupyterHubUserVolumeFull",
        setting="user_storage",
        title="A user home volume is almost full.",
        for_="30m",
        severity="warning",
        threshold=Threshold(0.9, "Used share of a user's home PVC, 0 to 1.", share=True),
        expr=_volume_full(lambda scope: matches("persistentvolumeclaim", scope.user_claim_prefix + ".+")),
        summary=lambda s: f"User volume {label('persistentvolumeclaim')} is {PERCENT} full.",
        description="The user's notebooks fail to save and the server may not start once the volume is full.",
        runbook=(
            "Tell the user (the claim name ends with their name) to clean up.",
            (
                "Or expand that PVC: kubectl -n {namespace} edit pvc CLAIM (storage class "
                "must allow expansion); raise singleuser.storage.capacity for new users."
            ),
        ),
    ),
    AlertDefinition(
        name="JupyterHubQuotaNearlyExhausted",
        setting="quota",
        title="A ResourceQuota of the namespace is nearly exhausted.",
        for_="15m",
        severity="warning",
        threshold=Threshold(0.9, "Used share of any ResourceQuota of the namespace, 0 to 1.", share=True),
        expr=_quota,
        summary=lambda s: (
            f"ResourceQuota {label('resourcequota')} in namespace {s.namespace} has {PERCENT} "
            f"of its {label('resource')} used."
        ),
        description="New user servers are refused by the API server once the quota is reached.",
        runbook=(
            "kubectl -n {namespace} describe resourcequota: which resource runs out?",
            "Stop idle servers (idle culler) or raise the quota.",
        ),
    ),
)
