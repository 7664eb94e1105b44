"""Config of GitOps delivery: the ArgoCD Application and AppProject of an environment."""

from __future__ import annotations

from pydantic import Field

from .base import DnsLabel, StrictModel
from .kubernetes import INT32_MAX
from .versions import ARGOCD_WHITELIST_BY_NAME, DEFAULT_ARGOCD, ArgoCdMinor, minor_version

DURATION = r"^[0-9]+(s|m|h)$"


class Retry(StrictModel):
    """How often, and how patiently, ArgoCD retries a failed sync."""

    limit: int = Field(
        5, ge=0, le=INT32_MAX, description="Retries of a failed sync before ArgoCD gives up; 0 never retries."
    )
    backoff_duration: str = Field("10s", pattern=DURATION, description="Wait before the first retry, e.g. 10s.")
    backoff_factor: int = Field(2, ge=1, le=INT32_MAX, description="Each wait is this many times the previous one.")
    backoff_max_duration: str = Field("5m", pattern=DURATION, description="Longest wait between two retries, e.g. 5m.")


class IgnoredDifference(StrictModel):
    """A field a controller in the cluster rewrites, which ArgoCD must not report as drift nor revert."""

    group: str = Field("", description="API group of the objects ('' for the core group, apps, ...).")
    kind: str = Field(description="Kind of the objects, e.g. Deployment.", min_length=1)
    name: str | None = Field(None, description="Only the object of this name; unset: every object of the kind.")
    json_pointers: list[str] = Field(
        description="JSON pointers of the mutated fields, e.g. /spec/replicas.", min_length=1
    )
    reason: str = Field(
        description=(
            "Which controller writes these fields and why the value in git must not win, e.g. "
            "'a HorizontalPodAutoscaler owns /spec/replicas'. Required: an entry without a reason hides real drift."
        ),
        min_length=10,
    )


class GitOpsSettings(StrictModel):
    """ArgoCD delivery of `dist/<environment>/` from git."""

    repo_url: str = Field(
        description="Git repository holding this project's dist/, e.g. https://github.com/<org>/platform-gitops.git.",
        pattern=r"^(https://|ssh://|git@)\S+$",
    )
    target_revision: str = Field("HEAD", description="Branch, tag or commit ArgoCD syncs, e.g. main.", min_length=1)
    path_prefix: str = Field(
        "dist",
        description=(
            "Folder of the repository that holds the synthesized "
            "environments (the Application syncs <prefix>/<environment>)."
        ),
        pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$",
    )
    argocd_version: ArgoCdMinor = Field(
        DEFAULT_ARGOCD,
        description=(
            'Minor version of the Argo CD that syncs this environment, e.g. "3.3" (`argocd version` shows the '
            "server's). The ArgoCD objects use only what this version and every newer supported one accept: "
            "from 3.3 the AppProject allows cluster-scoped objects by name, before 3.3 only by kind."
        ),
    )
    argocd_namespace: DnsLabel = Field(
        "argocd", description="Namespace ArgoCD runs in; the Application and AppProject live there."
    )
    project: DnsLabel | None = Field(
        None,
        description=(
            "Name of the environment's AppProject; unset uses the environment's name. One project per environment."
        ),
    )
    automated: bool = Field(True, description="Sync every new commit automatically; false waits for a manual sync.")
    prune: bool = Field(
        True,
        description="Automated sync deletes objects that left dist/ (user and hub PVCs are always kept: Prune=false).",
    )
    self_heal: bool = Field(True, description="Automated sync reverts changes made in the cluster by hand.")
    retry: Retry = Field(default_factory=Retry, description="Retry of failed syncs with exponential backoff.")
    ignore_differences: list[IgnoredDifference] = Field(
        default_factory=list,
        description=(
            "Fields a controller in the cluster really rewrites. Empty by default because nothing in dist/ is "
            "rewritten: ArgoCD compares only the fields written in git, and the values the API server fills in "
            "(Service clusterIP and nodePort, a PVC's volumeName and default storageClassName, a Job's selector) "
            "are never written there. Add an entry, with its reason, when you add such a controller (e.g. an "
            "autoscaler owning a Deployment's replicas)."
        ),
    )

    @property
    def whitelists_by_name(self) -> bool:
        """Whether this Argo CD limits an AppProject's cluster-scoped objects by name (from 3.3)."""
        return minor_version(self.argocd_version) >= ARGOCD_WHITELIST_BY_NAME

    def warnings(self) -> list[tuple[str, str]]:
        if self.whitelists_by_name:
            return []
        return [
            (
                "argocd_version",
                f"Argo CD {self.argocd_version} cannot limit an AppProject's cluster-scoped objects by name (from "
                "3.3, argo-cd e77acec858), so the project allows every object of those kinds in the cluster "
                "(Namespace, PriorityClass, ClusterRoleBinding: a commit could bind any ClusterRole); upstream "
                "supports only the last three minor versions: upgrade Argo CD and write "
                f'argocd_version: "{DEFAULT_ARGOCD}"',
            )
        ]
