"""The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/) as code.

`violations(pod_spec, level)` lists every control of the level a pod spec
breaks, one named check per control of the standard. `pod_spec` is the
`spec` of a Pod (or of a workload's pod template), in Kubernetes JSON
field names; `pod_annotations` carries the metadata.annotations the AppArmor
control reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

# Capabilities the baseline level lets a container add (the container runtime's default set).
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)  # fmt: skip
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)  # fmt: skip
SELINUX_TYPES = frozenset({"container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
VOLUME_META_KEYS = frozenset({"name"})

Check = Callable[[dict, dict], Iterator[str]]


def _containers(spec: dict) -> Iterator[tuple[str, dict]]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            yield f"{key}[{container.get('name', '?')}]", container


def _context(container: dict) -> dict:
    return container.get("securityContext") or {}


def _pod_context(spec: dict) -> dict:
    return spec.get("securityContext") or {}


# ------------------------------------------------------------------ baseline


def host_process(spec: dict, annotations: dict) -> Iterator[str]:
    """HostProcess: Windows host-process containers are privileged access to the node."""
    if (_pod_context(spec).get("windowsOptions") or {}).get("hostProcess"):
        yield "securityContext.windowsOptions.hostProcess is true"
    for where, container in _containers(spec):
        if (_context(container).get("windowsOptions") or {}).get("hostProcess"):
            yield f"{where}.securityContext.windowsOptions.hostProcess is true"


def host_namespaces(spec: dict, annotations: dict) -> Iterator[str]:
    """Host namespaces: sharing the node's network, PID or IPC namespace."""
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            yield f"{field} is true"


def privileged(spec: dict, annotations: dict) -> Iterator[str]:
    """Privileged containers disable most isolation."""
    for where, container in _containers(spec):
        if _context(container).get("privileged"):
            yield f"{where}.securityContext.privileged is true"


def capabilities(spec: dict, annotations: dict) -> Iterator[str]:
    """Capabilities: nothing beyond the runtime's default set may be added."""
    for where, container in _containers(spec):
        added = (_context(container).get("capabilities") or {}).get("add") or []
        for capability in added:
            if capability not in BASELINE_CAPABILITIES:
                yield f"{where} adds capability {capability}"


def host_path_volumes(spec: dict, annotations: dict) -> Iterator[str]:
    """HostPath volumes expose the node's filesystem."""
    for volume in spec.get("volumes") or []:
        if "hostPath" in volume:
            yield f"volume {volume.get('name')} is a hostPath"


def host_ports(spec: dict, annotations: dict) -> Iterator[str]:
    """Host ports bind on the node's network."""
    for where, container in _containers(spec):
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                yield f"{where} uses hostPort {port['hostPort']}"


def app_armor(spec: dict, annotations: dict) -> Iterator[str]:
    """AppArmor: the profile may not be overridden to unconfined (field or legacy annotation)."""
    allowed_types = {"RuntimeDefault", "Localhost"}
    profile = (_pod_context(spec).get("appArmorProfile") or {}).get("type")
    if profile is not None and profile not in allowed_types:
        yield f"securityContext.appArmorProfile.type is {profile}"
    for where, container in _containers(spec):
        profile = (_context(container).get("appArmorProfile") or {}).get("type")
        if profile is not None and profile not in allowed_types:
            yield f"{where}.securityContext.appArmorProfile.type is {profile}"
    for key, value in (annotations or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
            value == "runtime/default" or value.startswith("localhost/")
        ):
            yield f"annotation {key} is {value}"


def se_linux(spec: dict, annotations: dict) -> Iterator[str]:
    """SELinux: only the container types; user and role may not be set."""
    contexts = [("securityContext", _pod_context(spec))]
    contexts += [(f"{where}.securityContext", _context(container)) for where, container in _containers(spec)]
    for where, context in contexts:
        options = context.get("seLinuxOptions") or {}
        if options.get("type") not in (None, "", *SELINUX_TYPES):
            yield f"{where}.seLinuxOptions.type is {options['type']}"
        for field in ("user", "role"):
            if options.get(field):
                yield f"{where}.seLinuxOptions.{field} is set"


def proc_mount(spec: dict, annotations: dict) -> Iterator[str]:
    """/proc mount: the default masked /proc only."""
    for where, container in _containers(spec):
        mount = _context(container).get("procMount")
        if mount not in (None, "Default"):
            yield f"{where}.securityContext.procMount is {mount}"


