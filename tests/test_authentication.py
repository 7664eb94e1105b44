"""Authentication: every `auth.type` loads in the real JupyterHub 5.5 + OAuthenticator 17.4.

Each test synthesizes an environment, loads its jupyterhub_config.py into a
real `JupyterHub` application, builds the authenticator it selects, and
compares the instance's traits with what the config model says, through the
providers' documented URL layouts (written out here, not taken from the code).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from support.authenticators import HUB_SECRET, fake_secret, hub_env, load_authenticator
from support.synthesis import ROOT, dist_objects, environment, find, hub_config_text, synth_objects

from jupyterhub_cdk8s.authentication import OAUTH_PROVIDERS, SIGN_IN_METHODS
from jupyterhub_cdk8s.config.auth import AnyAuth
from jupyterhub_cdk8s.config.loader import ConfigError, load_environments
from jupyterhub_cdk8s.config.secrets import CRYPT_KEY_KEY


def allowed(authenticator, username: str, user_info: dict) -> bool:
    """The real check_allowed on an auth model as OAuthenticator builds it after login."""
    model = {
        "name": username,
        "admin": True if username in authenticator.admin_users else None,
        "auth_state": {"oauth_user": user_info},
    }
    return asyncio.run(authenticator.check_allowed(username, model))


KEYCLOAK = """
namespace: hub-test
host: hub.example.com
hub: {base_url: /jupyter/}
auth:
  type: keycloak
  url: https://keycloak.example.com/
  realm: thinkube
  client_id: jupyterhub
  client_secret: {name: jupyterhub-oidc-secret, key: client_secret}
  post_logout_redirect_url: https://control.example.com
  allowed_groups: [data-science]
  admin_groups: [platform-admins]
  admin_users: [admin]
  refresh_age: 120
  # Keycloak behind this cluster's own ingress.
  egress: [{pods: {namespace: ingress-nginx, pod_labels: {app.kubernetes.io/name: ingress-nginx}}}]
"""


@pytest.mark.real
def test_keycloak_urls_claims_groups_and_refresh(tmp_path, monkeypatch):
    objects = synth_objects(KEYCLOAK, tmp_path)
    auth = environment(KEYCLOAK, tmp_path).config.auth
    authenticator = load_authenticator(objects, tmp_path, monkeypatch)

    # Keycloak's documented layout: <server>/realms/<realm>/protocol/openid-connect/<endpoint>
    realm = f"https://keycloak.example.com/realms/{auth.realm}/protocol/openid-connect"
    assert type(authenticator).__name__ == "GenericOAuthenticator"
    assert authenticator.authorize_url == f"{realm}/auth"
    assert authenticator.token_url == f"{realm}/token"
    assert authenticator.userdata_url == f"{realm}/userinfo"
    # RP-initiated logout (OIDC; Keycloak 18+): the redirect is honoured with the client's id.
    logout_query = urlencode({"post_logout_redirect_uri": "https://control.example.com", "client_id": "jupyterhub"})
    assert authenticator.logout_redirect_url == f"{realm}/logout?{logout_query}"
    assert authenticator.oauth_callback_url == "https://hub.example.com/jupyter/hub/oauth_callback"
    assert authenticator.client_id == auth.client_id
    assert authenticator.client_secret == fake_secret(auth.client_secret.name, auth.client_secret.key)
    assert authenticator.username_claim == "preferred_username"
    assert authenticator.scope == ["openid", "profile", "email"]
    assert authenticator.manage_groups is True
    assert authenticator.auth_state_groups_key == "oauth_user.groups"
    assert authenticator.allowed_groups == set(auth.allowed_groups)
    assert authenticator.admin_groups == set(auth.admin_groups)
    assert authenticator.admin_users == set(auth.admin_users)
    assert authenticator.allow_all is False
    assert authenticator.enable_auth_state is True
    assert authenticator.refresh_pre_spawn is True
    assert authenticator.auth_refresh_age == auth.refresh_age
    assert authenticator.login_service == "Keycloak"


@pytest.mark.unit
def test_oauth_secrets_come_from_secret_refs_never_from_dist(tmp_path):
    objects = synth_objects(KEYCLOAK, tmp_path)
    env = hub_env(objects)
    assert env["JUPYTERHUB_OAUTH_CLIENT_SECRET"] == ("jupyterhub-oidc-secret", "client_secret")
    assert env["JUPYTERHUB_CRYPT_KEY"] == (HUB_SECRET, CRYPT_KEY_KEY)
    text = hub_config_text(objects)
    assert "c.GenericOAuthenticator.client_secret = os.environ['JUPYTERHUB_OAUTH_CLIENT_SECRET']" in text


@pytest.mark.real
def test_tokens_not_kept_means_no_auth_state_and_no_crypt_key(tmp_path, monkeypatch):
    text = KEYCLOAK.replace("  refresh_age: 120\n", "  keep_tokens: false\n")
    objects = synth_objects(text, tmp_path)
    authenticator = load_authenticator(objects, tmp_path, monkeypatch)
    assert authenticator.enable_auth_state is False
    assert authenticator.refresh_pre_spawn is False
    assert "JUPYTERHUB_CRYPT_KEY" not in hub_env(objects)


OIDC = """
namespace: hub-test
host: hub.example.com
auth:
  type: oidc
  issuer: https://login.example.com/tenant
  authorize_url: /oauth2/authorize
  token_url: oauth2/token
  userinfo_url: https://userinfo.example.com/me
  logout_url: /logout
  client_id: hub
  client_secret: {name: oidc, key: secret}
  username_claim: sub
  scopes: [openid, email, groups]
  groups_claim: roles
  allowed_groups: [users]
  allowed_users: [carol]
  egress: [{cidr: 203.0.113.10/32}]
