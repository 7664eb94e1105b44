"""Config of authentication: who may log in, and who is admin.

`auth.type` selects the authenticator. Every variant carries an explicit
access rule, because JupyterHub 5 lets nobody in without one and an implicit
"everyone who can authenticate" is how hubs get opened to the internet.

The OAuth variants (keycloak, oidc, cloudflare-access, github, gitlab,
google, azuread) share a client (id + secret from a Secret), the token keeping
that feeds refresh, and the egress the hub needs to reach the provider. Their
callback URL is not a setting: it is derived from the environment's `host` and
`hub.base_url`. LDAP (and Active Directory) and LTI 1.3 are not OAuth, but the
hub reaches their servers too, so they share the egress.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from pydantic import BeforeValidator, Field, model_validator

from .base import FieldProblems, Hostname, SecretKeyRef, StrictModel
from .kubernetes import INT32_MAX, ObjectName, Port
from .network import PodsElsewhere, SafeCidr
from .yaml_input import shown

_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _url(value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(
            f"{shown(value)} is not a URL; write an absolute https URL, e.g. https://login.example.com/path"
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValueError(
            f"{shown(value)} would send tokens unencrypted; write https:// "
            "(plain http is only accepted on localhost, for tests)"
        )
    return value


HttpsUrl = Annotated[str, BeforeValidator(_url)]
"""An absolute https URL (http only on loopback, where tests run providers)."""


EmailDomain = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")]
"""The part after @ of an email address, lower-case, e.g. 254carbon.com."""


class AccessRule(StrictModel):
    """Who may log in and who is admin; shared by every authenticator."""

    allowed_users: list[str] = Field(default_factory=list, description="Usernames allowed to log in.")
    allow_all: bool = Field(
        False, description="Let every user the authenticator accepts log in. Must be said explicitly."
    )
    admin_users: list[str] = Field(
        default_factory=list, description="Usernames with admin rights (they may log in too)."
    )

    def manages_groups(self) -> bool:
        """Whether the authenticator sets each user's JupyterHub groups at login (`manage_groups`)."""
        return False

    def access_fields(self) -> tuple[str, ...]:
        """Settings of this variant that let users in; one of them must be set."""
        return ("allowed_users", "admin_users")

    def has_access_rule(self) -> bool:
        return self.allow_all or any(getattr(self, name) for name in self.access_fields())

    @model_validator(mode="after")
    def _explicit_access(self):
        if not self.has_access_rule():
            options = ", ".join(self.access_fields())
            raise FieldProblems(
                (
                    "allow_all",
                    f"no access rule: nobody could log in; list who may ({options}), or write `allow_all: true` "
                    "to let everyone the authenticator accepts in",
                )
            )
        return self


class SharedPasswordAuth(AccessRule):
    """One password shared by all users (JupyterHub's SharedPasswordAuthenticator), read from a Secret."""

    type: Literal["shared-password"] = Field(description="Shared password for every user.")
    password_secret: SecretKeyRef = Field(description="Secret key holding the users' password (at least 8 characters).")
    admin_password_secret: SecretKeyRef | None = Field(
        None,
        description=(
            "Secret key with a separate admin password (at least 32 characters); admin_users log in with it "
            "and only with it. Required when admin_users is set."
        ),
    )

    @model_validator(mode="after")
    def _admins_can_log_in(self):
        if self.admin_users and self.admin_password_secret is None:
            raise FieldProblems(
                (
                    "admin_users",
                    "SharedPasswordAuthenticator lets admin_users log in only with the admin password, so these "
                    "users could never log in; write admin_password_secret: {name: <secret>, key: <key>} (a key "
                    "holding at least 32 characters), or remove admin_users",
                )
            )
        return self


class DummyAuth(AccessRule):
    """Any username with any password: for local tests only, refused in production."""

    type: Literal["dummy"] = Field(description="JupyterHub's DummyAuthenticator: no password check at all.")

    def warnings(self) -> list[tuple[str, str]]:
        return [
            (
                "type",
                "dummy authentication lets ANYONE who reaches the hub log in as any user, admins included, "
                "without a password; use it for local tests only (it is refused with `production: true`)",
            )
        ]


