"""Every synthesized object against the API server's own rules, before anything is written.

The config refuses what a user writes wrong (config/kubernetes.py); this is
the net under it. The schemas `kubernetes-validate` checks say "string" and
"integer", while the API server also checks forms: object names per kind,
label keys and values, annotation keys, port numbers and names, host names,
and numbers that fit int32. A value that breaks one of those, from whatever
setting or combination, is reported at the setting that holds it, with exit
2 and nothing written, instead of an `kubectl apply` or an ArgoCD sync that
fails later. The same pass refuses two environments of one synth that write
the same cluster-scoped object on one cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .config import HubConfig
from .config.kubernetes import (
    INT32_MAX,
    INT32_MIN,
    MAX_PORT,
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    is_ip_address,
    label_value,
    port_name,
    qualified_name,
)
from .config.loader import Environment, Problem
from .config.yaml_input import shown

Check = Callable[[str], list[str]]

# Object names by kind (pkg/apis/*/validation: ValidateServiceName is DNS-1035, a Namespace's and a Job's name a
# DNS-1123 label (the Job's becomes its pods' job-name label), RBAC names path segments); all others subdomains.
RBAC_KINDS = {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}


def _path_segment(value: str) -> list[str]:
    """IsValidPathSegmentName: RBAC object names only may not be '.', '..' or contain '/' or '%'."""
    bad = value in (".", "..") or "/" in value or "%" in value
    return ["must not be '.' or '..' nor contain '/' or '%'"] if bad or not value else []


NAME_RULES: dict[str, Check] = {
    "Service": dns1035_label,
    "Namespace": dns1123_label,
    "Job": dns1123_label,
    **dict.fromkeys(RBAC_KINDS, _path_segment),
}
# Keys whose value names another object (a subdomain wherever it appears), or is a label map.
REFERENCES = {"schedulerName", "priorityClassName", "serviceAccountName", "storageClassName", "ingressClassName"}
LABEL_MAPS = {"matchLabels", "nodeSelector"}
PORT_KEYS = {"port", "targetPort", "containerPort", "nodePort", "hostPort", "endPort"}
DATA_MAX = 1024 * 1024
ANNOTATIONS_MAX = 256 * 1024
"""Total size of an object's annotations (TotalAnnotationSizeLimitB, apimachinery objectmeta.go)."""
# The fleet's ApplicationSet carries Go template placeholders where names go; ArgoCD fills them in.
TEMPLATES = {"ApplicationSet"}


def object_problems(obj: dict) -> list[tuple[str, Any, str]]:
    """What the API server would refuse in `obj`: (where in the object, the value, what is wrong)."""
    if obj.get("kind") in TEMPLATES:
        return []
    found: list[tuple[str, Any, str]] = []
    metadata = obj.get("metadata", {})
    rule = NAME_RULES.get(obj.get("kind", ""), dns1123_subdomain)
    found += [("metadata.name", metadata.get("name", ""), p) for p in rule(str(metadata.get("name", "")))]
    if "namespace" in metadata:
        found += [("metadata.namespace", metadata["namespace"], p) for p in dns1123_label(metadata["namespace"])]
    if obj.get("kind") == "Service":
        found += _labels(obj.get("spec", {}).get("selector") or {}, "spec.selector")
    if obj.get("kind") in ("ConfigMap", "Secret"):
        found += _data_size(obj)
    found += _walk(obj, "")
    return found


