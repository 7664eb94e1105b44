"""The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), one function per rule.

Each rule takes a Pod (or a pod template's `spec` wrapped as {"spec": ...})
and returns what violates it, as readable strings; `violations(pod, level)`
applies every rule of "baseline" or "restricted" (which includes baseline).
"""

from __future__ import annotations

from typing import Callable, Iterator

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUME_TYPES = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
}
Rule = Callable[[dict], list[str]]


def _spec(pod: dict) -> dict:
    return pod.get("spec", {})


def _containers(pod: dict) -> Iterator[tuple[str, dict]]:
    spec = _spec(pod)
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(kind) or []:
            yield f"{kind}[{container.get('name')}]", container


def _security_contexts(pod: dict) -> Iterator[tuple[str, dict]]:
    yield "spec.securityContext", _spec(pod).get("securityContext") or {}
    for where, container in _containers(pod):
        yield f"{where}.securityContext", container.get("securityContext") or {}


# --- baseline ----------------------------------------------------------------


def host_process(pod: dict) -> list[str]:
    return [
        f"{where}.windowsOptions.hostProcess is true"
        for where, context in _security_contexts(pod)
        if (context.get("windowsOptions") or {}).get("hostProcess")
    ]


def host_namespaces(pod: dict) -> list[str]:
    return [f"spec.{field} is true" for field in ("hostNetwork", "hostPID", "hostIPC") if _spec(pod).get(field)]


def privileged_containers(pod: dict) -> list[str]:
    return [f"{where}.securityContext.privileged is true" for where, c in _containers(pod) if (c.get("securityContext") or {}).get("privileged")]


def baseline_capabilities(pod: dict) -> list[str]:
    found = []
    for where, container in _containers(pod):
        added = ((container.get("securityContext") or {}).get("capabilities") or {}).get("add") or []
        found += [f"{where} adds capability {cap}" for cap in added if cap not in BASELINE_CAPABILITIES]
    return found


def host_path_volumes(pod: dict) -> list[str]:
    return [f"volume {v.get('name')} is a hostPath" for v in _spec(pod).get("volumes") or [] if "hostPath" in v]


def host_ports(pod: dict) -> list[str]:
    return [
        f"{where} uses hostPort {port['hostPort']}"
        for where, container in _containers(pod)
        for port in container.get("ports") or []
        if port.get("hostPort")
    ]


def apparmor(pod: dict) -> list[str]:
    found = []
    for key, value in (pod.get("metadata", {}).get("annotations") or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and value != "runtime/default" and not value.startswith("localhost/"):
            found.append(f"annotation {key}={value}")
    for where, context in _security_contexts(pod):
        profile = context.get("appArmorProfile") or {}
        if profile and profile.get("type") not in ("RuntimeDefault", "Localhost"):
            found.append(f"{where}.appArmorProfile.type is {profile.get('type')}")
    return found


def selinux(pod: dict) -> list[str]:
    found = []
    for where, context in _security_contexts(pod):
        options = context.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES:
            found.append(f"{where}.seLinuxOptions.type is {options['type']}")
        found += [f"{where}.seLinuxOptions.{field} is set" for field in ("user", "role") if options.get(field)]
    return found


def proc_mount(pod: dict) -> list[str]:
    return [
        f"{where}.securityContext.procMount is {c['securityContext']['procMount']}"
        for where, c in _containers(pod)
        if (c.get("securityContext") or {}).get("procMount", "Default") != "Default"
    ]


def seccomp_not_unconfined(pod: dict) -> list[str]:
    return [
        f"{where}.seccompProfile.type is Unconfined"
        for where, context in _security_contexts(pod)
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined"
    ]


def sysctls(pod: dict) -> list[str]:
    return [
        f"sysctl {s.get('name')} is not in the safe set"
        for s in (_spec(pod).get("securityContext") or {}).get("sysctls") or []
        if s.get("name") not in SAFE_SYSCTLS
    ]


# --- restricted --------------------------------------------------------------


def volume_types(pod: dict) -> list[str]:
    found = []
    for volume in _spec(pod).get("volumes") or []:
        kinds = [key for key in volume if key != "name"]
        found += [f"volume {volume.get('name')} is a {kind}" for kind in kinds if kind not in RESTRICTED_VOLUME_TYPES]
    return found


def privilege_escalation(pod: dict) -> list[str]:
    return [
        f"{where} does not set allowPrivilegeEscalation: false"
        for where, c in _containers(pod)
        if (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False
    ]


def running_as_non_root(pod: dict) -> list[str]:
    pod_level = (_spec(pod).get("securityContext") or {}).get("runAsNonRoot")
    found = []
    for where, container in _containers(pod):
        value = (container.get("securityContext") or {}).get("runAsNonRoot")
        if value is False or (value is None and pod_level is not True):
            found.append(f"{where} is not runAsNonRoot: true")
    if pod_level is False:
        found.append("spec.securityContext.runAsNonRoot is false")
    return found


def running_as_non_root_user(pod: dict) -> list[str]:
    return [f"{where}.runAsUser is 0" for where, context in _security_contexts(pod) if context.get("runAsUser") == 0]


def seccomp_set(pod: dict) -> list[str]:
    pod_type = ((_spec(pod).get("securityContext") or {}).get("seccompProfile") or {}).get("type")
    found = []
    for where, container in _containers(pod):
        own = ((container.get("securityContext") or {}).get("seccompProfile") or {}).get("type")
        if (own or pod_type) not in ("RuntimeDefault", "Localhost"):
            found.append(f"{where} has no RuntimeDefault/Localhost seccomp profile")
    return found


def restricted_capabilities(pod: dict) -> list[str]:
    found = []
    for where, container in _containers(pod):
        capabilities = (container.get("securityContext") or {}).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(f"{where} does not drop ALL capabilities")
        found += [f"{where} adds capability {cap}" for cap in capabilities.get("add") or [] if cap != "NET_BIND_SERVICE"]
    return found


BASELINE: list[Rule] = [
    host_process, host_namespaces, privileged_containers, baseline_capabilities, host_path_volumes, host_ports,
    apparmor, selinux, proc_mount, seccomp_not_unconfined, sysctls,
]
RESTRICTED: list[Rule] = BASELINE + [
    volume_types, privilege_escalation, running_as_non_root, running_as_non_root_user, seccomp_set,
    restricted_capabilities,
]
LEVELS = {"baseline": BASELINE, "restricted": RESTRICTED}


def violations(pod: dict, level: str) -> list[str]:
    """Everything in `pod` that the Pod Security Standard `level` forbids."""
    return [f"{rule.__name__}: {problem}" for rule in LEVELS[level] for problem in rule(pod)]