class IdentityProviderEgress(StrictModel):
    """Where the hub reaches its identity provider (token and userinfo calls): an IP block, or pods of this cluster."""

    cidr: SafeCidr | None = Field(None, description="IP block of the provider's endpoints, e.g. 203.0.113.10/32.")
    pods: PodsElsewhere | None = Field(
        None,
        description=(
            "Pods the provider is reached through when it runs in this cluster, e.g. the ingress controller's "
            "when its public host is this cluster's own ingress (traffic to the ingress address is delivered to them)."
        ),
    )
    public_internet: bool = Field(
        False,
        description=(
            "Any public address: everything but network_policy.private_ranges and link-local addresses. For "
            "SaaS providers whose addresses change (GitHub, Cloudflare Access); what the JupyterHub Helm chart "
            "allows the hub by default. Prefer cidr when the provider's addresses are known."
        ),
    )
    ports: list[Port] | None = Field(
        None,
        min_length=1,
        description=(
            "TCP ports of the provider (for pods: their container ports); unset: the provider's own, 443 for "
            "OAuth and LTI, the LDAP server's port for LDAP."
        ),
    )

    @model_validator(mode="after")
    def _one_destination(self) -> IdentityProviderEgress:
        if [self.cidr is not None, self.pods is not None, self.public_internet].count(True) != 1:
            raise FieldProblems(
                (
                    "cidr",
                    "write exactly one destination: cidr: 203.0.113.10/32, or pods: {namespace: ingress-nginx, "
                    "pod_labels: {app.kubernetes.io/name: ingress-nginx}}, or public_internet: true",
                )
            )
        return self


class ReachesProvider(AccessRule):
    """An authenticator whose hub calls a server of the provider: the egress to it."""

    egress: list[IdentityProviderEgress] = Field(
        default_factory=list,
        description=(
            "Where the provider's endpoints are, as IP blocks or pods; each opens egress from the hub pods to it "
            "(a NetworkPolicy of its own). Required while network_policy is enabled: the default deny would "
            "otherwise block every login."
        ),
    )

    def provider_ports(self) -> list[int]:
        """The ports an egress destination opens when it names none."""
        return [443]


class OAuthClient(ReachesProvider):
    """What every OAuth variant shares: the registered client, tokens and the way out to the provider."""

    client_id: str = Field(min_length=1, description="OAuth client id registered with the provider for this hub.")
    client_secret: SecretKeyRef = Field(
        description=(
            "Secret key holding the OAuth client secret, e.g. {name: jupyterhub-oidc-secret, key: client_secret}."
        )
    )
    keep_tokens: bool = Field(
        True,
        description=(
            "Keep the user's tokens in auth_state (encrypted with the hub Secret's crypt-key) so the hub refreshes "
            "them before each spawn and every refresh_age seconds, and re-reads group membership."
        ),
    )
    refresh_age: int = Field(
        300,
        ge=0,
        le=INT32_MAX,
        description=(
            "Seconds after which a user's tokens and groups are re-checked with the provider; 0: only before spawns."
        ),
    )

    @model_validator(mode="after")
    def _refresh_needs_tokens(self):
        if "refresh_age" in self.model_fields_set and not self.keep_tokens:
            raise FieldProblems(
                ("refresh_age", "refreshing needs the tokens; remove refresh_age or write `keep_tokens: true`")
            )
        return self


