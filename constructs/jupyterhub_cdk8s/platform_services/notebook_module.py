"""Connections to the platform's services from a notebook, without a custom image.

    from platform_services import trino_connection, s3_client, mlflow_tracking_uri
    cursor = trino_connection().cursor()

Shipped by the hub's deployment in a ConfigMap and put on PYTHONPATH. It
knows each service only through the catalog next to it (names of the
environment variables, never values) and reads addresses and credentials
from the environment of the user's server. Client libraries are imported
only when a connection is made, so importing this module never fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

CATALOG_ENV = "PLATFORM_SERVICES_CATALOG"


def catalog() -> dict[str, Any]:
    """The declared services: name, kind and the variables that describe each."""
    return json.loads(_catalog_path().read_text(encoding="utf-8"))


def _catalog_path() -> Path:
    return Path(os.environ.get(CATALOG_ENV) or Path(__file__).with_name("catalog.json"))


def service(kind: str, name: str | None = None) -> dict[str, Any]:
    """The one service of `kind` (or the one called `name` when there are several)."""
    matches = [s for s in catalog()["services"] if s["kind"] == kind and name in (None, s["name"])]
    if len(matches) != 1:
        declared = ", ".join(s["name"] for s in catalog()["services"] if s["kind"] == kind) or "none"
        raise LookupError(f"expected one {kind} service{f' named {name}' if name else ''}; declared: {declared}")
    return matches[0]


def _address(entry: dict[str, Any], role: str) -> str:
    """An address variable: the platform always sets it, so its absence is an error worth naming."""
    value = _value(entry, role)
    if value is None:
        raise LookupError(f"{entry['variables'][role]} is not set in this server's environment ({entry['name']})")
    return value


def _value(entry: dict[str, Any], role: str, default: str | None = None) -> str | None:
    variable = entry["variables"].get(role)
    return os.environ.get(variable, default) if variable else default


def _user() -> str | None:
    # JupyterHub sets the user's name in every server it starts.
    return os.environ.get("JUPYTERHUB_USER")


def trino_connection_params(name: str | None = None, **overrides: Any) -> dict[str, Any]:
    entry = service("trino", name)
    params = {
        "host": _address(entry, "host"),
        "port": int(_address(entry, "port")),
        "user": _value(entry, "user", _user()),
        "http_scheme": "http",
    }
    return {**params, **overrides}


def trino_connection(name: str | None = None, **overrides: Any):
    import trino

    params = trino_connection_params(name, **overrides)
    password = _value(service("trino", name), "password")
    if password:
        params.setdefault("auth", trino.auth.BasicAuthentication(params["user"], password))
    return trino.dbapi.connect(**params)


def s3_client_params(name: str | None = None) -> dict[str, Any]:
    entry = service("s3", name)
    return {
        "endpoint_url": _address(entry, "url"),
        "aws_access_key_id": _value(entry, "access_key"),
        "aws_secret_access_key": _value(entry, "secret_key"),
    }


def s3_client(name: str | None = None):
    import boto3

    return boto3.client("s3", **s3_client_params(name))


def mlflow_tracking_uri(name: str | None = None) -> str:
    return _address(service("mlflow", name), "url")


def use_mlflow(name: str | None = None):
    import mlflow

    mlflow.set_tracking_uri(mlflow_tracking_uri(name))
    return mlflow


def postgres_connection_params(name: str | None = None, **overrides: Any) -> dict[str, Any]:
    entry = service("postgresql", name)
    params = {
        "host": _address(entry, "host"),
        "port": int(_address(entry, "port")),
        "user": _value(entry, "user", _user()),
        "password": _value(entry, "password"),
    }
    return {**params, **overrides}


def postgres_connection(name: str | None = None, **overrides: Any):
    import psycopg2

    return psycopg2.connect(**postgres_connection_params(name, **overrides))


def datahub_gms_url(name: str | None = None) -> str:
    return _address(service("datahub", name), "url")


def datahub_emitter(name: str | None = None):
    from datahub.emitter.rest_emitter import DatahubRestEmitter

    return DatahubRestEmitter(datahub_gms_url(name), token=_value(service("datahub", name), "token"))


def ray_address(name: str | None = None) -> str:
    return _address(service("ray", name), "address")


def ray_init(name: str | None = None, **options: Any):
    import ray

    return ray.init(address=ray_address(name), **options)


def kafka_config(name: str | None = None) -> dict[str, str]:
    """librdkafka settings (confluent-kafka): bootstrap servers, plus SASL when credentials are declared."""
    entry = service("kafka", name)
    config = {"bootstrap.servers": _address(entry, "address")}
    user = _value(entry, "user")
    if user:
        config.update(
            {
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanisms": "SCRAM-SHA-512",
                "sasl.username": user,
                "sasl.password": _value(entry, "password") or "",
            }
        )
    return config


def kafka_producer(name: str | None = None, **settings: str):
    from confluent_kafka import Producer

    return Producer({**kafka_config(name), **settings})


def spark_conf(app_name: str = "notebook") -> dict[str, str]:
    """Spark settings of this server as a driver: fixed ports, its pod IP, executors in the namespace if allowed."""
    spark = catalog().get("spark")
    if not spark:
        raise LookupError("Spark is not enabled for this hub (platform_services.spark.enabled)")
    conf = {
        "spark.app.name": app_name,
        "spark.driver.host": os.environ["SPARK_DRIVER_HOST"],
        "spark.driver.bindAddress": "0.0.0.0",
        "spark.driver.port": os.environ["SPARK_DRIVER_PORT"],
        "spark.driver.blockManager.port": os.environ["SPARK_BLOCK_MANAGER_PORT"],
        "spark.blockManager.port": os.environ["SPARK_BLOCK_MANAGER_PORT"],
        "spark.pyspark.python": os.environ["PYSPARK_PYTHON"],
    }
    masters = [s for s in catalog()["services"] if s["kind"] == "spark"]
    if spark.get("executors"):
        conf.update(
            {
                "spark.master": "k8s://https://kubernetes.default.svc",
                "spark.kubernetes.namespace": os.environ["SPARK_KUBERNETES_NAMESPACE"],
                "spark.kubernetes.container.image": os.environ["SPARK_EXECUTOR_IMAGE"],
            }
        )
        # The labels the executors' network policy selects on.
        for label, value in spark["executor_labels"].items():
            conf[f"spark.kubernetes.executor.label.{label}"] = value
        # The users' PriorityClass, so that the user quota counts executors too (beside the catalog).
        template = _catalog_path().with_name(spark["executor_pod_template"])
        conf["spark.kubernetes.executor.podTemplateFile"] = str(template)
    elif masters:
        conf["spark.master"] = _address(masters[0], "url")
    else:
        conf["spark.master"] = "local[*]"
    return conf


def spark_session(app_name: str = "notebook", **settings: str):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in {**spark_conf(app_name), **settings}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
