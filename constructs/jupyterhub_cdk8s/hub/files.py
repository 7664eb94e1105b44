"""Files mounted into the hub (`hub.extra_files`): a ConfigMap, one volume per file, a restart when they change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from constructs import Construct

from ..component import Component, Context
from ..config import HubConfig
from ..config.files import ExtraFile
from ..config_file import Order
from ..extra_files import file_volumes, files_config_map
from ..naming import HUB
from ..parts import Part


class HubFiles(Part):
    """The ConfigMap of the hub's extra files."""

    def __init__(self, scope: Construct, id: str, *, files: dict[str, ExtraFile], name: str, labels: dict[str, str]):
        super().__init__(scope, id)
        files_config_map(self, "files", name=name, labels=labels, files=files)


@dataclass(frozen=True)
class HubFilesComponent(Component):
    """Files the hub reads (templates, config snippets), when `hub.extra_files` has any."""

    files: dict[str, ExtraFile]

    @classmethod
    def from_config(cls, config: HubConfig) -> HubFilesComponent | None:
        return cls(dict(config.hub.extra_files)) if config.hub.extra_files else None

    def declare(self, context: Context) -> None:
        context.hub_pod.volumes.extend(file_volumes(self.files, context.names.hub_files))

    def configure(self, context: Context) -> None:
        # The hub reads its files at start: a change of them must restart it, like a change of the config.
        digest = hashlib.sha256(
            "".join(f"{key}\0{file.model_dump_json()}" for key, file in sorted(self.files.items())).encode()
        ).hexdigest()
        context.config_file.section(Order.HUB, "Hub: extra files (hub.extra_files)")
        context.config_file.code(f"# extra files checksum {digest}")

    def build(self, scope: Construct, context: Context) -> None:
        names = context.names
        HubFiles(scope, "hub-files", files=self.files, name=names.hub_files, labels=names.labels(HUB))
