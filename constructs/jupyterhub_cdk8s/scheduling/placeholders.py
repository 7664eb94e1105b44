"""User placeholders: pause pods the size of a user server that keep room warm.

An autoscaler adds nodes for them, and a real user pre-empts one instantly
instead of waiting for a new node.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from ..api_objects import api_object
from ..component import Component, Context
from ..config import HubConfig
from ..config.scheduling import PAUSE_IMAGE, SchedulingSettings
from ..config.singleuser import SingleuserSettings
from ..naming import PLACEHOLDER_TIER, USER_PLACEHOLDER, Names
from ..parts import Part
from ..pods import (
    NO_ENDPOINT_LIVENESS,
    NO_ENDPOINT_READINESS,
    PINNED_BY_TAG,
    PULLED_IF_NOT_PRESENT,
    accepted_findings,
    quantity,
    restricted_container_security,
    restricted_pod_security,
)
from ..singleuser.placement import user_nodes

PAUSE_UID = 65535  # the pause image's own non-root user


class UserPlaceholders(Part):
    """A StatefulSet of pause pods that each request what one user server is guaranteed."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        scheduling: SchedulingSettings,
        singleuser: SingleuserSettings,
        names: Names,
        image_pull_secrets: list[dict] | None = None,
    ):
        super().__init__(scope, id)
        labels = names.labels(USER_PLACEHOLDER)
        name = names.user_placeholder
        requests = {"cpu": quantity(singleuser.cpu.guarantee), "memory": quantity(singleuser.memory.guarantee)}
        container = {
            "name": "pause",
            "image": PAUSE_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "resources": {"requests": requests, "limits": requests},
            "securityContext": restricted_container_security(),
        }
        api_object(
            self,
            "statefulset",
            k8s.KubeStatefulSet,
            {
                "metadata": {
                    "name": name,
                    "labels": labels,
                    "annotations": accepted_findings(
                        PINNED_BY_TAG, PULLED_IF_NOT_PRESENT, NO_ENDPOINT_LIVENESS, NO_ENDPOINT_READINESS
                    ),
                },
                "spec": {
                    "replicas": scheduling.user_placeholders.replicas,
                    # No Service: placeholders are never reached; the field only names the pods' domain.
                    "serviceName": name,
                    "podManagementPolicy": "Parallel",
                    "revisionHistoryLimit": 5,
                    "selector": {"matchLabels": names.selector(USER_PLACEHOLDER)},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "priorityClassName": names.priority_class(PLACEHOLDER_TIER),
                            # Placed like users, so the room they keep is where users will go.
                            "schedulerName": names.user_scheduler_name if scheduling.user_scheduler.enabled else None,
                            "automountServiceAccountToken": False,
                            "imagePullSecrets": image_pull_secrets,
                            "securityContext": restricted_pod_security(PAUSE_UID),
                            # Pre-emption must free the room at once.
                            "terminationGracePeriodSeconds": 0,
                            "containers": [container],
                            "enableServiceLinks": False,
                            **user_nodes(scheduling.user_pods).pod_fields(),
                        },
                    },
                },
            },
        )


@dataclass(frozen=True)
class UserPlaceholdersComponent(Component):
    """Placeholder pods, when `scheduling.user_placeholders.replicas` asks for some."""

    scheduling: SchedulingSettings
    singleuser: SingleuserSettings

    @classmethod
    def from_config(cls, config: HubConfig) -> UserPlaceholdersComponent | None:
        if not config.scheduling.user_placeholders.replicas:
            return None
        return cls(config.scheduling, config.singleuser)

    def build(self, scope: Construct, context: Context) -> None:
        UserPlaceholders(
            scope,
            "user-placeholders",
            scheduling=self.scheduling,
            singleuser=self.singleuser,
            names=context.names,
            image_pull_secrets=context.image_pull_secrets([PAUSE_IMAGE]),
        )