def seccomp(spec: dict, annotations: dict) -> Iterator[str]:
    """Seccomp: the profile may not be set to Unconfined."""
    if (_pod_context(spec).get("seccompProfile") or {}).get("type") == "Unconfined":
        yield "securityContext.seccompProfile.type is Unconfined"
    for where, container in _containers(spec):
        if (_context(container).get("seccompProfile") or {}).get("type") == "Unconfined":
            yield f"{where}.securityContext.seccompProfile.type is Unconfined"


def sysctls(spec: dict, annotations: dict) -> Iterator[str]:
    """Sysctls: only the namespaced, safe ones."""
    for sysctl in _pod_context(spec).get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            yield f"sysctl {sysctl.get('name')} is not a safe sysctl"


# ------------------------------------------------------------------ restricted


def volume_types(spec: dict, annotations: dict) -> Iterator[str]:
    """Volume types: only those that cannot reach the node or outside storage directly."""
    for volume in spec.get("volumes") or []:
        kinds = set(volume) - VOLUME_META_KEYS
        for kind in sorted(kinds - RESTRICTED_VOLUME_TYPES):
            yield f"volume {volume.get('name')} has type {kind}"


def privilege_escalation(spec: dict, annotations: dict) -> Iterator[str]:
    """Privilege escalation: every container must set allowPrivilegeEscalation false."""
    for where, container in _containers(spec):
        if _context(container).get("allowPrivilegeEscalation") is not False:
            yield f"{where}.securityContext.allowPrivilegeEscalation is not false"


def running_as_non_root(spec: dict, annotations: dict) -> Iterator[str]:
    """Running as non-root: runAsNonRoot true for the pod, or for every container; false nowhere."""
    pod_value = _pod_context(spec).get("runAsNonRoot")
    for where, container in _containers(spec):
        value = _context(container).get("runAsNonRoot", pod_value)
        if value is not True:
            yield f"{where} does not set runAsNonRoot true (nor does the pod)"


def running_as_non_root_user(spec: dict, annotations: dict) -> Iterator[str]:
    """Running as non-root user: runAsUser may not be 0."""
    if _pod_context(spec).get("runAsUser") == 0:
        yield "securityContext.runAsUser is 0"
    for where, container in _containers(spec):
        if _context(container).get("runAsUser") == 0:
            yield f"{where}.securityContext.runAsUser is 0"


def seccomp_restricted(spec: dict, annotations: dict) -> Iterator[str]:
    """Seccomp (restricted): RuntimeDefault or Localhost, on the pod or every container."""
    allowed = {"RuntimeDefault", "Localhost"}
    pod_type = (_pod_context(spec).get("seccompProfile") or {}).get("type")
    for where, container in _containers(spec):
        container_type = (_context(container).get("seccompProfile") or {}).get("type", pod_type)
        if container_type not in allowed:
            yield f"{where} has seccomp profile {container_type or 'unset'}, not RuntimeDefault or Localhost"


def capabilities_restricted(spec: dict, annotations: dict) -> Iterator[str]:
    """Capabilities (restricted): drop ALL, add back at most NET_BIND_SERVICE."""
    for where, container in _containers(spec):
        caps = _context(container).get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            yield f"{where} does not drop ALL capabilities"
        for capability in caps.get("add") or []:
            if capability != "NET_BIND_SERVICE":
                yield f"{where} adds capability {capability}"


BASELINE: list[Check] = [
    host_process, host_namespaces, privileged, capabilities, host_path_volumes, host_ports,
    app_armor, se_linux, proc_mount, seccomp, sysctls,
]  # fmt: skip
RESTRICTED: list[Check] = BASELINE + [
    volume_types, privilege_escalation, running_as_non_root, running_as_non_root_user,
    seccomp_restricted, capabilities_restricted,
]  # fmt: skip
LEVELS = {"privileged": [], "baseline": BASELINE, "restricted": RESTRICTED}


def violations(pod_spec: dict, level: str, pod_annotations: dict | None = None) -> list[str]:
    """Every way `pod_spec` falls short of `level` ("baseline" or "restricted"), as `check: detail`."""
    return [
        f"{check.__name__}: {detail}" for check in LEVELS[level] for detail in check(pod_spec, pod_annotations or {})
    ]