class OidcClient(OAuthClient):
    """An OpenID Connect provider: claims name the user and their groups."""

    username_claim: str = Field(
        "preferred_username", min_length=1, description="Userinfo claim that becomes the username."
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["openid", "profile", "email"], min_length=1, description="Scopes requested at login."
    )
    groups_claim: str = Field("groups", min_length=1, description="Userinfo claim listing the user's groups.")
    allowed_groups: list[str] = Field(
        default_factory=list, description="Groups (from groups_claim) whose members may log in."
    )
    admin_groups: list[str] = Field(
        default_factory=list, description="Groups whose members are admins (and may log in)."
    )
    allowed_email_domains: list[EmailDomain] = Field(
        default_factory=list,
        description=(
            "Email domains (e.g. 254carbon.com) whose users may log "
            "in, by the email claim; unverified emails never count."
        ),
    )
    login_service: str = Field("OpenID Connect", description="Name on the login button: 'Login with <login_service>'.")

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_groups", "admin_groups", "allowed_email_domains")

    def manages_groups(self) -> bool:
        """Groups are read from the claim (and synced into JupyterHub) only when a rule uses them."""
        return bool(self.allowed_groups or self.admin_groups)

    def endpoints(self) -> OidcEndpoints:
        """The provider's URLs; each variant derives them from its own settings."""
        raise NotImplementedError


class OidcEndpoints(StrictModel):
    """The URLs of an OpenID Connect provider the hub calls or sends users to."""

    authorize_url: HttpsUrl
    token_url: HttpsUrl
    userinfo_url: HttpsUrl
    logout_url: HttpsUrl | None = None


class KeycloakAuth(OidcClient):
    """A Keycloak realm: its URLs follow from the server URL and the realm name."""

    type: Literal["keycloak"] = Field(description="Keycloak OpenID Connect.")
    url: HttpsUrl = Field(description="Keycloak's public URL, without /realms, e.g. https://keycloak.example.com.")
    realm: str = Field(
        pattern=r"^[A-Za-z0-9._-]+$", description="Realm the users and the client live in, e.g. thinkube."
    )
    post_logout_redirect_url: HttpsUrl | None = Field(
        None,
        description=(
            "Where Keycloak sends users after logging out, e.g. "
            "https://control.example.com; unset: Keycloak's own page."
        ),
    )
    login_service: str = Field("Keycloak", description="Name on the login button: 'Login with <login_service>'.")

    def endpoints(self) -> OidcEndpoints:
        base = f"{self.url.rstrip('/')}/realms/{self.realm}/protocol/openid-connect"
        logout = f"{base}/logout"
        if self.post_logout_redirect_url:
            # RP-initiated logout: Keycloak 18+ redirects only with client_id (or an id_token_hint).
            logout += "?" + urlencode(
                {"post_logout_redirect_uri": self.post_logout_redirect_url, "client_id": self.client_id}
            )
        return OidcEndpoints(
            authorize_url=f"{base}/auth", token_url=f"{base}/token", userinfo_url=f"{base}/userinfo", logout_url=logout
        )


