"""User servers as a component: KubeSpawner's settings, their connections, the shared volumes.

User pods are not in `dist/`: the hub creates them at spawn time from the
KubeSpawner settings this component writes into jupyterhub_config.py, with
what other components add to every user pod (`context.user_pods`).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..component import Component, Context
from ..config import HubConfig
from ..config.network import ExtraEgress
from ..config.singleuser import SingleuserSettings
from ..naming import HUB, PROXY, SINGLEUSER
from ..network import ip_block, tcp
from ..ports import HUB_PORT, SERVER_PORT
from .profiles import configure_profiles
from .security import configure_security
from .spawner import configure_lifecycle, configure_spawner
from .storage import SharedVolumes, UserFiles, configure_storage


@dataclass(frozen=True)
class UserServersComponent(Component):
    """Every user's server: how KubeSpawner makes its pod, and what it may reach."""

    singleuser: SingleuserSettings
    internet: bool
    """User servers may reach the public internet (`network_policy.user_internet`)."""
    extra_egress: tuple[ExtraEgress, ...]

    @classmethod
    def from_config(cls, config: HubConfig) -> UserServersComponent:
        policy = config.network_policy
        return cls(config.singleuser, policy.user_internet, tuple(policy.user_egress))

    def declare(self, context: Context) -> None:
        storage = self.singleuser.storage
        if storage.type == "dynamic":
            # KubeSpawner creates each home PVC, and reads it back when it exists (storage_pvc_ensure).
            context.hub_pod.allow(["get", "create"], "persistentvolumeclaims")
        if storage.delete_on_user_deletion:
            # delete_pvc: the home goes with the user (kubespawner 7.0.0 spawner.py `delete_forever`); without
            # it the hub may not delete a PVC at all.
            context.hub_pod.allow(["delete"], "persistentvolumeclaims")
        network = context.network
        (
            network.policy("singleuser", SINGLEUSER)
            .allow_from(network.component(PROXY), tcp(SERVER_PORT))
            .allow_from(network.component(HUB), tcp(SERVER_PORT))
            .allow_to(network.component(HUB), tcp(HUB_PORT))
            .reach(network.dns)
        )
        if self.internet:
            network.policy("singleuser-internet", SINGLEUSER).allow_to(network.public_internet, [])
        if self.extra_egress:
            extra = network.policy("singleuser-extra-egress", SINGLEUSER)
            for rule in self.extra_egress:
                extra.allow_to(ip_block(rule.cidr), tcp(*rule.ports))
        if self.singleuser.storage.examples:
            # git over HTTPS to the public internet, never to in-cluster addresses.
            network.policy("singleuser-to-examples-repository", SINGLEUSER).allow_to(network.public_internet, tcp(443))
        account = self.singleuser.service_account
        if account and account.automount_token:
            # The token was asked for to call the API; without this egress it could not.
            network.policy("singleuser-to-api-server", SINGLEUSER).reach(network.api_server)

    def configure(self, context: Context) -> None:
        file, names, additions = context.config_file, context.names, context.user_pods
        every_server = context.image_pull_secrets(self.singleuser.server_images(None))
        configure_spawner(file, self.singleuser, names, additions, every_server)
        configure_security(file, self.singleuser, additions)
        configure_storage(file, self.singleuser, names, additions)
        configure_lifecycle(file, self.singleuser)
        configure_profiles(file, self.singleuser, context.image_pull_secrets, every_server)

    def build(self, scope: Construct, context: Context) -> None:
        if self.singleuser.storage.shared_volumes:
            SharedVolumes(scope, "user-servers", storage=self.singleuser.storage, names=context.names)
        if self.singleuser.extra_files:
            UserFiles(scope, "user-files", files=self.singleuser.extra_files, names=context.names)
