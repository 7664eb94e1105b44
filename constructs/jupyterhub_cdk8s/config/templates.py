"""Text KubeSpawner fills in per server, and the paths and names of a user pod's parts.

KubeSpawner formats every string of volumes, mounts, init containers,
sidecars, labels and environment with the server's fields (kubespawner 7.0.0
spawner.py `_expand_all`, `_expand_user_properties`): `{username}` becomes the
user's name, and any other `{...}` fails every spawn. These types refuse such
text at load time.
"""

from __future__ import annotations

import posixpath
import re
import string
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from .kubernetes import ENV_NAME, LabelKey, checked, label_value
from .yaml_input import shown

# What KubeSpawner fills into volume, init-container and environment values
# at spawn time; any other {field} would fail every spawn.
SPAWN_FIELDS = ("username", "servername", "user_server", "unescaped_username", "userid")
PER_USER_FIELDS = ("user_server", "username", "unescaped_username", "userid")


def _spawn_template(value: str) -> str:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError:
        fields = ["?"]
    unknown = [field for field in fields if field not in SPAWN_FIELDS]
    if unknown:
        raise ValueError(
            f"{shown(value)}: KubeSpawner fills in {{...}} when it starts a server and knows only "
            f"{', '.join('{' + f + '}' for f in SPAWN_FIELDS)}; write braces as {{{{ and }}}} otherwise"
        )
    return value


SpawnTemplate = Annotated[str, AfterValidator(_spawn_template)]
"""Text KubeSpawner formats per server: `{username}` and friends only."""


def per_user(template: str) -> bool:
    """The template differs between users (it names the user)."""
    return any(f"{{{field}}}" in template for field in PER_USER_FIELDS)


_CLAIM_TEXT = re.compile(r"^[a-z0-9]([-a-z0-9]*)$")


def _user_claim_template(value: str) -> str:
    """A PVC name per user: starts with literal lower-case text (which monitoring matches claims by)."""
    parts = list(string.Formatter().parse(value))
    literal = "".join(text for text, _, _, _ in parts)
    if not per_user(value):
        raise ValueError(
            f"{shown(value)} names one PVC for every user; include {{user_server}} (or {{username}}), "
            "e.g. claim-{user_server}"
        )
    if not parts[0][0] or not _CLAIM_TEXT.match(parts[0][0]) or not all(c.isalnum() or c in "-." for c in literal):
        raise ValueError(
            f"{shown(value)} is not a PVC name template; start with lower-case letters or digits and use only those, "
            "'-' and '.' outside the {...} fields, e.g. claim-{user_server}"
        )
    return value


UserClaimTemplate = Annotated[str, AfterValidator(_spawn_template), AfterValidator(_user_claim_template)]
"""KubeSpawner's pvc_name_template: one PVC per user."""


def _mount_path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or len(value) < 2 or "\n" in value:
        raise ValueError(f"{shown(value)} is not an absolute path; write one like /home/jovyan/data")
    if ".." in value.split("/"):
        raise ValueError(f"{shown(value)} contains '..'; write the path it means, e.g. {posixpath.normpath(value)}")
    return value


MountPath = Annotated[str, BeforeValidator(_mount_path), AfterValidator(_spawn_template)]
"""Where a volume or file appears in a container: an absolute path other than / (KubeSpawner fills in {username})."""

_SUB_PATH = re.compile(r"^[A-Za-z0-9._{}-]+(/[A-Za-z0-9._{}-]+)*$")


def _sub_path(value: Any) -> str:
    if not isinstance(value, str) or not _SUB_PATH.match(value) or ".." in value.split("/"):
        raise ValueError(
            f"{shown(value)} is not a directory of the volume; write a relative path of letters, digits, '.', '_', "
            "'-' and {username}, e.g. homes/{username}"
        )
    return value


SubPath = Annotated[str, BeforeValidator(_sub_path), AfterValidator(_spawn_template)]
"""A directory below a volume's root, e.g. `{username}`: mounted instead of the root."""


def _env_name(value: Any) -> str:
    if not isinstance(value, str) or not ENV_NAME.match(value):
        raise ValueError("is not an environment variable name; use ASCII letters, digits and _, e.g. MY_SETTING")
    return value


EnvName = Annotated[str, BeforeValidator(_env_name)]
"""An environment variable's name, as a key of a map (the path shows it)."""


def below(path: str, parent: str) -> bool:
    """`path` is `parent` or inside it (both normalized)."""
    path, parent = posixpath.normpath(path), posixpath.normpath(parent)
    return path == parent or path.startswith(parent.rstrip("/") + "/")


# KubeSpawner writes these on every user pod after the extra labels, so one set here would be silently
# replaced (kubespawner 7.0.0 spawner.py `_build_pod_labels`); policies and dashboards select on them.
RESERVED_LABEL_PREFIXES = ("app.kubernetes.io/",)
RESERVED_LABELS = ("component", "hub.jupyter.org/username", "hub.jupyter.org/servername")


def _not_reserved(value: str) -> str:
    if value in RESERVED_LABELS or value.startswith(RESERVED_LABEL_PREFIXES):
        raise ValueError(
            f"{shown(value)} is set by KubeSpawner on every user pod (network policies select on it); choose "
            "another key"
        )
    return value


def _label_value_template(value: str) -> list[str]:
    """A label value once KubeSpawner filled in its fields (each at least one character)."""
    return label_value(value.replace("{", "a").replace("}", "a"))


UserLabelKey = Annotated[LabelKey, AfterValidator(_not_reserved)]
"""A label key of user pods: Kubernetes' rules, and none KubeSpawner sets itself."""
UserLabelValue = Annotated[
    str,
    BeforeValidator(checked(_label_value_template, "a label value", "data-science")),
    AfterValidator(_spawn_template),
]
"""A label value of user pods; KubeSpawner fills in {username} and friends."""
