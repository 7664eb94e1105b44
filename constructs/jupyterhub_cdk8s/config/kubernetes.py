"""Kubernetes' own rules for the names, labels, ports and numbers a config sets, checked at load.

The OpenAPI schemas that validate objects say "string" and "integer" and check
no format, so an object that passes them can still be rejected by the API
server. These are the API server's rules, from kubernetes/kubernetes,
staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
(IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName,
IsValidLabelValue, IsValidPortNum, IsValidUserID/IsValidGroupID) and
.../pkg/api/validation/objectmeta.go (ValidateAnnotations). Each check
returns what is wrong, in words a user can act on; an empty list means valid.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .yaml_input import shown

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
MAX_UNIX_ID = INT32_MAX
"""Largest runAsUser/fsGroup every supported API server accepts (IsValidUserID: math.MaxInt32 up to 1.33)."""
MAX_PORT = 65535
MAX_PRIORITY = 1_000_000_000
"""Highest value of a user-defined PriorityClass (HighestUserDefinablePriority, pkg/apis/scheduling/types.go)."""

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
_DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""An environment variable name every supported API server and every shell takes (IsCIdentifier)."""
LABEL_MAX = 63
SUBDOMAIN_MAX = 253


def too_long(value: str, most: int) -> list[str]:
    return [f"is {len(value)} characters long, more than {most}"] if len(value) > most else []


def _form(pattern: re.Pattern[str], value: str, rule: str) -> list[str]:
    return [] if pattern.match(value) else [f"must be {rule}"]


_LOWER = "lower-case letters, digits and '-'"
_EDGES = "starting and ending with a letter or digit"


def dns1123_label(value: str) -> list[str]:
    """Namespaces, and names that become a DNS label or a label value (Jobs, StatefulSets)."""
    return too_long(value, LABEL_MAX) + _form(_DNS1123_LABEL, value, f"{_LOWER}, {_EDGES}")


def dns1035_label(value: str) -> list[str]:
    """Service names: a DNS label that starts with a letter."""
    rule = f"{_LOWER}, starting with a letter and ending with a letter or digit"
    return too_long(value, LABEL_MAX) + _form(_DNS1035_LABEL, value, rule)


def dns1123_subdomain(value: str) -> list[str]:
    """Most object names, class names (IngressClass, StorageClass, PriorityClass), host names."""
    rule = f"lower-case letters, digits, '-' and '.', {_EDGES}"
    return too_long(value, SUBDOMAIN_MAX) + _form(_DNS1123_SUBDOMAIN, value, rule)


def qualified_name(value: str) -> list[str]:
    """Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of at most 63 characters."""
    parts = value.split("/")
    if len(parts) > 2:
        return ["must have at most one '/', between a prefix like example.com and the name"]
    *prefix, name = parts
    problems = []
    if prefix and (not prefix[0] or dns1123_subdomain(prefix[0])):
        problems.append(f"must have a DNS subdomain like example.com before the '/', not {shown(prefix[0])}")
    rule = f"letters, digits, '-', '_' and '.'{' after the prefix' if prefix else ''}, {_EDGES}"
    return problems + too_long(name, LABEL_MAX) + _form(_QUALIFIED_NAME, name, rule)


def label_value(value: str) -> list[str]:
    """A label value: empty, or at most 63 letters, digits, '-', '_' and '.' between two letters or digits."""
    if value == "":
        return []
    return too_long(value, LABEL_MAX) + _form(_QUALIFIED_NAME, value, f"letters, digits, '-', '_' and '.', {_EDGES}")


_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$")


def port_name(value: str) -> list[str]:
    """IsValidPortName: at most 15 of a-z, 0-9 and single '-' between them, with at least one letter."""
    return too_long(value, 15) + _form(_PORT_NAME, value, "a-z, 0-9 and single '-' between them, with a letter")


def is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def checked(check: Callable[[str], list[str]], what: str, example: str) -> Callable[[Any], str]:
    """A before-validator: text that passes `check`, or a ValueError saying what to write."""

    def validate(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{shown(value)} is not {what}; write one in quotes, e.g. {example}")
        if problems := check(value):
            raise ValueError(f"{shown(value)} is not {what}: it {'; it '.join(problems)}; e.g. {example}")
        return value

    return validate


LabelKey = Annotated[str, BeforeValidator(checked(qualified_name, "a label key", "app.kubernetes.io/name"))]
LabelValue = Annotated[str, BeforeValidator(checked(label_value, "a label value", "jupyterhub"))]
Labels = dict[LabelKey, LabelValue]
"""Labels, node selectors and label selectors: Kubernetes checks key and value alike."""

AnnotationKey = Annotated[str, BeforeValidator(checked(qualified_name, "an annotation key", "example.com/setting"))]
Annotations = dict[AnnotationKey, str]

ClassName = Annotated[
    str, BeforeValidator(checked(dns1123_subdomain, "a class name (a Kubernetes object name)", "standard"))
]
"""The name of an IngressClass, StorageClass or other cluster-scoped object: a DNS subdomain."""
ObjectName = Annotated[str, BeforeValidator(checked(dns1123_subdomain, "a Kubernetes object name", "home-directories"))]
"""The name of an existing object of the namespace (a PVC, ConfigMap, Secret, ServiceAccount): a DNS subdomain."""

Port = Annotated[int, Field(ge=1, le=MAX_PORT)]
"""A TCP/UDP port number (IsValidPortNum)."""
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A count or limit: Kubernetes counts in int32 (replicas, ports, seconds), and so do we."""


def extended_resource(value: str) -> list[str]:
    """An extended resource like nvidia.com/gpu: a qualified name with a domain outside kubernetes.io.

    IsExtendedResourceName (pkg/apis/core/helper/helpers.go): not in the kubernetes.io namespace, with a prefix,
    and requests.<name> (what a ResourceQuota counts) a qualified name too.
    """
    if "/" not in value or value.split("/")[0].endswith("kubernetes.io"):
        return ["must be a name with a vendor domain before the '/', e.g. nvidia.com/gpu"]
    return qualified_name(f"requests.{value}")


ExtendedResource = Annotated[
    str, BeforeValidator(checked(extended_resource, "an extended resource name", "nvidia.com/gpu"))
]
