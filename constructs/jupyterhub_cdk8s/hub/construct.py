"""The hub: a singleton Deployment running JupyterHub with KubeSpawner."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Volume
from ..config.hub import HubSettings, SqliteDatabase
from ..config_file import SecretEnv
from ..naming import HUB, Names
from ..parts import Part
from ..pods import (
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
from ..ports import HUB_PORT
from ..rbac import Identity
from ..sync_waves import KEEP
from .settings import CONFIG_DIR, CONFIG_PATH, DATA_DIR

HUB_UID = 1000  # jovyan in the k8s-hub image


class Hub(Part):
    """Hub Deployment, its config, database volume, Service and the RBAC KubeSpawner needs.

    Takes the rendered jupyterhub_config.py, the secret environment it refers
    to and the volumes other components lend the hub; it never looks at
    other components' config.
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
        volumes: Sequence[Volume] = (),
        api_access: Mapping[str, list[str]] | None = None,
        pod_fields: Mapping[str, Any] | None = None,
    ):
        super().__init__(scope, id)
        self.names = names
        labels = names.labels(HUB)
        self.identity = (
            Identity(self, "identity", name=names.hub, labels=labels)
            # KubeSpawner 7 follows user pods with a list+watch reflector, creates and deletes them.
            .allow(["list", "watch", "create", "delete"], ["pods"])
            # Its event reflector shows spawn progress.
            .allow(["list", "watch"], ["events"])
        )
        # And what other components' settings make it do (home PVCs: singleuser.storage).
        for resource, verbs in sorted((api_access or {}).items()):
            self.identity.allow(sorted(verbs), [resource])

        api_object(
            self,
            "config",
            k8s.KubeConfigMap,
            {"metadata": {"name": names.hub_config, "labels": labels}, "data": {"jupyterhub_config.py": config_text}},
        )

        pod_volumes = [
            {"name": "config", "configMap": {"name": names.hub_config}},
            {"name": "tmp", "emptyDir": {"sizeLimit": quantity("256Mi")}},
        ]
        mounts = [
            {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "data", "mountPath": DATA_DIR},
        ]
        # Files other components show the hub (e.g. branding), each with its mount.
        pod_volumes += [volume.volume() for volume in volumes]
        mounts += [volume.mount() for volume in volumes]
        if isinstance(hub.database, SqliteDatabase):
            api_object(
                self,
                "database",
                k8s.KubePersistentVolumeClaim,
                {
                    "metadata": {"name": names.hub_database, "labels": labels, "annotations": KEEP},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "storageClassName": hub.database.storage_class,
                        "resources": {"requests": {"storage": quantity(hub.database.capacity)}},
                    },
                },
            )
            pod_volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": names.hub_database}})
        else:
            pod_volumes.append({"name": "data", "emptyDir": {"sizeLimit": quantity("64Mi")}})

        health = f"{hub.base_url}hub/health"
        container = {
            "name": "hub",
            "image": hub.image,
            "imagePullPolicy": "IfNotPresent",
            # args, not command: the k8s-hub image's ENTRYPOINT is tini, which must stay PID 1 to reap the
            # idle culler's children and forward SIGTERM (z2jh images/hub/Dockerfile). --upgrade-db migrates
            # the schema a new JupyterHub needs (backing up SQLite first); without it such a hub crash-loops
            # on DatabaseSchemaMismatch (JupyterHub 5.5 app.py, init_db).
            "args": ["jupyterhub", "--config", CONFIG_PATH, *(["--upgrade-db"] if hub.database.upgrade else [])],
            "ports": [{"name": "http", "containerPort": HUB_PORT}],
            "env": [secret_env(env.name, env.secret, env.key) for env in secret_envs],
            "resources": resource_requirements(hub.resources),
            "securityContext": restricted_container_security(),
            "volumeMounts": mounts,
            # As the Helm chart (z2jh 4.4.0 values.yaml, hub.livenessProbe/readinessProbe): a restart in the
            # middle of a database migration breaks it, and a busy hub may answer slowly. Up to 10 minutes to
            # start (a migration); restarted only after 5 minutes without an answer; and never taken out of
            # its Service, as there is no other hub to send users to.
            "startupProbe": http_probe(health, "http", period=10, failures=60),
            "livenessProbe": http_probe(health, "http", period=10, failures=30),
            "readinessProbe": http_probe(health, "http", period=2, failures=1000, timeout=1),
        }
        checksum = hashlib.sha256(config_text.encode()).hexdigest()
        api_object(
            self,
            "deployment",
            k8s.KubeDeployment,
            {
                "metadata": {
                    "name": names.hub,
                    "labels": labels,
                    "annotations": accepted_findings(
                        PINNED_BY_TAG,
                        PULLED_IF_NOT_PRESENT,
                        SECRET_FROM_ENV,
                        api_client("KubeSpawner creates and watches user pods and PVCs"),
                        ("CKV_K8S_40", "uid 1000 is jovyan, the owner of the k8s-hub image's files"),
                    ),
                },
                "spec": {
                    "replicas": 1,
                    # Never two hubs at once: they would share one database.
                    "strategy": {"type": "Recreate"},
                    # Longer than the startup probe's 10 minutes: a Deployment past its deadline is Degraded,
                    # which fails the sync while a migration may still be running.
                    "progressDeadlineSeconds": 900,
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": names.selector(HUB)},
                    "template": {
                        "metadata": {
                            "labels": labels,
                            # A config change must restart the hub: the file is read once at start.
                            "annotations": {"checksum/config": checksum},
                        },
                        "spec": {
                            "serviceAccountName": names.hub,
                            "automountServiceAccountToken": True,
                            "priorityClassName": priority_class_name,
                            "securityContext": restricted_pod_security(HUB_UID, fs_group=HUB_UID),
                            "containers": [container],
                            "volumes": pod_volumes,
                            "enableServiceLinks": False,
                            **(pod_fields or {}),
                        },
                    },
                },
            },
        )
        api_object(
            self,
            "service",
            k8s.KubeService,
            {
                "metadata": {"name": names.hub, "labels": labels},
                "spec": {
                    "type": "ClusterIP",
                    "selector": names.selector(HUB),
                    "ports": [
                        {"name": "http", "port": HUB_PORT, "targetPort": int_or_string("http"), "protocol": "TCP"}
                    ],
                },
            },
        )
        singleton_disruption_budget(self, "disruption-budget", names.hub, labels, names.selector(HUB))
