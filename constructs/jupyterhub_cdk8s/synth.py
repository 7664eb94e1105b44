"""From validated environments to the files of dist/, byte-for-byte reproducibly (output.py writes them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import yaml
from cdk8s import App

from .chart import JupyterHubChart
from .config.loader import ConfigError, Environment, Problem
from .output_check import cluster_scoped_clashes, environment_problems
from .rendering import Manifest

ARGOCD_DIR = "argocd"
FLEET_FILE = f"{ARGOCD_DIR}/fleet/applicationset.yaml"
# An environment's workload files, its argocd/<env>.yaml when it has `gitops`, and what the API server would refuse.
EnvironmentFiles = tuple[list[Manifest], "Manifest | None", list[Problem]]
# One environment to synthesize, with the files of its own manifests (extra_manifests.py).
Task = tuple[Environment, Sequence[Manifest]]
# Synthesizes environments with another process's help; each one's files, in input order (helper_process.py).
Share = Callable[[list[Task]], list[EnvironmentFiles]]


def manifests(
    environments: list[Environment],
    share: Share | None = None,
    *,
    extra: Mapping[str, Sequence[Manifest]] | None = None,
) -> list[Manifest]:
    """Every file of dist/ for these environments, in a stable order: `synthesize`, then the `fleet` over them."""
    files = synthesize(environments, share, extra=extra)
    return files + fleet([manifest for manifest in files if manifest.path.startswith(f"{ARGOCD_DIR}/")])


def synthesize(
    environments: list[Environment],
    share: Share | None = None,
    *,
    extra: Mapping[str, Sequence[Manifest]] | None = None,
) -> list[Manifest]:
    """The files of each environment, in a stable order.

    First each environment's workload folder (with the files of its own
    manifests, `extra`, by environment name), then (for environments with
    `gitops`) its ArgoCD objects in argocd/<env>.yaml, derived from what the
    workload folder holds. With `share` (a helper process's, from the command
    line) the environments are synthesized by two processes; the files are the
    same either way.
    Raises ConfigError, before anything is written, for an object the API
    server would refuse (output_check.py).
    """
    tasks: list[Task] = [(env, (extra or {}).get(env.name, ())) for env in environments]
    if share is not None:
        synthesized = share(tasks)
    else:
        app = App()
        synthesized = [environment_files(app, task) for task in tasks]
    objects = [_objects(workload, argocd) for workload, argocd, _ in synthesized]
    if problems := [*(p for *_, found in synthesized for p in found), *cluster_scoped_clashes(environments, objects)]:
        raise ConfigError(problems)
    workloads = [manifest for workload, _, _ in synthesized for manifest in workload]
    return workloads + [manifest for _, manifest, _ in synthesized if manifest is not None]


def _objects(workload: list[Manifest], argocd: Manifest | None) -> list[dict]:
    return [obj for manifest in [*workload, *([argocd] if argocd else [])] for obj in manifest.objects]


def fleet(argocd: Sequence[Manifest]) -> list[Manifest]:
    """The fleet file over these argocd/<env>.yaml files (none without them): their AppProjects and one ApplicationSet.

    A synth of some environments passes theirs and the other environments'
    files as dist/ holds them (`argocd_manifest`), so the fleet stays whole.
    """
    if not argocd:
        return []
    from .gitops import FleetChart

    members = sorted(argocd, key=lambda manifest: manifest.path)
    projects = [obj for manifest in members for obj in manifest.objects if obj["kind"] == "AppProject"]
    applications = [obj for manifest in members for obj in manifest.objects if obj["kind"] == "Application"]
    return [Manifest(FLEET_FILE, projects + FleetChart(App(), "fleet", applications=applications).to_json())]


def environment_files(app: App, task: Task) -> EnvironmentFiles:
    """The files of dist/<env>/ and, with `gitops`, argocd/<env>.yaml, their YAML rendered; and their problems."""
    env, extra = task
    workload = [*_group_by_component(env.name, JupyterHubChart(app, env.name, config=env.config).to_json()), *extra]
    argocd = None
    if env.config.gitops is not None:
        # Imported here: the ArgoCD bindings are slow to load and only needed now.
        from .gitops import GitOpsChart

        objects = [obj for manifest in workload for obj in manifest.objects]
        chart = GitOpsChart(
            app, f"{env.name}-argocd", env_name=env.name, config=env.config, gitops=env.config.gitops, objects=objects
        )
        argocd = Manifest(f"{ARGOCD_DIR}/{env.name}.yaml", chart.to_json())
    for manifest in [*workload, *([argocd] if argocd else [])]:
        manifest.text  # noqa: B018 -- rendered here, so the helper process sends the text too
    return workload, argocd, environment_problems(env, _objects(workload, argocd))


def argocd_manifest(path: str, text: bytes) -> Manifest:
    """An argocd/<env>.yaml file of dist/ as written, for the fleet of a synth that leaves it as it is."""
    return Manifest(path, [doc for doc in yaml.safe_load_all(text) if doc])


def _group_by_component(env_name: str, objects: list[dict]) -> list[Manifest]:
    groups: dict[str, list[dict]] = {}
    for obj in objects:
        component = obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "misc")
        groups.setdefault(component, []).append(obj)
    return [Manifest(f"{env_name}/{component}.yaml", objs) for component, objs in sorted(groups.items())]
