"""ArgoCD delivery: an AppProject and an Application per environment, and the fleet ApplicationSet.

The workload folders (`dist/<env>/`) stay plain Kubernetes YAML; the ArgoCD
objects that sync them are written apart, to `dist/argocd/`, so an
app-of-apps can pick them up without syncing itself into a hub namespace.
"""

from __future__ import annotations

from cdk8s import ApiObject, ApiObjectMetadata, Chart, JsonPatch
from constructs import Construct

from imports.argoproj_applications.io.argoproj import Application
from imports.argoproj_appprojects.io.argoproj import AppProject

from .api_objects import api_object
from .config import HubConfig
from .config.gitops import GitOpsSettings
from .naming import GITOPS, Names
from .sync_waves import KEEP, SYNC_WAVE, WAVE_HUB, WAVE_NAMESPACE

# Deleting an Application on purpose deletes what it synced, except what carries Delete=false:
# the Namespace and every PVC (users' data).
CASCADE_DELETE = "resources-finalizer.argocd.argoproj.io"


# --- what the AppProject allows ------------------------------------------------


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def resource_kinds(objects: list[dict], *, by_name: bool) -> tuple[list[dict], list[dict]]:
    """What the project may create: namespaced `{group, kind}`, and cluster-scoped `{group, kind, name}`.

    Cluster-scoped objects (the ones synth wrote without a namespace) are
    allowed by name, so the project cannot touch another team's Namespace or
    PriorityClass; an Argo CD older than 3.3 knows no names there (its CRD
    refuses the field), so `by_name=False` allows them by kind only.
    """
    namespaced: set[tuple[str, str]] = set()
    cluster: set[tuple[str, str, str]] = set()
    for obj in objects:
        group, kind, metadata = _group(obj["apiVersion"]), obj["kind"], obj["metadata"]
        if metadata.get("namespace"):
            namespaced.add((group, kind))
        else:
            cluster.add((group, kind, metadata["name"]))
    allowed_cluster = (
        [{"group": g, "kind": k, "name": n} for g, k, n in sorted(cluster)]
        if by_name
        else [{"group": g, "kind": k} for g, k in sorted({(g, k) for g, k, _ in cluster})]
    )
    return [{"group": g, "kind": k} for g, k in sorted(namespaced)], allowed_cluster


# --- the ArgoCD objects of one environment ----------------------------------------


