"""The platform catalog: each service shows up in the pod env, one egress rule and the helper module, only."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import MINIMAL, ROOT, dist_objects, environment, find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.config import ConfigError
from jupyterhub_cdk8s.config.loader import load_file

SELECTOR = {"app.kubernetes.io/name": "jupyterhub", "app.kubernetes.io/instance": "jupyterhub"}

CARBON = load_file(ROOT / "environments" / "254carbon.yaml", "254carbon").config


def helper_files(objects: list[dict]) -> dict[str, str]:
    return find(objects, "ConfigMap", "jupyterhub-platform-services")["data"]


def import_helper(files: dict[str, str], directory: Path):
    """Import the shipped module the way a notebook does: from its directory on PYTHONPATH."""
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("platform_services", directory / "platform_services.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pod_environment(pod: dict, secrets: dict[tuple[str, str], str]) -> dict[str, str]:
    """The container's environment as the kubelet would fill it (Secrets from `secrets`, the pod IP made up)."""
    values = {}
    for item in pod["spec"]["containers"][0]["env"]:
        if "value" in item:
            values[item["name"]] = item["value"]
        elif "secretKeyRef" in item["valueFrom"]:
            ref = item["valueFrom"]["secretKeyRef"]
            values[item["name"]] = secrets[(ref["name"], ref["key"])]
        else:
            values[item["name"]] = "10.1.2.3"
    return values


@pytest.fixture(scope="module")
def carbon_pod(tmp_path_factory) -> dict:
    objects = dist_objects("254carbon")
    return user_pod(load_hub_config(hub_config_text(objects), tmp_path_factory.mktemp("hub")), {})


