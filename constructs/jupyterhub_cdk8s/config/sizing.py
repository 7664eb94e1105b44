"""User server sizes: the largest anyone can start (what the quota and the limit range must leave room for),
and the default one (what a quota is counted in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .resources import (
    CONTAINER_RESOURCES,
    SIDES,
    Amount,
    Bounds,
    ContainerResource,
    Footprint,
    RequestAndLimit,
    largest,
    written,
)
from .singleuser import Profile, SingleuserSettings


@dataclass(frozen=True)
class UserServerSize(Footprint):
    """The largest of each number any user server can ask for, each with the field that sets it."""

    storage: Amount | None
    """The home volume; None without one (storage type none or static: no PVC per user)."""
    gpus: int = 0
    gpus_source: str = "singleuser"
    sidecars: Footprint | None = None
    """What the sidecars of one user pod take together (the most of any profile), on top of the server."""
    containers: tuple[Footprint, ...] = ()
    """Every sidecar and init container of user pods, each a container the limit range must admit."""


def largest_user_server(singleuser: SingleuserSettings) -> UserServerSize:
    """The biggest server a user can start; quota and limit range are checked against it.

    Without profiles every server has the `singleuser` numbers. With profiles a
    user picks one of them, and then one choice per drop-down: a cpu or memory
    choice sets the limit (the guarantee is lowered to it, never raised), a gpu
    choice the GPU count. Each number is the largest over every profile and
    every choice, so any server a user could pick is covered.
    """
    storage = (
        Amount("storage", singleuser.storage.capacity, "singleuser.storage.capacity")
        if singleuser.storage.type == "dynamic"
        else None
    )
    sidecars, containers = _sidecars(singleuser, [*singleuser.profiles] or [None]), tuple(_containers(singleuser))
    if not singleuser.profiles:
        cpu, memory = singleuser.cpu.bounds("singleuser.cpu"), singleuser.memory.bounds("singleuser.memory")
        return UserServerSize("singleuser", cpu, memory, storage, sidecars=sidecars, containers=containers)
    requests: dict[ContainerResource, list[Amount]] = {resource: [] for resource in CONTAINER_RESOURCES}
    limits: dict[ContainerResource, list[Amount]] = {resource: [] for resource in CONTAINER_RESOURCES}
    gpus = []
    for index, profile in enumerate(singleuser.profiles):
        path, named = f"singleuser.profiles[{index}]", f" (profile {profile.slug})"
        allotments: tuple[tuple[ContainerResource, RequestAndLimit | None, RequestAndLimit], ...] = (
            ("cpu", profile.cpu, singleuser.cpu),
            ("memory", profile.memory, singleuser.memory),
        )
        for resource, own, default in allotments:
            bounds = own.bounds(f"{path}.{resource}") if own else default.bounds(f"singleuser.{resource}")
            requests[resource].append(replace(bounds.request, source=bounds.request.source + named))
            limits[resource].append(replace(bounds.limit, source=bounds.limit.source + named))
        gpus.append((profile.gpus, f"{path}.gpus{named}"))
        for key, option in profile.options.items():
            for choice_key, choice in option.choices.items():
                source = f"{path}.options.{key}.choices.{choice_key}.value{named}"
                if option.kind in ("cpu", "memory"):
                    limits[option.kind].append(Amount(option.kind, str(choice.value), source))
                elif option.kind == "gpu":
                    gpus.append((int(choice.value), source))
    most_gpus = max(gpus, key=lambda count: count[0])
    cpu, memory = (Bounds(largest(requests[r]), largest(limits[r])) for r in CONTAINER_RESOURCES)
    return UserServerSize(
        "singleuser",
        cpu,
        memory,
        storage,
        gpus=most_gpus[0],
        gpus_source=most_gpus[1],
        sidecars=sidecars,
        containers=containers,
    )


def default_user_server(singleuser: SingleuserSettings) -> UserServerSize:
    """The server a user gets without choosing: the default profile with its drop-downs' defaults.

    What most users run, so the number of servers a quota fits is counted in it.
    """
    storage = (
        Amount("storage", singleuser.storage.capacity, "singleuser.storage.capacity")
        if singleuser.storage.type == "dynamic"
        else None
    )
    profile = next((p for p in singleuser.profiles if p.default), None)
    sidecars = _sidecars(singleuser, [profile])
    if profile is None:
        cpu, memory = singleuser.cpu.bounds("singleuser.cpu"), singleuser.memory.bounds("singleuser.memory")
        return UserServerSize("singleuser", cpu, memory, storage, sidecars=sidecars)
    index = singleuser.profiles.index(profile)
    path, named = f"singleuser.profiles[{index}]", f" (profile {profile.slug})"
    bounds: dict[ContainerResource, Bounds] = {}
    allotments: tuple[tuple[ContainerResource, RequestAndLimit | None, RequestAndLimit], ...] = (
        ("cpu", profile.cpu, singleuser.cpu),
        ("memory", profile.memory, singleuser.memory),
    )
    for resource, own, default in allotments:
        found = own.bounds(f"{path}.{resource}") if own else default.bounds(f"singleuser.{resource}")
        bounds[resource] = Bounds(
            replace(found.request, source=found.request.source + named),
            replace(found.limit, source=found.limit.source + named),
        )
    gpus, gpus_source = profile.gpus, f"{path}.gpus{named}"
    for key, option in profile.options.items():
        choice = option.choices[option.default]
        source = f"{path}.options.{key}.choices.{option.default}.value{named}"
        if option.kind in ("cpu", "memory"):
            kind: ContainerResource = "cpu" if option.kind == "cpu" else "memory"
            limit = Amount(kind, str(choice.value), source)
            request = min(bounds[kind].request, limit, key=lambda amount: amount.size)
            bounds[kind] = Bounds(request, limit)
        elif option.kind == "gpu":
            gpus, gpus_source = int(choice.value), source
    return UserServerSize(
        "singleuser", bounds["cpu"], bounds["memory"], storage, gpus=gpus, gpus_source=gpus_source, sidecars=sidecars
    )


def _containers(singleuser: SingleuserSettings) -> list[Footprint]:
    """Every sidecar and init container of every server and profile, each at its field."""
    found = []
    for path, pod in [("singleuser", singleuser)] + [
        (f"singleuser.profiles[{i}]", p) for i, p in enumerate(singleuser.profiles)
    ]:
        for kind in ("init_containers", "sidecars"):
            for index, container in enumerate(getattr(pod, kind)):
                found.append(container.resources.footprint(f"{path}.{kind}[{index}].resources"))
    return found


def _sidecars(singleuser: SingleuserSettings, pods: Sequence[Profile | None]) -> Footprint | None:
    """The most the sidecars of one user pod (of one of `pods`) take together: every server's, and a profile's."""
    totals: dict[tuple[ContainerResource, str], Amount] = {}
    for profile in pods:
        sidecars = [*singleuser.sidecars, *(profile.sidecars if profile else [])]
        if not sidecars:
            continue
        source = "singleuser.sidecars" + (f" and profile {profile.slug}'s" if profile and profile.sidecars else "")
        for resource in CONTAINER_RESOURCES:
            for side in SIDES:
                size = sum(container.resources.footprint("").of(resource).side(side).size for container in sidecars)
                amount = Amount(resource, written(resource, size), source)
                key = (resource, side)
                if key not in totals or amount.size > totals[key].size:
                    totals[key] = amount
    if not totals:
        return None
    cpu, memory = (Bounds(totals[(r, "request")], totals[(r, "limit")]) for r in CONTAINER_RESOURCES)
    return Footprint("sidecars", cpu, memory)
