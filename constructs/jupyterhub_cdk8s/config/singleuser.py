"""Config of the user servers KubeSpawner starts: image, resources, storage, environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Cpu, Image, Memory, StrictModel, byte_count, cores, field_problems

SINGLEUSER_IMAGE = "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0"


class CpuAllotment(StrictModel):
    """CPU of a user server: what it is guaranteed and what it may burst to."""

    guarantee: Cpu = Field("100m", description="CPU reserved for each user server (the pod's request).")
    limit: Cpu = Field("2", description="CPU each user server is throttled at.")


class MemoryAllotment(StrictModel):
    """Memory of a user server: what it is guaranteed and where it is killed."""

    guarantee: Memory = Field("1Gi", description="Memory reserved for each user server (the pod's request).")
    limit: Memory = Field("2Gi", description="Memory above which a user server is OOM-killed.")


class UserStorage(StrictModel):
    """Each user's home directory."""

    type: Literal["dynamic", "none"] = Field(
        "dynamic",
        description="dynamic: KubeSpawner creates one PVC per user on first start and keeps it; none: an ephemeral home.",
    )
    capacity: Memory = Field("10Gi", description="Size of each user's PVC.")
    storage_class: str | None = Field(None, description="StorageClass of user PVCs; unset uses the cluster default.")
    access_mode: Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"] = Field(
        "ReadWriteOnce", description="Access mode of user PVCs."
    )
    home_mount_path: str = Field("/home/jovyan", description="Where the user's PVC is mounted.", pattern=r"^/.*")


class SingleuserSettings(StrictModel):
    """Defaults of every user server."""

    image: Image = Field(SINGLEUSER_IMAGE, description="Image of user servers; it must contain jupyterhub-singleuser.")
    cpu: CpuAllotment = Field(default_factory=CpuAllotment, description="CPU guarantee and limit.")
    memory: MemoryAllotment = Field(default_factory=MemoryAllotment, description="Memory guarantee and limit.")
    storage: UserStorage = Field(default_factory=UserStorage, description="Per-user home directory.")
    start_timeout: int = Field(300, ge=30, description="Seconds a server may take to start (image pull included) before it is given up.")
    http_timeout: int = Field(120, ge=10, description="Seconds the hub waits for a started server to answer HTTP.")
    default_url: str = Field("/lab", description="Where users land after their server starts, e.g. /lab or /lab/tree/work.", pattern=r"^/.*")
    extra_env: dict[str, str] = Field(
        default_factory=dict,
        description="Plain environment variables of every user server (values are not secret: they end up in git).",
    )
    uid: int = Field(1000, ge=1, description="User ID the server runs as (1000 is jovyan in Jupyter images); never root by default.")
    fs_gid: int = Field(100, ge=0, description="Group that owns mounted volumes (100 is users in Jupyter images).")

    @model_validator(mode="after")
    def _guarantee_within_limit(self) -> "SingleuserSettings":
        problems = []
        if cores(self.cpu.guarantee) > cores(self.cpu.limit):
            problems.append(("cpu.guarantee", f"{self.cpu.guarantee} is above cpu.limit {self.cpu.limit}; lower it or raise the limit"))
        if byte_count(self.memory.guarantee) > byte_count(self.memory.limit):
            problems.append(
                ("memory.guarantee", f"{self.memory.guarantee} is above memory.limit {self.memory.limit}; lower it or raise the limit")
            )
        if problems:
            raise field_problems(*problems)
        return self
