"""Each reference environment reproduces its seed document (../shared/seeds/), checked on dist/.

Every expected value below is transcribed from the seed, never from dist/. The
hub's jupyterhub_config.py is loaded by the real JupyterHub and the user pods
and PVCs are built by the real KubeSpawner (offline, `_mock=True`), so a fact
counts only if the hub would really act on it.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

import pytest
import yaml
from kubespawner import KubeSpawner
from support.synthesis import ROOT, dist_objects, find, hub_config_text
from support.user_pods import load_hub_config, on_spawner, spawn_form, user_pod, user_pvc
from traitlets.config import Config

from jupyterhub_cdk8s.config.loader import ConfigError, load_file

GI = 2**30


@functools.cache
def objects(env: str) -> tuple[dict, ...]:
    return tuple(dist_objects(env))


def hub_config(env: str, tmp_path: Path) -> Config:
    return load_hub_config(hub_config_text(list(objects(env))), tmp_path)


def container(pod: dict) -> dict:
    return pod["spec"]["containers"][0]


def pod_env(pod: dict) -> dict[str, object]:
    """The notebook container's env: plain values as strings, references as their valueFrom."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container(pod)["env"]}


def mounts(pod: dict) -> dict[str, dict]:
    return {m["mountPath"]: m for m in container(pod)["volumeMounts"]}


def pod_volume(pod: dict, mount_path: str) -> dict:
    name = mounts(pod)[mount_path]["name"]
    return next(v for v in pod["spec"]["volumes"] if v["name"] == name)


