"""The authenticator: the chart spreads it over hub.config, hub.extraEnv and hub.extraConfig; here it is `auth`.

While the table is applied, `authenticator_type` names it, `extra_config`
finds the variable the shared password is read from and `transforms.env_vars`
collects the hub's Secret references; then `resolve_auth` makes one section
of them: Secret references in place of values in git, and a generic OAuth
provider recognized as Keycloak.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from ..config.credentials import credential_literal
from ..config.services import RESERVED_ENV_PREFIXES
from .chart_behaviour import hub_egress_for
from .engine import SKIP, Migration, NotMapped

AUTHENTICATORS = {
    "dummy": "shared-password",
    "jupyterhub.auth.DummyAuthenticator": "shared-password",
    "shared-password": "shared-password",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator": "shared-password",
    "ldap": "ldap",
    "ldapauthenticator": "ldap",
    "ldapauthenticator.LDAPAuthenticator": "ldap",
    "ldapauthenticator.ldapauthenticator.LDAPAuthenticator": "ldap",
    "ltiauthenticator.lti13.auth.LTI13Authenticator": "lti13",
    "ltiauthenticator.lti13.LTI13Authenticator": "lti13",
}

# OAuthenticator 17.4.0's entry points and module paths (its pyproject's jupyterhub.authenticators).
OAUTHENTICATORS = {
    "generic-oauth": "oidc",
    "oauthenticator.generic.GenericOAuthenticator": "oidc",
    "oauthenticator.GenericOAuthenticator": "oidc",
    **{
        name: ours
        for ours, entry_point, klass in (
            ("github", "github", "github.GitHubOAuthenticator"),
            ("gitlab", "gitlab", "gitlab.GitLabOAuthenticator"),
            ("google", "google", "google.GoogleOAuthenticator"),
            ("azuread", "azuread", "azuread.AzureAdOAuthenticator"),
        )
        for name in (entry_point, f"oauthenticator.{klass}", f"oauthenticator.{klass.split('.')[1]}")
    },
}


def authenticator_type(value, migration, source):
    if value in OAUTHENTICATORS:
        return OAUTHENTICATORS[value]
    if value not in AUTHENTICATORS:
        raise NotMapped(
            f"authenticator {value!r} is not available here; this project supports: shared-password, generic-oauth "
            "(as oidc), github, gitlab, google, azuread, ldap and LTI 1.3; for keycloak or cloudflare-access write "
            "auth by hand"
        )
    if value in ("dummy", "jupyterhub.auth.DummyAuthenticator"):
        migration.notes.append(
            (
                source,
                (
                    "DummyAuthenticator becomes SharedPasswordAuthenticator: "
                    "the same shared password, a real authenticator"
                ),
            )
        )
    return AUTHENTICATORS[value]


_PASSWORD_FROM_ENV = re.compile(
    r"c\.(DummyAuthenticator\.password|SharedPasswordAuthenticator\.user_password)\s*=\s*os\.environ"
    r"(?:\.get\(|\[)\s*['\"](\w+)['\"]"
)


def extra_config(value, migration, source):
    """Snippets that set the shared password from an env var become auth.password_secret; the rest are kept."""
    kept = {}
    for name, code in sorted(value.items()):
        if not isinstance(code, str):
            migration.unmapped.append((f"{source}.{name}", "not mapped: not Python code"))
            continue
        match = _PASSWORD_FROM_ENV.search(code)
        if match:
            migration.notes.append(
                (
                    f"{source}.{name}",
                    f"{match[1]} from ${match[2]} becomes auth.password_secret (a fallback literal, if any, is "
                    "dropped: no password in git)",
                )
            )
            migration.password_env = match[2]
        elif found := credential_literal(code):
            migration.unmapped.append(
                (
                    f"{source}.{name}",
                    f"not mapped: {found} looks like a credential, which would end up in git; put it in a Secret, "
                    "pass it with hub.extraEnv (secretKeyRef) and read it with os.environ",
                )
            )
        else:
            migration.notes.append((f"{source}.{name}", "kept as hub.extra_config; review it: it runs inside the hub"))
            kept[name] = code
    return kept or SKIP


DEFAULT_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "password"}
DEFAULT_CLIENT_SECRET = {"name": "jupyterhub-oauth", "key": "client-secret"}
DEFAULT_ADMIN_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "admin-password"}
DEFAULT_LDAP_SECRET = {"name": "jupyterhub-ldap", "key": "search-password"}
LDAP_SECRET_NOTE = (
    f"create Secret {DEFAULT_LDAP_SECRET['name']} with key {DEFAULT_LDAP_SECRET['key']} holding the search "
    "account's password before the first sync (auth.lookup.password_secret)"
)


def resolve_auth(migration: Migration) -> None:
    """The chart spreads an authenticator's secret over hub.config, extraEnv and extraConfig; here it is one field."""
    migration.put("auth.type", migration.get("auth.type", "shared-password"))
    auth = migration.config["auth"]
    if auth["type"] == "shared-password":
        _resolve_shared_password(migration, auth)
    elif auth["type"] == "ldap":
        _resolve_ldap(migration, auth)
    elif auth["type"] == "lti13":
        auth["egress"] = [{"public_internet": True}]
        migration.notes.append(("auth.egress", "public_internet, as the chart allowed the hub; narrow it to the LMS"))
    else:
        _resolve_oauth(migration, auth)
    _access_rule(migration, auth)
    for name, ref in sorted(migration.hub_secret_env.items()):
        if name.startswith(RESERVED_ENV_PREFIXES):
            migration.unmapped.append(
                (f"hub.extraEnv.{name}", "not mapped: the hub sets this variable itself from typed settings")
            )
            continue
        migration.put("hub.environment", {name: ref})
        migration.notes.append(
            (f"hub.extraEnv.{name}", f"the hub still reads it from Secret {ref['name']} (hub.environment)")
        )


