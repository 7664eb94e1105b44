"""Text KubeSpawner fills in per server, and the paths and names of a user pod's parts.

KubeSpawner formats every string of volumes, mounts, init containers,
sidecars and environment with the server's fields (kubespawner 7.0.0
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

# What KubeSpawner fills into volume, init-container and environment values
# at spawn time; any other {field} would fail every spawn.
SPAWN_FIELDS = ("username", "servername", "user_server", "unescaped_username", "userid")
PER_USER_FIELDS = ("username", "user_server", "unescaped_username", "userid")


def _spawn_template(value: str) -> str:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError:
        fields = ["?"]
    unknown = [field for field in fields if field not in SPAWN_FIELDS]
    if unknown:
        raise ValueError(
            f"{value!r}: KubeSpawner fills in {{...}} when it starts a server and knows only "
            f"{', '.join('{' + f + '}' for f in SPAWN_FIELDS)}; write braces as {{{{ and }}}} otherwise"
        )
    return value


SpawnTemplate = Annotated[str, AfterValidator(_spawn_template)]
"""Text KubeSpawner formats per server: `{username}` and friends only."""


def per_user(template: str) -> bool:
    """The template differs between users (it names the user)."""
    return any(f"{{{field}}}" in template for field in PER_USER_FIELDS)


def _mount_path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or len(value) < 2 or "\n" in value:
        raise ValueError(f"{value!r} is not an absolute path; write one like /home/jovyan/data")
    if ".." in value.split("/"):
        raise ValueError(f"{value!r} contains '..'; write the path it means, e.g. {posixpath.normpath(value)}")
    return value


MountPath = Annotated[str, BeforeValidator(_mount_path), AfterValidator(_spawn_template)]
"""Where a volume or file appears in a container: an absolute path other than / (KubeSpawner fills in {username})."""

_SUB_PATH = re.compile(r"^[A-Za-z0-9._{}-]+(/[A-Za-z0-9._{}-]+)*$")


def _sub_path(value: Any) -> str:
    if not isinstance(value, str) or not _SUB_PATH.match(value) or ".." in value.split("/"):
        raise ValueError(
            f"{value!r} is not a directory of the volume; write a relative path of letters, digits, '.', '_', '-' "
            "and {username}, e.g. homes/{username}"
        )
    return value


SubPath = Annotated[str, BeforeValidator(_sub_path), AfterValidator(_spawn_template)]
"""A directory below a volume's root, e.g. `{username}`: mounted instead of the root."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: Any) -> str:
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise ValueError(f"{value!r} is not an environment variable name; use letters, digits and _, e.g. MY_SETTING")
    return value


EnvName = Annotated[str, BeforeValidator(_env_name)]
"""An environment variable's name."""


def below(path: str, parent: str) -> bool:
    """`path` is `parent` or inside it (both normalized)."""
    path, parent = posixpath.normpath(path), posixpath.normpath(parent)
    return path == parent or path.startswith(parent.rstrip("/") + "/")


_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# KubeSpawner writes these on every user pod after the extra labels, so one set here would be silently
# replaced (kubespawner 7.0.0 spawner.py `_build_pod_labels`); policies and dashboards select on them.
RESERVED_LABEL_PREFIXES = ("app.kubernetes.io/",)
RESERVED_LABELS = ("component", "hub.jupyter.org/username", "hub.jupyter.org/servername")


def _label_key(value: Any) -> str:
    prefix, _, name = value.rpartition("/") if isinstance(value, str) else ("", "", "")
    if not _LABEL_NAME.match(name) or (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))):
        raise ValueError(f"{value!r} is not a label key; write [prefix/]name, e.g. example.org/team or team")
    if value in RESERVED_LABELS or value.startswith(RESERVED_LABEL_PREFIXES):
        raise ValueError(
            f"{value!r} is set by KubeSpawner on every user pod (network policies select on it); choose another key"
        )
    return value


def _label_value(value: Any) -> str:
    if not isinstance(value, str) or (value and not _LABEL_NAME.match(value.replace("{", "a").replace("}", "a"))):
        raise ValueError(
            f"{value!r} is not a label value; use at most 63 letters, digits, '-', '_' and '.', e.g. data-science"
        )
    return value


LabelKey = Annotated[str, BeforeValidator(_label_key)]
LabelValue = Annotated[str, BeforeValidator(_label_value), AfterValidator(_spawn_template)]
"""A label value; KubeSpawner fills in {username} and friends."""