@pytest.mark.real
def test_each_service_in_pod_env_with_credentials_only_as_secret_refs(carbon_pod: dict):
    env = {item["name"]: item for item in carbon_pod["spec"]["containers"][0]["env"]}
    expected = {
        "TRINO_HOST": "iceberg.data-platform",
        "TRINO_PORT": "8080",
        "TRINO_CATALOG": "iceberg",
        "S3_ENDPOINT": "http://minio.data-platform:9000",
        "MLFLOW_TRACKING_URI": "http://mlflow.ml-platform:5000",
        "POSTGRES_HOST": "postgres-shared.data-platform",
        "POSTGRES_PORT": "5432",
        "DATAHUB_GMS_URL": "http://datahub-gms.data-platform:8080",
        "RAY_ADDRESS": "ray://ray-cluster-head.data-platform:10001",
        "KAFKA_BOOTSTRAP_SERVERS": "kafka-cluster-kafka-bootstrap.data-platform:9092",
    }
    for name, value in expected.items():
        assert env[name] == {"name": name, "value": value}
    secrets = {
        "AWS_ACCESS_KEY_ID": ("jupyterhub-secrets", "minio-access-key"),
        "AWS_SECRET_ACCESS_KEY": ("jupyterhub-secrets", "minio-secret-key"),
        "POSTGRES_PASSWORD": ("jupyterhub-secrets", "postgres-password"),
    }
    for name, (secret, key) in secrets.items():
        assert env[name] == {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
    # Nothing else reads the Secret, and nothing carries a credential as a value.
    refs = [item for item in env.values() if "secretKeyRef" in item.get("valueFrom", {})]
    assert sorted(item["name"] for item in refs) == sorted(secrets)


@pytest.mark.output
def test_each_service_has_exactly_one_egress_rule_to_its_namespace_and_port():
    objects = dist_objects("254carbon")
    policy = find(objects, "NetworkPolicy", "jupyterhub-singleuser-to-platform-services")
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "singleuser-server"
    assert policy["spec"]["policyTypes"] == ["Egress"]
    rules = {
        (rule["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], port["port"])
        for rule in policy["spec"]["egress"]
        for port in rule["ports"]
    }
    assert len(policy["spec"]["egress"]) == len(rules)
    assert rules == {(s.host.split(".")[1], s.port) for s in CARBON.platform_services.services}
    assert "ingress" not in policy["spec"]


@pytest.mark.output
def test_services_appear_nowhere_else():
    """A service's host is only in the hub config (the spawner's env); its namespace only there and in the policy."""
    for obj in dist_objects("254carbon"):
        text = yaml.safe_dump(obj)
        name = obj["metadata"]["name"]
        for service in CARBON.platform_services.services:
            if service.host in text:
                assert name == "jupyterhub-hub-config", f"{service.host} in {obj['kind']} {name}"
            if service.namespace in text:
                assert name in ("jupyterhub-hub-config", "jupyterhub-singleuser-to-platform-services"), name


@pytest.mark.real
def test_helper_module_builds_connections_from_the_pod_environment(carbon_pod: dict, tmp_path: Path, monkeypatch):
    files = helper_files(dist_objects("254carbon"))
    catalog = json.loads(files["catalog.json"])
    assert [s["name"] for s in catalog["services"]] == [s.name for s in CARBON.platform_services.services]
    assert "minio-secret-key" not in files["catalog.json"]  # names of variables only
    secrets = {
        ("jupyterhub-secrets", "minio-access-key"): "AKIA-test",
        ("jupyterhub-secrets", "minio-secret-key"): "s3cret",
        ("jupyterhub-secrets", "postgres-password"): "pg-pass",
    }
    for name, value in pod_environment(carbon_pod, secrets).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PLATFORM_SERVICES_CATALOG", str(tmp_path / "catalog.json"))
    module = import_helper(files, tmp_path)
    assert module.trino_connection_params() == {
        "host": "iceberg.data-platform",
        "port": 8080,
        "user": "alice",
        "http_scheme": "http",
    }
    assert module.s3_client_params() == {
        "endpoint_url": "http://minio.data-platform:9000",
        "aws_access_key_id": "AKIA-test",
        "aws_secret_access_key": "s3cret",
    }
    assert module.mlflow_tracking_uri() == "http://mlflow.ml-platform:5000"
    assert module.postgres_connection_params(dbname="analytics") == {
        "host": "postgres-shared.data-platform",
        "port": 5432,
        "user": "alice",
        "password": "pg-pass",
        "dbname": "analytics",
    }
    assert module.datahub_gms_url() == "http://datahub-gms.data-platform:8080"
    assert module.ray_address() == "ray://ray-cluster-head.data-platform:10001"
    assert module.kafka_config() == {"bootstrap.servers": "kafka-cluster-kafka-bootstrap.data-platform:9092"}
    with pytest.raises(LookupError, match="Spark is not enabled"):
        module.spark_conf()
    # Client libraries are imported on use only: absent here, so the call says so.
    monkeypatch.setitem(sys.modules, "trino", None)
    with pytest.raises(ImportError):
        module.trino_connection()


def spark_conf_in_pod(objects: list[dict], directory: Path, monkeypatch) -> tuple[dict, dict]:
    """The helper's Spark settings, computed inside the pod KubeSpawner builds."""
    pod = user_pod(load_hub_config(hub_config_text(objects), directory), {})
    for name, value in pod_environment(pod, {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PLATFORM_SERVICES_CATALOG", str(directory / "catalog.json"))
    return pod, import_helper(helper_files(objects), directory).spark_conf("test")


@pytest.mark.real
def test_urbalurba_notebooks_are_local_spark_drivers_without_api_access(tmp_path: Path, monkeypatch):
    objects = dist_objects("urbalurba")
    pod, conf = spark_conf_in_pod(objects, tmp_path, monkeypatch)
    env = {item["name"]: item.get("value") for item in pod["spec"]["containers"][0]["env"]}
    assert env["PYSPARK_PYTHON"] == env["PYSPARK_DRIVER_PYTHON"] == "/opt/conda/bin/python"
    assert conf["spark.master"] == "local[*]"
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert not [o for o in objects if o["kind"] in ("Role", "NetworkPolicy") and "spark" in o["metadata"]["name"]]


SPARK_EXECUTORS = (
    MINIMAL
    + """
singleuser: {image: "jupyter/pyspark-notebook:spark-3.5.0"}
platform_services:
  spark: {enabled: true, executors: true, api_server_cidrs: [10.43.0.1/32]}
"""
)


@pytest.mark.real
def test_spark_driver_settings_and_executor_access(tmp_path: Path, monkeypatch):
    objects = synth_objects(SPARK_EXECUTORS, tmp_path)
    pod, conf = spark_conf_in_pod(objects, tmp_path, monkeypatch)
    assert conf["spark.master"] == "k8s://https://kubernetes.default.svc"
    assert conf["spark.kubernetes.namespace"] == "hub-test"
    assert conf["spark.kubernetes.container.image"] == "jupyter/pyspark-notebook:spark-3.5.0"
    assert conf["spark.driver.host"] == "10.1.2.3"
    assert conf["spark.pyspark.python"] == "/opt/conda/bin/python"
    assert conf["spark.kubernetes.executor.label.app.kubernetes.io/component"] == "spark-executor"
    # The executors' policy selects exactly the labels the helper gives them, and lets them call the driver port.
    executors = find(objects, "NetworkPolicy", "jupyterhub-spark-executors")
    executor_labels = {k.removeprefix("spark.kubernetes.executor.label."): v for k, v in conf.items() if ".label." in k}
    assert executors["spec"]["podSelector"]["matchLabels"] == executor_labels
    assert {"port": int(conf["spark.driver.port"]), "protocol": "TCP"} in executors["spec"]["egress"][0]["ports"]
    driver = find(objects, "NetworkPolicy", "jupyterhub-singleuser-spark-driver")
    assert driver["spec"]["ingress"][0]["from"] == [{"podSelector": {"matchLabels": executor_labels}}]
    assert {
        "to": [{"ipBlock": {"cidr": "10.43.0.1/32"}}],
        # The API server's ports of network_policy.api_server (minikube and vcluster serve it on 8443).
        "ports": [
            {"port": 443, "protocol": "TCP"},
            {"port": 6443, "protocol": "TCP"},
            {"port": 8443, "protocol": "TCP"},
        ],
    } in driver["spec"]["egress"]
    # Least privilege: pods and configmaps, nothing else, no wildcard.
    role = find(objects, "Role", "jupyterhub-singleuser-spark")
    assert sorted(r for rule in role["rules"] for r in rule["resources"]) == ["configmaps", "pods"]
    assert not any("*" in rule["verbs"] for rule in role["rules"])
    assert pod["spec"]["serviceAccountName"] == "jupyterhub-singleuser-spark"
    # Executors run in the users' PriorityClass (Spark's executor pod template), which the user quota counts:
    # without it they would escape the quota.
    template = json.loads(Path(conf["spark.kubernetes.executor.podTemplateFile"]).read_text(encoding="utf-8"))
    [scope] = find(objects, "ResourceQuota", "jupyterhub-user-quota")["spec"]["scopeSelector"]["matchExpressions"]
    assert scope["scopeName"] == "PriorityClass" and scope["operator"] == "In"
    assert scope["values"] == [template["spec"]["priorityClassName"]] == [pod["spec"]["priorityClassName"]]


@pytest.mark.unit
def test_no_catalog_no_objects(tmp_path: Path):
    objects = synth_objects(
        """
        namespace: hub-test
        auth: {type: shared-password, password_secret: {name: p, key: k}, allow_all: true}
        """,
        tmp_path,
    )
    assert not [
        o for o in objects if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") == "platform-services"
    ]
    assert "PYTHONPATH" not in hub_config_text(objects)


@pytest.mark.unit
def test_helper_module_can_be_turned_off(tmp_path: Path):
    text = """
    namespace: hub-test
    auth: {type: shared-password, password_secret: {name: p, key: k}, allow_all: true}
    platform_services:
      helper_module: false
      services: [{name: ml, kind: mlflow, host: mlflow.ml, port: 5000}]
    """
    objects = synth_objects(text, tmp_path)
    assert [o["kind"] for o in objects if o["metadata"]["name"].endswith("platform-services")] == ["NetworkPolicy"]
    assert environment(text, tmp_path).config.platform_services.services[0].variable("url") == "MLFLOW_TRACKING_URI"


@pytest.mark.output
@pytest.mark.parametrize("env", ["254carbon", "research", "thinkube", "urbalurba"])
def test_objects_of_user_servers_are_valid_kubernetes(env: str, tmp_path: Path):
    import kubernetes_validate
    from kubernetes_validate.utils import all_versions

    mine = {"shared-storage", "platform-services", "singleuser-server"}
    objects = [
        o
        for o in dist_objects(env) + synth_objects(SPARK_EXECUTORS, tmp_path)
        if o["metadata"]["labels"]["app.kubernetes.io/component"] in mine
        or o["metadata"]["name"].endswith("hub-branding")
    ]
    assert objects
    for obj in objects:
        for version in (all_versions()[0], all_versions()[-1]):
            kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.unit
def test_egress_opens_the_pods_port_behind_the_service(tmp_path):
    """NetworkPolicy sees the pod's port after the Service's NAT: MinIO's Service port 80 is its pods' 9000."""
    text = MINIMAL + (
        "platform_services:\n  services:\n"
        "    - {name: minio, kind: s3, host: minio.storage, port: 80, target_port: 9000}\n"
    )
    objects = synth_objects(text, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    user = Endpoint("user", "hub-test", {**SELECTOR, "app.kubernetes.io/component": "singleuser-server"})
    minio = Endpoint("minio", "storage", {"app": "minio"})
    assert may_connect(policies, user, minio, 9000)
    assert not may_connect(policies, user, minio, 80)
    # Notebooks still use the Service's address.
    assert "http://minio.storage:80" in hub_config_text(objects)


@pytest.mark.unit
def test_ray_on_its_gcs_port_is_refused(tmp_path):
    """A notebook on 6379 would be a Ray driver that every worker calls back (issue 15, finding 8)."""
    text = MINIMAL + "platform_services: {services: [{name: ray, kind: ray, host: ray-head.ray, port: 6379}]}\n"
    with pytest.raises(ConfigError) as refused:
        environment(text, tmp_path)
    assert str(refused.value).startswith(
        "environments/test.yaml: platform_services.services[0].port: 6379 is Ray's GCS port: a notebook connecting "
        "there joins the cluster as a driver"
    )