class OidcAuth(OidcClient):
    """Any OpenID Connect provider, by its issuer and explicit endpoints."""

    type: Literal["oidc"] = Field(description="A generic OpenID Connect provider.")
    issuer: HttpsUrl = Field(description="The provider's issuer URL, e.g. https://login.example.com/realms/main.")
    authorize_url: str = Field(description="Authorization endpoint: an absolute URL, or a path appended to the issuer.")
    token_url: str = Field(description="Token endpoint: an absolute URL, or a path appended to the issuer.")
    userinfo_url: str = Field(description="Userinfo endpoint: an absolute URL, or a path appended to the issuer.")
    logout_url: str | None = Field(
        None,
        description=(
            "Where users go after logging out of the hub (e.g. the provider's end-session URL); absolute or a path."
        ),
    )

    def _absolute(self, url: str) -> str:
        return url if "://" in url else self.issuer.rstrip("/") + "/" + url.lstrip("/")

    def endpoints(self) -> OidcEndpoints:
        return OidcEndpoints(
            authorize_url=self._absolute(self.authorize_url),
            token_url=self._absolute(self.token_url),
            userinfo_url=self._absolute(self.userinfo_url),
            logout_url=None if self.logout_url is None else self._absolute(self.logout_url),
        )

    @model_validator(mode="after")
    def _endpoints_are_urls(self):
        problems = []
        for name in ("authorize_url", "token_url", "userinfo_url", "logout_url"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                _url(self._absolute(value))
            except ValueError as error:
                problems.append((name, str(error)))
        if problems:
            raise FieldProblems(*problems)
        return self


class CloudflareAccessAuth(OidcClient):
    """Cloudflare Access as the hub's OpenID Connect provider (an Access "SaaS" OIDC application)."""

    type: Literal["cloudflare-access"] = Field(description="Cloudflare Access (Zero Trust) OpenID Connect.")
    team_domain: Hostname = Field(description="Your Zero Trust team domain, e.g. 254carbon.cloudflareaccess.com.")
    username_claim: str = Field("email", min_length=1, description="Userinfo claim that becomes the username.")
    login_service: str = Field(
        "Cloudflare Access", description="Name on the login button: 'Login with <login_service>'."
    )

    def issuer(self) -> str:
        """Cloudflare's documented issuer of an OIDC SaaS application."""
        return f"https://{self.team_domain}/cdn-cgi/access/sso/oidc/{self.client_id}"

    def endpoints(self) -> OidcEndpoints:
        issuer = self.issuer()
        return OidcEndpoints(
            authorize_url=f"{issuer}/authorization",
            token_url=f"{issuer}/token",
            userinfo_url=f"{issuer}/userinfo",
            logout_url=f"https://{self.team_domain}/cdn-cgi/access/logout",
        )


_GITHUB_ORG = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9]*)(:[A-Za-z0-9_.-]+)?$")


def _github_team(value: Any) -> str:
    if not isinstance(value, str) or not _GITHUB_ORG.match(value) or ":" not in value:
        raise ValueError(f"{value!r} is not a team; write the organization and the team as in its URL: my-org:my-team")
    return value.lower()


def _github_org(value: Any) -> str:
    if not isinstance(value, str) or not _GITHUB_ORG.match(value):
        raise ValueError(
            f"{shown(value)} is not an organization; write the name as in its URL, e.g. my-org or my-org:my-team"
        )
    return value


class GitHubAuth(OAuthClient):
    """GitHub (github.com) OAuth app: members of organizations or teams."""

    type: Literal["github"] = Field(description="GitHub OAuth.")
    allowed_organizations: list[Annotated[str, BeforeValidator(_github_org)]] = Field(
        default_factory=list, description="Organizations (my-org) or teams (my-org:my-team) whose members may log in."
    )
    admin_teams: list[Annotated[str, BeforeValidator(_github_team)]] = Field(
        default_factory=list,
        description=(
            "Teams (my-org:my-team, as in the team's URL) whose members are admins (and may log in); admin rights "
            "follow membership at each login. Needs read:org in scopes."
        ),
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["read:org"],
        description="Scopes requested at login; read:org lets private organization and team membership count.",
    )

    def manages_groups(self) -> bool:
        return bool(self.admin_teams)

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_organizations", "admin_teams")

    @model_validator(mode="after")
    def _teams_need_read_org(self) -> GitHubAuth:
        if self.admin_teams and "read:org" not in self.scopes:
            raise FieldProblems(("scopes", "admin_teams reads the user's teams, which needs read:org; add it"))
        return self


class GitLabAuth(OAuthClient):
    """GitLab (gitlab.com or your own): members of groups or projects; admins by group."""

    type: Literal["gitlab"] = Field(description="GitLab OAuth.")
    url: HttpsUrl = Field("https://gitlab.com", description="The GitLab instance, e.g. https://gitlab.example.com.")
    allowed_groups: list[str] = Field(
        default_factory=list, description="Groups (full paths, e.g. my-group/sub-group) whose members may log in."
    )
    allowed_project_ids: list[Annotated[int, Field(ge=1, le=INT32_MAX)]] = Field(
        default_factory=list, description="Projects (numeric ids) whose Developers and above may log in."
    )
    admin_groups: list[str] = Field(
        default_factory=list,
        description=(
            "Groups (full paths) whose members are admins (and may log in), read at each login from GitLab's "
            "OpenID Connect userinfo (needs openid in scopes)."
        ),
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["read_user", "read_api", "openid"],
        min_length=1,
        description="Scopes requested: read_user for the user, read_api for membership checks, openid for groups.",
    )

    def manages_groups(self) -> bool:
        return bool(self.admin_groups)

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_groups", "allowed_project_ids", "admin_groups")

    @model_validator(mode="after")
    def _groups_need_openid(self) -> GitLabAuth:
        if self.admin_groups and "openid" not in self.scopes:
            raise FieldProblems(("scopes", "admin_groups reads the groups from OpenID Connect userinfo; add openid"))
        return self


