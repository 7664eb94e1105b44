"""Authentication: the authenticator class, its settings, the access rule, and the way to the provider.

Each `auth.type` writes its own section of jupyterhub_config.py; the access
rule and the OAuth plumbing (client secret from a Secret, callback URL from
the public host, auth_state encrypted with the hub Secret's crypt-key) are
shared. Nothing secret is written: secrets reach the hub as env variables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .component import Component, Context, Volume
from .config import HubConfig
from .config.auth import (
    AccessRule,
    AnyAuth,
    AzureAdAuth,
    DummyAuth,
    GitHubAuth,
    GitLabAuth,
    GoogleAuth,
    LdapAuth,
    Lti13Auth,
    OAuthClient,
    OidcClient,
    ReachesProvider,
    SharedPasswordAuth,
)
from .config.secrets import CRYPT_KEY_KEY
from .config_file import ConfigFile, Order
from .naming import HUB
from .network import NetworkPolicyRegistry, ip_block, pods_elsewhere, tcp

_Entry = TypeVar("_Entry")

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

# GitHub teams as JupyterHub groups, named as allowed_organizations names them (org:team), so that
# admin_groups can name teams. OAuthenticator 17.4.0 (github.py) puts the user's teams, as GitHub's
# "list teams for the authenticated user" returns them, in auth_state["teams"].
GITHUB_TEAMS = '''\
def github_teams(auth_state):
    """The user's GitHub teams as org:team, lower-case."""
    return [f"{team['organization']['login']}:{team['slug']}".lower() for team in auth_state.get("teams") or []]'''

# GitLab's REST user has no groups; its OpenID Connect userinfo lists them (full paths). The hook runs
# before groups are read (OAuthenticator 17.4.0, oauth2.py `modify_auth_state_hook`).
GITLAB_GROUPS = '''\
async def gitlab_groups(authenticator, auth_state):
    """Adds the user's GitLab groups (full paths) to auth_state, from GitLab's OpenID Connect userinfo."""
    token = auth_state["token_response"]["access_token"]
    userinfo = await authenticator.httpfetch(
        f"{authenticator.gitlab_url}/oauth/userinfo",
        "fetching GitLab groups",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        validate_cert=authenticator.validate_server_cert,
    )
    auth_state["gitlab_groups"] = userinfo.get("groups") or []
    return auth_state'''

# LDAPAuthenticator 2.0.2 has no admin_groups: it searches the user in each of `allowed_groups` and
# returns those it is in as auth_state["ldap_groups"] (ldapauthenticator.py `authenticate`). The admin
# groups are searched with them (admins may log in), and membership sets admin rights at every login.
LDAP_GROUP_ADMINS = "GroupAdminLDAPAuthenticator"
LDAP_GROUP_ADMIN_AUTHENTICATOR = f'''\
from ldapauthenticator import LDAPAuthenticator
from traitlets import Set, Unicode


class {LDAP_GROUP_ADMINS}(LDAPAuthenticator):
    """LDAPAuthenticator whose admin_groups' members are admins, for as long as they are members."""

    admin_groups = Set(Unicode(), config=True, help="Group DNs whose members are admins.")

    async def authenticate(self, handler, data):
        model = await super().authenticate(handler, data)
        if model is not None and model["name"] not in self.admin_users:
            model["admin"] = bool(set(model["auth_state"]["ldap_groups"]) & self.admin_groups)
        return model