def _walk(node: Any, path: str) -> list[tuple[str, Any, str]]:
    found: list[tuple[str, Any, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "metadata" and isinstance(value, dict):
                found += _labels(value.get("labels") or {}, f"{where}.labels")
                found += _annotations(value.get("annotations") or {}, f"{where}.annotations")
            elif key in LABEL_MAPS and isinstance(value, dict):
                found += _labels(value, where)
            elif key in PORT_KEYS and isinstance(value, dict):  # an Ingress backend's port: {number} or {name}
                found += [(f"{where}.{k}", v, p) for k, v in value.items() for p in _port(v)]
            elif key in PORT_KEYS:
                found += [(where, value, p) for p in _port(value)]
            elif key in REFERENCES and isinstance(value, str):
                found += [(where, value, p) for p in dns1123_subdomain(value)]
            elif key in ("rules", "tls") and path == "spec" and isinstance(value, list):
                found += _ingress_hosts(value, where)
            found += _walk(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _walk(item, f"{path}[{index}]")
    elif isinstance(node, float) or (isinstance(node, int) and not isinstance(node, bool)):
        found += [(path, node, p) for p in _number(node)]
    return found


def _labels(labels: dict, path: str) -> list[tuple[str, Any, str]]:
    found = []
    for key, value in labels.items():
        found += [(f"{path}.{key}", key, f"as a label key {p}") for p in qualified_name(str(key))]
        text = value if isinstance(value, str) else shown(value)
        found += [(f"{path}.{key}", value, f"as a label value {p}") for p in label_value(text)]
    return found


def _annotations(annotations: dict, path: str) -> list[tuple[str, Any, str]]:
    found = [
        (f"{path}.{key}", key, f"as an annotation key {p}") for key in annotations for p in qualified_name(key.lower())
    ]
    size = sum(len(key) + len(str(value)) for key, value in annotations.items())
    if size > ANNOTATIONS_MAX:
        found.append((path, size, f"are {size} bytes together, more than {ANNOTATIONS_MAX}"))
    return found


def _data_size(obj: dict) -> list[tuple[str, Any, str]]:
    """A ConfigMap's or Secret's data: at most 1 MiB together (MaxSecretSize, ValidateConfigMap)."""
    data = {**obj.get("data", {}), **obj.get("binaryData", {})}
    size = sum(len(key.encode()) + len(str(value).encode()) for key, value in data.items())
    if size <= DATA_MAX:
        return []
    largest = max(data, key=lambda key: len(str(data[key])))
    return [(f"data.{largest}", data[largest], f"makes its data {size} bytes, more than {DATA_MAX}")]


def _port(value: Any) -> list[str]:
    """A port number 1-65535, or a port name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [] if 1 <= value <= MAX_PORT else [f"must be a port from 1 to {MAX_PORT}"]
    return port_name(value) if isinstance(value, str) else ["must be a port number or name"]


def _number(value: float) -> list[str]:
    """Every number we write is a count, a port, an id or a priority: an integer in int32 (JSON has no other)."""
    if isinstance(value, float):
        return ["must be a whole number (it became a float on the way, e.g. 1.0e+30)"]
    if not INT32_MIN <= value <= INT32_MAX:
        return [f"must be between {INT32_MIN} and {INT32_MAX}"]
    return []


def _ingress_hosts(entries: list, path: str) -> list[tuple[str, Any, str]]:
    found = []
    for index, entry in enumerate(entries):
        hosts = [entry.get("host")] if "host" in entry else entry.get("hosts", [])
        for host in filter(None, hosts):
            where = f"{path}[{index}]"
            if is_ip_address(host):
                found.append((where, host, "must be a DNS name, not an IP address"))
            found += [(where, host, p) for p in dns1123_subdomain(host.removeprefix("*."))]
    return found


# --- reporting at the setting that holds the value --------------------------------------------


def environment_problems(env: Environment, objects: list[dict]) -> list[Problem]:
    """Problems of one environment's objects, each at the setting that holds the wrong value.

    A wrong value usually reaches several objects; each setting and rule is
    reported once, at its first object. Runs in whichever process synthesized
    the environment (helper_process.py), so a fleet's checks are shared too.
    """
    settings = list(_settings(env.config))
    problems: dict[tuple[str, str], Problem] = {}
    for obj in objects:
        for where, value, message in object_problems(obj):
            problem = _at_setting(env, settings, obj, where, value, message)
            problems.setdefault((problem.path, f"{shown(value)} {message}"), problem)
    return list(problems.values())


def output_problems(environments: list[Environment], objects: list[list[dict]]) -> list[Problem]:
    """Problems of each environment's objects (in the order of `environments`), and cluster-scoped clashes."""
    found = [
        p
        for env, env_objects in zip(environments, objects, strict=True)
        for p in environment_problems(env, env_objects)
    ]
    return [*found, *cluster_scoped_clashes(environments, objects)]


def _at_setting(
    env: Environment, settings: list[tuple[str, Any]], obj: dict, where: str, value: Any, message: str
) -> Problem:
    kind, name = obj.get("kind"), obj.get("metadata", {}).get("name")
    setting = _setting_of(value, settings)
    text = f"makes {kind} {shown(name)} {where} {shown(value)}, which Kubernetes refuses: it {message}"
    if setting is None:
        return Problem(env.file, "", text + " (a bug of jupyterhub-cdk8s; please report it)")
    return Problem(env.file, setting, text)


def _settings(config: HubConfig) -> Iterator[tuple[str, Any]]:
    """Every value of `config` (and every key of its maps), with its path as users write it."""

    def walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                where = f"{path}.{key}" if path else str(key)
                yield where, key
                yield from walk(value, where)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, f"{path}[{index}]")
        elif node is not None and not isinstance(node, bool):
            yield path, node

    yield from walk(config.model_dump(by_alias=True), "")


MIN_INSIDE = 3
"""Shortest setting looked for inside a value: shorter text (a CPU of "1") is inside too much by chance."""


def _setting_of(value: Any, settings: list[tuple[str, Any]]) -> str | None:
    """The setting whose value is `value`, or else the one with the longest text inside it."""
    exact = [path for path, setting in settings if setting == value and type(setting) is type(value)]
    if exact:
        return exact[0]
    if not isinstance(value, str):
        return None
    inside = [
        (len(setting), path)
        for path, setting in settings
        if isinstance(setting, str) and len(setting) >= MIN_INSIDE and setting in value
    ]
    return max(inside)[1] if inside else None


def cluster_scoped_clashes(environments: list[Environment], objects: list[list[dict]]) -> list[Problem]:
    """Two environments deployed to one cluster that write one cluster-scoped object: the second would take it."""
    owners: dict[tuple[str, str, str], Environment] = {}
    problems = []
    for env, env_objects in zip(environments, objects, strict=True):
        for obj in env_objects:
            if obj["metadata"].get("namespace") or obj["kind"] in TEMPLATES:
                continue
            key = (env.config.cluster, obj["kind"], obj["metadata"]["name"])
            first = owners.setdefault(key, env)
            if first is not env:
                problems.append(
                    Problem(
                        env.file,
                        "name",
                        f"{obj['kind']} {obj['metadata']['name']} on cluster {env.config.cluster} is also written "
                        f"by {first.file}; one would overwrite the other, so give one environment another "
                        "namespace or name",
                    )
                )
    return problems
