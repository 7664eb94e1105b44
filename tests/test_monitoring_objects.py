"""Monitoring objects: valid against their CRDs, wired to the right Services, dashboards sound, off by default."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import kubespawner.objects
import pytest
import yaml
from support.crds import crd_errors
from support.network_policy_evaluator import selects
from support.synthesis import MINIMAL, ROOT, dist_objects, environment, find, hub_config_text, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError, load_file

MONITORED = ["254carbon", "research", "thinkube", "urbalurba"]
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "PodMonitor"}
CONFIGMAP_LIMIT = 1024 * 1024


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_custom_resources_validate_against_their_crds(env):
    custom = [o for o in dist_objects(env) if o["kind"] in CUSTOM_KINDS]
    assert {o["kind"] for o in custom} == {"ServiceMonitor", "PrometheusRule"}
    for obj in custom:
        errors = crd_errors(obj)
        assert not errors, f"{env} {obj['kind']} {obj['metadata']['name']}: {errors}"


@pytest.mark.output
def test_strict_schema_catches_a_misspelt_field():
    """The validation above can fail: a typo in an endpoint is an error, not silently pruned."""
    monitor = find(dist_objects("thinkube"), "ServiceMonitor", "jupyterhub-hub")
    monitor["spec"]["endpoints"][0]["intervall"] = "30s"
    assert crd_errors(monitor)


@pytest.mark.output
def test_monitoring_is_off_by_default():
    objects = dist_objects("default")
    assert not [o for o in objects if o["kind"] in CUSTOM_KINDS]
    assert "metrics" not in json.dumps(find(objects, "Deployment", "jupyterhub-proxy"))
    assert "prometheus" not in hub_config_text(objects).lower()


def service_ports(service: dict) -> set[str]:
    return {port["name"] for port in service["spec"]["ports"]}


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_each_service_monitor_reaches_a_service_port_of_its_pods(env):
    objects = dist_objects(env)
    services = [o for o in objects if o["kind"] == "Service"]
    for monitor in (o for o in objects if o["kind"] == "ServiceMonitor"):
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        endpoint = monitor["spec"]["endpoints"][0]
        matched = [
            s
            for s in services
            if selects(monitor["spec"]["selector"], s["metadata"]["labels"]) and endpoint["port"] in service_ports(s)
        ]
        assert len(matched) == 1, f"{monitor['metadata']['name']} scrapes {len(matched)} Services"
        pods = [
            d
            for d in objects
            if d["kind"] == "Deployment"
            and selects({"matchLabels": matched[0]["spec"]["selector"]}, d["spec"]["template"]["metadata"]["labels"])
        ]
        container_ports = {p["name"] for p in pods[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        target = next(p["targetPort"] for p in matched[0]["spec"]["ports"] if p["name"] == endpoint["port"])
        assert target in container_ports


@pytest.mark.unit
def test_token_mode_scrapes_with_the_token_the_hub_reads(tmp_path):
    objects = synth_objects(MINIMAL + "monitoring: {enabled: true}\nhub: {base_url: /jupyter/}\n", tmp_path)
    monitor = find(objects, "ServiceMonitor", "jupyterhub-hub")
    endpoint = monitor["spec"]["endpoints"][0]
    assert endpoint["path"] == "/jupyter/hub/metrics"
    credentials = endpoint["authorization"]["credentials"]
    hub = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]["containers"][0]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in hub["env"]}
    assert refs["JUPYTERHUB_PROMETHEUS_TOKEN"] == {"name": credentials["name"], "key": credentials["key"]}
    # The bootstrap Job creates the key it is not told about only when asked.
    job = find(objects, "Job", "jupyterhub-secrets-bootstrap")["spec"]["template"]["spec"]["containers"][0]
    assert credentials["key"] in job["args"]
    assert "os.environ['JUPYTERHUB_PROMETHEUS_TOKEN']" in hub_config_text(objects)


@pytest.mark.unit
def test_own_token_secret_is_not_bootstrapped(tmp_path):
    objects = synth_objects(
        MINIMAL
        + "monitoring:\n  enabled: true\n  hub_metrics: {type: token, token_secret: {name: prom, key: token}}\n",
        tmp_path,
    )
    credentials = find(objects, "ServiceMonitor", "jupyterhub-hub")["spec"]["endpoints"][0]["authorization"][
        "credentials"
    ]
    assert credentials == {"name": "prom", "key": "token"}
    assert (
        "prometheus-api-token"
        not in find(objects, "Job", "jupyterhub-secrets-bootstrap")["spec"]["template"]["spec"]["containers"][0][
            "command"
        ]
    )


@pytest.mark.unit
def test_network_mode_opens_the_hub_port_to_prometheus_pods_only(tmp_path):
    objects = synth_objects(
        MINIMAL
        + "monitoring:\n  enabled: true\n  hub_metrics: {type: network}\n"
        + "  prometheus: {namespace: observability, pod_labels: {app: prom}}\n",
        tmp_path,
    )
    assert "c.JupyterHub.authenticate_prometheus = False" in hub_config_text(objects)
    assert "authorization" not in find(objects, "ServiceMonitor", "jupyterhub-hub")["spec"]["endpoints"][0]
    policy = find(objects, "NetworkPolicy", "jupyterhub-hub-metrics-scrape")
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "hub"
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}},
                    "podSelector": {"matchLabels": {"app": "prom"}},
                }
            ],
            "ports": [{"port": 8081, "protocol": "TCP"}],
        }
    ]


@pytest.mark.unit
def test_network_mode_without_network_policies_is_refused(tmp_path):
    metrics = "monitoring: {enabled: true, hub_metrics: {type: network}}\n"
    with pytest.raises(ConfigError) as error:
        environment(MINIMAL + metrics + "network_policy: {enabled: false}\n", tmp_path)
    assert [str(p) for p in error.value.problems] == [
        "environments/test.yaml: monitoring.hub_metrics.type: network turns the hub's metrics authentication off and "
        "relies on a NetworkPolicy to let only Prometheus in, but network_policy.enabled is false, so every pod of "
        "the cluster could read /hub/metrics; write hub_metrics: {type: token}, or turn network_policy on"
    ]
    # The token mode needs no policy.
    environment(MINIMAL + "monitoring: {enabled: true}\nnetwork_policy: {enabled: false}\n", tmp_path)


@pytest.mark.unit
@pytest.mark.parametrize(
    "alerts, field, advice",
    [
        ("quota: {threshold: 90}", "monitoring.alerts.quota.threshold", "write a value up to 1"),
        ("hub_down: {for: 5 minutes}", "monitoring.alerts.hub_down.for", "e.g. 5m"),
    ],
)
def test_bad_alert_settings_say_what_to_write(tmp_path, alerts, field, advice):
    with pytest.raises(ConfigError) as error:
        environment(MINIMAL + f"monitoring:\n  alerts:\n    {alerts}\n", tmp_path)
    assert f"{field}: " in str(error.value) and advice in str(error.value)


@pytest.mark.unit
def test_one_alert_setting_keeps_the_alerts_other_defaults(tmp_path):
    config = environment(MINIMAL + "monitoring:\n  alerts:\n    quota: {threshold: 0.5}\n", tmp_path).config
    assert (config.monitoring.alerts.quota.threshold, config.monitoring.alerts.quota.for_) == (0.5, "15m")


# --- Dashboards


def dashboards(env: str) -> tuple[dict, dict[str, dict]]:
    configmaps = [
        o for o in dist_objects(env) if o["kind"] == "ConfigMap" and "grafana_dashboard" in o["metadata"]["labels"]
    ]
    assert len(configmaps) == 1
    return configmaps[0], {name: json.loads(text) for name, text in configmaps[0]["data"].items()}


def panels(board: dict) -> list[dict]:
    return [nested for panel in board["panels"] for nested in [panel, *panel.get("panels", [])]]


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_dashboard_configmap_is_loadable_by_the_sidecar(env):
    configmap, boards = dashboards(env)
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    # (ArgoCD's sync-wave annotation sits next to it in environments synced by gitops.)
    assert configmap["metadata"]["annotations"]["grafana_folder"] == "JupyterHub"
    assert len(yaml.safe_dump(configmap).encode()) < CONFIGMAP_LIMIT
    assert boards and all(name.endswith(".json") for name in boards)


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_every_panel_queries_through_the_datasource_variable(env):
    _, boards = dashboards(env)
    for board in boards.values():
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        ids = [panel["id"] for panel in panels(board)]
        assert len(ids) == len(set(ids)), f"duplicate panel ids in {board['title']}"
        for panel in panels(board):
            if panel["type"] == "row":
                continue
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}", panel["title"]
                assert target["expr"].strip(), panel["title"]


@pytest.mark.output
def test_each_environment_gets_its_own_dashboard_uid():
    uids = {env: [b["uid"] for b in dashboards(env)[1].values()] for env in MONITORED}
    flat = [uid for values in uids.values() for uid in values]
    assert len(flat) == len(set(flat)) and all(len(uid) <= 40 for uid in flat)
    thinkube = next(iter(dashboards("thinkube")[1].values()))
    namespace = next(v for v in thinkube["templating"]["list"] if v["name"] == "namespace")
    assert namespace["current"]["value"] == "jupyterhub"


@pytest.mark.output
def test_dashboards_can_go_to_grafanas_namespace(tmp_path):
    objects = synth_objects(MINIMAL + "monitoring:\n  enabled: true\n  dashboards: {namespace: grafana}\n", tmp_path)
    configmap = find(objects, "ConfigMap", "jupyterhub-dashboards")
    assert configmap["metadata"]["namespace"] == "grafana"
    assert find(objects, "PrometheusRule")["metadata"]["namespace"] == "hub-test"


@pytest.mark.output
def test_environments_without_monitoring_do_not_load_the_custom_resource_bindings():
    """The Prometheus Operator bindings cost synth time; only environments with monitoring load them."""
    script = (
        "import sys; sys.path[:0] = ['constructs', '.']\n"
        "from pathlib import Path\n"
        "from jupyterhub_cdk8s.config.loader import load_file\n"
        "from jupyterhub_cdk8s.synth import manifests\n"
        "manifests([load_file(Path('environments/default.yaml'), 'environments/default.yaml')])\n"
        "print(sorted(name for name in sys.modules if name.startswith('imports.monitoring')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_panel_queries_use_only_defined_variables(env):
    _, boards = dashboards(env)
    for board in boards.values():
        defined = {v["name"] for v in board["templating"]["list"]}
        for panel in panels(board):
            for target in panel.get("targets", []):
                used = set(re.findall(r"\$\{?(\w+)", target["expr"])) - {"__rate_interval", "__interval", "__range"}
                assert used <= defined, f"{panel['title']}: undefined {used - defined}"


@pytest.mark.output
@pytest.mark.parametrize("env", MONITORED)
def test_dashboard_finds_user_volumes_and_containers_as_kubespawner_names_them(env):
    objects = dist_objects(env)
    _, boards = dashboards(env)
    constants = {
        v["name"]: v["query"] for v in next(iter(boards.values()))["templating"]["list"] if v["type"] == "constant"
    }
    config = load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config
    if config.singleuser.storage.type == "dynamic":  # thinkube has no per-user PVC, only shared volumes
        template = re.search(r"c\.KubeSpawner\.pvc_name_template = '([^']*)'", hub_config_text(objects)).group(1)
        assert template == constants["user_claim_prefix"] + "{user_server}"
    # Prometheus names a ServiceMonitor's job after the Service it scrapes.
    assert "http" in service_ports(find(objects, "Service", constants["hub_job"]))
    assert "metrics" in service_ports(find(objects, "Service", constants["proxy_job"]))
    # KubeSpawner 7 names the user container in kubespawner/objects.py.
    assert f"name='{constants['user_container']}'" in Path(kubespawner.objects.__file__).read_text()