class GitOpsChart(Chart):
    """AppProject and Application of one environment, in ArgoCD's namespace."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        env_name: str,
        config: HubConfig,
        gitops: GitOpsSettings,
        objects: list[dict],
    ):
        super().__init__(scope, id, namespace=gitops.argocd_namespace, disable_resource_name_hashes=True)
        names = Names.of(config)
        labels = names.labels(GITOPS)
        project = gitops.project or env_name
        namespaced, cluster = resource_kinds(objects, by_name=gitops.whitelists_by_name)
        # A parent app-of-apps syncing dist/argocd/ never prunes nor deletes these: removing an
        # environment file, renaming it or switching the parent to fleet/ would otherwise delete the
        # Application, and its finalizer everything it synced.
        annotations = {**KEEP}

        api_object(
            self,
            "project",
            AppProject,
            {
                # The project exists before its Application refers to it.
                "metadata": {
                    "name": project,
                    "labels": labels,
                    "annotations": {**annotations, SYNC_WAVE: str(WAVE_NAMESPACE)},
                },
                "spec": {
                    "description": f"JupyterHub {env_name}: only its namespace, only the kinds it synthesizes.",
                    "sourceRepos": [gitops.repo_url],
                    "destinations": [{"name": config.cluster, "namespace": config.namespace}],
                    "namespaceResourceWhitelist": namespaced,
                    "clusterResourceWhitelist": cluster,
                },
            },
        )
        ignored = [
            {"group": entry.group, "kind": entry.kind, "name": entry.name, "jsonPointers": entry.json_pointers}
            for entry in gitops.ignore_differences
        ]
        api_object(
            self,
            "application",
            Application,
            {
                "metadata": {
                    "name": env_name,
                    "labels": labels,
                    "annotations": {**annotations, SYNC_WAVE: str(WAVE_HUB)},
                    "finalizers": [CASCADE_DELETE],
                },
                "spec": {
                    "project": project,
                    "source": {
                        "repoUrl": gitops.repo_url,
                        "targetRevision": gitops.target_revision,
                        "path": f"{gitops.path_prefix}/{env_name}",
                    },
                    "destination": {"name": config.cluster, "namespace": config.namespace},
                    "syncPolicy": _sync_policy(gitops),
                    "ignoreDifferences": ignored or None,
                },
            },
        )


def _sync_policy(gitops: GitOpsSettings) -> dict:
    """How ArgoCD applies dist/<env>.

    ServerSideApply: the API server merges fields by owner, so large objects
    (the hub's config) fit and fields other controllers own are left alone.
    No PruneLast: it moves every prune after the last wave, which Argo CD
    would then wait for (sync_waves.WAVE_UNGATED); prunes run in the waves of
    the pruned objects, mirrored (gitops-engine sync_context.go, getSyncTasks).
    No CreateNamespace: with the Namespace in dist/ Argo CD never creates one
    (gitops-engine sync_context.go `autoCreateNamespace`) and moves the
    Namespace before the first object in it, PreSync hooks included
    (sync_tasks.go `adjustDeps`); without it (`create_namespace: false`) the
    namespace is someone else's and must exist before the first sync.
    """
    retry = gitops.retry
    return {
        "automated": {"prune": gitops.prune, "selfHeal": gitops.self_heal} if gitops.automated else None,
        "syncOptions": ["ServerSideApply=true"],
        "retry": {
            "limit": retry.limit,
            "backoff": {
                "duration": retry.backoff_duration,
                "factor": retry.backoff_factor,
                "maxDuration": retry.backoff_max_duration,
            },
        },
    }


# --- the fleet alternative ----------------------------------------------------------

FLEET_NAME = "jupyterhub-fleet"
# Values that differ per environment but are not plain strings go in whole, as JSON.
TEMPLATE_PATCH = (
    '{"spec": {"syncPolicy": {{ toJson .syncPolicy }}, "ignoreDifferences": {{ toJson .ignoreDifferences }}}}'
)


def fleet_element(application: dict) -> dict:
    """One list-generator element: everything that differs between the environments' Applications."""
    spec = application["spec"]
    return {
        "name": application["metadata"]["name"],
        "project": spec["project"],
        "repoURL": spec["source"]["repoURL"],
        "targetRevision": spec["source"]["targetRevision"],
        "path": spec["source"]["path"],
        "cluster": spec["destination"]["name"],
        "namespace": spec["destination"]["namespace"],
        "syncPolicy": spec["syncPolicy"],
        "ignoreDifferences": spec.get("ignoreDifferences", []),
    }


class FleetChart(Chart):
    """One ApplicationSet per ArgoCD namespace, generating the same Applications from a list.

    An alternative to the per-environment Applications for a fleet of hubs:
    use one or the other, never both (they would own the same Applications).
    The ApplicationSet CRD is not among the imported ones, so it is a plain ApiObject.
    """

    def __init__(self, scope: Construct, id: str, *, applications: list[dict]):
        super().__init__(scope, id, disable_resource_name_hashes=True)
        by_namespace: dict[str, list[dict]] = {}
        for application in applications:
            by_namespace.setdefault(application["metadata"]["namespace"], []).append(application)
        for namespace, members in sorted(by_namespace.items()):
            labels = members[0]["metadata"]["labels"]
            ApiObject(
                self,
                f"fleet-{namespace}",
                api_version="argoproj.io/v1alpha1",
                kind="ApplicationSet",
                # A parent syncing fleet/ never prunes nor deletes it either.
                metadata=ApiObjectMetadata(
                    name=FLEET_NAME, namespace=namespace, annotations={**KEEP, SYNC_WAVE: str(WAVE_HUB)}
                ),
            ).add_json_patch(
                JsonPatch.add(
                    "/spec",
                    {
                        "goTemplate": True,
                        "goTemplateOptions": ["missingkey=error"],
                        "generators": [{"list": {"elements": [fleet_element(a) for a in members]}}],
                        # Deleting the ApplicationSet or removing an element keeps the Applications
                        # (create-update: applicationset_controller.go, `AllowDelete`) and what they
                        # synced: the controller adds no resources finalizer, which it would only
                        # skip for a template that names none (applicationset/utils/utils.go).
                        "syncPolicy": {"preserveResourcesOnDeletion": True, "applicationsSync": "create-update"},
                        "template": {
                            "metadata": {"name": "{{ .name }}", "labels": labels, "annotations": {**KEEP}},
                            "spec": {
                                "project": "{{ .project }}",
                                "source": {
                                    "repoURL": "{{ .repoURL }}",
                                    "targetRevision": "{{ .targetRevision }}",
                                    "path": "{{ .path }}",
                                },
                                "destination": {"name": "{{ .cluster }}", "namespace": "{{ .namespace }}"},
                            },
                        },
                        "templatePatch": TEMPLATE_PATCH,
                    },
                )
            )