class GoogleWorkspace(StrictModel):
    """A Google Workspace domain whose groups the hub reads with a service account (domain-wide delegation)."""

    domain: Hostname = Field(description="The Workspace domain, e.g. university.edu.")
    administrator: str = Field(
        min_length=1, description="A Workspace administrator the service account acts as, without @domain: admin."
    )
    service_account_key: SecretKeyRef = Field(
        description="Secret key holding the service account's JSON key; mounted read-only into the hub."
    )


class GoogleAuth(OAuthClient):
    """Google accounts, optionally only of some Workspace domains; groups through a Workspace service account."""

    type: Literal["google"] = Field(description="Google OAuth.")
    hosted_domains: list[Hostname] = Field(
        default_factory=list,
        description=(
            "Only accounts of these Workspace domains may log in (a restriction, not an access rule); with one "
            "domain, usernames drop their @domain."
        ),
    )
    workspace: GoogleWorkspace | None = Field(
        None, description="Where group membership is read; required by allowed_groups and admin_groups."
    )
    allowed_groups: list[str] = Field(
        default_factory=list, description="Google groups (emails) of the workspace whose members may log in."
    )
    admin_groups: list[str] = Field(
        default_factory=list, description="Google groups (emails) whose members are admins (and may log in)."
    )

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_groups", "admin_groups")

    @model_validator(mode="after")
    def _groups_need_workspace(self) -> GoogleAuth:
        if (self.allowed_groups or self.admin_groups) and self.workspace is None:
            raise FieldProblems(
                (
                    "workspace",
                    "Google groups are read with a Workspace service account; write workspace: {domain: "
                    "<domain>, administrator: <admin>, service_account_key: {name: <secret>, key: <key>}}",
                )
            )
        return self


class AzureAdAuth(OAuthClient):
    """Microsoft Entra ID (Azure AD) of one tenant: groups from the token's groups claim."""

    type: Literal["azuread"] = Field(description="Microsoft Entra ID (Azure AD) OAuth.")
    tenant_id: str = Field(
        pattern=r"^[A-Za-z0-9.-]+$", description="Directory (tenant) ID, or its domain, e.g. contoso.onmicrosoft.com."
    )
    username_claim: str = Field(
        "preferred_username",
        min_length=1,
        description="ID token claim that becomes the username (preferred_username is the sign-in name).",
    )
    allowed_groups: list[str] = Field(
        default_factory=list,
        description=(
            "Groups (object IDs, as the token's groups claim lists them) whose members may log in; the app "
            "registration must emit the groups claim."
        ),
    )
    admin_groups: list[str] = Field(
        default_factory=list, description="Groups (object IDs) whose members are admins (and may log in)."
    )

    def manages_groups(self) -> bool:
        return bool(self.allowed_groups or self.admin_groups)

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_groups", "admin_groups")

    def authorize_url(self) -> str:
        """Microsoft identity platform v2.0, whose ID tokens carry preferred_username."""
        return f"https://login.microsoftonline.com/{self.tenant_id}/oauth2/v2.0/authorize"

    def token_url(self) -> str:
        return f"https://login.microsoftonline.com/{self.tenant_id}/oauth2/v2.0/token"


