"""The authenticator the real JupyterHub builds from a generated config, with stand-in Secret values."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from jupyterhub.app import JupyterHub

from support.synthesis import find, hub_config_text

HUB_SECRET = "jupyterhub-hub-secret"


def hub_env(objects: list[dict]) -> dict[str, tuple[str, str]]:
    """The hub container's env variables fed by Secrets: name -> (secret, key)."""
    container = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]["containers"][0]
    return {
        env["name"]: (env["valueFrom"]["secretKeyRef"]["name"], env["valueFrom"]["secretKeyRef"]["key"])
        for env in container["env"]
        if "secretKeyRef" in env.get("valueFrom", {})
    }


def fake_secret(secret: str, key: str) -> str:
    """A stand-in Secret value, distinct per (secret, key) and 64 hex characters like the hub's keys."""
    return hashlib.sha256(f"{secret}/{key}".encode()).hexdigest()


def load_authenticator(objects: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The authenticator the real JupyterHub builds from the generated config, with the Secrets in its env."""
    for name, (secret, key) in hub_env(objects).items():
        monkeypatch.setenv(name, fake_secret(secret, key))
    config = tmp_path / "jupyterhub_config.py"
    config.write_text(hub_config_text(objects), encoding="utf-8")
    app = JupyterHub()
    app.load_config_file(str(config))
    return app.authenticator_class(parent=app)