def _access_rule(migration: Migration, auth: dict) -> None:
    """Without any access rule JupyterHub 5 lets nobody but admins in; say so, and what the import writes."""
    rules = ("allowed_users", "admin_users", "allow_all", "allowed_organizations", "allowed_groups",
             "allowed_project_ids", "allowed_email_domains", "admin_groups")  # fmt: skip
    if any(auth.get(rule) for rule in rules) or "allow_all" in auth:
        return
    auth["allow_all"] = True
    who = {"github": "any GitHub account", "gitlab": "any account of the GitLab instance"}.get(
        auth["type"], "everyone the provider authenticates"
    )
    if auth.get("hosted_domains"):
        who = "every account of " + ", ".join(auth["hosted_domains"])
    migration.notes.append(
        (
            "auth.allow_all",
            f"true: the values file has no access rule, which lets nobody but admins in with JupyterHub 5; "
            f"allow_all lets in {who}: list allowed_users (or groups) instead before going live",
        )
    )


def _resolve_ldap(migration: Migration, auth: dict) -> None:
    """The search account's password from a Secret; egress where the chart let the hub go, on the LDAP port."""
    lookup = auth.get("lookup") or {}
    if lookup.get("bind_dn") and "password_secret" not in lookup:
        lookup["password_secret"] = DEFAULT_LDAP_SECRET
        migration.notes.append(("auth.lookup.password_secret", LDAP_SECRET_NOTE))
    port = auth.get("port") or (636 if auth.get("tls") == "on_connect" else 389)
    auth["egress"] = hub_egress_for(port)
    migration.notes.append(
        (
            "auth.egress",
            f"every public and private address on port {port}, as the chart allowed the hub; narrow it to the "
            "directory's address (cidr)",
        )
    )


def ldap_use_ssl(value, migration, source):
    if value is True:
        migration.put("auth.tls", "on_connect")
    return SKIP


def ldap_lookup(value, migration, source):
    if value is not True:
        return SKIP
    migration.put("auth.lookup", {})
    return SKIP


def ldap_search_password(value, migration, source):
    """The search account's password is in git in the chart; here it is a Secret reference (the value is dropped)."""
    migration.put("auth.lookup.password_secret", DEFAULT_LDAP_SECRET)
    migration.notes.append((source, "dropped (no password in git): " + LDAP_SECRET_NOTE))
    return SKIP