class LdapLookup(StrictModel):
    """Find the user's DN by searching (Active Directory: sAMAccountName) instead of a DN template."""

    search_base: str = Field(min_length=1, description="Where users are searched, e.g. ou=people,dc=example,dc=org.")
    user_attribute: str = Field(
        "uid", min_length=1, description="Attribute holding the login name: uid (OpenLDAP), sAMAccountName (AD)."
    )
    dn_attribute: str = Field(
        "uid", min_length=1, description="Attribute of the found entry naming the user: uid, or sAMAccountName (AD)."
    )
    bind_dn: str | None = Field(
        None, description="DN of the account that searches, e.g. cn=jupyterhub,ou=services,dc=example,dc=org."
    )
    password_secret: SecretKeyRef | None = Field(
        None, description="Secret key holding the searching account's password."
    )

    @model_validator(mode="after")
    def _account_complete(self) -> LdapLookup:
        if (self.bind_dn is None) != (self.password_secret is None):
            raise FieldProblems(("bind_dn", "write both bind_dn and password_secret, or neither (an anonymous search)"))
        return self


class CaCertificate(StrictModel):
    """A CA certificate (PEM) in a ConfigMap of the namespace: public, so not a Secret (trust-manager writes these)."""

    config_map: ObjectName = Field(description="Name of the ConfigMap, e.g. corporate-ca.")
    key: str = Field(pattern=r"^[-._a-zA-Z0-9]+$", description="Its key holding the PEM certificate(s), e.g. ca.crt.")


class LdapAuth(ReachesProvider):
    """LDAP or Active Directory: users log in with their directory password (jupyterhub-ldapauthenticator)."""

    type: Literal["ldap"] = Field(description="LDAP or Active Directory (jupyterhub-ldapauthenticator).")
    server: str = Field(
        pattern=r"^[A-Za-z0-9.-]+$", description="Host name or IP address of the LDAP server, e.g. ldap.example.org."
    )
    port: int | None = Field(None, ge=1, le=65535, description="LDAP port; unset: 636 with tls on_connect, else 389.")
    tls: Literal["before_bind", "on_connect", "insecure"] = Field(
        "before_bind",
        description=(
            "before_bind: StartTLS before sending the password (default); on_connect: LDAPS; insecure: passwords "
            "in clear text (refused in production)."
        ),
    )
    bind_dn_templates: list[str] = Field(
        default_factory=list,
        description="DNs tried in turn with the password, {username} replaced, e.g. uid={username},ou=people,...",
    )
    ca_certificate: CaCertificate | None = Field(
        None,
        description=(
            "The CA that signed the directory's certificate, when the hub image's public CAs did not (a corporate "
            "or Active Directory CA). The certificate is always verified: ldap3 by itself would accept any."
        ),
    )
    lookup: LdapLookup | None = Field(None, description="Search for the user's DN instead (Active Directory).")
    allowed_groups: list[str] = Field(default_factory=list, description="Group DNs whose members may log in.")
    admin_groups: list[str] = Field(
        default_factory=list,
        description="Group DNs whose members are admins (and may log in); admin rights follow membership at login.",
    )
    search_filter: str | None = Field(
        None, description="Users must also match this filter, e.g. (&(objectClass=person)(uid={username}))."
    )

    def access_fields(self) -> tuple[str, ...]:
        return (*super().access_fields(), "allowed_groups", "admin_groups")

    def server_port(self) -> int:
        return self.port or (636 if self.tls == "on_connect" else 389)

    def provider_ports(self) -> list[int]:
        return [self.server_port()]

    def warnings(self) -> list[tuple[str, str]]:
        if self.tls == "insecure":
            return [("tls", "insecure sends every user's password in clear text to the LDAP server")]
        return []

    @model_validator(mode="after")
    def _finds_the_user(self) -> LdapAuth:
        if not self.bind_dn_templates and self.lookup is None:
            raise FieldProblems(
                (
                    "bind_dn_templates",
                    "write how a login becomes a DN: bind_dn_templates: ['uid={username},ou=people,dc=example,"
                    "dc=org'], or lookup: {search_base: ..., user_attribute: sAMAccountName} for Active Directory",
                )
            )
        if self.tls == "insecure" and self.ca_certificate is not None:
            raise FieldProblems(
                ("ca_certificate", "tls: insecure uses no TLS, so there is no certificate to verify; remove one")
            )
        bad = [t for t in self.bind_dn_templates if "{username}" not in t]
        if bad:
            raise FieldProblems(("bind_dn_templates", f"{bad[0]!r} has no {{username}}; every template needs it"))
        return self


