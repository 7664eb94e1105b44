"""How Prometheus may read the hub's /hub/metrics: the hub's side of it.

With a token, the hub gets an API-only service whose token comes from a
Secret and a role that grants it nothing but `read:metrics`; the
ServiceMonitor presents the same Secret key. Without one, the hub serves
metrics to anyone who reaches its port, and a NetworkPolicy opens that port to
the Prometheus pods.
"""

from __future__ import annotations

from ..config.base import SecretKeyRef
from ..config.monitoring import MonitoringSettings, TokenAccess
from ..config_file import ConfigFile, Order
from ..hub.services import register_service

SERVICE = "prometheus"
TOKEN_KEY = "prometheus-api-token"
TOKEN_ENV = "JUPYTERHUB_PROMETHEUS_TOKEN"


def metrics_token(monitoring: MonitoringSettings, hub_secret: str) -> SecretKeyRef | None:
    """The Secret key holding Prometheus's API token, or None when metrics are not authenticated."""
    access = monitoring.hub_metrics
    if not isinstance(access, TokenAccess):
        return None
    return access.token_secret or SecretKeyRef(name=hub_secret, key=TOKEN_KEY)


def configure_hub_metrics(file: ConfigFile, monitoring: MonitoringSettings, hub_secret: str) -> None:
    file.section(Order.MONITORING, "Monitoring: who may read /hub/metrics")
    token = metrics_token(monitoring, hub_secret)
    if token is None:
        # Only the NetworkPolicy of the monitoring component guards the port.
        file.set("JupyterHub", "authenticate_prometheus", False)
        return
    file.set("JupyterHub", "authenticate_prometheus", True)
    register_service(
        file,
        SERVICE,
        description="Prometheus scrapes /hub/metrics and nothing else",
        scopes=["read:metrics"],
        api_token=file.secret_env(TOKEN_ENV, token.name, token.key),
    )
