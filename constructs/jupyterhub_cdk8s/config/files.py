"""Config of extra files: small files (a jupyter_server_config.json, a template) mounted into user pods or the hub.

Their content is in git, so it is never a secret: it goes into a ConfigMap of
`dist/` (a credential file is an extra volume from an existing Secret). A
ConfigMap holds at most 1 MiB of data (Kubernetes' ValidateConfigMap,
core.MaxSecretSize), which is checked at load time.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field, model_validator

from .base import DnsLabel, FieldProblems, StrictModel
from .templates import MountPath, below
from .yaml_input import shown

CONFIG_MAP_LIMIT = 1024 * 1024
"""Bytes of data one ConfigMap may hold."""
DATA_FORMATS = (".json", ".yaml", ".yml")


def _base64(value: str) -> str:
    try:
        base64.b64decode(value.replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not base64; write the file's bytes base64-encoded (e.g. `base64 -w0 file`)") from None
    return value


def _file_key(value: str) -> str:
    if len(value) > 57:
        raise ValueError(f"{shown(value)} is longer than 57 characters; the file's volume is named file-<key>")
    return value


FileKey = Annotated[DnsLabel, AfterValidator(_file_key)]
"""A file's key in its ConfigMap and the name of its volume (file-<key>)."""


class ExtraFile(StrictModel):
    """One file and where it appears: exactly one of text, data or binary."""

    mount_path: MountPath = Field(
        description="Path of the file in the container, e.g. /etc/jupyter/jupyter_server_config.json."
    )
    text: str | None = Field(None, description="The file's text, as it is.")
    data: dict[str, Any] | None = Field(
        None, description="Structured content, written as JSON or YAML by the extension of mount_path (.json, .yaml)."
    )
    binary: Annotated[str, AfterValidator(_base64)] | None = Field(
        None, description="The file's bytes, base64-encoded."
    )
    mode: int | None = Field(
        None, ge=0, le=0o777, description="Permission bits, e.g. 0o644 (written 0644 in YAML); unset: 0644."
    )

    @model_validator(mode="after")
    def _one_content(self) -> ExtraFile:
        given = [name for name in ("text", "data", "binary") if getattr(self, name) is not None]
        if len(given) != 1:
            raise FieldProblems(
                ("", f"has {len(given)} contents ({', '.join(given) or 'none'}); write one of text, data or binary")
            )
        if self.data is not None and posixpath.splitext(self.mount_path)[1] not in DATA_FORMATS:
            raise FieldProblems(
                (
                    "data",
                    f"is written as JSON or YAML by the extension of mount_path, and {self.mount_path} has neither "
                    f"{', '.join(DATA_FORMATS)}; rename the file or write its text under `text`",
                )
            )
        return self

    def string_content(self) -> str | None:
        """The text of a text or data file (None for a binary one)."""
        if self.text is not None:
            return self.text
        if self.data is None:
            return None
        if self.mount_path.endswith(".json"):
            return json.dumps(self.data, indent=2) + "\n"
        return yaml.safe_dump(self.data, sort_keys=False)

    def size(self) -> int:
        """Bytes this file takes in its ConfigMap."""
        text = self.string_content()
        if text is not None:
            return len(text.encode())
        return len(base64.b64decode((self.binary or "").replace("\n", "")))


def files_problems(files: dict[str, ExtraFile], read_only_dirs: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Files that could not be mounted: too much for one ConfigMap, two at one path, or inside a read-only volume.

    Paths are below the section's `extra_files`.
    """
    problems = []
    total = sum(file.size() for file in files.values())
    if total > CONFIG_MAP_LIMIT:
        problems.append(
            (
                "extra_files",
                f"{total} bytes in total, above the {CONFIG_MAP_LIMIT} bytes (1 MiB) Kubernetes allows in one "
                "ConfigMap; mount large files from a volume (storage.extra_volumes) instead",
            )
        )
    seen: dict[str, str] = {}
    for key, file in files.items():
        normal = posixpath.normpath(file.mount_path)
        if normal in seen:
            problems.append(
                (
                    f"extra_files.{key}.mount_path",
                    f"{file.mount_path} is already where {seen[normal]} is mounted; give each file its own path",
                )
            )
        seen.setdefault(normal, key)
        for directory in read_only_dirs:
            if below(file.mount_path, directory):
                problems.append(
                    (
                        f"extra_files.{key}.mount_path",
                        f"{file.mount_path} is inside {directory}, a read-only volume of the pod where no file can be "
                        "added; choose another directory, e.g. /usr/local/etc/jupyterhub-files",
                    )
                )
    return problems