class Lti13Auth(ReachesProvider):
    """LTI 1.3 launches from a learning platform (Canvas, Moodle, ...): the LMS signs users in."""

    type: Literal["lti13"] = Field(
        description="LTI 1.3 from a learning management system (jupyterhub-ltiauthenticator)."
    )
    issuer: HttpsUrl = Field(description="The platform's issuer, e.g. https://canvas.instructure.com.")
    client_ids: list[str] = Field(min_length=1, description="Client IDs the platform gave this tool at registration.")
    authorize_url: HttpsUrl = Field(
        description="The platform's OIDC authorization endpoint, e.g. https://lms.example.edu/api/lti/authorize_redirect."
    )
    jwks_url: HttpsUrl = Field(
        description="The platform's public keys (JWKS), e.g. https://lms.example.edu/api/lti/security/jwks."
    )
    username_key: str = Field(
        "email",
        min_length=1,
        description="Launch claim that becomes the username: email, sub, or custom_<name> for a custom parameter.",
    )
    tool_name: str = Field("JupyterHub", description="Name of the tool shown in the LMS.")
    tool_description: str = Field(
        "Interactive Jupyter notebooks", description="Description of the tool shown in the LMS."
    )


AnyAuth = (
    KeycloakAuth
    | OidcAuth
    | CloudflareAccessAuth
    | GitHubAuth
    | GitLabAuth
    | GoogleAuth
    | AzureAdAuth
    | LdapAuth
    | Lti13Auth
    | SharedPasswordAuth
    | DummyAuth
)
"""Every authenticator's settings."""

Auth = Annotated[AnyAuth, Field(discriminator="type")]
"""One of the authenticators, chosen by `type`."""


def auth_environment_problems(
    auth: AnyAuth, *, host: str | None, production: bool, network_policies: bool
) -> list[tuple[str, str]]:
    """Rules between `auth` and the rest of the environment, as (field path, message)."""
    problems = []
    if isinstance(auth, ReachesProvider) and network_policies and not auth.egress:
        problems.append(
            (
                "auth.egress",
                f"the NetworkPolicies deny the hub all egress they do not open, so it could not reach the "
                f"{auth.type} provider and every login would fail; write where the provider is, e.g. "
                "`egress: [{cidr: 203.0.113.10/32}]`, or `egress: [{pods: {namespace: ingress-nginx, pod_labels: "
                "{app.kubernetes.io/name: ingress-nginx}}}]` when its host is this cluster's own ingress",
            )
        )
    if isinstance(auth, OAuthClient) and host is None:
        problems.append(
            (
                "host",
                f"auth.type {auth.type} needs the public host: the provider sends users back to "
                "https://<host><hub.base_url>hub/oauth_callback; write e.g. `host: jupyter.example.com`",
            )
        )
    if isinstance(auth, DummyAuth) and production:
        problems.append(
            (
                "auth.type",
                "dummy lets anyone log in without a password and is refused with `production: true`; "
                "choose keycloak, oidc, cloudflare-access, github, gitlab, google, azuread, ldap, lti13 or "
                "shared-password",
            )
        )
    if isinstance(auth, LdapAuth) and auth.tls == "insecure" and production:
        problems.append(
            (
                "auth.tls",
                "insecure sends every password in clear text and is refused with `production: true`; write "
                "before_bind (StartTLS) or on_connect (LDAPS)",
            )
        )
    return problems
