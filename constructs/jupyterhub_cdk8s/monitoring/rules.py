"""Alert rules as data: what each alert watches, and what the operator does about it.

Every alert is an `AlertDefinition` in `ALERTS`; its expression is built from
the environment (`Scope`: namespace, scrape jobs, volume names) and its
setting in `monitoring.alerts` (threshold, `for`, severity). Adding an alert
means adding one entry here (and its synthetic series in the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..config.monitoring import Alerts, ThresholdAlert
from .metrics import USER_CONTAINER

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
class AlertDefinition:
    name: str
    setting: str
    """Field of `monitoring.alerts` holding its enabled flag, `for`, severity (and threshold)."""
    expr: Callable[[Condition], str]
    summary: Callable[[Scope], str]
    """One line with the affected object and value (a Prometheus template)."""
    description: str
    """What the alert means for users."""
    runbook: tuple[str, ...]
    """The steps to check and do, in order; {namespace}, {hub} and {proxy} are filled in."""
    applies: Callable[[Scope], bool] = lambda scope: True


@dataclass(frozen=True)
class AlertRule:
    """One rendered alerting rule of the PrometheusRule."""

    alert: str
    expr: str
    for_: str
    labels: dict[str, str]
    annotations: dict[str, str]


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


def alert_rules(alerts: Alerts, scope: Scope) -> list[AlertRule]:
    """The enabled alerts of `ALERTS` that apply to this environment, with its settings."""
    rules = []
    for definition in ALERTS:
        setting = getattr(alerts, definition.setting)
        if not setting.enabled or not definition.applies(scope):
            continue
        threshold = format(setting.threshold, "g") if isinstance(setting, ThresholdAlert) else None
        annotations = {
            "summary": definition.summary(scope),
            "description": definition.description,
            "runbook": "\n".join(
                f"{number}. " + step.format(namespace=scope.namespace, hub=scope.hub_job, proxy=scope.proxy_deployment)
                for number, step in enumerate(definition.runbook, start=1)
            ),
        }
        if alerts.runbook_url:
            annotations["runbook_url"] = f"{alerts.runbook_url}#{definition.name.lower()}"
        rules.append(
            AlertRule(
                alert=definition.name,
                expr=definition.expr(Condition(scope, threshold, alerts.rate_window)),
                for_=setting.for_,
                labels={"severity": setting.severity, "namespace": scope.namespace},
                annotations=annotations,
            )
        )
    return rules