"""


@pytest.mark.real
def test_generic_oidc_endpoints_relative_to_the_issuer(tmp_path, monkeypatch):
    auth = environment(OIDC, tmp_path).config.auth
    authenticator = load_authenticator(synth_objects(OIDC, tmp_path), tmp_path, monkeypatch)
    assert authenticator.authorize_url == f"{auth.issuer}/oauth2/authorize"
    assert authenticator.token_url == f"{auth.issuer}/oauth2/token"
    assert authenticator.userdata_url == auth.userinfo_url
    assert authenticator.logout_redirect_url == f"{auth.issuer}/logout"
    assert authenticator.username_claim == auth.username_claim
    assert authenticator.scope == auth.scopes
    assert authenticator.auth_state_groups_key == "oauth_user.roles"
    assert authenticator.allowed_groups == {"users"}
    assert authenticator.allowed_users == {"carol"}
    assert authenticator.oauth_callback_url == "https://hub.example.com/hub/oauth_callback"
    assert not hasattr(authenticator, "allowed_email_domains")


CLOUDFLARE = """
namespace: hub-test
host: jupyter.254carbon.com
auth:
  type: cloudflare-access
  team_domain: 254carbon.cloudflareaccess.com
  client_id: 0123abcd
  client_secret: {name: cf, key: client-secret}
  allowed_email_domains: [254carbon.com]
  admin_users: [boss@partner.org]
  egress: [{cidr: 104.16.0.0/13}, {cidr: 172.64.0.0/13, ports: [443, 8443]}]
