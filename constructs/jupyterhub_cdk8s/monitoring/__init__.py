"""Monitoring: ServiceMonitors for the hub and the proxy, alert rules, Grafana dashboards.

The construct (and the typed Prometheus Operator bindings it needs) is
imported from `.construct` only when an environment turns monitoring on.
"""

from .component import MonitoringComponent

__all__ = ["MonitoringComponent"]
