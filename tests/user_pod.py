"""A user pod as the real KubeSpawner 7.0.0 would create it, from an environment's generated jupyterhub_config.py.

No cluster is needed: KubeSpawner's `_mock=True` skips the API client, and
`get_pod_manifest()` builds the Pod object the hub would send. The secret
environment variables the config reads get placeholder values here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.config import kube_config
from kubespawner import KubeSpawner
from traitlets.config import PyFileConfigLoader

from conftest import hub_config_text

PLACEHOLDER = "00" * 32  # valid hex, what the cookie secret is parsed as
# KubeSpawner loads a kubeconfig when it is made, even with `_mock`; this one points nowhere.
NOWHERE = """
apiVersion: v1
kind: Config
clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: nobody, user: {token: none}}]
contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]
current-context: nowhere
"""


def hub_secret_env_names(objects: list[dict]) -> list[str]:
    hub = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == "hub")
    return [env["name"] for container in hub["spec"]["template"]["spec"]["containers"] for env in container.get("env", [])]


def user_pod(objects: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The Pod (as Kubernetes JSON) KubeSpawner builds for a user of the environment `objects` came from."""
    for name in hub_secret_env_names(objects):
        monkeypatch.setenv(name, PLACEHOLDER)
    (tmp_path / "kubeconfig").write_text(NOWHERE, encoding="utf-8")
    # kubernetes_asyncio reads $KUBECONFIG once, at import: point its default there.
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))
    (tmp_path / "jupyterhub_config.py").write_text(hub_config_text(objects), encoding="utf-8")
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(tmp_path)).load_config()

    async def build() -> dict:
        # KubeSpawner makes its API client for the running event loop.
        spawner = KubeSpawner(config=config, _mock=True)
        manifest = await spawner.get_pod_manifest()
        async with ApiClient() as client:
            return client.sanitize_for_serialization(manifest)

    return asyncio.run(build())
