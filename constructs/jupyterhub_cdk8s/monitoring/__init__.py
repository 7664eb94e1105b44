"""Monitoring: ServiceMonitors for the hub and the proxy, alert rules, Grafana dashboards.

Only the hub's config contribution is imported here; the construct (and the
typed Prometheus Operator bindings it needs) is imported from `.construct`
when an environment turns monitoring on.
"""

from .hub_metrics import TOKEN_KEY, configure_hub_metrics, metrics_token

__all__ = ["TOKEN_KEY", "configure_hub_metrics", "metrics_token"]
