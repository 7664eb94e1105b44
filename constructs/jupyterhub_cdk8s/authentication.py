"""Authentication: the authenticator class, its settings, the access rule, and the way to the provider.

Each `auth.type` writes its own section of jupyterhub_config.py; the access
rule and the OAuth plumbing (client secret from a Secret, callback URL from
the public host, auth_state encrypted with the hub Secret's crypt-key) are
shared. Nothing secret is written: secrets reach the hub as env variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from .component import Component, Context
from .config import HubConfig
from .config.auth import (
    AccessRule,
    AnyAuth,
    DummyAuth,
    GitHubAuth,
    OAuthClient,
    OidcClient,
    SharedPasswordAuth,
)
from .config.secrets import CRYPT_KEY_KEY
from .config_file import ConfigFile, Order
from .naming import HUB
from .network import NetworkPolicyRegistry, ip_block, pods_elsewhere, tcp

GENERIC_OAUTH = "GenericOAuthenticator"
EMAIL_DOMAIN_OAUTH = "EmailDomainOAuthenticator"

# Written into jupyterhub_config.py when an OIDC rule allows email domains:
# OAuthenticator has no such rule, so a small subclass adds it to check_allowed.
EMAIL_DOMAIN_AUTHENTICATOR = f'''\
from oauthenticator.generic import GenericOAuthenticator
from traitlets import Set, Unicode


class {EMAIL_DOMAIN_OAUTH}(GenericOAuthenticator):
    """GenericOAuthenticator that also lets in users whose verified email is in allowed_email_domains."""

    allowed_email_domains = Set(Unicode(), config=True, help="Email domains whose users may log in.")

    async def check_allowed(self, username, auth_model):
        if await super().check_allowed(username, auth_model):
            return True
        user_info = auth_model["auth_state"][self.user_auth_state_key]
        if user_info.get("email_verified") is False:
            return False
        local, at, domain = str(user_info.get("email") or "").rpartition("@")
        return bool(local and at) and domain.lower() in self.allowed_email_domains


c.JupyterHub.authenticator_class = {EMAIL_DOMAIN_OAUTH}'''


def oauth_callback_url(host: str, base_url: str) -> str:
    """The one URL the provider sends users back to; register it with the provider."""
    return f"https://{host}{base_url}hub/oauth_callback"


def configure_authenticator(
    file: ConfigFile, auth: AnyAuth, *, host: str | None, base_url: str, hub_secret: str
) -> None:
    """Write the section of `auth.type`, then the access rule every variant shares."""
    file.section(Order.AUTHENTICATION, f"Authentication: {auth.type}")
    if isinstance(auth, SharedPasswordAuth):
        _shared_password(file, auth)
    elif isinstance(auth, DummyAuth):
        file.set("JupyterHub", "authenticator_class", "dummy")
    elif isinstance(auth, OAuthClient):
        if host is None:
            raise ValueError("OAuth needs the environment's host for its callback URL; the config refuses it without")
        klass = _oauth_class(file, auth)
        _oauth_client(file, klass, auth, oauth_callback_url(host, base_url), hub_secret)
        if isinstance(auth, OidcClient):
            _oidc(file, klass, auth)
        elif isinstance(auth, GitHubAuth):
            file.set(klass, "scope", list(auth.scopes))
            if auth.allowed_organizations:
                file.set(klass, "allowed_organizations", set(auth.allowed_organizations))
    configure_access(file, auth)


def _shared_password(file: ConfigFile, auth: SharedPasswordAuth) -> None:
    file.set("JupyterHub", "authenticator_class", "shared-password")
    password = file.secret_env("JUPYTERHUB_SHARED_PASSWORD", auth.password_secret.name, auth.password_secret.key)
    file.set("SharedPasswordAuthenticator", "user_password", password)
    if auth.admin_password_secret:
        admin = file.secret_env(
            "JUPYTERHUB_ADMIN_PASSWORD", auth.admin_password_secret.name, auth.admin_password_secret.key
        )
        file.set("SharedPasswordAuthenticator", "admin_password", admin)


def _oauth_class(file: ConfigFile, auth: OAuthClient) -> str:
    """The authenticator class the settings are written for (and selected)."""
    if isinstance(auth, GitHubAuth):
        file.set("JupyterHub", "authenticator_class", "github")
        return "GitHubOAuthenticator"
    if isinstance(auth, OidcClient) and auth.allowed_email_domains:
        file.code(EMAIL_DOMAIN_AUTHENTICATOR)
        file.set(EMAIL_DOMAIN_OAUTH, "allowed_email_domains", set(auth.allowed_email_domains))
        return GENERIC_OAUTH  # settings of the parent class apply to the subclass
    file.set("JupyterHub", "authenticator_class", "generic-oauth")
    return GENERIC_OAUTH


def _oauth_client(file: ConfigFile, klass: str, auth: OAuthClient, callback_url: str, hub_secret: str) -> None:
    file.set(klass, "client_id", auth.client_id)
    secret = file.secret_env("JUPYTERHUB_OAUTH_CLIENT_SECRET", auth.client_secret.name, auth.client_secret.key)
    file.set(klass, "client_secret", secret)
    file.set(klass, "oauth_callback_url", callback_url)
    file.set(klass, "enable_auth_state", auth.keep_tokens)
    if auth.keep_tokens:
        # JupyterHub reads JUPYTERHUB_CRYPT_KEY itself to encrypt auth_state.
        file.secret_env("JUPYTERHUB_CRYPT_KEY", hub_secret, CRYPT_KEY_KEY)
        file.set(klass, "refresh_pre_spawn", True)
        file.set(klass, "auth_refresh_age", auth.refresh_age)


def _oidc(file: ConfigFile, klass: str, auth: OidcClient) -> None:
    endpoints = auth.endpoints()
    file.set(klass, "login_service", auth.login_service)
    file.set(klass, "authorize_url", endpoints.authorize_url)
    file.set(klass, "token_url", endpoints.token_url)
    file.set(klass, "userdata_url", endpoints.userinfo_url)
    if endpoints.logout_url:
        file.set(klass, "logout_redirect_url", endpoints.logout_url)
    file.set(klass, "username_claim", auth.username_claim)
    file.set(klass, "scope", list(auth.scopes))
    if auth.manages_groups():
        file.set(klass, "manage_groups", True)
        file.set(klass, "auth_state_groups_key", f"oauth_user.{auth.groups_claim}")
        if auth.allowed_groups:
            file.set(klass, "allowed_groups", set(auth.allowed_groups))
        if auth.admin_groups:
            file.set(klass, "admin_groups", set(auth.admin_groups))


def configure_access(file: ConfigFile, rule: AccessRule) -> None:
    file.section(Order.ACCESS, "Authentication: access rule")
    if rule.allowed_users:
        file.set("Authenticator", "allowed_users", set(rule.allowed_users))
    file.set("Authenticator", "allow_all", rule.allow_all)
    if rule.admin_users:
        file.set("Authenticator", "admin_users", set(rule.admin_users))


def allow_identity_provider(network: NetworkPolicyRegistry, auth: AnyAuth) -> None:
    """The hub's egress to its identity provider, as configured in `auth.egress`; nothing else.

    `public_internet` excludes the private ranges and link-local addresses, so it never opens the cluster.
    """
    if not isinstance(auth, OAuthClient) or not auth.egress:
        return
    policy = network.policy("hub-to-identity-provider", HUB)
    for destination in auth.egress:
        if destination.public_internet:
            peer = network.public_internet
        elif destination.cidr:
            peer = ip_block(destination.cidr)
        elif destination.pods:
            peer = pods_elsewhere(destination.pods)
        else:
            raise ValueError("an egress destination without cidr, pods or public_internet; the config refuses it")
        policy.allow_to(peer, tcp(*destination.ports))


@dataclass(frozen=True)
class AuthenticationComponent(Component):
    """How users sign in and who may: a section of the hub's config and the hub's way to the provider."""

    auth: AnyAuth

    @classmethod
    def from_config(cls, config: HubConfig) -> AuthenticationComponent:
        return cls(config.auth)

    def configure(self, context: Context) -> None:
        configure_authenticator(
            context.config_file,
            self.auth,
            host=context.host,
            base_url=context.base_url,
            hub_secret=context.hub_secret,
        )

    def declare(self, context: Context) -> None:
        allow_identity_provider(context.network, self.auth)
