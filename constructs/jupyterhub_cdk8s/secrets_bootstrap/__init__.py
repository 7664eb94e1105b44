"""The hub's Secret, created once in-cluster by an idempotent ArgoCD PreSync hook.

No secret value is ever synthesized: the Job generates the proxy token,
cookie secret and auth_state key inside the cluster, with a Role that can
read and patch only that Secret, and create any Secret of the namespace (RBAC
cannot restrict `create` to a name); so the Role exists only while a sync runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.secrets import SECRET_KEYS
from ..hub.construct import HUB_UID
from ..naming import SECRETS_BOOTSTRAP, Names
from ..parts import Part
from ..pods import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    hook_container,
    restricted_pod_security,
)
from ..rbac import Identity

# PreSync hooks run before anything else is applied, so the RBAC the Job uses,
# and its way to the API server, must themselves be hooks of an earlier wave. Argo CD deletes it when the sync
# ends, succeeded or failed (gitops-engine pkg/sync/sync_context.go, `deleteHooks`
# on the operation's outcome); the Job only once it succeeded, so a failed one
# stays for `kubectl logs`.
RBAC_HOOK = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded,HookFailed",
    "argocd.argoproj.io/sync-wave": "-1",
}
JOB_HOOK = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
    "argocd.argoproj.io/sync-wave": "0",
}


class SecretsBootstrap(Part):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        names: Names,
        image: str,
        uid: int,
        extra_keys: tuple[str, ...] = (),
        pod_fields: Mapping[str, Any] | None = None,
    ):
        super().__init__(scope, id)
        labels = names.labels(SECRETS_BOOTSTRAP)
        secret = names.hub_secret
        (
            Identity(self, "identity", name=names.secrets_bootstrap, labels=labels, annotations=RBAC_HOOK)
            .allow(["get", "patch"], ["secrets"], names=[secret])
            .allow(["create"], ["secrets"])
        )
        container = hook_container(
            "ensure-secret",
            image,
            "ensure_secret.py",
            [names.namespace, secret, *SECRET_KEYS, *extra_keys],
            cpu="200m",
            memory="128Mi",
        )
        api_object(
            self,
            "job",
            k8s.KubeJob,
            {
                "metadata": {
                    "name": names.secrets_bootstrap,
                    "labels": labels,
                    "annotations": {
                        **JOB_HOOK,
                        **accepted_findings(
                            PINNED_BY_TAG,
                            PULLED_IF_NOT_PRESENT,
                            api_client("the Job creates the hub's Secret"),
                            ("CKV_K8S_40", "uid 1000 is jovyan, the owner of the k8s-hub image's files"),
                        ),
                    },
                },
                "spec": {
                    "backoffLimit": 4,
                    "activeDeadlineSeconds": 300,
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "serviceAccountName": names.secrets_bootstrap,
                            "automountServiceAccountToken": True,
                            "securityContext": restricted_pod_security(uid),
                            "containers": [container],
                            "enableServiceLinks": False,
                            **(pod_fields or {}),
                        },
                    },
                },
            },
        )


@dataclass(frozen=True)
class SecretsBootstrapComponent(Component):
    """Creates the hub's Secret in-cluster, with every key the components asked for; unless it is provided."""

    hub_image: str
    """The Job runs a standard-library script with the hub image's Python."""

    @classmethod
    def from_config(cls, config: HubConfig) -> SecretsBootstrapComponent | None:
        return cls(config.hub.image) if config.secrets.existing_secret is None else None

    def declare(self, context: Context) -> None:
        # Were the policy an ordinary object, a wrong api_server setting would fail the Job on every sync and
        # the sync would never reach the corrected policy.
        context.network.allow_api_server(SECRETS_BOOTSTRAP).with_hook(RBAC_HOOK)

    def build(self, scope: Construct, context: Context) -> None:
        SecretsBootstrap(
            scope,
            "secrets-bootstrap",
            names=context.names,
            image=self.hub_image,
            uid=HUB_UID,
            extra_keys=tuple(context.hub_pod.secret_keys),
            pod_fields=context.core_pod_fields([self.hub_image]),
        )
