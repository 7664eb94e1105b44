"""Config of containers of their own in user pods: sidecars beside the server, init containers before it.

They run as the user, with the user server's restrictions (no privilege
escalation, no capability, RuntimeDefault seccomp), so a sidecar never lowers
the Pod Security level of user pods. Credentials reach them only as
references to Secret keys.
"""

from __future__ import annotations

from pydantic import Field

from .base import DnsLabel, Image, SecretKeyRef, StrictModel
from .resources import Resources, resources
from .templates import EnvName, MountPath, SpawnTemplate, SubPath


class ContainerMount(StrictModel):
    """A volume of the user pod, mounted into this container too."""

    volume: DnsLabel = Field(
        description=(
            "Name of a volume of the user pod: home, scratch, examples, shared-<shared volume name>, or the name "
            "of one of storage.extra_volumes (or of the profile's volumes)."
        )
    )
    mount_path: MountPath = Field(description="Where it appears in this container.")
    sub_path: SubPath | None = Field(None, description="Directory of the volume to mount instead of its root.")
    read_only: bool = Field(False, description="Mount read-only.")

    def to_kubernetes(self) -> dict:
        mount: dict = {"name": self.volume, "mountPath": self.mount_path}
        if self.sub_path:
            mount["subPath"] = self.sub_path
        if self.read_only:
            mount["readOnly"] = True
        return mount


class Container(StrictModel):
    """A container in every user pod (of a profile), running as the user."""

    name: DnsLabel = Field(description="Name of the container; unique in the pod (notebook is the server's).")
    image: Image = Field(description="Pinned image; the image pullers pull it where the user pods run.")
    command: list[SpawnTemplate] | None = Field(
        None, description="Command (exec form); unset runs the image's entrypoint. {username} is filled in."
    )
    args: list[SpawnTemplate] | None = Field(None, description="Arguments of the command.")
    env: dict[EnvName, SpawnTemplate | SecretKeyRef] = Field(
        default_factory=dict,
        description="Environment: plain values, or {name, key} of a Secret for credentials (never a value in git).",
    )
    resources: Resources = Field(
        default_factory=lambda: resources(("10m", "500m"), ("32Mi", "256Mi")),
        description="Requests and limits of this container; they count against the namespace's quota per user.",
    )
    volume_mounts: list[ContainerMount] = Field(default_factory=list, description="Volumes of the pod it mounts.")

    def to_kubernetes(self, security_context: dict) -> dict:
        """The container as KubeSpawner's init_containers or extra_containers take it."""
        container: dict = {"name": self.name, "image": self.image}
        if self.command is not None:
            container["command"] = list(self.command)
        if self.args is not None:
            container["args"] = list(self.args)
        if self.env:
            container["env"] = [
                {"name": name, "value": value}
                if isinstance(value, str)
                else {"name": name, "valueFrom": {"secretKeyRef": {"name": value.name, "key": value.key}}}
                for name, value in self.env.items()
            ]
        container["resources"] = {
            "requests": {"cpu": self.resources.cpu.request, "memory": self.resources.memory.request},
            "limits": {"cpu": self.resources.cpu.limit, "memory": self.resources.memory.limit},
        }
        container["securityContext"] = security_context
        if self.volume_mounts:
            container["volumeMounts"] = [mount.to_kubernetes() for mount in self.volume_mounts]
        return container