"""


@pytest.mark.real
def test_cloudflare_access_endpoints_from_team_domain_and_client_id(tmp_path, monkeypatch):
    auth = environment(CLOUDFLARE, tmp_path).config.auth
    authenticator = load_authenticator(synth_objects(CLOUDFLARE, tmp_path), tmp_path, monkeypatch)
    # Cloudflare's documented OIDC SaaS application: issuer https://<team>/cdn-cgi/access/sso/oidc/<client-id>
    issuer = f"https://{auth.team_domain}/cdn-cgi/access/sso/oidc/{auth.client_id}"
    assert authenticator.authorize_url == f"{issuer}/authorization"
    assert authenticator.token_url == f"{issuer}/token"
    assert authenticator.userdata_url == f"{issuer}/userinfo"
    assert authenticator.logout_redirect_url == f"https://{auth.team_domain}/cdn-cgi/access/logout"
    assert authenticator.username_claim == "email"
    assert authenticator.login_service == "Cloudflare Access"
    assert authenticator.allowed_email_domains == {"254carbon.com"}
    assert authenticator.manage_groups is False


@pytest.mark.real
@pytest.mark.parametrize(
    ("username", "user_info", "expected"),
    [
        ("ann@254carbon.com", {"email": "ann@254carbon.com"}, True),
        ("ann@254carbon.com", {"email": "ann@254Carbon.COM"}, True),
        ("ann@254carbon.com", {"email": "ann@254carbon.com", "email_verified": True}, True),
        ("ann@254carbon.com", {"email": "ann@254carbon.com", "email_verified": False}, False),
        ("eve@example.org", {"email": "eve@example.org"}, False),
        ("eve@254carbon.com.example.org", {"email": "eve@254carbon.com.example.org"}, False),
        ("eve@sub.254carbon.com", {"email": "eve@sub.254carbon.com"}, False),
        ("254carbon.com", {"email": "254carbon.com"}, False),
        ("@254carbon.com", {"email": "@254carbon.com"}, False),
        ("nobody", {}, False),
        ("boss@partner.org", {"email": "boss@partner.org"}, True),  # an admin_users entry
    ],
)
def test_email_domain_rule_in_the_real_authenticator(tmp_path, monkeypatch, username, user_info, expected):
    authenticator = load_authenticator(synth_objects(CLOUDFLARE, tmp_path), tmp_path, monkeypatch)
    assert allowed(authenticator, username, user_info) is expected


@pytest.mark.unit
def test_identity_provider_egress_is_its_own_policy_for_hub_pods(tmp_path):
    objects = synth_objects(CLOUDFLARE, tmp_path)
    policy = find(objects, "NetworkPolicy", "jupyterhub-hub-to-identity-provider")
    hub_labels = find(objects, "Deployment", "jupyterhub-hub")["spec"]["selector"]["matchLabels"]
    assert policy["spec"]["podSelector"]["matchLabels"] == hub_labels
    assert policy["spec"]["policyTypes"] == ["Egress"]
    assert "ingress" not in policy["spec"]
    opened = [
        (peer["ipBlock"]["cidr"], port["port"], port["protocol"])
        for rule in policy["spec"]["egress"]
        for peer in rule["to"]
        for port in rule["ports"]
    ]
    assert opened == [("104.16.0.0/13", 443, "TCP"), ("172.64.0.0/13", 443, "TCP"), ("172.64.0.0/13", 8443, "TCP")]


@pytest.mark.unit
def test_identity_provider_in_this_cluster_is_reached_through_its_pods(tmp_path):
    policy = find(synth_objects(KEYCLOAK, tmp_path), "NetworkPolicy", "jupyterhub-hub-to-identity-provider")
    assert policy["spec"]["egress"] == [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
                }
            ],
            "ports": [{"port": 443, "protocol": "TCP"}],
        }
    ]


@pytest.mark.unit
def test_without_network_policies_no_egress_is_needed_and_no_policy_written(tmp_path):
    text = KEYCLOAK.split("  # Keycloak behind")[0] + "network_policy: {enabled: false}\n"
    objects = synth_objects(text, tmp_path)
    assert not [o for o in objects if o["kind"] == "NetworkPolicy"]


GITHUB = """
namespace: hub-test
host: hub.example.com
auth:
  type: github
  client_id: gh-client
  client_secret: {name: gh, key: secret}
  allowed_organizations: [jupyterhub, my-org:data-team]
  admin_users: [octocat]
  egress: [{cidr: 140.82.112.0/20}]
