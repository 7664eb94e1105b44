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

from .engine import SKIP, Migration, NotMapped

AUTHENTICATORS = {
    "dummy": "shared-password",
    "jupyterhub.auth.DummyAuthenticator": "shared-password",
    "shared-password": "shared-password",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator": "shared-password",
}

OAUTHENTICATORS = {
    "generic-oauth": "oidc",
    "oauthenticator.generic.GenericOAuthenticator": "oidc",
    "oauthenticator.GenericOAuthenticator": "oidc",
    "github": "github",
    "oauthenticator.github.GitHubOAuthenticator": "github",
    "oauthenticator.GitHubOAuthenticator": "github",
}


def authenticator_type(value, migration, source):
    if value in OAUTHENTICATORS:
        return OAUTHENTICATORS[value]
    if value not in AUTHENTICATORS:
        raise NotMapped(
            f"authenticator {value!r} is not available here; this project supports: shared-password, generic-oauth "
            "(as oidc) and github; for keycloak or cloudflare-access write auth by hand"
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
        else:
            migration.notes.append((f"{source}.{name}", "kept as hub.extra_config; review it: it runs inside the hub"))
            kept[name] = code
    return kept or SKIP


DEFAULT_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "password"}
DEFAULT_CLIENT_SECRET = {"name": "jupyterhub-oauth", "key": "client-secret"}
DEFAULT_ADMIN_PASSWORD_SECRET = {"name": "jupyterhub-password", "key": "admin-password"}


def resolve_auth(migration: Migration) -> None:
    """The chart spreads an authenticator's secret over hub.config, extraEnv and extraConfig; here it is one field."""
    migration.put("auth.type", migration.get("auth.type", "shared-password"))
    auth = migration.config["auth"]
    if auth["type"] == "shared-password":
        _resolve_shared_password(migration, auth)
    else:
        _resolve_oauth(migration, auth)
    for name in sorted(migration.hub_secret_env):
        migration.unmapped.append((f"hub.extraEnv.{name}", "not mapped: no setting here reads this Secret"))


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
