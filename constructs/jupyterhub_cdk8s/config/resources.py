"""CPU, memory and storage: one amount type, and the request/limit pair every section is made of.

Users write these numbers under the keys of the software each section
configures: `guarantee`/`limit` for user servers (KubeSpawner's words),
`request`/`limit` for our own containers and `requests`/`limits` for the
namespace's sums (Kubernetes' words), `cpu`/`memory` for a LimitRange side.
Those section models stay thin: each turns its keys into `Amount`s, and every
comparison, sum and message works on `Amount`, `Bounds` and `Footprint`, which
carry the config path that set each number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from .base import FieldProblems, StrictModel
from .yaml_input import shown

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")

_CPU_ADVICE = "write cores like 2 or 0.5, or millicores like 500m"


# ---------------------------------------------------------------- quantities as users write them


def _quantity_text(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("must be a quantity, not true/false")
    if isinstance(value, (int, float)):
        value = format(Decimal(str(value)).normalize(), "f")
    if not isinstance(value, str):
        raise ValueError("must be a Kubernetes quantity")
    return value.strip()


def parse_quantity(text: str) -> Decimal:
    """Value of a Kubernetes quantity in base units (cores or bytes)."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{shown(text)} is not a Kubernetes quantity")
    number, suffix = Decimal(match.group(1)), match.group(2)
    if suffix is None:
        return number
    if suffix == "m":
        return number / 1000
    return number * (_BINARY_SUFFIXES.get(suffix) or _DECIMAL_SUFFIXES[suffix])


# Kubernetes' quantity holds at most 2^63-1 and three decimals of its unit, and caps or rounds up anything else
# (apimachinery, pkg/api/resource/quantity.go: "no quantity may represent a number greater than 2^63-1 in
# magnitude, nor may it have more than 3 decimal places"): refused here, so what is written is what runs.
MAX_QUANTITY = Decimal(2**63 - 1)


def _as_kubernetes_holds_it(text: str) -> None:
    value = parse_quantity(text)
    if value > MAX_QUANTITY:
        raise ValueError(f"{shown(text)} is more than a Kubernetes quantity holds (2^63-1 of its unit); write less")
    if (value * 1000) % 1:
        raise ValueError(
            f"{shown(text)} is finer than a thousandth of its unit, which Kubernetes rounds up; write at most three "
            "decimals, e.g. 0.001 (or 1m)"
        )


def valid_cpu(value: Any) -> str:
    """`value` as a CPU quantity, or a ValueError saying what to write."""
    text = _quantity_text(value)
    match = _QUANTITY.match(text)
    if match is None or match.group(2) not in (None, "m"):
        raise ValueError(f"{shown(text)} is not a CPU quantity; {_CPU_ADVICE}")
    _as_kubernetes_holds_it(text)
    if parse_quantity(text) <= 0:
        raise ValueError(f"{shown(text)} must be more than 0 CPU; write e.g. 100m")
    return text


def valid_memory(value: Any) -> str:
    """`value` as a memory or storage quantity, or a ValueError saying what to write."""
    text = _quantity_text(value)
    if not _QUANTITY.match(text):
        raise ValueError(
            f"{shown(text)} is not a memory/storage quantity; write a number with a binary suffix like 512Mi, 8Gi "
            "or 1Ti"
        )
    if text.endswith("m"):
        raise ValueError(f"{shown(text)} means milli-bytes; write Mi for mebibytes, e.g. 512Mi")
    _as_kubernetes_holds_it(text)
    if parse_quantity(text) < 2**20:
        raise ValueError(f"{shown(text)} is less than 1Mi; a bare number is bytes, so write e.g. 512Mi or 8Gi")
    return text


Cpu = Annotated[str, BeforeValidator(valid_cpu), Field(json_schema_extra={"examples": ["500m", "2"]})]
"""CPU as a Kubernetes quantity (`2`, `0.5`, `500m`), kept as the user wrote it."""

Memory = Annotated[str, BeforeValidator(valid_memory), Field(json_schema_extra={"examples": ["512Mi", "8Gi"]})]
"""Memory or storage as a Kubernetes quantity (`512Mi`, `8Gi`), kept as the user wrote it."""


def cores(cpu: str) -> float:
    return float(parse_quantity(cpu))


def byte_count(memory: str) -> int:
    return int(parse_quantity(memory))


# ---------------------------------------------------------------- the one model of an amount

Resource = Literal["cpu", "memory", "storage"]
"""What an amount measures: CPU in cores, memory and storage in bytes."""

ContainerResource = Literal["cpu", "memory"]
CONTAINER_RESOURCES: tuple[ContainerResource, ...] = ("cpu", "memory")

Side = Literal["request", "limit"]
SIDES: tuple[Side, ...] = ("request", "limit")


