"""The imported environment file: its sections in the schema's order, checked by the loader every environment passes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..config import HubConfig
from ..config.loader import Environment, load_file
from ..rendering import render_file
from .engine import Migration

HEADER = (
    "# Imported from a JupyterHub Helm chart values file (python main.py "
    "import-z2jh).\n# yaml-language-server: $schema=schema.json\n"
)


def render(migration: Migration) -> str:
    """The environment file, its sections in the order of the schema."""
    ordered = {key: migration.config[key] for key in HubConfig.model_fields if key in migration.config}
    return render_file(HEADER, [ordered])


def validate(text: str) -> Environment:
    """Run the imported file through the same loader as every environment; raises ConfigError."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "imported.yaml"
        path.write_text(text, encoding="utf-8")
        return load_file(path, "imported environment")
