"""Pieces every pod of ours is made of, so each workload is production-grade the same way.

Pod Security Standard "restricted" for our own pods: non-root, no privilege
escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root.
"""

from __future__ import annotations

from functools import cache

from cdk8s_plus_27 import k8s

from .config.base import Resources


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
def quantity(value: str) -> k8s.Quantity:
    return k8s.Quantity.from_string(value)


@cache
def int_or_string(value: int | str) -> k8s.IntOrString:
    """A port number or port name, e.g. a Service's target port."""
    return k8s.IntOrString.from_number(value) if isinstance(value, int) else k8s.IntOrString.from_string(value)


def resource_requirements(resources: Resources) -> k8s.ResourceRequirements:
    return k8s.ResourceRequirements(
        requests={"cpu": quantity(resources.cpu.request), "memory": quantity(resources.memory.request)},
        limits={"cpu": quantity(resources.cpu.limit), "memory": quantity(resources.memory.limit)},
    )


def restricted_pod_security(uid: int, fs_group: int | None = None) -> k8s.PodSecurityContext:
    return k8s.PodSecurityContext(
        run_as_non_root=True,
        run_as_user=uid,
        run_as_group=uid,
        fs_group=fs_group,
        seccomp_profile=k8s.SeccompProfile(type="RuntimeDefault"),
    )


def restricted_container_security(read_only_root: bool = True) -> k8s.SecurityContext:
    return k8s.SecurityContext(
        allow_privilege_escalation=False,
        read_only_root_filesystem=read_only_root,
        run_as_non_root=True,
        capabilities=k8s.Capabilities(drop=["ALL"]),
        seccomp_profile=k8s.SeccompProfile(type="RuntimeDefault"),
    )


def http_probe(path: str, port: str, *, period: int, failures: int, initial_delay: int = 0) -> k8s.Probe:
    return k8s.Probe(
        http_get=k8s.HttpGetAction(path=path, port=int_or_string(port)),
        period_seconds=period,
        failure_threshold=failures,
        initial_delay_seconds=initial_delay or None,
        timeout_seconds=3,
    )


def secret_env(name: str, secret: str, key: str) -> k8s.EnvVar:
    return k8s.EnvVar(
        name=name, value_from=k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(name=secret, key=key))
    )


def env_list(values: dict[str, str]) -> list[k8s.EnvVar]:
    return [k8s.EnvVar(name=name, value=value) for name, value in values.items()]


def singleton_disruption_budget(scope, id: str, name: str, labels: dict, selector: dict) -> k8s.KubePodDisruptionBudget:
    """PDB of a one-replica Deployment.

    `maxUnavailable: 1` lets node drains evict the pod (a `minAvailable: 1`
    would block every drain forever); it records that voluntary disruptions of
    this singleton are accepted, one at a time.
    """
    return k8s.KubePodDisruptionBudget(
        scope,
        id,
        metadata=k8s.ObjectMeta(name=name, labels=labels),
        spec=k8s.PodDisruptionBudgetSpec(
            max_unavailable=int_or_string(1),
            selector=k8s.LabelSelector(match_labels=selector),
        ),
    )


def script_container(name: str, image: str, script: str, args: list[str], *, cpu: str, memory: str) -> k8s.Container:
    """A container running a standard-library Python script with the hub image's Python.

    The hooks (secrets bootstrap, image awaiter) need no image of their own:
    the script's source is the command, so what runs is what is in git.
    `cpu` and `memory` are the limits; the requests are the minimum.
    """
    return k8s.Container(
        name=name,
        image=image,
        image_pull_policy="IfNotPresent",
        command=["python3", "-c", script, *args],
        resources=k8s.ResourceRequirements(
            requests={"cpu": quantity("10m"), "memory": quantity("32Mi")},
            limits={"cpu": quantity(cpu), "memory": quantity(memory)},
        ),
        security_context=restricted_container_security(),
    )
