"""Config of the hub's own secrets: the proxy token and the cookie secret."""

from __future__ import annotations

from pydantic import Field

from .base import DnsLabel, StrictModel

# Keys of the hub's Secret, whoever creates it.
PROXY_TOKEN_KEY = "proxy-auth-token"
COOKIE_SECRET_KEY = "cookie-secret"
CRYPT_KEY_KEY = "crypt-key"
SECRET_KEYS = (PROXY_TOKEN_KEY, COOKIE_SECRET_KEY, CRYPT_KEY_KEY)


class HubSecrets(StrictModel):
    """Where the proxy auth token, cookie secret and auth_state key come from. Never from git."""

    existing_secret: DnsLabel | None = Field(
        None,
        description=(
            "Name of a Secret you create (or sync with SealedSecrets / External Secrets) holding the keys "
            f"{', '.join(SECRET_KEYS)} (each 64 hex characters). Unset: an in-cluster bootstrap Job "
            "(an ArgoCD PreSync hook) creates the Secret once and never rotates it."
        ),
    )
