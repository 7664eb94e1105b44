"""Config of the platform's services that notebooks use: Trino, S3, MLflow, PostgreSQL, ... and Spark.

Each service is declared once; it becomes environment variables of every
user server, one egress rule, and an entry of the optional helper module.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from .base import DnsLabel, FieldProblems, Image, SecretKeyRef, StrictModel
from .kubernetes import ENV_NAME
from .templates import SpawnTemplate
from .yaml_input import shown

ServiceKind = Literal["trino", "s3", "mlflow", "postgresql", "datahub", "ray", "kafka", "spark", "generic"]

# What each kind exposes, as role -> default variable name. Address roles are
# built from host and port; credential roles come from Secrets.
ADDRESS_VARIABLES: dict[str, dict[str, str]] = {
    "trino": {"host": "TRINO_HOST", "port": "TRINO_PORT"},
    "s3": {"url": "S3_ENDPOINT"},
    "mlflow": {"url": "MLFLOW_TRACKING_URI"},
    "postgresql": {"host": "POSTGRES_HOST", "port": "POSTGRES_PORT"},
    "datahub": {"url": "DATAHUB_GMS_URL"},
    "ray": {"address": "RAY_ADDRESS"},
    "kafka": {"address": "KAFKA_BOOTSTRAP_SERVERS"},
    "spark": {"url": "SPARK_MASTER_URL"},
    "generic": {"host": "{NAME}_HOST", "port": "{NAME}_PORT"},
}
CREDENTIAL_VARIABLES: dict[str, dict[str, str]] = {
    "trino": {"user": "TRINO_USER", "password": "TRINO_PASSWORD"},
    "s3": {"access_key": "AWS_ACCESS_KEY_ID", "secret_key": "AWS_SECRET_ACCESS_KEY"},
    "mlflow": {"user": "MLFLOW_TRACKING_USERNAME", "password": "MLFLOW_TRACKING_PASSWORD"},
    "postgresql": {"user": "POSTGRES_USER", "password": "POSTGRES_PASSWORD"},
    "datahub": {"token": "DATAHUB_GMS_TOKEN"},
    "ray": {},
    "kafka": {"user": "KAFKA_SASL_USERNAME", "password": "KAFKA_SASL_PASSWORD"},
    "spark": {},
    "generic": {"user": "{NAME}_USER", "password": "{NAME}_PASSWORD", "token": "{NAME}_TOKEN"},
}
URL_SCHEMES = {"s3": "http", "mlflow": "http", "datahub": "http", "spark": "spark"}
RAY_GCS_PORT = 6379
RAY_CLIENT_PORT = 10001
"""Ray's ports on the head node (docs.ray.io, "Ray Client"; KubeRay's head Service serves both): a notebook on
the GCS port joins the cluster as a driver, which every Ray worker then calls back on ports of its own; through
the Ray Client server (`ray://host:10001`) it needs one connection, to the head, on one port."""
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PlatformService(StrictModel):
    """One service of the platform, reached in-cluster."""

    name: DnsLabel = Field(description="Short name, e.g. trino; also the helper module's key.")
    kind: ServiceKind = Field(description="What it is; sets the variables it gets and the helper function.")
    host: str = Field(
        description="In-cluster address `service.namespace`, e.g. iceberg.data-platform.",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    )
    port: int = Field(
        ge=1,
        le=65535,
        description="Port of the Service. For kind ray, the Ray Client port 10001 (RAY_ADDRESS is ray://host:port).",
    )
    target_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description=(
            "Port the service's pods listen on, if the Service maps its port elsewhere (e.g. MinIO's Service port 80 "
            "to the pods' 9000): NetworkPolicy is evaluated after the Service's NAT, so the egress rule opens this "
            "port, not `port`."
        ),
    )
    variables: dict[str, str] = Field(
        default_factory=dict,
        description="Rename a variable: role -> name, e.g. {url: MINIO_ENDPOINT}; roles are the kind's defaults.",
    )
    credentials: dict[str, SecretKeyRef] = Field(
        default_factory=dict,
        description=(
            "Credential role -> Secret key, e.g. {access_key: {name: jupyterhub-secrets, key: minio-access-key}}."
        ),
    )
    settings: dict[str, SpawnTemplate] = Field(
        default_factory=dict, description="More plain variables of this service, e.g. {TRINO_CATALOG: iceberg}."
    )

    @property
    def namespace(self) -> str:
        return self.host.split(".")[1]

    @property
    def pod_port(self) -> int:
        return self.target_port or self.port

    def variable(self, role: str) -> str:
        defaults = {**ADDRESS_VARIABLES[self.kind], **CREDENTIAL_VARIABLES[self.kind]}
        name = self.variables.get(role, defaults[role])
        return name.replace("{NAME}", self.name.upper().replace("-", "_"))

    def address_values(self) -> dict[str, str]:
        """Role -> value of the address variables."""
        address = f"{self.host}:{self.port}"
        values = {
            "host": self.host,
            "port": str(self.port),
            # ray.init() connects through the Ray Client server when the address has this scheme.
            "address": f"ray://{address}" if self.kind == "ray" else address,
            "url": f"{URL_SCHEMES.get(self.kind, 'http')}://{address}",
        }
        return {role: values[role] for role in ADDRESS_VARIABLES[self.kind]}

    def variable_names(self) -> list[str]:
        roles = [*ADDRESS_VARIABLES[self.kind], *self.credentials]
        return [self.variable(role) for role in roles] + list(self.settings)

    @model_validator(mode="after")
    def _known_roles(self) -> PlatformService:
        problems = []
        if self.kind == "ray" and RAY_GCS_PORT in (self.port, self.target_port):
            problems.append(
                (
                    "port",
                    f"{RAY_GCS_PORT} is Ray's GCS port: a notebook connecting there joins the cluster as a driver, "
                    "which every Ray worker calls back on ports no NetworkPolicy here opens; write the Ray Client "
                    f"port, {RAY_CLIENT_PORT} (RAY_ADDRESS becomes ray://<host>:{RAY_CLIENT_PORT})",
                )
            )
        roles = {**ADDRESS_VARIABLES[self.kind], **CREDENTIAL_VARIABLES[self.kind]}
        for role in self.variables:
            if role not in roles:
                problems.append(
                    (f"variables.{role}", f"{self.kind} has no {shown(role)}; rename one of: {', '.join(roles)}")
                )
        for role in self.credentials:
            if role not in CREDENTIAL_VARIABLES[self.kind]:
                allowed = ", ".join(CREDENTIAL_VARIABLES[self.kind]) or "none"
                problems.append(
                    (f"credentials.{role}", f"{self.kind} takes no credential {shown(role)}; allowed: {allowed}")
                )
        for field, names in (("variables", self.variables.values()), ("settings", self.settings)):
            for name in names:
                if not ENV_NAME.match(name):
                    problems.append(
                        (field, f"{shown(name)} is not an environment variable name; use letters, digits and _")
                    )
        if problems:
            raise FieldProblems(*problems)
        return self


class SparkOnKubernetes(StrictModel):
    """Notebooks as Spark drivers (client mode), optionally running executors as pods of the namespace."""

    enabled: bool = Field(False, description="Set the PySpark driver variables in user servers.")
    python: str = Field(
        "/opt/conda/bin/python", description="Python of driver and executors (PYSPARK_PYTHON).", pattern=r"^/.+"
    )
    driver_port: int = Field(29413, ge=1024, le=65535, description="Fixed port executors call the driver on.")
    block_manager_port: int = Field(
        29414, ge=1024, le=65535, description="Fixed block manager port of driver and executors."
    )
    executors: bool = Field(
        False,
        description=(
            "Let notebooks start executor pods in the namespace: user pods get a ServiceAccount whose Role may "
            "create pods and configmaps there. Needs api_server_cidrs. Whoever may create pods in a namespace can "
            "run them with any of its ServiceAccounts and Secrets: enable only where every user may act as the hub."
        ),
    )
    executor_image: Image | None = Field(None, description="Image of executor pods; unset uses singleuser.image.")
    api_server_cidrs: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses of the Kubernetes API server (e.g. 10.96.0.1/32 and the control-plane IPs) the drivers talk to."
        ),
    )

    @model_validator(mode="after")
    def _executors_reach_api(self) -> SparkOnKubernetes:
        problems = []
        if self.executors and not self.enabled:
            problems.append(("enabled", "executors need the driver settings; write enabled: true"))
        if self.executors and not self.api_server_cidrs:
            problems.append(
                (
                    "api_server_cidrs",
                    "executors are started through the Kubernetes API; list its addresses, e.g. [10.96.0.1/32]",
                )
            )
        for i, cidr in enumerate(self.api_server_cidrs):
            if not re.match(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$", cidr):
                problems.append(
                    (f"api_server_cidrs[{i}]", f"{shown(cidr)} is not an IPv4 CIDR; write e.g. 10.96.0.1/32")
                )
        if self.driver_port == self.block_manager_port:
            problems.append(("block_manager_port", "must differ from driver_port"))
        if problems:
            raise FieldProblems(*problems)
        return self

    def variables(self) -> list[str]:
        if not self.enabled:
            return []
        return [*spark_plain_variables(self, namespace="", default_image=""), "SPARK_DRIVER_HOST"]


def spark_plain_variables(spark: SparkOnKubernetes, *, namespace: str, default_image: str) -> dict[str, str]:
    """Plain variables of the driver (the pod IP comes from the downward API)."""
    variables = {
        "PYSPARK_PYTHON": spark.python,
        "PYSPARK_DRIVER_PYTHON": spark.python,
        "SPARK_DRIVER_PORT": str(spark.driver_port),
        "SPARK_BLOCK_MANAGER_PORT": str(spark.block_manager_port),
    }
    if spark.executors:
        variables["SPARK_KUBERNETES_NAMESPACE"] = namespace
        variables["SPARK_EXECUTOR_IMAGE"] = spark.executor_image or default_image
    return variables


class PlatformServices(StrictModel):
    """The catalog of services notebooks connect to."""

    services: list[PlatformService] = Field(default_factory=list, description="Each service, declared once.")
    helper_module: bool = Field(
        True,
        description=(
            "Ship `platform_services.py` on PYTHONPATH so notebooks "
            "can `from platform_services import trino_connection`."
        ),
    )
    spark: SparkOnKubernetes = Field(default_factory=SparkOnKubernetes, description="Notebooks as Spark drivers.")

    @model_validator(mode="after")
    def _unique(self) -> PlatformServices:
        problems = []
        owners: dict[str, str] = {}
        names = [s.name for s in self.services]
        for i, service in enumerate(self.services):
            if names.index(service.name) != i:
                problems.append(
                    (f"services[{i}].name", f"{service.name!r} is declared twice; declare each service once")
                )
            for variable in service.variable_names():
                owner = owners.setdefault(variable, f"services[{i}] ({service.name})")
                if owner != f"services[{i}] ({service.name})":
                    problems.append(
                        (
                            f"services[{i}]",
                            (
                                f"sets {variable}, which {owner} already sets; "
                                f"rename one with `variables: {{role: OTHER_NAME}}`"
                            ),
                        )
                    )
        for variable in self.spark.variables():
            if variable in owners:
                problems.append(("spark", f"sets {variable}, which {owners[variable]} already sets; rename that one"))
        if problems:
            raise FieldProblems(*problems)
        return self

    def variable_names(self) -> list[str]:
        return [v for s in self.services for v in s.variable_names()] + self.spark.variables()
