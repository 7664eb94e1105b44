"""The platform's services as notebooks see them: variables, egress, a helper module, Spark drivers.

Every declared service turns into environment variables of every user pod
(credentials only as secretKeyRef), one egress rule from user pods to exactly
its namespace and port, and an entry of the helper module's catalog. The
helper module itself (`notebook_module.py`) runs in user pods, never here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context, FieldValue, SecretValue, Volume
from ..config import HubConfig
from ..config.platform_services import PlatformServices, spark_plain_variables
from ..naming import PLATFORM_SERVICES, SINGLEUSER, SPARK_EXECUTOR, USER_TIER, Names
from ..network import ip_block, namespace, tcp
from ..parts import Part
from ..rbac import Identity

HELPER_DIR = "/opt/platform-services"
HELPER_FILE = "platform_services.py"
CATALOG_FILE = "catalog.json"
EXECUTOR_TEMPLATE_FILE = "spark-executor-pod.json"  # JSON is YAML: Spark's pod template reader takes it
# The module notebooks import: shipped as it is, read from this package.
HELPER_SOURCE = resources.files(__package__).joinpath("notebook_module.py").read_text(encoding="utf-8")


def executor_labels(names: Names) -> dict[str, str]:
    """Labels the helper puts on Spark executor pods, so their network policy selects them."""
    return names.selector(SPARK_EXECUTOR)


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
        if platform.spark.executors:
            spark["executor_pod_template"] = EXECUTOR_TEMPLATE_FILE
    return {"services": services, "spark": spark}


def executor_pod_template(names: Names) -> dict[str, Any]:
    """What Spark puts into every executor pod: the users' PriorityClass.

    Executors are user workload: the user quota, scoped to that class, counts them as it counts user servers
    (without it they would escape the quota), and they pre-empt placeholders as user servers do.
    """
    return {"apiVersion": "v1", "kind": "Pod", "spec": {"priorityClassName": names.priority_class(USER_TIER)}}


class PlatformServicesAccess(Part):
    """The helper module's ConfigMap, and the Spark executors' identity."""

    def __init__(self, scope: Construct, id: str, *, platform: PlatformServices, names: Names):
        super().__init__(scope, id)
        labels = names.labels(PLATFORM_SERVICES)
        if _ships_helper(platform):
            catalog = json.dumps(helper_catalog(platform, names), indent=2, sort_keys=True) + "\n"
            data = {HELPER_FILE: HELPER_SOURCE, CATALOG_FILE: catalog}
            if platform.spark.executors:
                data[EXECUTOR_TEMPLATE_FILE] = json.dumps(executor_pod_template(names), indent=2) + "\n"
            api_object(
                self,
                "helper",
                k8s.KubeConfigMap,
                {"metadata": {"name": names.platform_services, "labels": labels}, "data": data},
            )
        if platform.spark.executors:
            # Spark's driver creates, watches and deletes its executor pods and
            # their config maps; nothing else (no secrets, no services).
            verbs = ["create", "get", "list", "watch", "delete", "deletecollection"]
            Identity(self, "spark-identity", name=names.spark_user_account, labels=labels).allow(verbs, ["pods"]).allow(
                verbs, ["configmaps"]
            )


def _ships_helper(platform: PlatformServices) -> bool:
    return platform.helper_module and bool(platform.services or platform.spark.enabled)


@dataclass(frozen=True)
class PlatformServicesComponent(Component):
    """Services notebooks connect to: variables and a helper module in every user pod, egress to each."""

    platform: PlatformServices
    default_image: str
    """Spark executors run the user image unless the config names another."""

    @classmethod
    def from_config(cls, config: HubConfig) -> PlatformServicesComponent | None:
        platform = config.platform_services
        if not (platform.services or platform.spark.enabled):
            return None
        return cls(platform, config.singleuser.image)

    def declare(self, context: Context) -> None:
        self._add_to_user_pods(context)
        network = context.network
        if self.platform.services:
            egress = network.policy("singleuser-to-platform-services", SINGLEUSER)
            for target, port in dict.fromkeys((s.namespace, s.pod_port) for s in self.platform.services):
                egress.allow_to(namespace(target), tcp(port))
        spark = self.platform.spark
        if spark.executors:
            executors = network.component(SPARK_EXECUTOR)
            drivers = network.component(SINGLEUSER)
            driver = network.policy("singleuser-spark-driver", SINGLEUSER)
            driver.allow_from(executors, tcp(spark.driver_port, spark.block_manager_port))
            driver.allow_to(executors, tcp(spark.block_manager_port))
            for cidr in spark.api_server_cidrs:
                driver.allow_to(ip_block(cidr), tcp(*network.settings.api_server.ports))
            (
                network.policy("spark-executors", executor_labels(context.names))
                .allow_from(drivers, tcp(spark.block_manager_port))
                .allow_from(executors, tcp(spark.block_manager_port))
                .allow_to(drivers, tcp(spark.driver_port, spark.block_manager_port))
                .allow_to(executors, tcp(spark.block_manager_port))
            )

    def _add_to_user_pods(self, context: Context) -> None:
        """Variables, helper mount and identity every user pod gets from the catalog."""
        user_pods, names, owner = context.user_pods, context.names, "platform_services"
        for service in self.platform.services:
            for role, value in service.address_values().items():
                user_pods.set_env(service.variable(role), value, owner)
            for role, ref in service.credentials.items():
                user_pods.set_env(service.variable(role), SecretValue(ref.name, ref.key), owner)
            for name, value in service.settings.items():
                user_pods.set_env(name, value, owner)
        spark = self.platform.spark
        if spark.enabled:
            variables = spark_plain_variables(spark, namespace=names.namespace, default_image=self.default_image)
            for name, value in variables.items():
                user_pods.set_env(name, value, owner)
            # Executors call the driver back on its pod IP: no Service per pod needed.
            user_pods.set_env("SPARK_DRIVER_HOST", FieldValue("status.podIP"), owner)
        if _ships_helper(self.platform):
            user_pods.set_env("PYTHONPATH", HELPER_DIR, owner)
            user_pods.set_env("PLATFORM_SERVICES_CATALOG", f"{HELPER_DIR}/{CATALOG_FILE}", owner)
            source = {"configMap": {"name": names.platform_services}}
            user_pods.volumes.append(Volume("platform-services", source, HELPER_DIR, read_only=True))
        if spark.executors:
            user_pods.service_account = names.spark_user_account

    def build(self, scope: Construct, context: Context) -> None:
        PlatformServicesAccess(scope, "platform-services", platform=self.platform, names=context.names)
