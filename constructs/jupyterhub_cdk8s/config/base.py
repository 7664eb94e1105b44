"""Shared building blocks of the config schema: strict models, typed names and images, field problems.

Every scalar a user writes is validated once, at load time, with a message
that says what to write instead (CPU and memory in `resources`); constructs can
then trust the values.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from .kubernetes import dns1035_label, is_ip_address, too_long
from .yaml_input import SHOWN, shown


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, values never change after load.

    Strict: a value must have its type as YAML wrote it (`uid: true` is no number, `replicas: 2.5` no count,
    `enabled: "no"` no switch); a field is written as users write it (`for`, never `for_`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def warnings(self) -> list[tuple[str, str]]:
        """Valid but risky settings, as (field path, message): printed by the CLI, never fatal.

        A model with a warning of its own overrides this; the default collects
        those of its sub-models, prefixed with the field's name.
        """
        found: list[tuple[str, str]] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, StrictModel):
                found.extend((f"{name}.{path}" if path else name, message) for path, message in value.warnings())
        return found


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$")
_IMAGE = re.compile(
    r"^(?P<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+(?=/))?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)


def _dns_label(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValueError(
            f"{shown(value)} is not a valid Kubernetes name; use at most 63 lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, e.g. jupyterhub"
        )
    return value


def _hostname(value: Any) -> str:
    if isinstance(value, str) and is_ip_address(value):
        # An Ingress rule's host must be a DNS name (ValidateIngressSpec: "must be a DNS name, not an IP
        # address"), and an OAuth callback or a TLS certificate is issued for a name too.
        raise ValueError(f"{shown(value)} is an IP address; write the DNS name users open, e.g. jupyter.example.com")
    if not isinstance(value, str) or not _HOSTNAME.match(value):
        raise ValueError(
            f"{shown(value)} is not a valid host name; write a lower-case DNS name without scheme, port or path, "
            "e.g. jupyter.example.com"
        )
    return value


# Namespaces a cluster keeps for itself. Kubernetes reserves the kube- prefix ("Avoid creating namespaces with
# the prefix kube-"), OpenShift refuses projects named openshift-* or kube-*. `default` is refused as well: this
# hub's default-deny NetworkPolicy, ResourceQuota, LimitRange and Pod Security labels would apply to everything
# else there (the `kubernetes` Service lives in it), and one environment owns its whole namespace.
SYSTEM_NAMESPACES = ("default", "openshift")
SYSTEM_PREFIXES = ("kube-", "openshift-")


def _own_namespace(value: str) -> str:
    if value in SYSTEM_NAMESPACES or value.startswith(SYSTEM_PREFIXES):
        raise ValueError(
            f"{value!r} is one of the cluster's own namespaces (default, kube-*, openshift-*); this environment's "
            "network policies, quota and Pod Security labels would apply to what runs there: write a namespace "
            "of the hub's own, e.g. jupyterhub"
        )
    return value


def valid_image(value: Any) -> str:
    """`value` as a pinned image reference, or a ValueError saying what to write."""
    match = _IMAGE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{shown(value)} is not a container image reference; write registry/repository:tag")
    if not match.group("tag") and not match.group("digest"):
        raise ValueError(
            f"{shown(value)} has no tag; pin the image, e.g. {value if len(value) <= SHOWN else '<image>'}:4.4.0 "
            "(an untagged image silently changes under you)"
        )
    return value


DnsLabel = Annotated[str, BeforeValidator(_dns_label)]
"""A Kubernetes object name that must also be a DNS label (namespaces, Services)."""

# The longest name that must be a DNS label is the Job <name>-hook-image-awaiter (a Job's name becomes the
# label value job-name of its pods, at most 63 characters); Services (<name>-proxy-public) must also start
# with a letter (DNS-1035, ValidateServiceName).
RELEASE_MAX = 63 - len("-hook-image-awaiter")


def _release(value: str) -> str:
    if problems := dns1035_label(value) + too_long(value, RELEASE_MAX):
        raise ValueError(
            f"{shown(value)} cannot start the names of this environment's objects: it {'; it '.join(problems)} "
            f"(Service names start with a letter; the longest object name adds {63 - RELEASE_MAX} characters to it); "
            "write e.g. jupyterhub"
        )
    return value


Release = Annotated[str, BeforeValidator(_dns_label), AfterValidator(_release)]
"""The environment's `name`: the prefix of every object name, so it leaves room for the longest suffix."""

OwnNamespace = Annotated[str, BeforeValidator(_dns_label), AfterValidator(_own_namespace)]
"""The namespace an environment writes its objects to: never one of the cluster's own."""

Hostname = Annotated[str, BeforeValidator(_hostname)]
"""A public DNS host name, e.g. `jupyter.example.com`."""

Image = Annotated[str, BeforeValidator(valid_image), PlainSerializer(str)]
"""A pinned container image, `registry/repository:tag` or `...@sha256:...`."""


def _image_parts(image: str) -> re.Match[str]:
    match = _IMAGE.match(image)
    if match is None:
        raise ValueError(f"{image!r} is not a container image reference; validate it as `Image` first")
    return match


def image_repository(image: str) -> str:
    return _image_parts(image).group("repo")


def image_tag(image: str) -> str:
    parts = _image_parts(image)
    return parts.group("digest") or parts.group("tag")


def only_one_replica(reason: str) -> AfterValidator:
    """Validator of `replicas` for a process that must run alone: 1, or refused with `reason`."""

    def only_one(value: int) -> int:
        if value != 1:
            raise ValueError(f"{value} replicas refused: {reason}")
        return value

    return AfterValidator(only_one)


class SecretKeyRef(StrictModel):
    """A value kept in a Kubernetes Secret of the environment's namespace, never in git."""

    name: DnsLabel = Field(description="Name of the Secret in the environment's namespace.")
    key: str = Field(
        description="Key inside the Secret.",
        pattern=r"^[-._a-zA-Z0-9]+$",
    )


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
