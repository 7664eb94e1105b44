"""Config of the namespace's ResourceQuotas: what all user servers together may take, and all PVCs.

The CPU, memory and GPU quota counts user servers only (it is scoped to the user
PriorityClass): our own pods, the sync's Jobs and the image pullers never
compete with users for it, so a full hub never blocks a sync. Kubernetes allows
no PVC count or storage under a PriorityClass scope (IsResourceQuotaScopeValidForResource,
pkg/apis/core/helper), so storage has its own quota over every PVC of the
namespace: the hub's database and the shared volumes count there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from .base import StrictModel
from .kubernetes import INT32_MAX
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
    """CPU all user servers may reserve and burst to, together."""

    resource = "cpu"
    keys = ("requests", "limits")
    requests: Cpu = Field("20", description="Sum of CPU requests of all user servers, e.g. 100.")
    limits: Cpu = Field("40", description="Sum of CPU limits of all user servers, e.g. 200.")


class MemoryQuota(RequestAndLimit):
    """Memory all user servers may reserve and burst to, together."""

    resource = "memory"
    keys = ("requests", "limits")
    requests: Memory = Field("40Gi", description="Sum of memory requests of all user servers, e.g. 200Gi.")
    limits: Memory = Field("80Gi", description="Sum of memory limits of all user servers, e.g. 400Gi.")


class QuotaSettings(StrictModel):
    """ResourceQuotas for the namespace: users together cannot starve the cluster, nor the hub's own pods."""

    enabled: bool = Field(True, description="Write the ResourceQuotas.")
    cpu: CpuQuota = Field(default_factory=CpuQuota, description="CPU requests and limits of all user servers.")
    memory: MemoryQuota = Field(
        default_factory=MemoryQuota, description="Memory requests and limits of all user servers."
    )
    persistent_volume_claims: int = Field(
        50,
        ge=1,
        le=INT32_MAX,
        description="Number of PVCs in the namespace: one per user home, the hub's database and each shared volume.",
    )
    storage: Memory = Field("500Gi", description="Total storage all PVCs of the namespace may request.")
    gpus: int = Field(
        0,
        ge=0,
        le=INT32_MAX,
        description="NVIDIA GPUs (requests.nvidia.com/gpu) user servers may request; 0 forbids GPU servers.",
    )
    expected_users: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description=(
            "Users expected to run a server at the same time (each with a home), e.g. 300 for a course; synth "
            "warns when the quota fits fewer servers of the default size. Unset: no check."
        ),
    )

    def totals(self) -> Footprint:
        """The CPU and memory sums as bounds, set under `quota`."""
        return Footprint("quota", self.cpu.bounds("quota.cpu"), self.memory.bounds("quota.memory"))


def quota_problems(quota: QuotaSettings, user: UserServerSize, own_claims: list[Amount]) -> list[tuple[str, str]]:
    """Why the largest user server could never start under `quota` (its PVCs next to our own ones)."""
    if not quota.enabled:
        return []
    found = []
    totals = quota.totals()
    for resource in CONTAINER_RESOURCES:
        for side in SIDES:
            total, asked = totals.of(resource).side(side), user.of(resource).side(side)
            sidecars = user.sidecars.of(resource).side(side) if user.sidecars else None
            needed = asked.size + (sidecars.size if sidecars else 0)
            with_sidecars = f" with {sidecars.source} taking {sidecars} beside it" if sidecars else ""
            if needed > total.size:
                found.append(
                    (
                        total.source,
                        f"{total} leaves no room for one user server: {asked.source} is {asked}{with_sidecars}; "
                        f"raise {total.source} to at least {written(resource, needed)} or lower {asked.source}",
                    )
                )
    if user.storage is not None:
        found.extend(_storage_problems(quota, user.storage, own_claims))
    if user.gpus > quota.gpus:
        found.append(
            (
                "quota.gpus",
                f"{quota.gpus} is below the {user.gpus} GPUs of {user.gpus_source}; raise quota.gpus to {user.gpus}",
            )
        )
    return found


def _own_storage(own_claims: list[Amount]) -> str:
    return " and ".join(f"{claim.source} takes {claim}" for claim in own_claims)


