"""Unit tests of the core constructs, each from a small config."""

from __future__ import annotations

import hashlib

import pytest
from support.synthesis import ENVIRONMENTS, MINIMAL, dist_objects, find, hub_config_text, synth_objects

from jupyterhub_cdk8s.config.resources import byte_count, cores
from jupyterhub_cdk8s.singleuser import kubespawner_bytes


def hub_container(objects):
    return find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]["containers"][0]


def env_sources(container) -> dict[str, tuple[str, str]]:
    return {
        e["name"]: (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        for e in container.get("env", [])
        if "valueFrom" in e
    }


@pytest.mark.unit
def test_hub_is_a_recreated_singleton_that_rolls_on_config_change(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    deployment = find(objects, "Deployment", "jupyterhub-hub")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    checksum = deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    assert checksum == hashlib.sha256(hub_config_text(objects).encode()).hexdigest()
    changed = synth_objects(MINIMAL + "hub:\n  concurrent_spawn_limit: 5\n", tmp_path)
    changed_checksum = find(changed, "Deployment", "jupyterhub-hub")["spec"]["template"]["metadata"]["annotations"]
    assert changed_checksum["checksum/config"] != checksum


@pytest.mark.unit
def test_hub_reads_every_secret_from_secret_key_refs(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    assert env_sources(hub_container(objects)) == {
        "CONFIGPROXY_AUTH_TOKEN": ("jupyterhub-hub-secret", "proxy-auth-token"),
        "JPY_COOKIE_SECRET": ("jupyterhub-hub-secret", "cookie-secret"),
        "JUPYTERHUB_SHARED_PASSWORD": ("hub-password", "password"),
        "JUPYTERHUB_ADMIN_PASSWORD": ("hub-password", "admin-password"),
    }
    text = hub_config_text(objects)
    for name in env_sources(hub_container(objects)):
        assert f"os.environ['{name}']" in text


@pytest.mark.unit
def test_hub_probes_follow_base_url(tmp_path):
    container = hub_container(synth_objects(MINIMAL + "hub:\n  base_url: /jupyter/\n", tmp_path))
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/jupyter/hub/health"


@pytest.mark.unit
def test_sqlite_database_gets_a_protected_pvc_and_postgres_gets_none(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    pvc = find(objects, "PersistentVolumeClaim", "jupyterhub-hub-db")
    assert pvc["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    postgres = synth_objects(
        MINIMAL
        + "hub:\n  database: {type: postgresql, url_secret: {name: hub-db, key: url}}\n"
        + "network_policy:\n  database: {cidrs: [10.0.5.10/32]}\n",
        tmp_path,
    )
    assert not [o for o in postgres if o["kind"] == "PersistentVolumeClaim"]
    assert env_sources(hub_container(postgres))["JUPYTERHUB_DB_URL"] == ("hub-db", "url")
    assert "c.JupyterHub.db_url = os.environ['JUPYTERHUB_DB_URL']" in hub_config_text(postgres)


@pytest.mark.unit
def test_hub_role_grants_only_what_kubespawner_uses(tmp_path):
    role = find(synth_objects(MINIMAL, tmp_path), "Role", "jupyterhub-hub")
    granted = {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}
    # The calls KubeSpawner 7.0.0 makes: pod and event reflectors (list/watch), create/delete of pods,
    # create of home PVCs and a read of an existing one; never a delete of a home unless asked
    # (test_homes_outlive_their_users.py ties the PVC verbs to the real KubeSpawner's settings).
    assert granted == {
        *(("pods", v) for v in ("list", "watch", "create", "delete")),
        *(("persistentvolumeclaims", v) for v in ("get", "create")),
        *(("events", v) for v in ("list", "watch")),
    }


@pytest.mark.unit
def test_proxy_routes_to_the_hub_service_with_the_shared_token(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    deployment = find(objects, "Deployment", "jupyterhub-proxy")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert "--default-target=http://jupyterhub-hub.hub-test.svc:8081" in container["command"]
    assert env_sources(container) == {"CONFIGPROXY_AUTH_TOKEN": ("jupyterhub-hub-secret", "proxy-auth-token")}
    assert "c.ConfigurableHTTPProxy.api_url = 'http://jupyterhub-proxy-api.hub-test.svc:8001'" in hub_config_text(
        objects
    )
    public = find(objects, "Service", "jupyterhub-proxy-public")
    assert public["spec"]["type"] == "ClusterIP"
    assert public["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.unit
def test_ingress_for_ingress_nginx_keeps_websockets_and_uploads_working(tmp_path):
    objects = synth_objects(MINIMAL + "ingress: {tls_secret: hub-tls}\n", tmp_path)
    ingress = find(objects, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "0"
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert ingress["spec"]["tls"] == [{"hosts": ["hub.example.com"], "secretName": "hub-tls"}]
    assert ingress["spec"]["rules"][0]["host"] == "hub.example.com"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "jupyterhub-proxy-public", "port": {"number": 80}}


@pytest.mark.unit
def test_nginx_inc_controller_is_told_which_service_speaks_websockets(tmp_path):
    ingress = find(synth_objects(MINIMAL + "ingress: {controller: nginx-inc}\n", tmp_path), "Ingress")
    assert ingress["metadata"]["annotations"]["nginx.org/websocket-services"] == "jupyterhub-proxy-public"


@pytest.mark.unit
def test_ingress_can_be_turned_off(tmp_path):
    objects = synth_objects(MINIMAL + "ingress: {enabled: false}\nproxy: {service: {type: LoadBalancer}}\n", tmp_path)
    assert not [o for o in objects if o["kind"] == "Ingress"]
    assert find(objects, "Service", "jupyterhub-proxy-public")["spec"]["type"] == "LoadBalancer"


@pytest.mark.unit
def test_existing_secret_replaces_the_bootstrap_job(tmp_path):
    objects = synth_objects(MINIMAL + "secrets: {existing_secret: my-hub-secret}\n", tmp_path)
    assert not [o for o in objects if o["metadata"]["name"] == "jupyterhub-secrets-bootstrap"]
    assert env_sources(hub_container(objects))["JPY_COOKIE_SECRET"] == ("my-hub-secret", "cookie-secret")


@pytest.mark.unit
def test_bootstrap_job_is_an_argocd_presync_hook(tmp_path):
    job = find(synth_objects(MINIMAL, tmp_path), "Job", "jupyterhub-secrets-bootstrap")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PreSync"
    assert "HookSucceeded" in annotations["argocd.argoproj.io/hook-delete-policy"]


@pytest.mark.unit
def test_namespace_is_optional_and_labelled_for_pod_security(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    namespace = find(objects, "Namespace", "hub-test")
    assert "namespace" not in namespace["metadata"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert not [o for o in synth_objects(MINIMAL + "create_namespace: false\n", tmp_path) if o["kind"] == "Namespace"]


@pytest.mark.unit
def test_every_object_carries_the_recommended_labels(tmp_path):
    for obj in synth_objects(MINIMAL, tmp_path):
        labels = obj["metadata"]["labels"]
        for key in ("name", "instance", "component", "part-of", "managed-by"):
            assert f"app.kubernetes.io/{key}" in labels, (obj["kind"], obj["metadata"]["name"], key)


@pytest.mark.unit
def test_our_pods_are_restricted(tmp_path):
    for obj in synth_objects(MINIMAL, tmp_path):
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        spec = obj["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
            assert container["resources"]["limits"] and container["resources"]["requests"]


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_secret_value_is_ever_synthesized(env):
    for obj in dist_objects(env):
        assert obj["kind"] != "Secret" or not ({"data", "stringData"} & obj.keys())


@pytest.mark.unit
def test_config_file_is_deterministic_with_sets(tmp_path):
    text = MINIMAL.replace("allowed_users: [alice]", "allowed_users: [zoe, alice, mike]")
    rendered = hub_config_text(synth_objects(text, tmp_path))
    assert "c.Authenticator.allowed_users = {'alice', 'mike', 'zoe'}" in rendered


@pytest.mark.unit
@pytest.mark.parametrize(
    "quantity, expected",
    [("8Gi", "8G"), ("512Mi", "512M"), ("1536Mi", "1536M"), ("2G", "1953125K"), ("1Ti", "1T")],
)
def test_memory_is_written_in_kubespawner_units_without_changing_its_size(quantity, expected):
    value = kubespawner_bytes(quantity)
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    assert value == expected
    assert int(value[:-1]) * units[value[-1]] == byte_count(quantity)


@pytest.mark.unit
@pytest.mark.parametrize("cpu, expected", [("500m", 0.5), ("2", 2.0), ("0.25", 0.25)])
def test_cpu_quantities(cpu, expected):
    assert cores(cpu) == expected
