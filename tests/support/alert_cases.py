"""Synthetic series for every alert: one set that must fire it, one healthy set that must not.

Written for the environment in `ENVIRONMENT` with the default thresholds
(spawn failures 0.2, spawn p90 120 s, 5 throttled spawns per 10m window,
hub volume 0.85, user volume 0.9, quota 0.9) and `for:` durations (hub and
proxy 5m, spawns 15m, throttling 10m, Pending 15m, hub volume 15m, user volume
30m, quota 15m). Series values use promtool's expanding notation
(`0+3x40` = 0, 3, 6, ... forty-one samples, one per minute).
"""

from __future__ import annotations

from dataclasses import dataclass, field

NAMESPACE = "hub-test"
ENVIRONMENT = f"""
namespace: {NAMESPACE}
host: hub.example.com
auth:
  type: shared-password
  password_secret: {{name: hub-password, key: password}}
  allowed_users: [alice]
monitoring:
  enabled: true
"""

HUB = f'namespace="{NAMESPACE}", job="jupyterhub-hub"'
PROXY = f'namespace="{NAMESPACE}", job="jupyterhub-proxy-metrics"'
SPAWNS = "jupyterhub_server_spawn_duration_seconds"


@dataclass(frozen=True)
class Case:
    series: dict[str, str]
    """PromQL series -> promtool values."""
    eval_time: str
    alerts: list[dict[str, str]] = field(default_factory=list)
    """Expected alerts: their labels (besides alertname) and the rendered `summary` under the key `summary`."""


@dataclass(frozen=True)
class AlertCases:
    firing: list[Case]
    healthy: list[Case]


def _spawns(failure: str, success: str) -> dict[str, str]:
    return {
        f'{SPAWNS}_count{{{HUB}, status="failure"}}': failure,
        f'{SPAWNS}_count{{{HUB}, status="success"}}': success,
    }


def _buckets(per_bucket: dict[str, str]) -> dict[str, str]:
    return {f'{SPAWNS}_bucket{{{HUB}, status="success", le="{le}"}}': values for le, values in per_bucket.items()}


def _volume(claim: str, used: int, capacity: int, namespace: str = NAMESPACE) -> dict[str, str]:
    labels = f'namespace="{namespace}", persistentvolumeclaim="{claim}"'
    return {
        f"kubelet_volume_stats_used_bytes{{{labels}}}": f"{used}x40",
        f"kubelet_volume_stats_capacity_bytes{{{labels}}}": f"{capacity}x40",
    }


def _quota(used: int, hard: int) -> dict[str, str]:
    labels = f'namespace="{NAMESPACE}", resourcequota="users", resource="requests.cpu"'
    return {
        f'kube_resourcequota{{{labels}, type="used"}}': f"{used}x40",
        f'kube_resourcequota{{{labels}, type="hard"}}': f"{hard}x40",
    }


def _pod(pod: str, container: str, pending: int) -> dict[str, str]:
    return {
        f'kube_pod_status_phase{{namespace="{NAMESPACE}", pod="{pod}", phase="Pending"}}': f"{pending}x30",
        f'kube_pod_container_info{{namespace="{NAMESPACE}", pod="{pod}", container="{container}"}}': "1x30",
    }