c.JupyterHub.authenticator_class = {LDAP_GROUP_ADMINS}'''

LDAP_CA_DIR = "/etc/jupyterhub-ldap-ca"
LDAP_CA_FILE = "ca.crt"
GOOGLE_KEY_DIR = "/etc/jupyterhub-google"
GOOGLE_KEY_FILE = "service-account.json"


def oauth_callback_url(host: str, base_url: str) -> str:
    """The one URL the provider sends users back to; register it with the provider."""
    return f"https://{host}{base_url}hub/oauth_callback"


def configure_authenticator(
    file: ConfigFile, auth: AnyAuth, *, host: str | None, base_url: str, hub_secret: str
) -> None:
    """Write the section of `auth.type`, then the access rule every variant shares."""
    file.section(Order.AUTHENTICATION, f"Authentication: {auth.type}")
    provider = _nearest(OAUTH_PROVIDERS, auth)
    if provider is not None and isinstance(auth, OAuthClient):
        if host is None:
            raise ValueError("OAuth needs the environment's host for its callback URL; the config refuses it without")
        klass = _select_oauth_class(file, auth, provider)
        _oauth_client(file, klass, auth, oauth_callback_url(host, base_url), hub_secret)
        provider.settings(file, klass, auth)
    else:
        settings = _nearest(SIGN_IN_METHODS, auth)
        if settings is None:
            raise ValueError(f"auth.type {auth.type}: no entry in SIGN_IN_METHODS or OAUTH_PROVIDERS")
        settings(file, auth)
    configure_access(file, auth)


def _nearest(table: dict[type, _Entry], auth: AnyAuth) -> _Entry | None:
    """The entry of `auth`'s config model, or of the nearest base model that has one (OIDC variants share one)."""
    return next((table[model] for model in type(auth).__mro__ if model in table), None)


def _github(file: ConfigFile, klass: str, auth: GitHubAuth) -> None:
    file.set(klass, "scope", list(auth.scopes))
    if auth.allowed_organizations:
        file.set(klass, "allowed_organizations", set(auth.allowed_organizations))
    if auth.manages_groups():
        file.code(GITHUB_TEAMS)
        file.set(klass, "populate_teams_in_auth_state", True)
        _managed_groups(file, klass, file.raw("github_teams"), admin_groups=auth.admin_teams)


def _gitlab(file: ConfigFile, klass: str, auth: GitLabAuth) -> None:
    file.set(klass, "gitlab_url", auth.url.rstrip("/"))
    file.set(klass, "scope", list(auth.scopes))
    if auth.allowed_groups:
        file.set(klass, "allowed_gitlab_groups", set(auth.allowed_groups))
    if auth.allowed_project_ids:
        file.set(klass, "allowed_project_ids", set(auth.allowed_project_ids))
    if auth.manages_groups():
        file.code(GITLAB_GROUPS)
        file.set(klass, "modify_auth_state_hook", file.raw("gitlab_groups"))
        _managed_groups(file, klass, "gitlab_groups", admin_groups=auth.admin_groups)


def _google(file: ConfigFile, klass: str, auth: GoogleAuth) -> None:
    if auth.hosted_domains:
        file.set(klass, "hosted_domain", list(auth.hosted_domains))
    workspace = auth.workspace
    if workspace is not None:
        domain = workspace.domain
        file.set(klass, "gsuite_administrator", {domain: workspace.administrator})
        file.set(klass, "google_service_account_keys", {domain: f"{GOOGLE_KEY_DIR}/{GOOGLE_KEY_FILE}"})
        if auth.allowed_groups:
            file.set(klass, "allowed_google_groups", {domain: set(auth.allowed_groups)})
        if auth.admin_groups:
            file.set(klass, "admin_google_groups", {domain: set(auth.admin_groups)})


def _azuread(file: ConfigFile, klass: str, auth: AzureAdAuth) -> None:
    file.set(klass, "tenant_id", auth.tenant_id)
    file.set(klass, "authorize_url", auth.authorize_url())
    file.set(klass, "token_url", auth.token_url())
    file.set(klass, "scope", ["openid", "profile", "email"])
    file.set(klass, "username_claim", auth.username_claim)
    if auth.manages_groups():
        # The ID token's claims are auth_state["user"] (azuread.py `token_to_user`); groups are its "groups".
        _managed_groups(file, klass, "user.groups", allowed_groups=auth.allowed_groups, admin_groups=auth.admin_groups)


def _managed_groups(
    file: ConfigFile,
    klass: str,
    groups_key: object,
    *,
    allowed_groups: list[str] | None = None,
    admin_groups: list[str] | None = None,
) -> None:
    """The provider's groups become the user's JupyterHub groups at each login; admins and access follow them."""
    file.set(klass, "manage_groups", True)
    file.set(klass, "auth_state_groups_key", groups_key)
    if allowed_groups:
        file.set(klass, "allowed_groups", set(allowed_groups))
    if admin_groups:
        file.set(klass, "admin_groups", set(admin_groups))


def _ldap(file: ConfigFile, auth: LdapAuth) -> None:
    klass = "LDAPAuthenticator"  # settings of the parent class apply to the admin-groups subclass too
    if auth.admin_groups:
        file.code(LDAP_GROUP_ADMIN_AUTHENTICATOR)
        file.set(LDAP_GROUP_ADMINS, "admin_groups", set(auth.admin_groups))
    else:
        file.set("JupyterHub", "authenticator_class", "ldapauthenticator.LDAPAuthenticator")
    file.set(klass, "server_address", auth.server)
    file.set(klass, "server_port", auth.server_port())
    file.set(klass, "tls_strategy", auth.tls)
    if auth.tls != "insecure":
        # ldap3's Tls defaults to validate=CERT_NONE (ldap3 2.9.1 core/tls.py): without this the password would
        # go to whoever answers with any certificate. Verified against the image's CAs, or the one configured.
        tls: dict[str, object] = {"validate": file.raw("ssl.CERT_REQUIRED")}
        if auth.ca_certificate is not None:
            tls["ca_certs_file"] = f"{LDAP_CA_DIR}/{LDAP_CA_FILE}"
        file.code("import ssl")
        file.set(klass, "tls_kwargs", tls)
    if auth.bind_dn_templates:
        file.set(klass, "bind_dn_template", list(auth.bind_dn_templates))
    if auth.lookup is not None:
        lookup = auth.lookup
        file.set(klass, "lookup_dn", True)
        file.set(klass, "user_search_base", lookup.search_base)
        file.set(klass, "user_attribute", lookup.user_attribute)
        file.set(klass, "lookup_dn_user_dn_attribute", lookup.dn_attribute)
        if lookup.bind_dn is not None and lookup.password_secret is not None:
            file.set(klass, "lookup_dn_search_user", lookup.bind_dn)
            password = file.secret_env(
                "JUPYTERHUB_LDAP_SEARCH_PASSWORD", lookup.password_secret.name, lookup.password_secret.key
            )
            file.set(klass, "lookup_dn_search_password", password)
    # Admins may log in: their groups are searched with the allowed ones.
    groups = list(dict.fromkeys([*auth.allowed_groups, *auth.admin_groups]))
    if groups:
        file.set(klass, "allowed_groups", groups)
    if auth.search_filter:
        file.set(klass, "search_filter", auth.search_filter)


def _lti13(file: ConfigFile, auth: Lti13Auth) -> None:
    klass = "LTI13Authenticator"
    file.set("JupyterHub", "authenticator_class", "ltiauthenticator.lti13.auth.LTI13Authenticator")
    file.set(klass, "issuer", auth.issuer)
    file.set(klass, "client_id", set(auth.client_ids))
    file.set(klass, "authorize_url", auth.authorize_url)
    file.set(klass, "jwks_endpoint", auth.jwks_url)
    file.set(klass, "username_key", auth.username_key)
    # The public host is always https (behind the Ingress or the Gateway), whatever the forwarded headers say.
    file.set(klass, "uri_scheme", "https")
    file.set(klass, "tool_name", auth.tool_name)
    file.set(klass, "tool_description", auth.tool_description)


def _dummy(file: ConfigFile, auth: DummyAuth) -> None:
    file.set("JupyterHub", "authenticator_class", "dummy")


def _shared_password(file: ConfigFile, auth: SharedPasswordAuth) -> None:
    file.set("JupyterHub", "authenticator_class", "shared-password")
    password = file.secret_env("JUPYTERHUB_SHARED_PASSWORD", auth.password_secret.name, auth.password_secret.key)
    file.set("SharedPasswordAuthenticator", "user_password", password)
    if auth.admin_password_secret:
        admin = file.secret_env(
            "JUPYTERHUB_ADMIN_PASSWORD", auth.admin_password_secret.name, auth.admin_password_secret.key
        )
        file.set("SharedPasswordAuthenticator", "admin_password", admin)


def _select_oauth_class(file: ConfigFile, auth: OAuthClient, provider: OAuthProvider) -> str:
    """Select the authenticator class; the class the settings are written for."""
    if provider.entry_point is not None:
        file.set("JupyterHub", "authenticator_class", provider.entry_point)
    elif isinstance(auth, OidcClient) and auth.allowed_email_domains:
        file.code(EMAIL_DOMAIN_AUTHENTICATOR)
        file.set(EMAIL_DOMAIN_OAUTH, "allowed_email_domains", set(auth.allowed_email_domains))
    else:
        file.set("JupyterHub", "authenticator_class", "generic-oauth")
    return provider.klass  # for the email-domain subclass too: settings of the parent class apply to it


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


@dataclass(frozen=True)
class OAuthProvider:
    """An OAuthenticator class: how it is selected, and the settings of its own after the shared OAuth ones."""

    entry_point: str | None
    """Its name in OAuthenticator 17.4.0's `jupyterhub.authenticators` entry points (pyproject.toml);
    None for generic OAuth, selected by `_select_oauth_class`."""
    klass: str
    settings: Callable[[ConfigFile, str, Any], None]


# Adding a sign-in method: its config model in config/auth.py (and in `AnyAuth`), the function that writes
# its settings here, and one entry in one of these tables (tests/test_sign_in_methods.py checks each has one).
OAUTH_PROVIDERS: dict[type, OAuthProvider] = {
    OidcClient: OAuthProvider(None, GENERIC_OAUTH, _oidc),  # Keycloak, generic OIDC, Cloudflare Access
    GitHubAuth: OAuthProvider("github", "GitHubOAuthenticator", _github),
    GitLabAuth: OAuthProvider("gitlab", "GitLabOAuthenticator", _gitlab),
    GoogleAuth: OAuthProvider("google", "GoogleOAuthenticator", _google),
    AzureAdAuth: OAuthProvider("azuread", "AzureAdOAuthenticator", _azuread),
}
SIGN_IN_METHODS: dict[type, Callable[[ConfigFile, Any], None]] = {
    SharedPasswordAuth: _shared_password,
    DummyAuth: _dummy,
    LdapAuth: _ldap,
    Lti13Auth: _lti13,
}


def configure_access(file: ConfigFile, rule: AccessRule) -> None:
    file.section(Order.ACCESS, "Authentication: access rule")
    if rule.allowed_users:
        file.set("Authenticator", "allowed_users", set(rule.allowed_users))
    file.set("Authenticator", "allow_all", rule.allow_all)
    # Access is what the environment says. JupyterHub 5.5 would otherwise keep letting in every user its
    # database holds once allowed_users is set (auth.py `_allow_existing_users_default`, app.py `init_users`):
    # someone taken off the list would still log in.
    file.set("Authenticator", "allow_existing_users", False)
    if rule.admin_users:
        file.set("Authenticator", "admin_users", set(rule.admin_users))


def allow_identity_provider(network: NetworkPolicyRegistry, auth: AnyAuth) -> None:
    """The hub's egress to its identity provider, as configured in `auth.egress`; nothing else.

    `public_internet` excludes the private ranges and link-local addresses, so it never opens the cluster.
    """
    if not isinstance(auth, ReachesProvider) or not auth.egress:
        return
    policy = network.policy("hub-to-identity-provider", HUB)
    for destination in auth.egress:
        ports = tcp(*(destination.ports or auth.provider_ports()))
        if destination.public_internet:
            peer = network.public_internet
        elif destination.cidr:
            peer = ip_block(destination.cidr)
        elif destination.pods:
            peer = pods_elsewhere(destination.pods)
        else:
            raise ValueError("an egress destination without cidr, pods or public_internet; the config refuses it")
        policy.allow_to(peer, ports)


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
        if isinstance(self.auth, LdapAuth) and self.auth.ca_certificate is not None:
            ca = self.auth.ca_certificate
            context.hub_pod.volumes.append(
                Volume(
                    "ldap-ca",
                    {"configMap": {"name": ca.config_map, "items": [{"key": ca.key, "path": LDAP_CA_FILE}]}},
                    LDAP_CA_DIR,
                    read_only=True,
                )
            )
        if isinstance(self.auth, GoogleAuth) and self.auth.workspace is not None:
            key = self.auth.workspace.service_account_key
            context.hub_pod.volumes.append(
                Volume(
                    "google-service-account",
                    {"secret": {"secretName": key.name, "items": [{"key": key.key, "path": GOOGLE_KEY_FILE}]}},
                    GOOGLE_KEY_DIR,
                    read_only=True,
                )
            )
