"""Every metric an alert or a dashboard panel reads exists, checked against the real processes.

JupyterHub's names come from the /hub/metrics of the real hub (5.5.0) started
from the synthesized config, scraped the way the ServiceMonitor scrapes it;
configurable-http-proxy's from the real proxy (5.2.0) started from the proxy
Deployment's command with its metrics port. Cluster metrics (kube-state-metrics,
cAdvisor, kubelet) must be listed with their source in
jupyterhub_cdk8s/monitoring/metrics.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from support.hub_harness import deployment_container, fake_secrets, free_port, proxy_command, running_hub
from support.synthesis import environment, find, synth_objects

from jupyterhub_cdk8s.monitoring.metrics import CLUSTER_METRICS

pytestmark = pytest.mark.real

ENVIRONMENT = """
namespace: hub-test
host: hub.example.com
hub: {base_url: /jupyter/}
auth:
  type: shared-password
  password_secret: {name: hub-password, key: password}
  allowed_users: [alice]
monitoring:
  enabled: true
"""
# A selector names its metric right before `{`; every query of ours writes one per metric.
SELECTED_METRIC = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
EXPOSED_METRIC = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", re.MULTILINE)


def queries(objects: list[dict]) -> dict[str, str]:
    """Every PromQL query of the alert rules and dashboards, by where it is."""
    found = {
        f"alert {rule['alert']}": rule["expr"]
        for group in find(objects, "PrometheusRule")["spec"]["groups"]
        for rule in group["rules"]
    }
    dashboards = [o for o in objects if o["kind"] == "ConfigMap" and "grafana_dashboard" in o["metadata"]["labels"]]
    for name, text in dashboards[0]["data"].items():
        board = json.loads(text)
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found[f"{name} panel {panel['title']!r} {target['refId']}"] = target["expr"]
        for variable in board["templating"]["list"]:
            if variable["type"] == "query":
                found[f"{name} variable {variable['name']}"] = variable["definition"]
    return found


def used_metrics(objects: list[dict]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for where, query in queries(objects).items():
        names = set(SELECTED_METRIC.findall(query)) | set(re.findall(r"label_values\((\w+),", query))
        assert names, f"{where}: no metric found in {query!r}"
        for name in names:
            used.setdefault(name, set()).add(where)
    return used


def exposed(text: str) -> set[str]:
    return set(EXPOSED_METRIC.findall(text))


def wait_for(url: str, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def proxy_metrics(objects: list[dict], hub_origin: str, tmp_path: Path, token: str) -> str:
    """The metrics of configurable-http-proxy run from the Deployment's command, after it proxied a request."""
    public_port, api_port = free_port(), free_port()
    command = proxy_command(
        deployment_container(objects, "proxy"), public_port=public_port, api_port=api_port, hub_origin=hub_origin
    )
    metrics_ports = [arg.split("=", 1)[1] for arg in command if arg.startswith("--metrics-port=")]
    assert len(metrics_ports) == 1, f"the proxy command has no metrics port: {command}"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CONFIGPROXY_AUTH_TOKEN": token}
    with (tmp_path / "metrics-proxy.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base_url = urlsplit(find(objects, "ServiceMonitor", "jupyterhub-hub")["spec"]["endpoints"][0]["path"]).path
        health = wait_for(f"http://127.0.0.1:{public_port}{base_url.removesuffix('hub/metrics')}hub/health")
        assert health.status_code == 200, (tmp_path / "metrics-proxy.log").read_text()
        response = wait_for(f"http://127.0.0.1:{metrics_ports[0]}/metrics")
        assert response.status_code == 200
        return response.text
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    """(objects, hub metrics text, proxy metrics text) of a real hub and proxy with monitoring on, token mode."""
    tmp_path = tmp_path_factory.mktemp("monitored")
    objects = synth_objects(ENVIRONMENT, tmp_path)
    secrets = fake_secrets(objects)
    endpoint = find(objects, "ServiceMonitor", "jupyterhub-hub")["spec"]["endpoints"][0]
    credentials = endpoint["authorization"]["credentials"]
    token = secrets[(credentials["name"], credentials["key"])]
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(hub.hub_url))
        anonymous = requests.get(origin + endpoint["path"], timeout=10)
        assert anonymous.status_code == 403, "metrics must need the token"
        response = requests.get(origin + endpoint["path"], headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, hub.logs()
        proxy_token = secrets[("jupyterhub-hub-secret", "proxy-auth-token")]
        yield objects, response.text, proxy_metrics(objects, origin, tmp_path, proxy_token)


def test_hub_and_proxy_export_the_metrics_the_queries_read(scraped):
    objects, hub_text, proxy_text = scraped
    hub_names, proxy_names = exposed(hub_text), exposed(proxy_text)
    assert "jupyterhub_running_servers" in hub_names and "process_cpu_seconds_total" in proxy_names
    missing = {
        name: sorted(where)
        for name, where in used_metrics(objects).items()
        if name not in hub_names | proxy_names | set(CLUSTER_METRICS)
    }
    assert not missing, f"queried but exported by nobody: {missing}"


def test_cluster_metric_list_holds_only_used_cluster_metrics(scraped):
    objects, hub_text, proxy_text = scraped
    assert not set(CLUSTER_METRICS) & (exposed(hub_text) | exposed(proxy_text))
    assert set(CLUSTER_METRICS) <= set(used_metrics(objects)), "drop metrics nothing queries from CLUSTER_METRICS"


def test_network_mode_serves_metrics_without_a_token_to_anyone_through_the_proxy(tmp_path):
    """What the README and synth's warning say of `network`: Prometheus needs no token, and neither does anyone
    else who reaches the hub's URL, as the proxy forwards the request."""
    text = ENVIRONMENT.replace("enabled: true", "enabled: true\n  hub_metrics: {type: network}")
    (tmp_path / "env").mkdir()
    warnings = [str(w) for w in environment(text, tmp_path / "env").warnings]
    assert any("monitoring.hub_metrics.type: network serves /hub/metrics without a token" in w for w in warnings)
    objects = synth_objects(text, tmp_path)
    with running_hub(objects, tmp_path, secrets=fake_secrets(objects)) as hub:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(hub.hub_url))
        path = find(objects, "ServiceMonitor", "jupyterhub-hub")["spec"]["endpoints"][0]["path"]
        response = requests.get(origin + path, timeout=10)
        assert response.status_code == 200 and "jupyterhub_running_servers" in response.text, hub.logs()
        public = requests.get(hub.public_url + "hub/metrics", timeout=10)
        assert public.status_code == 200 and "jupyterhub_running_servers" in public.text
