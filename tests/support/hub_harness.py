"""Run one environment's real hub and proxy on loopback, from its synthesized objects.

The hub is started from the hub Deployment's container `args` (the image's
ENTRYPOINT, tini, is left out: it only reaps and forwards signals) and env and
the ConfigMap's jupyterhub_config.py; configurable-http-proxy (from
node_modules) from the proxy Deployment's `command`. Only addresses and paths
are changed, always by APPENDING override lines to the config (the generated
text is written unchanged above them) and by rewriting the proxy's address
flags, so what runs is what the cluster would run.

    with running_hub(objects, tmp_path, secrets={("jupyterhub-hub-secret", "proxy-auth-token"): "..."}) as hub:
        requests.get(hub.public_url + "hub/health")

`public_url` and `hub_url` end with the hub's base_url (`/` or e.g.
`/jupyter/`), so `url + "hub/..."` works for every environment.
"""

from __future__ import annotations

import contextlib
import os
import secrets as random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from support.synthesis import ROOT, hub_config_text

CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG_FILE = "jupyterhub_config.py"
HEALTH = "hub/health"
START_TIMEOUT = 45  # seconds; the hub usually answers in 2-5 s
STOP_TIMEOUT = 10


@dataclass
class RunningHub:
    """Where the running hub answers, and what its processes logged."""

    public_url: str
    """The hub's base_url through configurable-http-proxy, e.g. http://127.0.0.1:40123/."""
    hub_url: str
    """The hub's base_url on the hub process itself, e.g. http://127.0.0.1:40124/."""
    proxy_api_url: str
    """configurable-http-proxy's REST API (token: the proxy auth token)."""
    base_url: str
    config_path: Path
    """The jupyterhub_config.py the hub runs: the generated text plus the appended overrides."""
    proxy_ports: dict[str, int] = field(default_factory=dict)
    """Local port of each `--*port` flag of the proxy command, e.g. {"--port": ..., "--metrics-port": ...}."""
    _logs: dict[str, Path] = field(default_factory=dict)

    def logs(self) -> str:
        """Everything the hub and proxy have written so far, each under a header."""
        return "\n".join(
            f"----- {name} log ({path}) -----\n{path.read_text(encoding='utf-8', errors='replace')}"
            for name, path in self._logs.items()
            if path.exists()
        )


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deployment_container(objects: list[dict], component: str) -> dict:
    """The single container of the Deployment labelled `app.kubernetes.io/component: <component>`."""
    deployments = [
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == component
    ]
    assert len(deployments) == 1, f"expected one {component} Deployment, found {len(deployments)}"
    containers = deployments[0]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"expected one container in the {component} Deployment, found {len(containers)}"
    return containers[0]


