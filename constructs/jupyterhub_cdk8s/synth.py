"""From validated environments to files in dist/, atomically and byte-for-byte reproducibly."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cdk8s import App

from .chart import JupyterHubChart
from .config.loader import Environment
from .output_check import check_output
from .rendering import GENERATED_HEADER, render_file
from .sync_waves import annotate_sync_waves

CLUSTER_SCOPED = {"Namespace", "PriorityClass", "ClusterRole", "ClusterRoleBinding"}


@dataclass(frozen=True)
class Manifest:
    """One file of dist/: its path below dist/ and its objects."""

    path: str
    objects: list[dict]

    @cached_property
    def text(self) -> str:
        """The file's YAML; made once, in whichever process synthesized it."""
        return render_file(GENERATED_HEADER, self.objects)


ARGOCD_DIR = "argocd"
FLEET_FILE = f"{ARGOCD_DIR}/fleet/applicationset.yaml"
# An environment's workload files, and its argocd/<env>.yaml when it has `gitops`.
EnvironmentFiles = tuple[list[Manifest], "Manifest | None"]
# Synthesizes environments with another process's help; each one's files, in input order (helper_process.py).
Share = Callable[[list[Environment]], list[EnvironmentFiles]]


def manifests(environments: list[Environment], share: Share | None = None) -> list[Manifest]:
    """Every file of dist/ for these environments, in a stable order.

    First each environment's workload folder, then (for environments with
    `gitops`) its ArgoCD objects in argocd/<env>.yaml, derived from what the
    workload folder holds, and the fleet ApplicationSet over all of them.
    With `share` (a helper process's, from the command line) the environments
    are synthesized by two processes; the files are the same either way.
    Raises ConfigError, before anything is written, for an object the API
    server would refuse (output_check.py).
    """
    if share is not None:
        synthesized = share(environments)
    else:
        app = App()
        synthesized = [environment_files(app, env) for env in environments]
    check_output(environments, [_objects(workload, argocd) for workload, argocd in synthesized])
    workloads = [manifest for workload, _ in synthesized for manifest in workload]
    argocd = [manifest for _, manifest in synthesized if manifest is not None]
    return workloads + argocd + ([_fleet(argocd)] if argocd else [])


def _objects(workload: list[Manifest], argocd: Manifest | None) -> list[dict]:
    return [obj for manifest in [*workload, *([argocd] if argocd else [])] for obj in manifest.objects]


def environment_files(app: App, env: Environment) -> EnvironmentFiles:
    """The files of dist/<env>/ and, with `gitops`, argocd/<env>.yaml; their YAML rendered."""
    workload = _group_by_component(env.name, JupyterHubChart(app, env.name, config=env.config).to_json())
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
    return workload, argocd


def _fleet(argocd: list[Manifest]) -> Manifest:
    """The AppProjects and the fleet ApplicationSet over every environment's Application."""
    from .gitops import FleetChart

    projects = [obj for manifest in argocd for obj in manifest.objects if obj["kind"] == "AppProject"]
    applications = [obj for manifest in argocd for obj in manifest.objects if obj["kind"] == "Application"]
    fleet = FleetChart(App(), "fleet", applications=applications).to_json()
    return Manifest(FLEET_FILE, projects + fleet)


def _group_by_component(env_name: str, objects: list[dict]) -> list[Manifest]:
    groups: dict[str, list[dict]] = {}
    for obj in objects:
        if obj["kind"] in CLUSTER_SCOPED:
            obj["metadata"].pop("namespace", None)
        component = obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "misc")
        groups.setdefault(component, []).append(obj)
    annotate_sync_waves(objects)
    return [Manifest(f"{env_name}/{component}.yaml", objs) for component, objs in sorted(groups.items())]


def write_tree(files: list[Manifest], target: Path) -> None:
    """Write all files to a fresh directory beside `target`, then swap it in.

    A failure at any point leaves `target` exactly as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for manifest in files:
            _write(staging / manifest.path, manifest.text)
        retired = target.with_name(f".{target.name}-old-{os.getpid()}")
        if target.exists():
            target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def differences(files: list[Manifest], target: Path) -> list[str]:
    """Paths below `target` that a fresh synth would add, change or remove."""
    expected = {m.path: m.text for m in files}
    actual = (
        {
            str(path.relative_to(target)): path.read_text(encoding="utf-8")
            for path in sorted(target.rglob("*"))
            if path.is_file()
        }
        if target.exists()
        else {}
    )
    changed = [f"changed: {p}" for p in sorted(expected) if p in actual and actual[p] != expected[p]]
    added = [f"missing: {p}" for p in sorted(expected) if p not in actual]
    removed = [f"not synthesized: {p}" for p in sorted(actual) if p not in expected]
    return added + changed + removed


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