def _resolve_shared_password(migration: Migration, auth: dict) -> None:
    if migration.password_env in migration.hub_secret_env:
        auth["password_secret"] = migration.hub_secret_env.pop(migration.password_env)
    else:
        auth["password_secret"] = DEFAULT_PASSWORD_SECRET
        migration.notes.append(
            (
                "auth.password_secret",
                f"no password from a Secret found; create Secret {DEFAULT_PASSWORD_SECRET['name']} "
                f"with key {DEFAULT_PASSWORD_SECRET['key']} before the first sync",
            )
        )
    if auth["type"] == "shared-password" and auth.get("admin_users"):
        # The chart's admin_password is a value in git (reported unmapped); admins log in only with one.
        auth["admin_password_secret"] = DEFAULT_ADMIN_PASSWORD_SECRET
        migration.notes.append(
            (
                "auth.admin_password_secret",
                f"admin_users log in only with an admin password; create key "
                f"{DEFAULT_ADMIN_PASSWORD_SECRET['key']} (at least 32 characters) in Secret "
                f"{DEFAULT_ADMIN_PASSWORD_SECRET['name']} before the first sync",
            )
        )
    if not auth.get("allowed_users") and "allow_all" not in auth:
        # The chart's DummyAuthenticator lets every name in with the password; keep that, explicitly.
        auth["allow_all"] = True
        migration.notes.append(("auth.allow_all", "true, as the chart's authenticator allowed every user name"))


def _resolve_oauth(migration: Migration, auth: dict) -> None:
    """OAuth: the client secret is a Secret reference; a generic provider's issuer is the authorize URL's origin.

    No access rule is added: the chart's OAuthenticator lets nobody but admins in without one, and the loader
    then says what to write.
    """
    auth["client_secret"] = DEFAULT_CLIENT_SECRET
    migration.notes.append(
        (
            "auth.client_secret",
            f"create Secret {DEFAULT_CLIENT_SECRET['name']} with key {DEFAULT_CLIENT_SECRET['key']} "
            "holding the OAuth client secret before the first sync",
        )
    )
    # The chart lets the hub reach every non-private address; keep that, and say how to narrow it.
    auth["egress"] = [{"public_internet": True}]
    migration.notes.append(
        ("auth.egress", "public_internet, as the chart allowed the hub; narrow it to your provider's addresses (cidr)")
    )
    if auth["type"] == "oidc" and "authorize_url" in auth and not _as_keycloak(migration, auth):
        origin = urlsplit(auth["authorize_url"])
        auth["issuer"] = f"{origin.scheme}://{origin.netloc}"


_KEYCLOAK_AUTHORIZE = re.compile(r"^(https://.+)/realms/([A-Za-z0-9._-]+)/protocol/openid-connect/auth$")


def _as_keycloak(migration: Migration, auth: dict) -> bool:
    """Generic OAuth against a Keycloak realm (Thinkube's setup) becomes `type: keycloak`: URLs from url and realm."""
    match = _KEYCLOAK_AUTHORIZE.match(auth["authorize_url"])
    if not match:
        return False
    base = match[0].removesuffix("/auth")
    if (auth.get("token_url"), auth.get("userinfo_url")) != (f"{base}/token", f"{base}/userinfo"):
        return False
    logout = urlsplit(auth.get("logout_url") or f"{base}/logout")
    redirects = [v for k, v in parse_qsl(logout.query) if k in ("redirect_uri", "post_logout_redirect_uri")]
    if f"{logout.scheme}://{logout.netloc}{logout.path}" != f"{base}/logout" or len(redirects) > 1:
        return False
    for key in ("authorize_url", "token_url", "userinfo_url", "logout_url"):
        auth.pop(key, None)
    auth.update({"type": "keycloak", "url": match[1], "realm": match[2]})
    if redirects:
        auth["post_logout_redirect_url"] = redirects[0]
    migration.notes.append(
        ("auth.type", f"the endpoints are Keycloak realm {match[2]}'s: keycloak, with url and realm")
    )
    return True
