"""The hub's Secret, created once in-cluster by an idempotent ArgoCD PreSync hook.

No secret value is ever synthesized: the Job generates the proxy token,
cookie secret and auth_state key inside the cluster, with a Role that can
read and patch only that Secret (plus `create`, which RBAC cannot restrict
to a name).
"""

from __future__ import annotations

from importlib import resources

from cdk8s_plus_27 import k8s

from constructs import Construct

from ..assembly import Part
from ..config.secrets import SECRET_KEYS
from ..kube import kube_object
from ..naming import SECRETS_BOOTSTRAP, Names
from ..rbac import Identity
from ..workload import (
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    api_client,
    restricted_pod_security,
    script_container,
)

SCRIPT = resources.files(__package__).joinpath("ensure_secret.py").read_text(encoding="utf-8")

# PreSync hooks run before anything else is applied, so the RBAC the Job uses
# must itself be a hook of an earlier wave. Kept until the next sync replaces
# it; the Job is deleted once it succeeded.
RBAC_HOOK = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    "argocd.argoproj.io/sync-wave": "-1",
}
JOB_HOOK = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
    "argocd.argoproj.io/sync-wave": "0",
}


class SecretsBootstrap(Part):
    def __init__(
        self, scope: Construct, id: str, *, names: Names, image: str, uid: int, extra_keys: tuple[str, ...] = ()
    ):
        super().__init__(scope, id)
        labels = names.labels(SECRETS_BOOTSTRAP)
        secret = names.hub_secret
        (
            Identity(self, "identity", name=names.secrets_bootstrap, labels=labels, annotations=RBAC_HOOK)
            .allow(["get", "patch"], ["secrets"], names=[secret])
            .allow(["create"], ["secrets"])
        )
        container = script_container(
            "ensure-secret",
            image,
            SCRIPT,
            [names.namespace, secret, *SECRET_KEYS, *extra_keys],
            cpu="200m",
            memory="128Mi",
        )
        kube_object(
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
                        },
                    },
                },
            },
        )