CASES: dict[str, AlertCases] = {
    "JupyterHubDown": AlertCases(
        firing=[
            Case(
                {f'up{{{HUB}, instance="10.0.0.1:8081"}}': "0x30"},
                "10m",
                [
                    {
                        "severity": "critical",
                        "namespace": NAMESPACE,
                        "summary": f"JupyterHub in namespace {NAMESPACE} is down or not scraped.",
                    }
                ],
            ),
            # No target at all (Service selector broken, ServiceMonitor not picked up): also down.
            Case(
                {f'up{{{PROXY}, instance="10.0.0.2:8002"}}': "1x30"},
                "10m",
                [
                    {
                        "severity": "critical",
                        "namespace": NAMESPACE,
                        "summary": f"JupyterHub in namespace {NAMESPACE} is down or not scraped.",
                    }
                ],
            ),
        ],
        healthy=[
            Case(
                {
                    f'up{{{HUB}, instance="10.0.0.1:8081"}}': "1x30",
                    'up{namespace="elsewhere", job="jupyterhub-hub", instance="10.0.9.1:8081"}': "0x30",
                },
                "10m",
            ),
            # Down for less than `for`.
            Case({f'up{{{HUB}, instance="10.0.0.1:8081"}}': "1x6 0x4"}, "10m"),
        ],
    ),
    "JupyterHubProxyDown": AlertCases(
        firing=[
            Case(
                {f'up{{{PROXY}, instance="10.0.0.2:8002"}}': "0x30"},
                "10m",
                [
                    {
                        "severity": "critical",
                        "namespace": NAMESPACE,
                        "summary": f"configurable-http-proxy in namespace {NAMESPACE} is down or not scraped.",
                    }
                ],
            )
        ],
        healthy=[Case({f'up{{{PROXY}, instance="10.0.0.2:8002"}}': "1x30"}, "10m")],
    ),
    "JupyterHubSpawnFailureRatioHigh": AlertCases(
        # 3 of 10 spawns a minute fail: 30 %.
        firing=[
            Case(
                _spawns("0+3x40", "0+7x40"),
                "30m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "summary": f"30% of server spawns in namespace {NAMESPACE} fail.",
                    }
                ],
            )
        ],
        healthy=[Case(_spawns("0+1x40", "0+19x40"), "30m"), Case(_spawns("0x40", "0x40"), "30m")],
    ),
    "JupyterHubSpawnSlow": AlertCases(
        # 10 spawns a minute, all between 120 s and 300 s: p90 = 120 + 0.9 * 180 = 282 s.
        firing=[
            Case(
                _buckets({"60": "0x40", "120": "0x40", "300": "0+10x40", "+Inf": "0+10x40"}),
                "30m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "summary": f"90% of server spawns in namespace {NAMESPACE} take up to 4m 42s.",
                    }
                ],
            )
        ],
        # All under a minute: p90 = 54 s.
        healthy=[Case(_buckets({"60": "0+10x40", "120": "0+10x40", "300": "0+10x40", "+Inf": "0+10x40"}), "30m")],
    ),
    "JupyterHubPendingSpawnsPilingUp": AlertCases(
        # One throttled spawn a minute: 10 in the 10m window.
        firing=[
            Case(
                {f'{SPAWNS}_count{{{HUB}, status="throttled"}}': "0+1x40"},
                "25m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "summary": f"10 spawns in namespace {NAMESPACE} were refused: too many spawns pending at once.",
                    }
                ],
            )
        ],
        healthy=[Case({f'{SPAWNS}_count{{{HUB}, status="throttled"}}': "0+0.1x40"}, "25m")],
    ),
    "JupyterHubUserPodPending": AlertCases(
        # alice's server pod is Pending; so is a hub pod, which is no user pod.
        firing=[
            Case(
                {**_pod("jupyterhub-alice", "notebook", 1), **_pod("jupyterhub-hub-7c9f", "hub", 1)},
                "20m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "pod": "jupyterhub-alice",
                        "summary": f"User pod jupyterhub-alice in namespace {NAMESPACE} is stuck Pending.",
                    }
                ],
            )
        ],
        healthy=[Case({**_pod("jupyterhub-alice", "notebook", 0), **_pod("jupyterhub-hub-7c9f", "hub", 1)}, "20m")],
    ),
    "JupyterHubDatabaseVolumeFull": AlertCases(
        firing=[
            Case(
                _volume("jupyterhub-hub-db", 900, 1000),
                "20m",
                [
                    {
                        "severity": "critical",
                        "namespace": NAMESPACE,
                        "persistentvolumeclaim": "jupyterhub-hub-db",
                        "summary": "The hub database volume jupyterhub-hub-db is 90% full.",
                    }
                ],
            )
        ],
        healthy=[
            Case(
                {**_volume("jupyterhub-hub-db", 500, 1000), **_volume("jupyterhub-hub-db", 999, 1000, "elsewhere")},
                "20m",
            )
        ],
    ),
    "JupyterHubUserVolumeFull": AlertCases(
        # alice's home is 95 % full; another claim of the namespace that is no user home is ignored.
        firing=[
            Case(
                {**_volume("jupyterhub-claim-alice", 95, 100), **_volume("spark-scratch", 99, 100)},
                "35m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "persistentvolumeclaim": "jupyterhub-claim-alice",
                        "summary": "User volume jupyterhub-claim-alice is 95% full.",
                    }
                ],
            )
        ],
        healthy=[Case({**_volume("jupyterhub-claim-alice", 50, 100), **_volume("spark-scratch", 99, 100)}, "35m")],
    ),
    "JupyterHubQuotaNearlyExhausted": AlertCases(
        firing=[
            Case(
                _quota(19, 20),
                "20m",
                [
                    {
                        "severity": "warning",
                        "namespace": NAMESPACE,
                        "resourcequota": "users",
                        "resource": "requests.cpu",
                        "summary": f"ResourceQuota users in namespace {NAMESPACE} has 95% of its requests.cpu used.",
                    }
                ],
            )
        ],
        healthy=[Case(_quota(10, 20), "20m")],
    ),
}
