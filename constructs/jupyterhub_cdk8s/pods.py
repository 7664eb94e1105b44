"""Pieces every pod of ours is made of, so each workload is production-grade the same way.

Pod Security Standard "restricted" for our own pods: non-root, no privilege
escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from cdk8s_plus_27 import k8s

from .api_objects import api_object
from .config.resources import Resources

PINNED_BY_TAG = (
    "CKV_K8S_43",
    "images are pinned to release tags validated in config; an environment may write image@sha256:... to pin digests",
)
PULLED_IF_NOT_PRESENT = (
    "CKV_K8S_15",
    "release tags are immutable; IfNotPresent keeps pod restarts independent of the registry",
)
SECRET_FROM_ENV = (
    "CKV_K8S_35",
    "the process reads this secret only from its environment; the value comes from a secretKeyRef, never from git",
)

# A pause container only sleeps until it is killed: it serves nothing a probe could ask.
NO_ENDPOINT_LIVENESS = ("CKV_K8S_8", "the pause container serves no endpoint; the kubelet restarts it if it exits")
NO_ENDPOINT_READINESS = ("CKV_K8S_9", "the pause container serves no endpoint and receives no traffic to gate")


def api_client(what_it_does: str) -> tuple[str, str]:
    """CKV_K8S_38 (service account token mounted), accepted because the process itself calls the API."""
    return ("CKV_K8S_38", f"{what_it_does} through the API with this token")


def accepted_findings(*findings: tuple[str, str]) -> dict[str, str]:
    """Annotations telling checkov which of its checks this object knowingly fails, each with the reason."""
    return {f"checkov.io/skip{number}": f"{check}={reason}" for number, (check, reason) in enumerate(findings, 1)}


# Quantity and IntOrString are immutable values; making one is a round trip to
# the jsii Node process, so each distinct value is made once per process.
@cache
def quantity(value: str | int) -> k8s.Quantity:
    """A resource amount: "500m", "2Gi", or a count such as 10 (PVCs, GPUs)."""
    return k8s.Quantity.from_number(value) if isinstance(value, int) else k8s.Quantity.from_string(value)


@cache
def int_or_string(value: int | str) -> k8s.IntOrString:
    """A port number or port name, e.g. a Service's target port."""
    return k8s.IntOrString.from_number(value) if isinstance(value, int) else k8s.IntOrString.from_string(value)


def resource_requirements(resources: Resources) -> dict:
    return {
        "requests": {"cpu": quantity(resources.cpu.request), "memory": quantity(resources.memory.request)},
        "limits": {"cpu": quantity(resources.cpu.limit), "memory": quantity(resources.memory.limit)},
    }


RUNTIME_DEFAULT_SECCOMP = {"type": "RuntimeDefault"}


def restricted_pod_security(uid: int, fs_group: int | None = None) -> dict:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": fs_group,
        "seccompProfile": RUNTIME_DEFAULT_SECCOMP,
    }


def restricted_container_security(read_only_root: bool = True) -> dict:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": read_only_root,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": RUNTIME_DEFAULT_SECCOMP,
    }


def http_probe(path: str, port: str, *, period: int, failures: int, initial_delay: int = 0, timeout: int = 3) -> dict:
    return {
        "httpGet": {"path": path, "port": int_or_string(port)},
        "periodSeconds": period,
        "failureThreshold": failures,
        "initialDelaySeconds": initial_delay or None,
        "timeoutSeconds": timeout,
    }


def secret_env(name: str, secret: str, key: str) -> dict:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def env_list(values: dict[str, str]) -> list[dict]:
    return [{"name": name, "value": value} for name, value in values.items()]


def singleton_disruption_budget(scope, id: str, name: str, labels: dict, selector: dict) -> k8s.KubePodDisruptionBudget:
    """PDB of a one-replica Deployment.

    `maxUnavailable: 1` lets node drains evict the pod (a `minAvailable: 1`
    would block every drain forever); it records that voluntary disruptions of
    this singleton are accepted, one at a time.
    """
    return api_object(
        scope,
        id,
        k8s.KubePodDisruptionBudget,
        {
            "metadata": {"name": name, "labels": labels},
            "spec": {"maxUnavailable": int_or_string(1), "selector": {"matchLabels": selector}},
        },
    )


HOOK_SCRIPTS = resources.files(__package__).joinpath("hooks")
# Runs a hook script (argv[2]) with the shared kube_api module (argv[1]) importable; the container's args follow.
HOOK_LAUNCHER = (
    "import sys, types; kube_api = types.ModuleType('kube_api'); exec(sys.argv[1], kube_api.__dict__); "
    "sys.modules['kube_api'] = kube_api; source = sys.argv[2]; sys.argv = ['hook', *sys.argv[3:]]; "
    "exec(compile(source, 'hook', 'exec'), {'__name__': '__main__'})"
)


@cache
def hook_source(file: str) -> str:
    return HOOK_SCRIPTS.joinpath(file).read_text(encoding="utf-8")


def hook_container(name: str, image: str, script: str, args: list[str], *, cpu: str, memory: str) -> dict:
    """A container running one of hooks/ (standard-library Python) with the hub image's Python.

    The hooks (secrets bootstrap, image awaiter) need no image of their own:
    the scripts' sources are the command, so what runs is what is in git.
    `cpu` and `memory` are the limits; the requests are the minimum.
    """
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python3", "-c", HOOK_LAUNCHER, hook_source("kube_api.py"), hook_source(script)],
        "args": args,
        "resources": {
            "requests": {"cpu": quantity("10m"), "memory": quantity("32Mi")},
            "limits": {"cpu": quantity(cpu), "memory": quantity(memory)},
        },
        "securityContext": restricted_container_security(),
    }
