"""Extra files (`singleuser.extra_files`, `hub.extra_files`): a ConfigMap, and one volume per file to mount it.

Each file is its own volume of one key of the ConfigMap, mounted with that
key as subPath: the file appears at its path without hiding the directory
around it (the chart's extraFiles do the same from a Secret, z2jh 4.4.0
jupyterhub_config.py; here the content is in git, so a ConfigMap).
"""

from __future__ import annotations

from collections.abc import Mapping

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Volume
from .config.files import ExtraFile


def file_volumes(files: Mapping[str, ExtraFile], config_map: str) -> list[Volume]:
    """One volume per file, each the file's key of `config_map`, mounted as that one file."""
    volumes = []
    for key, file in files.items():
        item: dict = {"key": key, "path": key}
        if file.mode is not None:
            item["mode"] = file.mode
        source = {"configMap": {"name": config_map, "items": [item]}}
        volumes.append(Volume(f"file-{key}", source, file.mount_path, read_only=True, sub_path=key))
    return volumes


def files_config_map(scope: Construct, id: str, *, name: str, labels: dict, files: Mapping[str, ExtraFile]) -> None:
    """The ConfigMap of extra files: text (and data rendered as text) under data, bytes under binaryData."""
    text = {key: content for key, file in files.items() if (content := file.string_content()) is not None}
    binary = {key: file.binary.replace("\n", "") for key, file in files.items() if file.binary is not None}
    api_object(
        scope,
        id,
        k8s.KubeConfigMap,
        {"metadata": {"name": name, "labels": labels}, "data": text or None, "binaryData": binary or None},
    )