"""


@pytest.mark.real
def test_github_organizations_and_teams(tmp_path, monkeypatch):
    auth = environment(GITHUB, tmp_path).config.auth
    authenticator = load_authenticator(synth_objects(GITHUB, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "GitHubOAuthenticator"
    assert authenticator.allowed_organizations == set(auth.allowed_organizations)
    assert authenticator.scope == ["read:org"]
    assert authenticator.client_id == "gh-client"
    assert authenticator.client_secret == fake_secret("gh", "secret")
    assert authenticator.oauth_callback_url == "https://hub.example.com/hub/oauth_callback"
    assert authenticator.admin_users == {"octocat"}
    assert authenticator.enable_auth_state is True


@pytest.mark.real
def test_shared_password_from_its_secret(tmp_path, monkeypatch):
    text = """
    namespace: hub-test
    auth:
      type: shared-password
      password_secret: {name: pw, key: users}
      admin_password_secret: {name: pw, key: admins}
      allowed_users: [alice]
      admin_users: [admin]
    """
    authenticator = load_authenticator(synth_objects(text, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "SharedPasswordAuthenticator"
    assert authenticator.user_password == fake_secret("pw", "users")
    assert authenticator.admin_password == fake_secret("pw", "admins")
    assert authenticator.allowed_users == {"alice"}


DUMMY = """
namespace: hub-test
auth: {type: dummy, allow_all: true}
"""


@pytest.mark.real
def test_dummy_loads_and_warns(tmp_path, monkeypatch):
    env = environment(DUMMY, tmp_path)
    assert [str(w) for w in env.warnings] == [
        "environments/test.yaml: auth.type: dummy authentication lets ANYONE who reaches the hub log in as any "
        "user, admins included, without a password; use it for local tests only (it is refused with `production: true`)"
    ]
    authenticator = load_authenticator(synth_objects(DUMMY, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "DummyAuthenticator"
    assert authenticator.allow_all is True


@pytest.mark.real
def test_reference_environments_authenticate_as_their_seeds(tmp_path, monkeypatch):
    thinkube = load_authenticator(dist_objects("thinkube"), tmp_path, monkeypatch)
    realm = "https://keycloak.example.com/realms/thinkube/protocol/openid-connect"
    assert thinkube.authorize_url == f"{realm}/auth"
    assert parse_qs(urlsplit(thinkube.logout_redirect_url).query) == {
        "post_logout_redirect_uri": ["https://control.example.com"],
        "client_id": ["jupyterhub"],
    }
    assert thinkube.oauth_callback_url == "https://jupyter.example.com/hub/oauth_callback"
    assert thinkube.client_id == "jupyterhub"
    assert thinkube.admin_users == {"admin"}
    assert hub_env(dist_objects("thinkube"))["JUPYTERHUB_OAUTH_CLIENT_SECRET"] == (
        "jupyterhub-oidc-secret",
        "client_secret",
    )

    carbon = load_authenticator(dist_objects("254carbon"), tmp_path, monkeypatch)
    assert carbon.authorize_url.startswith("https://254carbon.cloudflareaccess.com/cdn-cgi/access/sso/oidc/")
    assert carbon.oauth_callback_url == "https://jupyter.254carbon.com/hub/oauth_callback"
    assert allowed(carbon, "ann@254carbon.com", {"email": "ann@254carbon.com"}) is True
    assert allowed(carbon, "eve@gmail.com", {"email": "eve@gmail.com"}) is False

    urbalurba = load_authenticator(dist_objects("urbalurba"), tmp_path, monkeypatch)
    assert type(urbalurba).__name__ == "SharedPasswordAuthenticator"
    assert hub_env(dist_objects("urbalurba"))["JUPYTERHUB_SHARED_PASSWORD"] == (
        "urbalurba-secrets",
        "JUPYTERHUB_AUTH_PASSWORD",
    )


# --- bad input: one line per problem, exit 2, dist untouched ------------------------------------

BAD = {
    "unknown-type": (
        "namespace: a\nhost: h.example.com\nauth: {type: saml, allow_all: true}\n",
        "auth.type: unknown type 'saml'; write one of: 'keycloak', 'oidc', 'cloudflare-access', 'github', "
        "'gitlab', 'google', 'azuread', 'ldap', 'lti13', 'shared-password', 'dummy'",
    ),
    "no-client-secret": (
        "namespace: b\nhost: h.example.com\n"
        "auth: {type: keycloak, url: 'https://k.example.com', realm: r, client_id: hub, allow_all: true}\n",
        "auth.client_secret: required but missing; add it (Secret key holding the OAuth client secret, "
        "e.g. {name: jupyterhub-oidc-secret, key: client_secret}.)",
    ),
    "dummy-in-production": (
        "namespace: c\nproduction: true\nauth: {type: dummy, allow_all: true}\n",
        "auth.type: dummy lets anyone log in without a password and is refused with `production: true`; "
        "choose keycloak, oidc, cloudflare-access, github, gitlab, google, azuread, ldap, lti13 or shared-password",
    ),
    "no-access-rule": (
        "namespace: d\nhost: h.example.com\n"
        "auth: {type: github, client_id: hub, client_secret: {name: gh, key: secret}}\n",
        "auth.allow_all: no access rule: nobody could log in; list who may (allowed_users, admin_users, "
        "allowed_organizations, admin_teams), or write `allow_all: true` to let everyone the authenticator accepts in",
    ),
    "oauth-without-host": (
        "namespace: e\nauth:\n  type: cloudflare-access\n  team_domain: t.cloudflareaccess.com\n  client_id: c\n"
        "  client_secret: {name: cf, key: s}\n  allowed_email_domains: "
        "[example.com]\n  egress: [{cidr: 104.16.0.0/13}]\n",
        "host: auth.type cloudflare-access needs the public host: the provider sends users back to "
        "https://<host><hub.base_url>hub/oauth_callback; write e.g. `host: jupyter.example.com`",
    ),
    "plain-http-provider": (
        "namespace: f\nhost: h.example.com\nauth: {type: oidc, issuer: 'http://login.example.com', "
        "authorize_url: /a, token_url: /t, userinfo_url: /u, client_id: c, client_secret: {name: s, key: k}, "
        "allow_all: true}\n",
        "auth.issuer: 'http://login.example.com' would send tokens unencrypted; write https:// "
        "(plain http is only accepted on localhost, for tests)",
    ),
    "refresh-without-tokens": (
        "namespace: g\nhost: h.example.com\nauth: {type: github, client_id: c, client_secret: {name: s, key: k}, "
        "allowed_organizations: [org], keep_tokens: false, refresh_age: 60}\n",
        "auth.refresh_age: refreshing needs the tokens; remove refresh_age or write `keep_tokens: true`",
    ),
    "oauth-without-egress": (
        "namespace: i\nhost: h.example.com\nauth: {type: github, client_id: c, client_secret: {name: s, key: k}, "
        "allowed_organizations: [org]}\n",
        "auth.egress: the NetworkPolicies deny the hub all egress they do not open, so it could not reach the github "
        "provider and every login would fail; write where the provider is, e.g. `egress: [{cidr: 203.0.113.10/32}]`, "
        "or `egress: [{pods: {namespace: ingress-nginx, pod_labels: {app.kubernetes.io/name: ingress-nginx}}}]` when "
        "its host is this cluster's own ingress",
    ),
    "egress-two-destinations": (
        "namespace: j\nhost: h.example.com\nauth: {type: github, client_id: c, client_secret: {name: s, key: k}, "
        "allowed_organizations: [org], egress: [{cidr: 10.0.0.0/8, pods: {namespace: idp}}]}\n",
        "auth.egress[0].cidr: write exactly one destination: cidr: 203.0.113.10/32, or pods: {namespace: "
        "ingress-nginx, pod_labels: {app.kubernetes.io/name: ingress-nginx}}, or public_internet: true",
    ),
    "admins-without-admin-password": (
        "namespace: k\nauth: {type: shared-password, password_secret: {name: s, key: k}, allow_all: true, "
        "admin_users: [admin]}\n",
        "auth.admin_users: SharedPasswordAuthenticator lets admin_users log in only with the admin password, so "
        "these users could never log in; write admin_password_secret: {name: <secret>, key: <key>} (a key holding "
        "at least 32 characters), or remove admin_users",
    ),
    "egress-not-a-cidr": (
        "namespace: h\nhost: h.example.com\nauth: {type: github, client_id: c, client_secret: {name: s, key: k}, "
        "allowed_organizations: [org], egress: [{cidr: 10.1.2.3/8}]}\n",
        "auth.egress[0].cidr: '10.1.2.3/8' is not a CIDR; write a network address with its prefix length, "
        "e.g. 10.0.0.0/8",
    ),
}


def write_environments(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_auth_is_one_exact_line_from_the_loader(tmp_path, name):
    text, message = BAD[name]
    directory = write_environments(tmp_path / "environments", {name: text})
    with pytest.raises(ConfigError) as error:
        load_environments(directory, display_root=tmp_path)
    assert [str(p) for p in error.value.problems] == [f"environments/{name}.yaml: {message}"]


def run_main(environments: Path, dist: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--environments", str(environments), "--dist", str(dist)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    )


@pytest.mark.output
def test_main_refuses_bad_auth_with_exit_2_and_leaves_dist_untouched(tmp_path):
    environments = write_environments(tmp_path / "environments", {name: text for name, (text, _) in BAD.items()})
    dist = tmp_path / "dist"
    (dist / "old").mkdir(parents=True)
    (dist / "old" / "hub.yaml").write_text("kept: true\n", encoding="utf-8")
    result = run_main(environments, dist)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    for name, (_, message) in BAD.items():
        assert f"environments/{name}.yaml: {message}" in lines
    assert lines[-1] == f"{len(BAD)} problem(s); nothing was written."
    assert sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*")) == ["old", "old/hub.yaml"]
    assert (dist / "old" / "hub.yaml").read_text(encoding="utf-8") == "kept: true\n"


@pytest.mark.output
def test_main_warns_about_dummy_on_stderr_and_still_synthesizes(tmp_path):
    environments = write_environments(tmp_path / "environments", {"local": textwrap.dedent(DUMMY)})
    result = run_main(environments, tmp_path / "dist")
    assert result.returncode == 0, result.stderr
    assert "WARNING: environments/local.yaml: auth.type: dummy authentication lets ANYONE" in result.stderr
    assert (tmp_path / "dist" / "local" / "hub.yaml").exists()


GITHUB_HUB = """
namespace: gh
host: hub.example.com
auth:
  type: github
  client_id: abc
  client_secret: {name: gh-oauth, key: secret}
  allowed_organizations: [example-org]
  egress: [EGRESS]
