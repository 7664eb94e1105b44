"""Config of private registries: which Secret pulls which images, named once for every pod of the environment.

A pull secret names the registries (or repository prefixes) it holds
credentials for; every pod whose images come from one of them lists the
Secret in `imagePullSecrets`: user pods, image pullers, hub, proxy, user
scheduler, hooks, placeholders. So a private image is pulled with its
credentials wherever it runs, and no pod carries credentials it does not need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .base import DnsLabel, StrictModel, image_repository
from .yaml_input import shown

DOCKER_HUB = "docker.io"
_LOCATION = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


def _location(value: Any) -> str:
    if not isinstance(value, str) or not _LOCATION.match(value):
        raise ValueError(
            f"{shown(value)} is not a registry or repository prefix; write a registry host (registry.example.org, "
            "registry.example.org:5000, docker.io) or a repository prefix (ghcr.io/my-org), without scheme, tag "
            "or trailing /"
        )
    return value


RegistryPrefix = Annotated[str, BeforeValidator(_location)]
"""A registry host, or a repository prefix below one: registry.example.org, ghcr.io/my-org."""


def image_location(image: str) -> str:
    """Where an image is pulled from, as registry/repository: busybox:1 is docker.io/library/busybox."""
    repository = image_repository(image)
    first, _, rest = repository.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return repository
    return f"{DOCKER_HUB}/{repository if rest else 'library/' + repository}"


def covers(prefix: str, location: str) -> bool:
    """`prefix` (a registry or repository prefix) holds `location`, on a path boundary."""
    return location == prefix or location.startswith(prefix + "/")


class PullSecret(StrictModel):
    """Credentials of private registries: a Secret of type kubernetes.io/dockerconfigjson, created out of band."""

    name: DnsLabel = Field(
        description=(
            "Secret in the environment's namespace holding the credentials, created before the first sync, e.g. "
            "`kubectl create secret docker-registry <name> --docker-server=... --docker-username=... "
            "--docker-password=...`; never in git."
        )
    )
    registries: list[RegistryPrefix] = Field(
        min_length=1,
        description=(
            "Registries (registry.example.org, docker.io) or repository prefixes (ghcr.io/my-org) this Secret "
            "holds credentials for: every pod with an image from one of them pulls with it."
        ),
    )

    def serves(self, locations: Iterable[str]) -> bool:
        return any(covers(prefix, location) for prefix in self.registries for location in locations)


def pull_secret_names(secrets: Iterable[PullSecret], images: Iterable[str], prefixes: Iterable[str] = ()) -> list[str]:
    """The Secrets a pod with `images` needs, in declaration order.

    `prefixes` are repository prefixes a user may type an image below (a free-text image choice): a
    Secret serves them when either holds the other; an empty prefix is any image, which any Secret may serve.
    """
    locations = [image_location(image) for image in images]
    typed = list(prefixes)
    return [
        secret.name
        for secret in secrets
        if secret.serves(locations)
        or any(
            not prefix or covers(own, prefix) or covers(prefix, own) for own in secret.registries for prefix in typed
        )
    ]
