"""The Kubernetes versions this project's output is written for and tested against.

The user scheduler runs a kube-scheduler of the cluster's minor version, and
what an object may contain depends on the API server; so the environment
declares its cluster's minor version and the synth writes for that one.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .yaml_input import shown

# The oldest is the oldest the JupyterHub Helm chart 4.4.0 supports (its
# Chart.yaml kubeVersion); the newest is the newest kube-scheduler release
# whose RBAC this project knows (scheduling/user_scheduler.py).
OLDEST_KUBERNETES = (1, 28)
NEWEST_KUBERNETES = (1, 35)
DEFAULT_KUBERNETES = "1.33"


def minor_version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _kubernetes_minor(value: Any) -> str:
    oldest = ".".join(map(str, OLDEST_KUBERNETES))
    newest = ".".join(map(str, NEWEST_KUBERNETES))
    if isinstance(value, float):
        raise ValueError(
            f"{shown(value)} is a number to YAML (1.30 reads as 1.3); write the version quoted, "
            f'e.g. "{DEFAULT_KUBERNETES}"'
        )
    text = value if isinstance(value, str) else None
    parts = text.split(".") if text else []
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError(
            f"{shown(value)} is not a Kubernetes minor version; write it as a quoted string, "
            f'e.g. "{DEFAULT_KUBERNETES}" '
            "(`kubectl version` shows the server's)"
        )
    version = minor_version(text or "")
    if not OLDEST_KUBERNETES <= version <= NEWEST_KUBERNETES:
        raise ValueError(f"Kubernetes {text} is not supported; supported are {oldest} to {newest}")
    return f"{version[0]}.{version[1]}"


KubernetesMinor = Annotated[
    str, BeforeValidator(_kubernetes_minor), Field(json_schema_extra={"examples": [DEFAULT_KUBERNETES]})
]
"""A supported Kubernetes minor version, e.g. "1.33"."""
