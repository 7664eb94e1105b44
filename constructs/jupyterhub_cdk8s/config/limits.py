"""Config of the namespace's LimitRange: defaults for containers that declare nothing, a ceiling for any one."""

from __future__ import annotations

from pydantic import Field

from .base import StrictModel
from .resources import CONTAINER_RESOURCES, Amount, Bounds, ContainerResource, Cpu, Footprint, Memory, at, largest
from .sizing import UserServerSize


class ContainerSize(StrictModel):
    """CPU and memory of one container."""

    cpu: Cpu = Field(description="CPU, e.g. 500m or 2.")
    memory: Memory = Field(description="Memory, e.g. 512Mi or 4Gi.")

    def amount(self, resource: ContainerResource, path: str) -> Amount:
        return Amount(resource, getattr(self, resource), at(path, resource))


class LimitRangeSettings(StrictModel):
    """A LimitRange: defaults for containers that declare nothing, and a ceiling for any one container."""

    enabled: bool = Field(True, description="Write the LimitRange.")
    default_request: ContainerSize = Field(
        default_factory=lambda: ContainerSize(cpu="100m", memory="256Mi"),
        description="Request given to a container that declares none.",
    )
    default_limit: ContainerSize = Field(
        default_factory=lambda: ContainerSize(cpu="1", memory="1Gi"),
        description="Limit given to a container that declares none.",
    )
    max: ContainerSize | None = Field(
        None,
        description=(
            "Largest limit any one container may have. Unset: the largest of the user server and the hub's own "
            "containers, so nothing bigger than what this file declares can run."
        ),
    )

    def defaults(self, resource: ContainerResource) -> Bounds:
        """What a container that declares nothing of `resource` gets."""
        return Bounds(
            self.default_request.amount(resource, "limit_range.default_request"),
            self.default_limit.amount(resource, "limit_range.default_limit"),
        )


def container_ceiling(limits: LimitRangeSettings, user: UserServerSize, own: list[Footprint]) -> tuple[str, str]:
    """Largest CPU and memory limit a container may have: the configured max, else the largest we declare."""
    if limits.max is not None:
        return limits.max.cpu, limits.max.memory
    cpu, memory = (
        largest(
            [
                user.of(resource).limit,
                limits.defaults(resource).limit,
                *(c.of(resource).limit for c in (*own, *user.containers)),
            ]
        )
        for resource in CONTAINER_RESOURCES
    )
    return cpu.quantity, memory.quantity


def limit_range_problems(
    limits: LimitRangeSettings, user: UserServerSize, own: list[Footprint]
) -> list[tuple[str, str]]:
    """Containers the LimitRange would reject, and defaults above its own maximum."""
    if not limits.enabled:
        return []
    found = [problem for resource in CONTAINER_RESOURCES for problem in limits.defaults(resource).problems()]
    if limits.max is None:
        return found
    for resource in CONTAINER_RESOURCES:
        ceiling = limits.max.amount(resource, "limit_range.max")
        for container in dict.fromkeys((user, *user.containers, *own)):  # replicas of one container share limits
            limit = container.of(resource).limit
            if limit.size > ceiling.size:
                found.append(
                    (
                        ceiling.source,
                        f"{ceiling} is below the {resource} limit {limit} of {limit.source}, which could then never "
                        f"start; raise {ceiling.source} to at least {limit} or lower that limit",
                    )
                )
        found.extend(Bounds(limits.defaults(resource).limit, ceiling).problems())
    return found