"""


@pytest.mark.unit
def test_public_internet_egress_reaches_any_public_address_but_never_the_cluster_or_metadata(tmp_path):
    """For SaaS providers whose addresses change: the chart's default, without private ranges or link-local."""
    objects = synth_objects(GITHUB_HUB.replace("EGRESS", "{public_internet: true}"), tmp_path)
    policy = find(objects, "NetworkPolicy", "jupyterhub-hub-to-identity-provider")
    (rule,) = policy["spec"]["egress"]
    block = rule["to"][0]["ipBlock"]
    assert block["cidr"] == "0.0.0.0/0"
    private_and_link_local = {"169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}
    assert set(block["except"]) == private_and_link_local | {"100.100.100.200/32", "168.63.129.16/32"}
    assert rule["ports"] == [{"port": 443, "protocol": "TCP"}]


@pytest.mark.unit
def test_identity_provider_egress_may_never_contain_the_metadata_address(tmp_path):
    with pytest.raises(ConfigError) as refused:
        environment(GITHUB_HUB.replace("EGRESS", "{cidr: 169.254.0.0/16}"), tmp_path)
    assert str(refused.value).startswith(
        "environments/test.yaml: auth.egress[0].cidr: 169.254.0.0/16 "
        "contains the cloud metadata address 169.254.169.254/32"
    )


@pytest.mark.unit
def test_every_sign_in_method_has_exactly_one_settings_writer():
    """A model in `AnyAuth` without its entry would fail only when an environment uses it; this finds it at once."""
    for model in get_args(AnyAuth):
        writers = [table for table in (OAUTH_PROVIDERS, SIGN_IN_METHODS) if any(m in table for m in model.__mro__)]
        assert len(writers) == 1, f"{model.__name__}: {len(writers)} tables hold an entry of it"