def deployment(env: str, component: str) -> dict:
    matches = [
        o
        for o in objects(env)
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    assert len(matches) == 1, f"expected one {component} Deployment in dist/{env}"
    return matches[0]


def resources(env: str, component: str) -> dict:
    return deployment(env, component)["spec"]["template"]["spec"]["containers"][0]["resources"]


def spawner_traits(config: Config, *names: str) -> dict[str, object]:
    async def read(spawner: KubeSpawner) -> dict[str, object]:
        return {name: getattr(spawner, name) for name in names}

    return on_spawner(config, read)


def assert_one_namespace(env: str, namespace: str) -> None:
    assert find(list(objects(env)), "Namespace")["metadata"]["name"] == namespace
    cluster_scoped = ("Namespace", "PriorityClass", "ClusterRole", "ClusterRoleBinding")
    namespaced = [o for o in objects(env) if o["kind"] not in cluster_scoped]
    assert {o["metadata"]["namespace"] for o in namespaced} == {namespace}


def ingress_hosts(env: str) -> list[str]:
    return [rule["host"] for rule in find(list(objects(env)), "Ingress")["spec"]["rules"]]


def refused_hub_replicas(env: str, tmp_path: Path) -> str:
    """The loader's message for the environment file with the seed's `hub.replicas: 2` written in."""
    document = yaml.safe_load((ROOT / "environments" / f"{env}.yaml").read_text(encoding="utf-8"))
    document.setdefault("hub", {})["replicas"] = 2
    path = tmp_path / f"{env}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_file(path, f"environments/{env}.yaml")
    return str(refused.value)


# --- 254Carbon (seeds 000, 001, 003) ------------------------------------------------------------------------------

CARBON = "254carbon"
CARBON_SERVICES = {
    # seed 001, "Platform Services": name -> (namespace, port), and what a notebook sees of it.
    "trino": ("data-platform", 8080, {"TRINO_HOST": "iceberg.data-platform", "TRINO_PORT": "8080"}),
    "minio": ("data-platform", 9000, {"S3_ENDPOINT": "http://minio.data-platform:9000"}),
    "mlflow": ("ml-platform", 5000, {"MLFLOW_TRACKING_URI": "http://mlflow.ml-platform:5000"}),
    "postgresql": ("data-platform", 5432, {"POSTGRES_HOST": "postgres-shared.data-platform", "POSTGRES_PORT": "5432"}),
    "datahub": ("data-platform", 8080, {"DATAHUB_GMS_URL": "http://datahub-gms.data-platform:8080"}),
    # The seed's 6379 is Ray's GCS port; notebooks use the head's Ray Client port (README, "Where we differ").
    "ray": ("data-platform", 10001, {"RAY_ADDRESS": "ray://ray-cluster-head.data-platform:10001"}),
    "kafka": ("data-platform", 9092, {"KAFKA_BOOTSTRAP_SERVERS": "kafka-cluster-kafka-bootstrap.data-platform:9092"}),
}


@pytest.mark.real
def test_254carbon_namespace_host_and_cloudflare_access(tmp_path):
    assert_one_namespace(CARBON, "jupyter")
    assert ingress_hosts(CARBON) == ["jupyter.254carbon.com"]
    oauth = hub_config(CARBON, tmp_path).GenericOAuthenticator
    assert oauth.oauth_callback_url == "https://jupyter.254carbon.com/hub/oauth_callback"
    # Cloudflare Access's OIDC endpoints: https://<team>.cloudflareaccess.com/cdn-cgi/access/sso/oidc/<client id>/...
    for url, endpoint in (
        (oauth.authorize_url, "authorization"),
        (oauth.token_url, "token"),
        (oauth.userdata_url, "userinfo"),
    ):
        team, _, path = url.removeprefix("https://").partition("/")
        assert team.endswith(".cloudflareaccess.com")
        assert path == f"cdn-cgi/access/sso/oidc/{oauth.client_id}/{endpoint}"


@pytest.mark.real
def test_254carbon_user_pods_resources_storage_and_shared_data(tmp_path):
    config = hub_config(CARBON, tmp_path)
    pod = user_pod(config, {})
    assert container(pod)["resources"] == {
        "requests": {"cpu": 2, "memory": 8 * GI},
        "limits": {"cpu": 4, "memory": 16 * GI},
    }
    assert user_pvc(config)["spec"]["resources"]["requests"]["storage"] == "10Gi"
    shared = pod_volume(pod, "/mnt/shared-data")
    claim = find(list(objects(CARBON)), "PersistentVolumeClaim", shared["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


@pytest.mark.output
def test_254carbon_hub_is_one_replica_with_the_seeds_resources():
    assert resources(CARBON, "hub") == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    }
    hub = deployment(CARBON, "hub")["spec"]
    assert hub["replicas"] == 1
    assert hub["strategy"] == {"type": "Recreate"}


@pytest.mark.unit
def test_254carbon_two_hub_replicas_are_refused_with_the_reason(tmp_path):
    message = refused_hub_replicas(CARBON, tmp_path)
    assert message.startswith("environments/254carbon.yaml: hub.replicas: 2 replicas refused:")
    assert "database" in message and "write 1" in message


@pytest.mark.output
def test_254carbon_quota():
    users = find(list(objects(CARBON)), "ResourceQuota", "jupyterhub-user-quota")["spec"]["hard"]
    storage = find(list(objects(CARBON)), "ResourceQuota", "jupyterhub-storage-quota")["spec"]["hard"]
    assert (users["requests.cpu"], users["requests.memory"], storage["persistentvolumeclaims"]) == ("100", "200Gi", 100)


@pytest.mark.real
def test_254carbon_platform_services_in_user_env_and_egress(tmp_path):
    env = pod_env(user_pod(hub_config(CARBON, tmp_path), {}))
    for _, _, variables in CARBON_SERVICES.values():
        assert {name: env.get(name) for name in variables} == variables
    egress = find(list(objects(CARBON)), "NetworkPolicy", "jupyterhub-singleuser-to-platform-services")["spec"][
        "egress"
    ]
    opened = {
        (peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], port["port"])
        for rule in egress
        for peer in rule["to"]
        for port in rule["ports"]
    }
    assert opened == {(namespace, port) for namespace, port, _ in CARBON_SERVICES.values()}


@pytest.mark.output
def test_254carbon_monitoring():
    carbon = list(objects(CARBON))
    assert {o["metadata"]["name"] for o in carbon if o["kind"] == "ServiceMonitor"} >= {"jupyterhub-hub"}
    assert find(carbon, "PrometheusRule")["spec"]["groups"]
    dashboards = [
        o for o in carbon if o["kind"] == "ConfigMap" and o["metadata"]["labels"].get("grafana_dashboard") == "1"
    ]
    assert len(dashboards) == 1 and any(key.endswith(".json") for key in dashboards[0]["data"])


# --- Thinkube (seed 002) ------------------------------------------------------------------------------------------

THINKUBE = "thinkube"
KEYCLOAK_REALM = "https://keycloak.example.com/realms/thinkube/protocol/openid-connect"
THINKUBE_IMAGES = {  # seed: {harbor_registry}/library/<image>:latest, harbor.example.com in the environment
    "tk-jupyter-scipy": "harbor.example.com/library/tk-jupyter-scipy:latest",
    "ml-cpu": "harbor.example.com/library/tk-jupyter-ml-cpu:latest",
    "ml-gpu": "harbor.example.com/library/tk-jupyter-ml-gpu:latest",
}


def thinkube_pod(config: Config, profile: str, **choices: str) -> dict:
    """The pod for a spawn-page submission of `profile` with `choices` of its options."""
    formdata = {"profile": [profile]} | {f"profile-option-{profile}--{k}": [v] for k, v in choices.items()}
    return user_pod(config, spawn_form(config, formdata)[1])


@pytest.mark.real
def test_thinkube_namespace_and_keycloak_realm(tmp_path):
    assert_one_namespace(THINKUBE, "jupyterhub")
    oauth = hub_config(THINKUBE, tmp_path).GenericOAuthenticator
    assert (oauth.authorize_url, oauth.token_url, oauth.userdata_url) == (
        f"{KEYCLOAK_REALM}/auth",
        f"{KEYCLOAK_REALM}/token",
        f"{KEYCLOAK_REALM}/userinfo",
    )
    assert oauth.logout_redirect_url.startswith(f"{KEYCLOAK_REALM}/logout?")
    assert "control.example.com" in oauth.logout_redirect_url
    assert oauth.username_claim == "preferred_username"


@pytest.mark.real
def test_thinkube_three_image_profiles_with_cpu_memory_and_gpu_options(tmp_path):
    config = hub_config(THINKUBE, tmp_path)
    for slug, image in THINKUBE_IMAGES.items():
        assert container(thinkube_pod(config, slug))["image"] == image
    scipy = container(thinkube_pod(config, "tk-jupyter-scipy", cpu="8", memory="16Gi"))["resources"]["limits"]
    assert scipy == {"cpu": 8, "memory": 16 * GI}
    ml_cpu = container(thinkube_pod(config, "ml-cpu", memory="32Gi"))["resources"]["limits"]
    assert ml_cpu["memory"] == 32 * GI
    gpu_pod = thinkube_pod(config, "ml-gpu", gpu="2")
    assert container(gpu_pod)["resources"]["limits"]["nvidia.com/gpu"] == 2
    assert gpu_pod["spec"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in gpu_pod["spec"]["tolerations"]
    assert "nvidia.com/gpu" not in container(thinkube_pod(config, "ml-cpu"))["resources"]["limits"]


@pytest.mark.real
def test_thinkube_juicefs_volumes_scratch_and_examples(tmp_path):
    pod = user_pod(hub_config(THINKUBE, tmp_path), {})
    for directory, size in (("notebooks", "100Gi"), ("datasets", "500Gi"), ("models", "200Gi")):
        claim_name = pod_volume(pod, f"/home/jovyan/thinkube/{directory}")["persistentVolumeClaim"]["claimName"]
        claim = find(list(objects(THINKUBE)), "PersistentVolumeClaim", claim_name)["spec"]
        assert (claim["accessModes"], claim["resources"]["requests"]["storage"]) == (["ReadWriteMany"], size)
        assert claim["storageClassName"] == "juicefs-rwx"
    assert pod_volume(pod, "/home/jovyan/scratch")["emptyDir"] == {"sizeLimit": "100Gi"}
    assert "emptyDir" in pod_volume(pod, "/home/jovyan/thinkube/examples-repo")
    init = {c["name"]: c for c in pod["spec"]["initContainers"]}
    clone = init["clone-examples"]
    assert clone["command"][:2] == ["git", "clone"]
    assert "https://github.com/thinkube/thinkube-ai-examples.git" in clone["command"]
    # the seed's fix-permissions: the JuiceFS directories owned by jovyan (1000:100)
    fix = next(c for c in init.values() if c is not clone)
    assert "chown 1000:100" in fix["command"][-1]


@pytest.mark.real
def test_thinkube_env_spawner_and_hub_settings(tmp_path):
    config = hub_config(THINKUBE, tmp_path)
    env = pod_env(user_pod(config, {}))
    seed_env = {
        "NVIDIA_DRIVER_CAPABILITIES": "compute,utility",
        "JUPYTER_ENABLE_LAB": "yes",
        "JUPYTER_LAB_ENABLE_COLLABORATION": "true",
    }
    assert {name: env.get(name) for name in seed_env} == seed_env
    # The seed's GRANT_SUDO=yes is deliberately not reproduced (see environments/thinkube.yaml).
    assert "GRANT_SUDO" not in env
    traits = spawner_traits(config, "start_timeout", "http_timeout", "default_url")
    assert traits == {"start_timeout": 120, "http_timeout": 60, "default_url": "/lab/tree/thinkube/notebooks"}
    assert config.JupyterHub.concurrent_spawn_limit == 100
    assert config.JupyterHub.shutdown_on_logout is True


@pytest.mark.output
def test_thinkube_ingress_annotations(tmp_path):
    ingress = find(list(objects(THINKUBE)), "Ingress")
    annotations = ingress["metadata"]["annotations"]
    # Seed: body size unlimited, 3600 s read/send timeouts, websockets. ingress-nginx passes the
    # websocket Upgrade through by itself; the long timeouts are what keep kernels' sockets open.
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "0"
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert ingress["spec"]["tls"] == [{"hosts": ["jupyter.example.com"], "secretName": "jupyterhub-tls-secret"}]


@pytest.mark.real
def test_thinkube_branding(tmp_path):
    config = hub_config(THINKUBE, tmp_path)
    (template_dir,) = config.JupyterHub.template_paths
    hub_pod = deployment(THINKUBE, "hub")["spec"]["template"]["spec"]
    mount = next(m for m in hub_pod["containers"][0]["volumeMounts"] if m["mountPath"] == template_dir)
    volume = next(v for v in hub_pod["volumes"] if v["name"] == mount["name"])
    branding = find(list(objects(THINKUBE)), "ConfigMap", volume["configMap"]["name"])["data"]
    announcement = "Welcome to Thinkube AI Lab - Thinkube's intelligent notebook laboratory"
    assert announcement in html.unescape(branding["page.html"])
    assert "#006680" in branding["page.html"]  # --tk-teal
    assert config.JupyterHub.logo_file.startswith(template_dir + "/")


# --- Urbalurba (seed 004) ------------------------------------------------------------------------------------------

URBALURBA = "urbalurba"
PYSPARK_IMAGE = "jupyter/pyspark-notebook:spark-3.5.0"


@pytest.mark.real
def test_urbalurba_shared_password_from_urbalurba_secrets(tmp_path, monkeypatch):
    assert_one_namespace(URBALURBA, "jupyterhub")
    assert ingress_hosts(URBALURBA) == ["jupyterhub.localhost"]
    hub_env = deployment(URBALURBA, "hub")["spec"]["template"]["spec"]["containers"][0]["env"]
    (password_env,) = [
        e["name"]
        for e in hub_env
        if e.get("valueFrom", {}).get("secretKeyRef")
        == {"name": "urbalurba-secrets", "key": "JUPYTERHUB_AUTH_PASSWORD"}
    ]
    monkeypatch.setenv(password_env, "the-password-in-urbalurba-secrets")
    config = hub_config(URBALURBA, tmp_path)
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "the-password-in-urbalurba-secrets"


@pytest.mark.real
def test_urbalurba_user_pods_image_pyspark_resources_and_storage(tmp_path):
    config = hub_config(URBALURBA, tmp_path)
    pod = user_pod(config, {})
    assert container(pod)["image"] == PYSPARK_IMAGE
    env = pod_env(pod)
    assert (env["PYSPARK_PYTHON"], env["PYSPARK_DRIVER_PYTHON"]) == ("/opt/conda/bin/python", "/opt/conda/bin/python")
    # The seed's chart wrote 512M/2G, which KubeSpawner reads as powers of 1024: its pods got 512Mi/2Gi.
    assert container(pod)["resources"] == {
        "requests": {"cpu": 0.1, "memory": 512 * 2**20},
        "limits": {"cpu": 2, "memory": 2 * 2**30},
    }
    post_start = container(pod)["lifecycle"]["postStart"]["exec"]["command"]
    assert "pip install --user pyspark==3.5.0 findspark plotly seaborn scikit-learn" in post_start[-1]
    claim = user_pvc(config)["spec"]
    assert (claim["storageClassName"], claim["resources"]["requests"]["storage"]) == ("local-path", "10Gi")


@pytest.mark.output
def test_urbalurba_hub_proxy_scheduler_and_puller():
    assert resources(URBALURBA, "hub") == {
        "requests": {"cpu": "200m", "memory": "512Mi"},
        "limits": {"cpu": "2", "memory": "1Gi"},
    }
    assert resources(URBALURBA, "proxy") == {
        "requests": {"cpu": "200m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert deployment(URBALURBA, "user-scheduler")["spec"]["replicas"] == 2
    (puller,) = [o["spec"]["template"]["spec"] for o in objects(URBALURBA) if o["kind"] == "DaemonSet"]
    assert PYSPARK_IMAGE in [c["image"] for c in puller.get("initContainers", []) + puller["containers"]]
