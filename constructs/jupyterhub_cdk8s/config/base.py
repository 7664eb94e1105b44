"""Shared building blocks of the config schema: strict models and typed scalars.

Every scalar a user writes is validated here once, at load time, with a message
that says what to write instead; constructs can then trust the values.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, values never change after load."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def warnings(self) -> list[tuple[str, str]]:
        """Valid but risky settings, as (field path, message): printed by the CLI, never fatal.

        A model with a warning of its own overrides this; the default collects
        those of its sub-models, prefixed with the field's name.
        """
        found = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, StrictModel):
                found.extend((f"{name}.{path}" if path else name, message) for path, message in value.warnings())
        return found


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
        raise ValueError(text)
    number, suffix = Decimal(match.group(1)), match.group(2)
    if suffix is None:
        return number
    if suffix == "m":
        return number / 1000
    return number * (_BINARY_SUFFIXES.get(suffix) or _DECIMAL_SUFFIXES[suffix])


def _cpu(value: Any) -> str:
    text = _quantity_text(value)
    try:
        cores = parse_quantity(text)
    except (ValueError, InvalidOperation):
        raise ValueError(
            f"{text!r} is not a CPU quantity; write cores like 2 or 0.5, or millicores like 500m"
        ) from None
    if not text.endswith("m") and _QUANTITY.match(text).group(2):  # type: ignore[union-attr]
        raise ValueError(f"{text!r} is not a CPU quantity; write cores like 2 or 0.5, or millicores like 500m")
    if cores <= 0:
        raise ValueError(f"{text!r} must be more than 0 CPU; write e.g. 100m")
    return text


def _memory(value: Any) -> str:
    text = _quantity_text(value)
    try:
        size = parse_quantity(text)
    except (ValueError, InvalidOperation):
        raise ValueError(
            f"{text!r} is not a memory/storage quantity; write a number with a binary suffix like 512Mi, 8Gi or 1Ti"
        ) from None
    if text.endswith("m"):
        raise ValueError(f"{text!r} means milli-bytes; write Mi for mebibytes, e.g. 512Mi")
    if size < 2**20:
        raise ValueError(f"{text!r} is less than 1Mi; a bare number is bytes, so write e.g. 512Mi or 8Gi")
    return text


Cpu = Annotated[str, BeforeValidator(_cpu), Field(json_schema_extra={"examples": ["500m", "2"]})]
"""CPU as a Kubernetes quantity (`2`, `0.5`, `500m`), kept as the user wrote it."""

Memory = Annotated[str, BeforeValidator(_memory), Field(json_schema_extra={"examples": ["512Mi", "8Gi"]})]
"""Memory or storage as a Kubernetes quantity (`512Mi`, `8Gi`), kept as the user wrote it."""


def cores(cpu: str) -> float:
    return float(parse_quantity(cpu))


def byte_count(memory: str) -> int:
    return int(parse_quantity(memory))


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")
_IMAGE = re.compile(
    r"^(?P<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def _dns_label(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a valid Kubernetes name; use at most 63 lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, e.g. jupyterhub"
        )
    return value


def _hostname(value: Any) -> str:
    if not isinstance(value, str) or not _HOSTNAME.match(value):
        raise ValueError(
            f"{value!r} is not a valid host name; write a lower-case DNS name without scheme, port or path, "
            "e.g. jupyter.example.com"
        )
    return value


def _image(value: Any) -> str:
    match = _IMAGE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a container image reference; write registry/repository:tag")
    if not match.group("tag") and not match.group("digest"):
        raise ValueError(
            f"{value!r} has no tag; pin the image, e.g. {value}:4.4.0 (an untagged image silently changes under you)"
        )
    return value


DnsLabel = Annotated[str, BeforeValidator(_dns_label)]
"""A Kubernetes object name that must also be a DNS label (namespaces, Services)."""

Hostname = Annotated[str, BeforeValidator(_hostname)]
"""A public DNS host name, e.g. `jupyter.example.com`."""

Image = Annotated[str, BeforeValidator(_image), PlainSerializer(str)]
"""A pinned container image, `registry/repository:tag` or `...@sha256:...`."""


def image_repository(image: str) -> str:
    return _IMAGE.match(image).group("repo")  # type: ignore[union-attr]


def image_tag(image: str) -> str:
    match = _IMAGE.match(image)
    return match.group("digest") or match.group("tag")  # type: ignore[union-attr]


def singleton_replicas(reason: str):
    """Type of `replicas` for a process that must run alone: 1, or refused with `reason`."""

    def only_one(value: int) -> int:
        if value != 1:
            raise ValueError(f"{value} replicas refused: {reason}")
        return value

    return Annotated[int, AfterValidator(only_one)]


class SecretKeyRef(StrictModel):
    """A value kept in a Kubernetes Secret of the environment's namespace, never in git."""

    name: DnsLabel = Field(description="Name of the Secret in the environment's namespace.")
    key: str = Field(
        description="Key inside the Secret.",
        pattern=r"^[-._a-zA-Z0-9]+$",
    )


class CpuRange(StrictModel):
    """CPU a container is guaranteed (request) and may burst to (limit)."""

    request: Cpu = Field(description="CPU the scheduler reserves for the container, e.g. 500m.")
    limit: Cpu = Field(description="CPU the container is throttled at, e.g. 2.")


class MemoryRange(StrictModel):
    """Memory a container is guaranteed (request) and is killed above (limit)."""

    request: Memory = Field(description="Memory the scheduler reserves for the container, e.g. 1Gi.")
    limit: Memory = Field(description="Memory above which the container is OOM-killed, e.g. 4Gi.")


class Resources(StrictModel):
    """Requests and limits of one container."""

    cpu: CpuRange
    memory: MemoryRange

    @model_validator(mode="after")
    def _request_within_limit(self) -> Resources:
        return check_resources(self)

    def problems(self) -> list[tuple[str, str]]:
        """Field paths whose request exceeds the limit, with a message."""
        found = []
        if cores(self.cpu.request) > cores(self.cpu.limit):
            found.append(
                ("cpu.request", f"{self.cpu.request} is above the limit {self.cpu.limit}; lower it or raise cpu.limit")
            )
        if byte_count(self.memory.request) > byte_count(self.memory.limit):
            found.append(
                (
                    "memory.request",
                    f"{self.memory.request} is above the limit {self.memory.limit}; lower it or raise memory.limit",
                )
            )
        return found


def resources(cpu: tuple[str, str], memory: tuple[str, str]) -> Resources:
    """Shorthand for defaults: `resources(("100m", "1"), ("256Mi", "1Gi"))`."""
    return Resources(cpu=CpuRange(request=cpu[0], limit=cpu[1]), memory=MemoryRange(request=memory[0], limit=memory[1]))


class FieldProblems(ValueError):
    """Raised by a model validator to name the exact sub-fields at fault, each with its message.

    Pydantic locates a model validator's error at the model and hands the
    exception back in the error's `ctx["error"]`; the loader appends each
    sub-path to the model's path, so the user reads `hub.resources.cpu.request`
    rather than `hub.resources`.
    """

    def __init__(self, *problems: tuple[str, str]):
        self.problems = list(problems)
        """(sub-path relative to the model, message), e.g. ("cpu.request", "4 is above the limit 2; ...")."""
        super().__init__("; ".join(f"{path}: {message}" if path else message for path, message in self.problems))


def check_resources(model: Resources) -> Resources:
    if problems := model.problems():
        raise FieldProblems(*problems)
    return model