def at(path: str, key: str) -> str:
    """`key` below `path`: a field path as messages print it."""
    return f"{path}.{key}" if path else key


@dataclass(frozen=True)
class Amount:
    """A CPU, memory or storage quantity, and the config field that sets it (named in every message about it)."""

    resource: Resource
    quantity: str
    """As the user wrote it, already validated: 500m, 2, 8Gi."""
    source: str
    """e.g. `singleuser.cpu.limit`, or `singleuser.profiles[1].options.size.choices.xl.value (profile ml-gpu)`."""

    @property
    def size(self) -> Decimal:
        """Cores or bytes."""
        return parse_quantity(self.quantity)

    def __str__(self) -> str:
        return self.quantity


def largest(amounts: Iterable[Amount]) -> Amount:
    """The biggest amount; of equal ones, the first."""
    return max(amounts, key=lambda amount: amount.size)


def written(resource: Resource, size: Decimal | int) -> str:
    """A computed size exactly as a user would write it: 3, 1500m, 12Gi, 1920Mi."""
    if resource == "cpu":
        millicores = round(size * 1000)
        return str(millicores // 1000) if millicores % 1000 == 0 else f"{millicores}m"
    count = int(size)
    for suffix, unit in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if count % unit == 0:
            return f"{count // unit}{suffix}"
    return str(count)


@dataclass(frozen=True)
class Bounds:
    """One resource of a container: what it is guaranteed (request) and what it may never pass (limit)."""

    request: Amount
    limit: Amount

    def side(self, side: Side) -> Amount:
        return self.request if side == "request" else self.limit

    def problems(self) -> list[tuple[str, str]]:
        """A request above its limit: Kubernetes refuses such a container."""
        if self.request.size <= self.limit.size:
            return []
        message = f"{self.request} is above the limit {self.limit}; lower it or raise {self.limit.source}"
        return [(self.request.source, message)]


@dataclass(frozen=True)
class Footprint:
    """CPU and memory one container asks for, and who asks."""

    owner: str
    """The section that sizes it, e.g. hub.resources, singleuser, scheduling.user_placeholders."""
    cpu: Bounds
    memory: Bounds
    replicas: int = field(default=1, kw_only=True)
    """How many such containers run: counted by multiplying, so a count costs no work of its size."""

    def of(self, resource: ContainerResource) -> Bounds:
        return self.cpu if resource == "cpu" else self.memory


# ---------------------------------------------------------------- thin section models


class RequestAndLimit(StrictModel):
    """Base of a section's two numbers of one resource; `keys` names its request and its limit field."""

    resource: ClassVar[ContainerResource]
    keys: ClassVar[tuple[str, str]]

    def bounds(self, path: str = "") -> Bounds:
        """The two numbers as amounts set at `path`.<key>."""
        request, limit = (Amount(self.resource, getattr(self, key), at(path, key)) for key in self.keys)
        return Bounds(request, limit)


def request_above_limit(*sections: tuple[str, RequestAndLimit | None]) -> list[tuple[str, str]]:
    """Problems of each (path, section) whose request is above its limit; a section may be unset."""
    return [problem for path, section in sections if section for problem in section.bounds(path).problems()]


class CpuRange(RequestAndLimit):
    """CPU a container is guaranteed (request) and may burst to (limit)."""

    resource = "cpu"
    keys = ("request", "limit")
    request: Cpu = Field(description="CPU the scheduler reserves for the container, e.g. 500m.")
    limit: Cpu = Field(description="CPU the container is throttled at, e.g. 2.")


class MemoryRange(RequestAndLimit):
    """Memory a container is guaranteed (request) and is killed above (limit)."""

    resource = "memory"
    keys = ("request", "limit")
    request: Memory = Field(description="Memory the scheduler reserves for the container, e.g. 1Gi.")
    limit: Memory = Field(description="Memory above which the container is OOM-killed, e.g. 4Gi.")


class Resources(StrictModel):
    """Requests and limits of one container."""

    cpu: CpuRange
    memory: MemoryRange

    @model_validator(mode="after")
    def _request_within_limit(self) -> Resources:
        if problems := request_above_limit(("cpu", self.cpu), ("memory", self.memory)):
            raise FieldProblems(*problems)
        return self

    def footprint(self, path: str) -> Footprint:
        """This container's numbers, set at `path` (e.g. hub.resources)."""
        return Footprint(path, self.cpu.bounds(at(path, "cpu")), self.memory.bounds(at(path, "memory")))


def resources(cpu: tuple[str, str], memory: tuple[str, str]) -> Resources:
    """Shorthand for defaults: `resources(("100m", "1"), ("256Mi", "1Gi"))`."""
    return Resources(cpu=CpuRange(request=cpu[0], limit=cpu[1]), memory=MemoryRange(request=memory[0], limit=memory[1]))
