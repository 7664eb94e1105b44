"""Who user servers run as, and the Pod Security level that leaves them; never lowered silently."""

from __future__ import annotations

from typing import Literal

from ..component import UserPods
from ..config.network import METADATA_CIDR
from ..config.singleuser import SingleuserSettings
from ..config_file import ConfigFile, Order

# sudo in Jupyter images: start.sh runs as root, adds the user to sudoers and
# switches to NB_UID; these are the only capabilities that needs (all within
# the "baseline" Pod Security Standard).
SUDO_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]

SecurityLevel = Literal["restricted", "baseline", "privileged"]


def user_context(singleuser: SingleuserSettings) -> dict:
    """Pod Security "restricted" for a container running as the user."""
    return {
        "runAsUser": singleuser.uid,
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def configure_security(file: ConfigFile, singleuser: SingleuserSettings, additions: UserPods) -> None:
    file.section(Order.USER_SECURITY, "User servers: identity and security")
    if singleuser.grant_sudo:
        # Explicitly enabled: the image's start script needs root to grant sudo,
        # then drops to NB_UID. The synth output reports the lowered level.
        file.set("KubeSpawner", "uid", 0)
        file.set("KubeSpawner", "fs_gid", singleuser.fs_gid)
        file.set("KubeSpawner", "allow_privilege_escalation", True)
        context = {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "allowPrivilegeEscalation": True,
            "capabilities": {"drop": ["ALL"], "add": SUDO_CAPABILITIES},
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    else:
        file.set("KubeSpawner", "uid", singleuser.uid)
        file.set("KubeSpawner", "fs_gid", singleuser.fs_gid)
        file.set("KubeSpawner", "allow_privilege_escalation", False)
        context = user_context(singleuser)
    if additions.service_account:
        # The only user pods that talk to the API: their Role is least privilege.
        file.set("KubeSpawner", "service_account", additions.service_account)
        file.set("KubeSpawner", "automount_service_account_token", True)
    elif singleuser.service_account:
        # Named by the environment; its token only when asked (the CLI says what that grants).
        file.set("KubeSpawner", "service_account", singleuser.service_account.name)
        file.set("KubeSpawner", "automount_service_account_token", singleuser.service_account.automount_token)
    else:
        # User code must not reach the Kubernetes API with a pod token.
        file.set("KubeSpawner", "automount_service_account_token", False)
    file.set("KubeSpawner", "container_security_context", context)


def metadata_blocker(singleuser: SingleuserSettings, resources: dict) -> list[dict]:
    """The init container that drops the pod's packets to the metadata address, when asked for.

    What the Helm chart runs (z2jh 4.4.0 files/hub/jupyterhub_config.py,
    singleuser.cloudMetadata.blockWithIptables), but for every protocol and
    port, not only TCP 80. It shares the pod's network namespace, so the rule
    holds for the user's container; the user has no NET_ADMIN to undo it.
    """
    blocker = singleuser.cloud_metadata
    if not blocker.block_with_iptables:
        return []
    address = METADATA_CIDR.split("/")[0]
    return [
        {
            "name": "block-cloud-metadata",
            "image": blocker.image,
            "command": ["iptables", "--append", "OUTPUT", "--destination", address, "--jump", "DROP"],
            "securityContext": {
                "privileged": True,
                "runAsUser": 0,
                "runAsNonRoot": False,
                "capabilities": {"add": ["NET_ADMIN"]},
            },
            "resources": resources,
        }
    ]


def user_pod_security_level(singleuser: SingleuserSettings) -> SecurityLevel:
    """The Pod Security Standard user pods meet: restricted unless something must run as root or privileged."""
    if singleuser.cloud_metadata.block_with_iptables:
        return "privileged"
    return "baseline" if singleuser.baseline_reasons() else "restricted"


def user_pod_notices(singleuser: SingleuserSettings) -> list[str]:
    """Lines the CLI prints about user pods' security, so a lowered level or an API token is never silent."""
    reasons = singleuser.baseline_reasons()
    if singleuser.cloud_metadata.block_with_iptables:
        reasons = ["the block-cloud-metadata init container runs privileged with NET_ADMIN", *reasons]
        notices = [f'user pods need Pod Security "privileged": {"; ".join(reasons)}']
    elif not reasons:
        notices = ['user pods meet Pod Security "restricted"']
    else:
        notices = [f'user pods meet Pod Security "baseline" only: {"; ".join(reasons)}']

    account = singleuser.service_account
    if account and account.automount_token:
        notices.append(
            f"user pods run as ServiceAccount {account.name} with its token: every user's code can call the "
            f"Kubernetes API with every permission bound to {account.name}"
        )
    elif account:
        notices.append(
            f"user pods run as ServiceAccount {account.name} without its token: it identifies them (e.g. to a "
            "cloud's workload identity) and grants no Kubernetes API access"
        )
    return notices
