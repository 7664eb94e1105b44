"""Config of existing volumes mounted into user servers: a PVC, an NFS export, a ConfigMap or a Secret.

These are not objects of `dist/`: they exist before the hub (a site's NFS
homes, a curated datasets claim, a Secret with a service's certificate), so
ArgoCD never owns or prunes them. Volumes this project creates for users are
`storage.shared_volumes`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .base import DnsLabel, FieldProblems, StrictModel
from .kubernetes import ObjectName, is_ip_address
from .templates import MountPath, SubPath
from .yaml_input import shown

VolumeKind = Literal["claim", "nfs", "config_map", "secret"]
VOLUME_KINDS: tuple[VolumeKind, ...] = ("claim", "nfs", "config_map", "secret")
# The Pod Security "restricted" level admits these volume types only; nfs is not one of them
# (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Volume Types").
RESTRICTED_KINDS = ("claim", "config_map", "secret")


def _server(value: Any) -> str:
    if isinstance(value, str):
        if is_ip_address(value):
            return value
        labels = value.split(".")
        if len(value) <= 253 and all(
            label and len(label) <= 63 and label.replace("-", "a").isalnum() and label.isascii() for label in labels
        ):
            return value
    raise ValueError(f"{shown(value)} is not an NFS server; write its host name or IP address, e.g. nfs.example.org")


class NfsExport(StrictModel):
    """An NFS export, mounted by the kubelet on the node (no PersistentVolume needed)."""

    server: Annotated[str, BeforeValidator(_server)] = Field(
        description="Host name or IP address of the NFS server, e.g. nfs.example.org."
    )
    path: MountPath = Field(description="Exported directory, e.g. /exports/datasets.")


class ExtraVolume(StrictModel):
    """An existing volume mounted into user servers: exactly one of claim, nfs, config_map or secret."""

    name: DnsLabel = Field(description="Name of the volume in the user pod (sidecars mount it by this name).")
    mount_path: MountPath = Field(description="Where it appears in the user's container, e.g. /home/jovyan/datasets.")
    sub_path: SubPath | None = Field(
        None, description="Directory of the volume to mount instead of its root, e.g. {username} or projects/shared."
    )
    read_only: bool = Field(False, description="Mount read-only (ConfigMaps and Secrets always are).")
    claim: ObjectName | None = Field(None, description="An existing PersistentVolumeClaim of the namespace.")
    nfs: NfsExport | None = Field(
        None,
        description=(
            "An NFS export. Pod Security restricted admits no nfs volume: user pods then meet baseline only; an "
            "NFS-backed PersistentVolume and its claim keep them restricted."
        ),
    )
    config_map: ObjectName | None = Field(None, description="An existing ConfigMap of the namespace.")
    secret: ObjectName | None = Field(
        None, description="An existing Secret of the namespace: every user can read every key of it."
    )

    @model_validator(mode="after")
    def _one_source(self) -> ExtraVolume:
        given = [kind for kind in VOLUME_KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise FieldProblems(
                (
                    "",
                    f"names {len(given)} sources ({', '.join(given) or 'none'}); write exactly one of claim, nfs, "
                    "config_map or secret, e.g. `claim: datasets`",
                )
            )
        return self

    @property
    def kind(self) -> VolumeKind:
        return next(kind for kind in VOLUME_KINDS if getattr(self, kind) is not None)

    @property
    def mounted_read_only(self) -> bool:
        return self.read_only or self.kind in ("config_map", "secret")

    def source(self) -> dict:
        """The volume source as the Kubernetes API writes it."""
        if self.claim is not None:
            return {
                "persistentVolumeClaim": {"claimName": self.claim, **({"readOnly": True} if self.read_only else {})}
            }
        if self.nfs is not None:
            nfs = {"server": self.nfs.server, "path": self.nfs.path}
            return {"nfs": {**nfs, **({"readOnly": True} if self.read_only else {})}}
        if self.config_map is not None:
            return {"configMap": {"name": self.config_map}}
        return {"secret": {"secretName": self.secret}}
