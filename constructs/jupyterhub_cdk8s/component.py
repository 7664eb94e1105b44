"""The one shape every component of a hub has, and the context components share.

A component owns, for its slice of the config and nothing else, four things:
its section of jupyterhub_config.py, its Kubernetes objects, the connections
its pods need (declared on the network-policy registry), and what it adds to
the hub pod or to user pods (volumes, environment, Secret keys).

The chart builds a hub in three passes over its components. `declare` states
what other components consume (connections, pod additions, Secret keys);
`configure` writes the component's sections of jupyterhub_config.py, which
may read what was declared (the spawner reads the user pod additions); `build`
makes the objects (the hub's reads the finished config file). Everything
passes through the shared `Context`; no pass depends on the order of the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from constructs import Construct

from .config import HubConfig
from .config.network import NetworkPolicySettings
from .config.registries import PullSecret, pull_secret_names
from .config_file import ConfigFile
from .naming import Names
from .network import NetworkPolicyRegistry


@dataclass(frozen=True)
class Volume:
    """A volume and where it is mounted: what one component lends a pod that another component owns."""

    name: str
    source: Mapping[str, Any]
    """The volume source as the API writes it, e.g. {"configMap": {"name": "x"}}."""
    mount_path: str
    read_only: bool = False
    sub_path: str | None = None

    def volume(self) -> dict:
        return {"name": self.name, **self.source}

    def mount(self) -> dict:
        mount: dict[str, Any] = {"name": self.name, "mountPath": self.mount_path}
        if self.sub_path:
            mount["subPath"] = self.sub_path
        if self.read_only:
            mount["readOnly"] = True
        return mount


@dataclass(frozen=True)
class SecretValue:
    """An environment variable's value read from a Secret key when the pod starts."""

    secret: str
    key: str

    def to_json(self) -> dict:
        return {"valueFrom": {"secretKeyRef": {"name": self.secret, "key": self.key}}}


@dataclass(frozen=True)
class FieldValue:
    """An environment variable's value from the pod's own fields (downward API), e.g. status.podIP."""

    path: str

    def to_json(self) -> dict:
        return {"valueFrom": {"fieldRef": {"fieldPath": self.path}}}


EnvValue = str | SecretValue | FieldValue


@dataclass
class HubPod:
    """What components add to the hub's pod and to the hub's Secret."""

    volumes: list[Volume] = field(default_factory=list)
    secret_keys: list[str] = field(default_factory=list)
    """Keys the hub's own Secret must hold besides the core ones (the bootstrap Job generates them)."""
    api_access: dict[str, list[str]] = field(default_factory=dict)
    """Verbs on resources of the namespace the hub (KubeSpawner) needs for what a component configures."""

    def allow(self, verbs: list[str], resource: str) -> None:
        granted = self.api_access.setdefault(resource, [])
        granted.extend(verb for verb in verbs if verb not in granted)


@dataclass
class UserPods:
    """What components add to every user pod KubeSpawner starts."""

    environment: dict[str, EnvValue] = field(default_factory=dict)
    volumes: list[Volume] = field(default_factory=list)
    service_account: str | None = None

    def set_env(self, name: str, value: EnvValue, owner: str) -> None:
        if name in self.environment:
            raise ValueError(f"{owner} sets the user pods' {name}, which another component already sets")
        self.environment[name] = value


@dataclass
class Context:
    """What every component of one hub shares: names, where the hub is, and the registries it declares into."""

    names: Names
    hub_secret: str
    """Name of the Secret holding the hub's own keys (proxy token, cookie secret, crypt key)."""
    base_url: str
    host: str | None
    config_file: ConfigFile
    network: NetworkPolicyRegistry
    hub_pod: HubPod = field(default_factory=HubPod)
    core_placement: Mapping[str, Any] = field(default_factory=dict)
    """Pod spec fields (nodeSelector, tolerations, affinity) of the hub's own pods: `scheduling.core_pods`."""
    user_pods: UserPods = field(default_factory=UserPods)
    pull_secrets: tuple[PullSecret, ...] = ()
    """Credentials of private registries (`image_pull_secrets`): every pod takes those its images need."""

    def image_pull_secrets(self, images: Sequence[str], prefixes: Sequence[str] = ()) -> list[dict] | None:
        """A pod's `imagePullSecrets` for its `images` (and images typed below `prefixes`), or None."""
        names = pull_secret_names(self.pull_secrets, images, prefixes)
        return [{"name": name} for name in names] or None

    def core_pod_fields(self, images: Sequence[str]) -> dict[str, Any]:
        """Pod spec fields of one of the hub's own pods starting `images`: placement, then pull secrets."""
        fields = dict(self.core_placement)
        if secrets := self.image_pull_secrets(images):
            fields["imagePullSecrets"] = secrets
        return fields

    @classmethod
    def of(cls, config: HubConfig) -> Context:
        names = Names.of(config)
        return cls(
            names=names,
            hub_secret=config.secrets.existing_secret or names.hub_secret,
            base_url=config.hub.base_url,
            host=config.host,
            config_file=ConfigFile(),
            network=NetworkPolicyRegistry(config.network_policy, names),
            core_placement=config.scheduling.core_pods.pod_spec(),
            pull_secrets=tuple(config.image_pull_secrets),
        )

    @classmethod
    def bare(cls, names: Names | None = None, network: NetworkPolicySettings | None = None) -> Context:
        """A context for one component alone (unit tests, other people's apps): defaults everywhere."""
        names = names or Names(release="jupyterhub", namespace="jupyterhub")
        return cls(
            names=names,
            hub_secret=names.hub_secret,
            base_url="/",
            host=None,
            config_file=ConfigFile(),
            network=NetworkPolicyRegistry(network or NetworkPolicySettings(), names),
        )


class Component:
    """One part of a hub: made from its slice of the config, it declares, configures the hub, then builds.

    Every pass do nothing by default: a component overrides what it has.
    """

    @classmethod
    def from_config(cls, config: HubConfig) -> Self | None:
        """This component with its slice of `config`, or None when the config turns it off."""
        raise NotImplementedError

    def declare(self, context: Context) -> None:
        """Connections, pod additions and Secret keys: what other components consume."""

    def configure(self, context: Context) -> None:
        """The component's sections of jupyterhub_config.py (`context.config_file`)."""

    def build(self, scope: Construct, context: Context) -> None:
        """The component's Kubernetes objects, under `scope`."""


def assemble(components: Sequence[Component], scope: Construct, context: Context) -> None:
    """The three passes over `components`: declare, configure, build."""
    for component in components:
        component.declare(context)
    for component in components:
        component.configure(context)
    for component in components:
        component.build(scope, context)
