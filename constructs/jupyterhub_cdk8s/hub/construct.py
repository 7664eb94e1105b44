"""The hub: a singleton Deployment running JupyterHub with KubeSpawner."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..config.hub import HubSettings, SqliteDatabase
from ..naming import HUB, Names
from ..rbac import Identity
from ..workload import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    SECRET_FROM_ENV,
    accepted_findings,
    api_client,
    http_probe,
    int_or_string,
    quantity,
    resource_requirements,
    restricted_container_security,
    restricted_pod_security,
    secret_env,
    singleton_disruption_budget,
)
from .config_file import SecretEnv
from .settings import CONFIG_DIR, CONFIG_PATH, DATA_DIR, HUB_PORT

HUB_UID = 1000  # jovyan in the k8s-hub image
KEEP_USER_DATA = {"argocd.argoproj.io/sync-options": "Prune=false,Delete=false"}


class Hub(Construct):
    """Hub Deployment, its config, database volume, Service and the RBAC KubeSpawner needs.

    Takes the rendered jupyterhub_config.py and the secret environment it
    refers to; it never looks at other components' config.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        hub: HubSettings,
        names: Names,
        config_text: str,
        secret_envs: list[SecretEnv],
        priority_class_name: str | None = None,
        extra_volumes: Sequence[tuple[k8s.Volume, k8s.VolumeMount]] = (),
    ):
        super().__init__(scope, id)
        self.names = names
        labels = names.labels(HUB)
        self.identity = (
            Identity(self, "identity", name=names.hub, labels=labels)
            # KubeSpawner 7 follows user pods with a list+watch reflector, creates and deletes them.
            .allow(["list", "watch", "create", "delete"], ["pods"])
            # It creates each home PVC, reads it back when it already exists, deletes it with the user.
            .allow(["get", "create", "delete"], ["persistentvolumeclaims"])
            # Its event reflector shows spawn progress.
            .allow(["list", "watch"], ["events"])
        )

        k8s.KubeConfigMap(
            self,
            "config",
            metadata=k8s.ObjectMeta(name=names.hub_config, labels=labels),
            data={"jupyterhub_config.py": config_text},
        )

        volumes = [
            k8s.Volume(
                name="config",
                config_map=k8s.ConfigMapVolumeSource(name=names.hub_config),
            ),
            k8s.Volume(name="tmp", empty_dir=k8s.EmptyDirVolumeSource(size_limit=quantity("256Mi"))),
        ]
        mounts = [
            k8s.VolumeMount(name="config", mount_path=CONFIG_DIR, read_only=True),
            k8s.VolumeMount(name="tmp", mount_path="/tmp"),
            k8s.VolumeMount(name="data", mount_path=DATA_DIR),
        ]
        # Files other components show the hub (e.g. branding), each with its mount.
        volumes += [volume for volume, _ in extra_volumes]
        mounts += [mount for _, mount in extra_volumes]
        if isinstance(hub.database, SqliteDatabase):
            k8s.KubePersistentVolumeClaim(
                self,
                "database",
                metadata=k8s.ObjectMeta(name=names.hub_database, labels=labels, annotations=KEEP_USER_DATA),
                spec=k8s.PersistentVolumeClaimSpec(
                    access_modes=["ReadWriteOnce"],
                    storage_class_name=hub.database.storage_class,
                    resources=k8s.ResourceRequirements(requests={"storage": quantity(hub.database.capacity)}),
                ),
            )
            volumes.append(
                k8s.Volume(
                    name="data",
                    persistent_volume_claim=k8s.PersistentVolumeClaimVolumeSource(claim_name=names.hub_database),
                )
            )
        else:
            volumes.append(k8s.Volume(name="data", empty_dir=k8s.EmptyDirVolumeSource(size_limit=quantity("64Mi"))))

        health = f"{hub.base_url}hub/health"
        container = k8s.Container(
            name="hub",
            image=hub.image,
            image_pull_policy="IfNotPresent",
            command=["jupyterhub", "--config", CONFIG_PATH],
            ports=[k8s.ContainerPort(name="http", container_port=HUB_PORT)],
            env=[secret_env(env.name, env.secret, env.key) for env in secret_envs],
            resources=resource_requirements(hub.resources),
            security_context=restricted_container_security(),
            volume_mounts=mounts,
            # A database migration can make the first start slow: allow 5 minutes.
            startup_probe=http_probe(health, "http", period=5, failures=60),
            readiness_probe=http_probe(health, "http", period=10, failures=3),
            liveness_probe=http_probe(health, "http", period=10, failures=6),
        )
        checksum = hashlib.sha256(config_text.encode()).hexdigest()
        k8s.KubeDeployment(
            self,
            "deployment",
            metadata=k8s.ObjectMeta(
                name=names.hub,
                labels=labels,
                annotations=accepted_findings(
                    PINNED_BY_TAG,
                    PULLED_IF_NOT_PRESENT,
                    SECRET_FROM_ENV,
                    api_client("KubeSpawner creates and watches user pods and PVCs"),
                    ("CKV_K8S_40", "uid 1000 is jovyan, the owner of the k8s-hub image's files"),
                ),
            ),
            spec=k8s.DeploymentSpec(
                replicas=1,
                # Never two hubs at once: they would share one database.
                strategy=k8s.DeploymentStrategy(type="Recreate"),
                revision_history_limit=5,
                selector=k8s.LabelSelector(match_labels=names.selector(HUB)),
                template=k8s.PodTemplateSpec(
                    metadata=k8s.ObjectMeta(
                        labels=labels,
                        # A config change must restart the hub: the file is read once at start.
                        annotations={"checksum/config": checksum},
                    ),
                    spec=k8s.PodSpec(
                        service_account_name=names.hub,
                        automount_service_account_token=True,
                        priority_class_name=priority_class_name,
                        security_context=restricted_pod_security(HUB_UID, fs_group=HUB_UID),
                        containers=[container],
                        volumes=volumes,
                        enable_service_links=False,
                    ),
                ),
            ),
        )
        k8s.KubeService(
            self,
            "service",
            metadata=k8s.ObjectMeta(name=names.hub, labels=labels),
            spec=k8s.ServiceSpec(
                type="ClusterIP",
                selector=names.selector(HUB),
                ports=[
                    k8s.ServicePort(
                        name="http", port=HUB_PORT, target_port=int_or_string("http"), protocol="TCP"
                    )
                ],
            ),
        )
        singleton_disruption_budget(self, "disruption-budget", names.hub, labels, names.selector(HUB))