def _storage_problems(quota: QuotaSettings, home: Amount, own_claims: list[Amount]) -> list[tuple[str, str]]:
    """One user home next to our own PVCs must fit both the storage sum and the PVC count."""
    found = []
    total = Amount("storage", quota.storage, "quota.storage")
    needed = home.size + sum(claim.size for claim in own_claims)
    if needed > total.size:
        found.append(
            (
                total.source,
                f"{total} leaves no room for one user home: {home.source} is {home}"
                + (f" and {_own_storage(own_claims)}" if own_claims else "")
                + f"; raise {total.source} to at least {written('storage', needed)}",
            )
        )
    pvcs = 1 + len(own_claims)
    if quota.persistent_volume_claims < pvcs:
        found.append(
            (
                "quota.persistent_volume_claims",
                f"{quota.persistent_volume_claims} leaves no PVC for a user home; write at least {pvcs}",
            )
        )
    return found


@dataclass(frozen=True)
class Capacity:
    """How many user servers one number of the quota fits, and why."""

    servers: int
    reason: str
    field: str
    needed: str
    """What `field` must be for the expected users."""


def capacities(quota: QuotaSettings, server: UserServerSize, own_claims: list[Amount]) -> list[Capacity]:
    """How many servers of size `server` each number of the quota fits (each with its home)."""
    found = []
    totals = quota.totals()
    expected = quota.expected_users or 1
    for resource in CONTAINER_RESOURCES:
        for side in SIDES:
            total, asked = totals.of(resource).side(side), server.of(resource).side(side)
            sidecars = server.sidecars.of(resource).side(side) if server.sidecars else None
            per_server = asked.size + (sidecars.size if sidecars else 0)
            if per_server:
                beside = f" and {sidecars} of {sidecars.source}" if sidecars else ""
                found.append(
                    Capacity(
                        int(total.size // per_server),
                        f"{total.source} {total} / {asked} of {asked.source}{beside}",
                        total.source,
                        written(resource, per_server * expected),
                    )
                )
    if server.gpus:
        found.append(
            Capacity(
                quota.gpus // server.gpus,
                f"quota.gpus {quota.gpus} / {server.gpus} of {server.gpus_source}",
                "quota.gpus",
                str(server.gpus * expected),
            )
        )
    if server.storage is not None:
        own = sum((claim.size for claim in own_claims), Decimal(0))
        left = Amount("storage", quota.storage, "quota.storage").size - own
        taken = f" minus {written('storage', own)} of the hub's database and shared volumes" if own_claims else ""
        found.append(
            Capacity(
                int(left // server.storage.size),
                f"quota.storage {quota.storage}{taken} / {server.storage} of {server.storage.source}",
                "quota.storage",
                written("storage", server.storage.size * expected + own),
            )
        )
        found.append(
            Capacity(
                quota.persistent_volume_claims - len(own_claims),
                f"quota.persistent_volume_claims {quota.persistent_volume_claims} minus {len(own_claims)} of our "
                "own PVCs",
                "quota.persistent_volume_claims",
                str(expected + len(own_claims)),
            )
        )
    return found


def placeholder_problems(
    quota: QuotaSettings, placeholders: int, guarantees: tuple[RequestAndLimit, RequestAndLimit]
) -> list[tuple[str, str]]:
    """Placeholders beyond the user servers the quota admits: room held for users that no user can take.

    The user quota is scoped to the user PriorityClass, so it does not count placeholders (that way they
    never take a user's share of it) and cannot stop a typo of 50 million of them either.
    """
    if not quota.enabled or not placeholders:
        return []
    totals = quota.totals()
    for section, path in zip(guarantees, ("singleuser.cpu", "singleuser.memory"), strict=True):
        each = section.bounds(path).request
        total = totals.of(section.resource).request
        if each.size and placeholders > (fits := int(total.size // each.size)):
            return [
                (
                    "scheduling.user_placeholders.replicas",
                    f"{placeholders} placeholders hold room for more user servers than the quota admits ({fits}: "
                    f"{total.source} {total} / {each} of {each.source}), and room no user can take is wasted; "
                    f"write at most {fits}, or raise {total.source}",
                )
            ]
    return []


def expected_users_warnings(
    quota: QuotaSettings, server: UserServerSize, own_claims: list[Amount]
) -> list[tuple[str, str]]:
    """A warning when the quota fits fewer default-size servers than `quota.expected_users`."""
    if not quota.enabled or quota.expected_users is None:
        return []
    short = [c for c in capacities(quota, server, own_claims) if c.servers < quota.expected_users]
    if not short:
        return []
    tightest = min(short, key=lambda capacity: capacity.servers)
    raises = ", ".join(f"{c.field} to {c.needed}" for c in short)
    return [
        (
            "quota.expected_users",
            f"the quota fits {tightest.servers} user servers of the default size ({tightest.reason}), fewer than "
            f"expected_users {quota.expected_users}: the others are refused at spawn; raise {raises}, or lower "
            "the default server size",
        )
    ]