def secret_refs(objects: list[dict]) -> list[tuple[str, str]]:
    """Every (secret name, key) the hub and proxy containers read: what `secrets=` must provide."""
    refs = {
        (env["valueFrom"]["secretKeyRef"]["name"], env["valueFrom"]["secretKeyRef"]["key"])
        for component in ("hub", "proxy")
        for env in deployment_container(objects, component).get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    return sorted(refs)


def fake_secrets(objects: list[dict], known: dict[tuple[str, str], str] | None = None) -> dict[tuple[str, str], str]:
    """A value for every Secret key the hub and proxy read: `known` ones as given, others 64 random hex characters."""
    known = known or {}
    return {ref: known.get(ref) or random.token_hex(32) for ref in secret_refs(objects)}


def container_env(container: dict, secrets: dict[tuple[str, str], str]) -> dict[str, str]:
    """The container's environment: plain values kept, each secretKeyRef read from `secrets`."""
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        assert ref is not None, f"env {item['name']}: only plain values and secretKeyRef can run locally: {item}"
        assert (ref["name"], ref["key"]) in secrets, (
            f"env {item['name']} reads Secret {ref['name']!r} key {ref['key']!r}; pass it in secrets="
        )
        env[item["name"]] = secrets[(ref["name"], ref["key"])]
    return env


def readiness_path(container: dict) -> str:
    return container["readinessProbe"]["httpGet"]["path"]


def hub_command(container: dict, config_path: Path) -> list[str]:
    """The Deployment's command line (its `args`: the image's tini entrypoint runs them) with its config path
    pointed at the local file and the venv's jupyterhub."""
    command = [*container.get("command", []), *container["args"]]
    in_pod = {f"{mount['mountPath'].rstrip('/')}/{CONFIG_FILE}" for mount in container.get("volumeMounts", [])}
    rewritten = [str(config_path) if arg in in_pod else arg for arg in command]
    assert str(config_path) in rewritten, f"the hub command {command} names none of {sorted(in_pod)}"
    executable = Path(sys.executable).parent / command[0]
    assert executable.exists(), f"{command[0]} is not installed next to {sys.executable}"
    return [str(executable), *rewritten[1:]]


def proxy_command(container: dict, *, public_port: int, api_port: int, hub_origin: str) -> list[str]:
    """The proxy Deployment's command with every address flag pointed at loopback.

    `--ip`/`--api-ip`-style flags become 127.0.0.1, `--port`/`--api-port` the
    given ports (any other `*-port` a free one), and the hub targets keep their
    path but reach the local hub.
    """
    command = [*container["command"], *container.get("args", [])]
    assert Path(command[0]).name == "configurable-http-proxy", f"not a configurable-http-proxy command: {command}"
    ports = {"--port": public_port, "--api-port": api_port}
    rewritten = [str(CHP)]
    for arg in command[1:]:
        flag, has_value, value = arg.partition("=")
        assert has_value or not flag.endswith(("-ip", "port", "-target")), f"write {flag} as {flag}=VALUE: {command}"
        if flag.endswith("-ip") or flag == "--ip":
            value = "127.0.0.1"
        elif flag.endswith("port"):
            value = str(ports.get(flag) or free_port())
        elif flag.endswith("-target"):
            value = hub_origin + urlsplit(value).path
        rewritten.append(f"{flag}={value}" if has_value else arg)
    return rewritten


def kubeconfig(path: Path) -> Path:
    """A kubeconfig for a cluster that is not there: KubeSpawner builds its client at login."""
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster: {{server: "http://127.0.0.1:{free_port()}"}}
users:
- name: nobody
  user: {{token: not-a-token}}
contexts:
- name: nowhere
  context: {{cluster: nowhere, user: nobody}}
current-context: nowhere
""",
        encoding="utf-8",
    )
    return path


@contextmanager
def _process(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen]:
    """A child process in a session of its own, logging to `log`.

    On exit it gets SIGTERM (a graceful stop, as in Kubernetes), then SIGKILL
    after a timeout; whatever it started itself is killed with its group.
    """
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(ProcessLookupError):  # nothing of its group is left
            os.killpg(process.pid, signal.SIGKILL)


def _wait(what: str, ready, processes: dict[str, subprocess.Popen], logs) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode} before {what}\n{logs()}")
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {START_TIMEOUT} s\n{logs()}")


def _base_env(tmp_path: Path) -> dict[str, str]:
    # The venv's bin first, as in the hub image: JupyterHub runs `alembic` from PATH to upgrade its database.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return {"PATH": path, "HOME": str(tmp_path), "LANG": "C.UTF-8"}


@contextmanager
def running_hub(
    objects: list[dict],
    tmp_path: Path,
    *,
    secrets: dict[tuple[str, str], str],
    extra_config: str = "",
    start_proxy: bool = True,
) -> Iterator[RunningHub]:
    """Start the environment's hub (and proxy), wait until it serves through the proxy, stop both on exit.

    `start_proxy=False` runs the hub without the proxy Deployment: JupyterHub
    5.5 does not listen before it has read a proxy's routes, so the hub then
    starts the same configurable-http-proxy itself (`should_start`, its
    default) on local ports.
    """
    hub_container = deployment_container(objects, "hub")
    base_url = readiness_path(hub_container).removesuffix(HEALTH)
    assert base_url.startswith("/") and base_url.endswith("/"), f"hub readiness probe is not <base_url>{HEALTH}"
    hub_port, public_port, api_port = free_port(), free_port(), free_port()
    hub_origin = f"http://127.0.0.1:{hub_port}"
    api_url = f"http://127.0.0.1:{api_port}"

    proxy_container = deployment_container(objects, "proxy")
    proxy_env = {**_base_env(tmp_path), **container_env(proxy_container, secrets)}
    overrides = [
        "# --- Local run: addresses and paths only (appended by tests/support/hub_harness.py)",
        f"c.JupyterHub.hub_bind_url = {hub_origin!r}",
        f"c.JupyterHub.hub_connect_url = {hub_origin!r}",
        f"c.ConfigurableHTTPProxy.api_url = {api_url!r}",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(tmp_path / 'jupyterhub.sqlite')!r}",
    ]
    if not start_proxy:
        overrides += [
            "c.ConfigurableHTTPProxy.should_start = True",
            f"c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]",
            "c.JupyterHub.ip = '127.0.0.1'",
            f"c.JupyterHub.port = {public_port}",
            f"c.ConfigurableHTTPProxy.pid_file = {str(tmp_path / 'proxy.pid')!r}",
        ]
    config_path = tmp_path / CONFIG_FILE
    config_path.write_text(
        hub_config_text(objects) + "\n" + "\n".join(overrides) + "\n" + extra_config + "\n", encoding="utf-8"
    )
    hub_env = {
        **_base_env(tmp_path),
        **container_env(hub_container, secrets),
        "KUBECONFIG": str(kubeconfig(tmp_path / "kubeconfig")),
    }
    if not start_proxy:
        hub_env["CONFIGPROXY_AUTH_TOKEN"] = proxy_env["CONFIGPROXY_AUTH_TOKEN"]

    hub = RunningHub(
        public_url=f"http://127.0.0.1:{public_port}{base_url}",
        hub_url=f"{hub_origin}{base_url}",
        proxy_api_url=api_url,
        base_url=base_url,
        config_path=config_path,
        _logs={"proxy": tmp_path / "proxy.log", "hub": tmp_path / "hub.log"},
    )
    processes: dict[str, subprocess.Popen] = {}
    with ExitStack() as stack:
        if start_proxy:
            command = proxy_command(proxy_container, public_port=public_port, api_port=api_port, hub_origin=hub_origin)
            hub.proxy_ports = {
                flag: int(value) for flag, _, value in (arg.partition("=") for arg in command) if flag.endswith("port")
            }
            processes["proxy"] = stack.enter_context(_process(command, proxy_env, tmp_path, hub._logs["proxy"]))
        processes["hub"] = stack.enter_context(
            _process(hub_command(hub_container, config_path), hub_env, tmp_path, hub._logs["hub"])
        )
        token = proxy_env["CONFIGPROXY_AUTH_TOKEN"]

        def hub_route_registered() -> bool:
            routes = requests.get(f"{api_url}/api/routes", headers={"Authorization": f"token {token}"}, timeout=2)
            return routes.ok and any(
                route.get("hub") and route.get("target") == hub_origin for route in routes.json().values()
            )

        _wait(
            f"answer on {hub.hub_url}{HEALTH}",
            lambda: requests.get(hub.hub_url + HEALTH, timeout=2).ok,
            processes,
            hub.logs,
        )
        _wait("hub route in the proxy", hub_route_registered, processes, hub.logs)
        try:
            yield hub
        except Exception as failure:
            failure.add_note(hub.logs())
            raise
