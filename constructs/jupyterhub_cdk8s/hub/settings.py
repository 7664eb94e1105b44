"""The hub's own part of jupyterhub_config.py: where it listens, its database, its limits."""

from __future__ import annotations

from ..config.hub import CONFIG_DIR, HubSettings, PostgresDatabase
from ..config.secrets import COOKIE_SECRET_KEY
from ..config_file import ConfigFile, Order
from ..naming import Names
from ..ports import HUB_PORT

CONFIG_PATH = f"{CONFIG_DIR}/jupyterhub_config.py"
DATA_DIR = "/srv/jupyterhub"


def configure_hub(file: ConfigFile, hub: HubSettings, names: Names, hub_secret: str) -> None:
    file.section(Order.HUB, "Hub: network, database, state")
    # The hub restarts on every config change; user servers must outlive it.
    file.set("JupyterHub", "cleanup_servers", False)
    file.set("JupyterHub", "hub_bind_url", f"http://:{HUB_PORT}")
    file.set("JupyterHub", "hub_connect_url", f"http://{names.service_host(names.hub)}:{HUB_PORT}")
    file.set("JupyterHub", "base_url", hub.base_url)
    cookie_secret = file.secret_env("JPY_COOKIE_SECRET", hub_secret, COOKIE_SECRET_KEY)
    file.set("JupyterHub", "cookie_secret", file.raw(f"bytes.fromhex({cookie_secret!r})"))
    if isinstance(hub.database, PostgresDatabase):
        url = file.secret_env("JUPYTERHUB_DB_URL", hub.database.url_secret.name, hub.database.url_secret.key)
        file.set("JupyterHub", "db_url", url)
    else:
        file.set("JupyterHub", "db_url", f"sqlite:///{DATA_DIR}/jupyterhub.sqlite")
    file.set("JupyterHub", "log_level", hub.log_level)
    # The hub checks the proxy's routes at this interval (JupyterHub 5.5 app.py, update_last_activity ends
    # with proxy.check_routes): after a proxy restart, users' routes are back within a minute instead of
    # the default 5 (the Helm chart's jupyterhub_config.py sets 60 too).
    file.set("JupyterHub", "last_activity_interval", 60)

    file.section(Order.HUB, "Hub: limits and user-facing behaviour")
    file.set("JupyterHub", "concurrent_spawn_limit", hub.concurrent_spawn_limit)
    file.set("JupyterHub", "active_server_limit", hub.active_server_limit)
    file.set("JupyterHub", "allow_named_servers", hub.named_servers.enabled)
    if hub.named_servers.enabled:
        file.set("JupyterHub", "named_server_limit_per_user", hub.named_servers.limit_per_user)
    file.set("JupyterHub", "shutdown_on_logout", hub.shutdown_on_logout)

    file.section(Order.HUB, "Hub: HTTP client")
    # At scale the hub calls the proxy API many times a second; the curl
    # client (pycurl is in the hub image) is much faster than the default.
    file.code(
        "from tornado.httpclient import AsyncHTTPClient\n"
        'AsyncHTTPClient.configure("tornado.curl_httpclient.CurlAsyncHTTPClient")'
    )


def configure_environment(file: ConfigFile, hub: HubSettings) -> None:
    """Variables the user's snippets read (hub.environment): the hub container gets them from their Secrets."""
    for name, ref in sorted(hub.environment.items()):
        file.secret_env(name, ref.name, ref.key)


def configure_extra(file: ConfigFile, hub: HubSettings) -> None:
    """The user's own snippets come last, so they can override anything above."""
    for name in sorted(hub.extra_config):
        file.section(Order.EXTRA_CONFIG, f"hub.extra_config.{name}")
        file.code(hub.extra_config[name])
