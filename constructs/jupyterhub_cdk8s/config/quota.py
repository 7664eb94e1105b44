"""Config of the namespace's ResourceQuota: what all users together may take, so they cannot starve the cluster."""

from __future__ import annotations

from pydantic import Field

from .base import StrictModel
from .resources import (
    CONTAINER_RESOURCES,
    SIDES,
    Amount,
    Cpu,
    Footprint,
    Memory,
    RequestAndLimit,
    written,
)
from .sizing import UserServerSize


class CpuQuota(RequestAndLimit):
    """CPU all pods of the namespace may reserve and burst to, together."""

    resource = "cpu"
    keys = ("requests", "limits")
    requests: Cpu = Field("20", description="Sum of CPU requests of all pods in the namespace, e.g. 100.")
    limits: Cpu = Field("40", description="Sum of CPU limits of all pods in the namespace, e.g. 200.")


class MemoryQuota(RequestAndLimit):
    """Memory all pods of the namespace may reserve and burst to, together."""

    resource = "memory"
    keys = ("requests", "limits")
    requests: Memory = Field("40Gi", description="Sum of memory requests of all pods in the namespace, e.g. 200Gi.")
    limits: Memory = Field("80Gi", description="Sum of memory limits of all pods in the namespace, e.g. 400Gi.")


class QuotaSettings(StrictModel):
    """A ResourceQuota for the namespace: users together cannot starve the cluster."""

    enabled: bool = Field(True, description="Write the ResourceQuota.")
    cpu: CpuQuota = Field(default_factory=CpuQuota, description="CPU requests and limits of the whole namespace.")
    memory: MemoryQuota = Field(
        default_factory=MemoryQuota, description="Memory requests and limits of the whole namespace."
    )
    persistent_volume_claims: int = Field(
        50, ge=1, description="Number of PVCs in the namespace: one per user home plus the hub's database."
    )
    storage: Memory = Field("500Gi", description="Total storage all PVCs of the namespace may request.")
    gpus: int = Field(
        0, ge=0, description="NVIDIA GPUs (requests.nvidia.com/gpu) the namespace may request; 0 forbids GPU pods."
    )

    def totals(self) -> Footprint:
        """The CPU and memory sums as bounds, set under `quota`."""
        return Footprint("quota", self.cpu.bounds("quota.cpu"), self.memory.bounds("quota.memory"))


def quota_problems(
    quota: QuotaSettings, user: UserServerSize, own: list[Footprint], own_storage: Amount | None
) -> list[tuple[str, str]]:
    """Why the largest user server could never start under `quota` next to our own pods."""
    if not quota.enabled:
        return []
    found = []
    owners = ", ".join(dict.fromkeys(container.owner for container in own))
    totals = quota.totals()
    for resource in CONTAINER_RESOURCES:
        for side in SIDES:
            total, asked = totals.of(resource).side(side), user.of(resource).side(side)
            sidecars = user.sidecars.of(resource).side(side) if user.sidecars else None
            taken = sum(container.of(resource).side(side).size for container in own)
            needed = asked.size + (sidecars.size if sidecars else 0) + taken
            with_sidecars = f" with {sidecars.source} taking {sidecars} beside it" if sidecars else ""
            if needed > total.size:
                found.append(
                    (
                        total.source,
                        f"{total} leaves no room for one user server: {asked.source} is {asked}{with_sidecars} "
                        f"and our own pods ({owners}) already take {written(resource, taken)}; raise {total.source} "
                        f"to at least {written(resource, needed)} or lower {asked.source}",
                    )
                )
    if user.storage is not None:
        found.extend(_storage_problems(quota, user.storage, own_storage))
    if user.gpus > quota.gpus:
        found.append(
            (
                "quota.gpus",
                f"{quota.gpus} is below the {user.gpus} GPUs of {user.gpus_source}; raise quota.gpus to {user.gpus}",
            )
        )
    return found


def _storage_problems(quota: QuotaSettings, home: Amount, own_storage: Amount | None) -> list[tuple[str, str]]:
    """One user home next to the hub's database must fit both the storage sum and the PVC count."""
    found = []
    total = Amount("storage", quota.storage, "quota.storage")
    needed = home.size + (own_storage.size if own_storage else 0)
    if needed > total.size:
        found.append(
            (
                total.source,
                f"{total} leaves no room for one user home: {home.source} is {home}"
                + (f" and the hub's database takes {own_storage}" if own_storage else "")
                + f"; raise {total.source} to at least {written('storage', needed)}",
            )
        )
    pvcs = 2 if own_storage else 1
    if quota.persistent_volume_claims < pvcs:
        found.append(
            (
                "quota.persistent_volume_claims",
                f"{quota.persistent_volume_claims} leaves no PVC for a user home; write at least {pvcs}",
            )
        )
    return found
