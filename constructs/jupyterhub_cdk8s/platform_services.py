"""The platform's services as notebooks see them: variables, egress, a helper module, Spark drivers.

Every declared service turns into environment variables of every user pod
(credentials only as secretKeyRef), one egress rule from user pods to exactly
its namespace and port, and an entry of the helper module's catalog.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.platform_services import PlatformServices, spark_plain_variables
from .kube import kube_object
from .naming import PLATFORM_SERVICES, SINGLEUSER, SPARK_EXECUTOR, Names
from .network import Connections, component, ip_block, namespace, tcp
from .rbac import Identity
from .singleuser import PodAdditions

HELPER_DIR = "/opt/platform-services"
HELPER_FILE = "platform_services.py"
CATALOG_FILE = "catalog.json"
# The module notebooks import: shipped as it is, read from this package.
HELPER_SOURCE = (Path(__file__).parent / "user_pod" / HELPER_FILE).read_text(encoding="utf-8")
API_SERVER_PORTS = (443, 6443)


def helper_configmap_name(names: Names) -> str:
    return names.of("platform-services")


def spark_service_account(names: Names) -> str:
    return names.of("singleuser-spark")


def executor_labels(names: Names) -> dict[str, str]:
    """Labels the helper puts on Spark executor pods, so their network policy selects them."""
    return names.selector(SPARK_EXECUTOR)


def user_pod_additions(platform: PlatformServices, names: Names, default_image: str) -> PodAdditions:
    """Variables, helper mount and identity every user pod gets from the catalog."""
    environment: dict[str, Any] = {}
    for service in platform.services:
        for role, value in service.address_values().items():
            environment[service.variable(role)] = value
        for role, ref in service.credentials.items():
            environment[service.variable(role)] = {"valueFrom": {"secretKeyRef": {"name": ref.name, "key": ref.key}}}
        environment.update(service.settings)
    spark = platform.spark
    if spark.enabled:
        environment.update(spark_plain_variables(spark, namespace=names.namespace, default_image=default_image))
        # Executors call the driver back on its pod IP: no Service per pod needed.
        environment["SPARK_DRIVER_HOST"] = {"valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
    volumes, mounts = [], []
    if platform.helper_module and (platform.services or spark.enabled):
        environment["PYTHONPATH"] = HELPER_DIR
        environment["PLATFORM_SERVICES_CATALOG"] = f"{HELPER_DIR}/{CATALOG_FILE}"
        volumes.append({"name": "platform-services", "configMap": {"name": helper_configmap_name(names)}})
        mounts.append({"name": "platform-services", "mountPath": HELPER_DIR, "readOnly": True})
    return PodAdditions(
        environment=environment,
        volumes=volumes,
        volume_mounts=mounts,
        service_account=spark_service_account(names) if spark.executors else None,
    )


def platform_notices(platform: PlatformServices, names: Names) -> list[str]:
    """Lines the CLI prints: what Spark executors let every user do."""
    if not platform.spark.executors:
        return []
    return [
        f"user pods may create pods and configmaps in namespace {names.namespace} (Spark executors): any user can "
        "start a pod with any ServiceAccount or Secret of that namespace"
    ]


def helper_catalog(platform: PlatformServices, names: Names) -> dict[str, Any]:
    """What the helper module knows: each service's kind and variable names (no values)."""
    services = []
    for service in platform.services:
        roles = [*service.address_values(), *service.credentials]
        services.append(
            {"name": service.name, "kind": service.kind, "variables": {role: service.variable(role) for role in roles}}
        )
    spark = None
    if platform.spark.enabled:
        spark = {"executors": platform.spark.executors, "executor_labels": executor_labels(names)}
    return {"services": services, "spark": spark}


class PlatformServicesAccess(Part):
    """Egress from user pods to each declared service, the helper module, and Spark executors' access."""

    def __init__(self, scope: Construct, id: str, *, platform: PlatformServices, names: Names):
        super().__init__(scope, id)
        labels = names.labels(PLATFORM_SERVICES)
        user_pods = names.selector(SINGLEUSER)
        if platform.services:
            egress = Connections(
                self, "egress", name=names.of("singleuser-to-platform-services"), labels=labels, pods=user_pods
            )
            for target, port in dict.fromkeys((s.namespace, s.pod_port) for s in platform.services):
                egress.allow_to(namespace(target), tcp(port))
        if platform.helper_module and (platform.services or platform.spark.enabled):
            catalog = json.dumps(helper_catalog(platform, names), indent=2, sort_keys=True) + "\n"
            kube_object(
                self,
                "helper",
                k8s.KubeConfigMap,
                {
                    "metadata": {"name": helper_configmap_name(names), "labels": labels},
                    "data": {HELPER_FILE: HELPER_SOURCE, CATALOG_FILE: catalog},
                },
            )
        if platform.spark.executors:
            self._spark_executors(platform, names, labels, user_pods)

    def _spark_executors(self, platform: PlatformServices, names: Names, labels: dict, user_pods: dict) -> None:
        spark = platform.spark
        # Spark's driver creates, watches and deletes its executor pods and
        # their config maps; nothing else (no secrets, no services).
        verbs = ["create", "get", "list", "watch", "delete", "deletecollection"]
        Identity(self, "spark-identity", name=spark_service_account(names), labels=labels).allow(verbs, ["pods"]).allow(
            verbs, ["configmaps"]
        )
        executors = component(names, SPARK_EXECUTOR)
        drivers = component(names, SINGLEUSER)
        driver = Connections(
            self, "spark-driver", name=names.of("singleuser-spark-driver"), labels=labels, pods=user_pods
        )
        driver.allow_from(executors, tcp(spark.driver_port, spark.block_manager_port))
        driver.allow_to(executors, tcp(spark.block_manager_port))
        for cidr in spark.api_server_cidrs:
            driver.allow_to(ip_block(cidr), tcp(*API_SERVER_PORTS))
        (
            Connections(
                self, "spark-executors", name=names.of("spark-executors"), labels=labels, pods=executor_labels(names)
            )
            .allow_from(drivers, tcp(spark.block_manager_port))
            .allow_from(executors, tcp(spark.block_manager_port))
            .allow_to(drivers, tcp(spark.driver_port, spark.block_manager_port))
            .allow_to(executors, tcp(spark.block_manager_port))
        )
