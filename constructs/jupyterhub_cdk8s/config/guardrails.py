"""Config of the multi-tenant guardrails: quota, limit range, network policies, Pod Security levels.

A shared hub runs code its users wrote. These sections bound what that code
can take (quota, limit range), reach (network policies) and do to the node
(Pod Security admission). Every section is on by default.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .base import Cpu, DnsLabel, Memory, StrictModel, byte_count, cores
from .singleuser import SingleuserSettings

METADATA_CIDR = "169.254.169.254/32"
"""The cloud metadata address: instance credentials live behind it, so no pod of ours may ever reach it."""

PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def _contains_metadata(cidr: str) -> bool:
    return ipaddress.ip_address(METADATA_CIDR.split("/")[0]) in ipaddress.ip_network(cidr)


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a CIDR; write a network address with its prefix length, e.g. 10.0.0.0/8"
        ) from None


def _cidr_without_metadata(value: str) -> str:
    cidr = _cidr(value)
    if _contains_metadata(cidr):
        raise ValueError(
            f"{cidr} contains the cloud metadata address {METADATA_CIDR}, whose instance credentials no pod may "
            "reach; write only the ranges you need, e.g. the service's own /24 or /32"
        )
    return cidr


Cidr = Annotated[str, AfterValidator(_cidr)]
"""An IPv4/IPv6 network, e.g. 10.0.0.0/8."""

SafeCidr = Annotated[str, AfterValidator(_cidr_without_metadata)]
"""A network user-supplied egress may open: never one containing the metadata address."""


# ---------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Amount:
    """One number a user server asks for, and the config path that sets it (for error messages)."""

    value: str
    source: str
    """e.g. `singleuser.cpu.limit`, or `singleuser.profiles[1].options.size.choices.xl.value (profile ml-gpu)`."""


@dataclass(frozen=True)
class UserServerSize:
    """The largest of each number any user server can ask for: what quota and limit range must leave room for."""

    cpu_request: Amount
    cpu_limit: Amount
    memory_request: Amount
    memory_limit: Amount
    storage: str | None
    gpus: int = 0
    gpus_source: str = "singleuser"


def largest_user_server(singleuser: SingleuserSettings) -> UserServerSize:
    """The biggest server a user can start; quota and limit range are checked against it.

    Without profiles every server has the `singleuser` numbers. With profiles a
    user picks one of them, and then one choice per drop-down: a cpu or memory
    choice sets the limit (the guarantee is lowered to it, never raised), a gpu
    choice the GPU count. Each resource is the largest over every profile and
    every choice, so any server a user could pick is covered.
    """
    storage = singleuser.storage.capacity if singleuser.storage.type == "dynamic" else None
    if not singleuser.profiles:
        return UserServerSize(
            cpu_request=Amount(singleuser.cpu.guarantee, "singleuser.cpu.guarantee"),
            cpu_limit=Amount(singleuser.cpu.limit, "singleuser.cpu.limit"),
            memory_request=Amount(singleuser.memory.guarantee, "singleuser.memory.guarantee"),
            memory_limit=Amount(singleuser.memory.limit, "singleuser.memory.limit"),
            storage=storage,
        )
    cpu_requests, cpu_limits, memory_requests, memory_limits, gpus = [], [], [], [], []
    for index, profile in enumerate(singleuser.profiles):
        path, named = f"singleuser.profiles[{index}]", f" (profile {profile.slug})"
        cpu_path = f"{path}.cpu" if profile.cpu else "singleuser.cpu"
        memory_path = f"{path}.memory" if profile.memory else "singleuser.memory"
        cpu, memory = profile.cpu or singleuser.cpu, profile.memory or singleuser.memory
        cpu_requests.append(Amount(cpu.guarantee, f"{cpu_path}.guarantee{named}"))
        cpu_limits.append(Amount(cpu.limit, f"{cpu_path}.limit{named}"))
        memory_requests.append(Amount(memory.guarantee, f"{memory_path}.guarantee{named}"))
        memory_limits.append(Amount(memory.limit, f"{memory_path}.limit{named}"))
        gpus.append((profile.gpus, f"{path}.gpus{named}"))
        for key, option in profile.options.items():
            for choice_key, choice in option.choices.items():
                source = f"{path}.options.{key}.choices.{choice_key}.value{named}"
                if option.kind == "cpu":
                    cpu_limits.append(Amount(str(choice.value), source))
                elif option.kind == "memory":
                    memory_limits.append(Amount(str(choice.value), source))
                elif option.kind == "gpu":
                    gpus.append((int(choice.value), source))
    most_gpus = max(gpus, key=lambda count: count[0])
    return UserServerSize(
        cpu_request=max(cpu_requests, key=lambda a: cores(a.value)),
        cpu_limit=max(cpu_limits, key=lambda a: cores(a.value)),
        memory_request=max(memory_requests, key=lambda a: byte_count(a.value)),
        memory_limit=max(memory_limits, key=lambda a: byte_count(a.value)),
        storage=storage,
        gpus=most_gpus[0],
        gpus_source=most_gpus[1],
    )


# ---------------------------------------------------------------- quota


class CpuQuota(StrictModel):
    """CPU all pods of the namespace may reserve and burst to, together."""

    requests: Cpu = Field("20", description="Sum of CPU requests of all pods in the namespace, e.g. 100.")
    limits: Cpu = Field("40", description="Sum of CPU limits of all pods in the namespace, e.g. 200.")


class MemoryQuota(StrictModel):
    """Memory all pods of the namespace may reserve and burst to, together."""

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


class ContainerSize(StrictModel):
    """CPU and memory of one container."""

    cpu: Cpu = Field(description="CPU, e.g. 500m or 2.")
    memory: Memory = Field(description="Memory, e.g. 512Mi or 4Gi.")


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


# ---------------------------------------------------------------- network


class PodsElsewhere(StrictModel):
    """Pods of another namespace, chosen by namespace name and pod labels."""

    namespace: DnsLabel = Field(description="Name of the namespace the pods run in.")
    pod_labels: dict[str, str] = Field(
        default_factory=dict, description="Labels the pods carry; empty means every pod of that namespace."
    )


class DatabaseEndpoint(StrictModel):
    """Where the hub's PostgreSQL is: an IP range, or pods of a namespace."""

    cidrs: list[SafeCidr] = Field(default_factory=list, description="IP ranges of the database, e.g. [10.0.5.10/32].")
    pods: PodsElsewhere | None = Field(None, description="The database's pods, when it runs in this cluster.")
    port: int = Field(5432, ge=1, le=65535, description="TCP port of the database.")


class ExtraEgress(StrictModel):
    """An extra destination user pods may reach, by IP range."""

    cidr: SafeCidr = Field(description="IP range, e.g. 10.20.0.0/16. It may not contain the metadata address.")
    ports: list[int] = Field(default_factory=list, description="TCP ports; empty means every port.")


class ApiServer(StrictModel):
    """Where the Kubernetes API server answers, as seen from pods (after the kubernetes Service's NAT)."""

    cidrs: list[SafeCidr] = Field(
        default_factory=lambda: list(PRIVATE_RANGES),
        description="IP ranges of the API server endpoints (`kubectl get endpoints kubernetes -n default`); "
        "default: the private ranges, which holds on most clusters.",
    )
    ports: list[int] = Field(
        default_factory=lambda: [443, 6443], description="TCP ports the API server endpoints listen on."
    )


class NetworkPolicySettings(StrictModel):
    """NetworkPolicies: default deny for the namespace, then one policy per connection a component needs."""

    enabled: bool = Field(True, description="Write the NetworkPolicies (the cluster's CNI must enforce them).")
    ingress_controller: PodsElsewhere = Field(
        default_factory=lambda: PodsElsewhere(
            namespace="ingress-nginx", pod_labels={"app.kubernetes.io/name": "ingress-nginx"}
        ),
        description="The ingress controller's pods: the only outside pods that may reach the proxy.",
    )
    dns: PodsElsewhere = Field(
        default_factory=lambda: PodsElsewhere(namespace="kube-system", pod_labels={"k8s-app": "kube-dns"}),
        description="The cluster DNS pods (port 53 UDP and TCP).",
    )
    api_server: ApiServer = Field(default_factory=ApiServer, description="The Kubernetes API, for the hub and hooks.")
    database: DatabaseEndpoint | None = Field(
        None, description="The hub's PostgreSQL; required when hub.database.type is postgresql."
    )
    user_internet: bool = Field(
        False,
        description=(
            "Let user servers reach the internet (0.0.0.0/0 minus private_ranges and the metadata address), "
            "e.g. for pip install."
        ),
    )
    private_ranges: list[Cidr] = Field(
        default_factory=lambda: list(PRIVATE_RANGES),
        description="The cluster's and company's private ranges, excluded from user internet egress.",
    )
    user_egress: list[ExtraEgress] = Field(
        default_factory=list, description="More destinations user servers may reach, by IP range."
    )


# ---------------------------------------------------------------- pod security

Level = Literal["privileged", "baseline", "restricted"]


class PodSecuritySettings(StrictModel):
    """Pod Security admission levels of the namespace (labels on the Namespace object)."""

    enforce: Level = Field("baseline", description="Pods below this level are rejected (user pods meet baseline).")
    warn: Level = Field("restricted", description="Pods below this level are admitted with a warning to the client.")
    audit: Level = Field("restricted", description="Pods below this level are admitted and recorded in the audit log.")
    version: str = Field(
        "latest",
        pattern=r"^(latest|v1\.[0-9]+)$",
        description="Version of the standard to apply, e.g. latest or v1.30.",
    )


# ---------------------------------------------------------------- cross-field


@dataclass(frozen=True)
class Container:
    """CPU/memory numbers of one of our own containers, for the checks against the namespace's ceilings."""

    source: str
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str


def quota_problems(
    quota: QuotaSettings, user: UserServerSize, own: list[Container], own_storage: str | None
) -> list[tuple[str, str]]:
    """Why the largest user server could never start under `quota` next to our own pods."""
    if not quota.enabled:
        return []
    found = []
    sizes = [
        ("cpu.requests", quota.cpu.requests, user.cpu_request, [c.cpu_request for c in own]),
        ("cpu.limits", quota.cpu.limits, user.cpu_limit, [c.cpu_limit for c in own]),
        ("memory.requests", quota.memory.requests, user.memory_request, [c.memory_request for c in own]),
        ("memory.limits", quota.memory.limits, user.memory_limit, [c.memory_limit for c in own]),
    ]
    owners = ", ".join(dict.fromkeys(c.source for c in own))
    for field, total, user_amount, own_values in sizes:
        resource = field.split(".")[0]
        measure = cores if resource == "cpu" else byte_count
        taken = sum(measure(value) for value in own_values)
        needed = measure(user_amount.value) + taken
        if needed > measure(total):
            found.append(
                (
                    f"quota.{field}",
                    f"{total} leaves no room for one user server: {user_amount.source} is {user_amount.value} and "
                    f"our own pods ({owners}) already take {_amount(taken, resource)}; raise quota.{field} to at "
                    f"least {_amount(needed, resource)} or lower {user_amount.source}",
                )
            )
    if user.storage is not None:
        needed = byte_count(user.storage) + (byte_count(own_storage) if own_storage else 0)
        if needed > byte_count(quota.storage):
            found.append(
                (
                    "quota.storage",
                    f"{quota.storage} leaves no room for one user home: singleuser.storage.capacity is {user.storage}"
                    + (f" and the hub's database takes {own_storage}" if own_storage else "")
                    + f"; raise quota.storage to at least {_amount(needed, 'memory')}",
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
    if user.gpus > quota.gpus:
        found.append(
            (
                "quota.gpus",
                f"{quota.gpus} is below the {user.gpus} GPUs of {user.gpus_source}; raise quota.gpus to {user.gpus}",
            )
        )
    return found


def limit_range_problems(
    limits: LimitRangeSettings, user: UserServerSize, own: list[Container]
) -> list[tuple[str, str]]:
    """Containers the LimitRange would reject, and defaults above its own maximum."""
    if not limits.enabled:
        return []
    found = []
    if cores(limits.default_request.cpu) > cores(limits.default_limit.cpu):
        found.append(
            (
                "limit_range.default_request.cpu",
                f"{limits.default_request.cpu} is above default_limit.cpu {limits.default_limit.cpu}; lower it",
            )
        )
    if byte_count(limits.default_request.memory) > byte_count(limits.default_limit.memory):
        found.append(
            (
                "limit_range.default_request.memory",
                (
                    f"{limits.default_request.memory} is above "
                    f"default_limit.memory {limits.default_limit.memory}; lower it"
                ),
            )
        )
    if limits.max is None:
        return found
    container_limits = [
        ("cpu", cores, limits.max.cpu, user.cpu_limit),
        ("memory", byte_count, limits.max.memory, user.memory_limit),
    ]
    for container in dict.fromkeys(own):  # replicas of one container share their limits
        container_limits.append(("cpu", cores, limits.max.cpu, Amount(container.cpu_limit, container.source)))
        container_limits.append(
            ("memory", byte_count, limits.max.memory, Amount(container.memory_limit, container.source))
        )
    for resource, measure, ceiling, limit in container_limits:
        if measure(limit.value) > measure(ceiling):
            found.append(
                (
                    f"limit_range.max.{resource}",
                    f"{ceiling} is below the {resource} limit {limit.value} of {limit.source}, which could then never "
                    f"start; raise limit_range.max.{resource} to at least {limit.value} or lower that limit",
                )
            )
    for resource, measure, ceiling, default in (
        ("cpu", cores, limits.max.cpu, limits.default_limit.cpu),
        ("memory", byte_count, limits.max.memory, limits.default_limit.memory),
    ):
        if measure(default) > measure(ceiling):
            found.append(
                (
                    f"limit_range.default_limit.{resource}",
                    f"{default} is above limit_range.max.{resource} {ceiling}; lower it",
                )
            )
    return found


def network_policy_problems(policy: NetworkPolicySettings, uses_postgresql: bool) -> list[tuple[str, str]]:
    """A database the hub could not reach, or a declared one it does not use."""
    if not policy.enabled:
        return []
    if uses_postgresql and policy.database is None:
        return [
            (
                "network_policy.database",
                "hub.database is postgresql but the NetworkPolicies would block the hub from reaching it; write "
                "network_policy.database: {cidrs: [10.0.5.10/32], port: 5432} "
                "or {pods: {namespace: db, pod_labels: {...}}}",
            )
        ]
    if policy.database is not None and not uses_postgresql:
        return [
            (
                "network_policy.database",
                "hub.database is sqlite, the hub reaches no database over the network; remove it",
            )
        ]
    if policy.database is not None and not policy.database.cidrs and policy.database.pods is None:
        return [("network_policy.database", "names no endpoint; write cidrs: [10.0.5.10/32] or pods: {namespace: db}")]
    return []


def _amount(value: float, resource: str) -> str:
    if resource == "cpu":
        millicores = round(value * 1000)
        return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"
    mebibytes = value / 2**20
    return f"{mebibytes / 1024:g}Gi" if mebibytes % 1024 == 0 else f"{mebibytes:g}Mi"
