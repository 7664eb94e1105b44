"""GitLab, Google, Microsoft Entra ID, LDAP/Active Directory, LTI 1.3 and GitHub teams as admins.

Each environment is loaded by the real JupyterHub 5.5.0 with the authenticator packages of the hub image
quay.io/jupyterhub/k8s-hub:4.4.0 (OAuthenticator 17.4.0, jupyterhub-ldapauthenticator 2.0.2,
jupyterhub-ltiauthenticator 1.6.3); the instance's traits are compared with the providers' documented
URL layouts, written out here. Group rules run through the real authenticators' own group code.
"""

from __future__ import annotations

import asyncio
import ssl

import pytest
from support.authenticators import fake_secret, hub_env, load_authenticator
from support.hub_harness import deployment_container
from support.synthesis import find, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError, load_file

HEAD = """
namespace: hub-test
host: hub.example.com
"""

GITHUB_TEAMS = (
    HEAD
    + """
auth:
  type: github
  client_id: gh-client
  client_secret: {name: gh, key: secret}
  allowed_organizations: [my-org]
  admin_teams: [my-org:Platform-Admins]
  egress: [{public_internet: true}]
"""
)


def apply_groups(authenticator, model: dict) -> dict:
    """OAuthenticator's own group step, as `authenticate` runs it after `update_auth_model`."""
    return asyncio.run(authenticator._apply_managed_groups(model))


@pytest.mark.real
def test_github_teams_are_admins_and_only_while_members(tmp_path, monkeypatch):
    authenticator = load_authenticator(synth_objects(GITHUB_TEAMS, tmp_path), tmp_path, monkeypatch)
    assert authenticator.populate_teams_in_auth_state is True and authenticator.manage_groups is True
    assert authenticator.admin_groups == {"my-org:platform-admins"}
    # auth_state["teams"] as GitHub's "list teams for the authenticated user" answers.
    teams = [
        {"slug": "platform-admins", "organization": {"login": "My-Org"}},
        {"slug": "x", "organization": {"login": "o"}},
    ]
    admin = apply_groups(authenticator, {"name": "bob", "admin": None, "auth_state": {"teams": teams}})
    assert admin["admin"] is True and admin["groups"] == ["my-org:platform-admins", "o:x"]
    former = apply_groups(authenticator, {"name": "bob", "admin": None, "auth_state": {"teams": teams[1:]}})
    assert former["admin"] is False


@pytest.mark.unit
def test_an_admin_setting_is_never_hinted_as_an_access_setting(tmp_path):
    text = GITHUB_TEAMS.replace("admin_teams:", "admin_organizations:")
    path = tmp_path / "test.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_file(path, "environments/test.yaml")
    [problem] = [str(p) for p in error.value.problems]
    # Before, the hint was "did you mean 'allowed_organizations'?": login rights instead of admin rights.
    assert problem.startswith("environments/test.yaml: auth.admin_organizations: unknown key; allowed here: admin_")
    assert "did you mean" not in problem


GITLAB = (
    HEAD
    + """
auth:
  type: gitlab
  url: https://gitlab.example.org
  client_id: gl-client
  client_secret: {name: gl, key: secret}
  allowed_groups: [research/data]
  allowed_project_ids: [42]
  admin_groups: [research/platform]
  egress: [{cidr: 203.0.113.20/32}]
"""
)


@pytest.mark.real
def test_gitlab_groups_projects_and_admin_groups_from_userinfo(tmp_path, monkeypatch):
    authenticator = load_authenticator(synth_objects(GITLAB, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "GitLabOAuthenticator"
    assert authenticator.authorize_url == "https://gitlab.example.org/oauth/authorize"
    assert authenticator.token_url == "https://gitlab.example.org/oauth/token"
    assert authenticator.userdata_url == "https://gitlab.example.org/api/v4/user"
    assert authenticator.allowed_gitlab_groups == {"research/data"}
    assert authenticator.allowed_project_ids == {42}
    assert set(authenticator.scope) == {"read_user", "read_api", "openid"}
    assert authenticator.admin_groups == {"research/platform"}

    # The hook reads GitLab's OpenID Connect userinfo with the user's token (answered here without a network).
    calls = []

    async def userinfo(url, label, **kwargs):
        calls.append((url, kwargs["headers"]["Authorization"]))
        return {"sub": "7", "groups": ["research/platform", "research"]}

    monkeypatch.setattr(authenticator, "httpfetch", userinfo)
    state = {"token_response": {"access_token": "t0k"}, "gitlab_user": {"id": 7}}
    state = asyncio.run(authenticator.modify_auth_state_hook(authenticator, state))
    assert calls == [("https://gitlab.example.org/oauth/userinfo", "Bearer t0k")]
    model = apply_groups(authenticator, {"name": "eve", "admin": None, "auth_state": state})
    assert model["admin"] is True


GOOGLE = (
    HEAD
    + """
auth:
  type: google
  client_id: g-client.apps.googleusercontent.com
  client_secret: {name: google, key: secret}
  hosted_domains: [university.edu]
  workspace:
    domain: university.edu
    administrator: admin
    service_account_key: {name: google-groups, key: key.json}
  allowed_groups: [students@university.edu]
  admin_groups: [it@university.edu]
  egress: [{public_internet: true}]
"""
)


@pytest.mark.real
def test_google_domain_and_workspace_groups_with_the_key_mounted_from_its_secret(tmp_path, monkeypatch):
    objects = synth_objects(GOOGLE, tmp_path)
    authenticator = load_authenticator(objects, tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "GoogleOAuthenticator"
    assert authenticator.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert authenticator.hosted_domain == ["university.edu"]
    assert authenticator.allowed_google_groups == {"university.edu": {"students@university.edu"}}
    assert authenticator.admin_google_groups == {"university.edu": {"it@university.edu"}}
    assert authenticator.gsuite_administrator == {"university.edu": "admin"}
    key_file = authenticator.google_service_account_keys["university.edu"]
    hub = deployment_container(objects, "hub")
    pod = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]
    [mount] = [m for m in hub["volumeMounts"] if key_file.startswith(m["mountPath"] + "/")]
    assert mount["readOnly"] is True
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert volume["secret"] == {
        "secretName": "google-groups",
        "items": [{"key": "key.json", "path": key_file.rsplit("/", 1)[1]}],
    }


AZUREAD = (
    HEAD
    + """
auth:
  type: azuread
  tenant_id: 72f988bf-86f1-41af-91ab-2d7cd011db47
  client_id: az-client
  client_secret: {name: az, key: secret}
  allowed_groups: [0b7c2a1e-0000-4000-8000-000000000001]
  admin_groups: [0b7c2a1e-0000-4000-8000-000000000002]
  egress: [{public_internet: true}]
"""
)


@pytest.mark.real
def test_entra_id_tenant_endpoints_and_groups_from_the_id_token(tmp_path, monkeypatch):
    authenticator = load_authenticator(synth_objects(AZUREAD, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "AzureAdOAuthenticator"
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    # Microsoft identity platform v2.0 endpoints of the tenant.
    assert authenticator.authorize_url == f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"
    assert authenticator.token_url == f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    assert authenticator.username_claim == "preferred_username"
    claims = {"preferred_username": "ann@contoso.com", "groups": ["0b7c2a1e-0000-4000-8000-000000000002"]}
    model = apply_groups(authenticator, {"name": "ann@contoso.com", "admin": None, "auth_state": {"user": claims}})
    assert model["admin"] is True
    allowed = asyncio.run(authenticator.check_allowed("ann@contoso.com", model))
    assert allowed is True
    claims = {"preferred_username": "joe@contoso.com", "groups": ["other"]}
    model = apply_groups(authenticator, {"name": "joe@contoso.com", "admin": None, "auth_state": {"user": claims}})
    assert (model["admin"], asyncio.run(authenticator.check_allowed("joe@contoso.com", model))) == (False, False)


ACTIVE_DIRECTORY = (
    HEAD
    + """
auth:
  type: ldap
  server: ad.example.org
  tls: on_connect
  ca_certificate: {config_map: corporate-ca, key: ca.crt}
  lookup:
    search_base: ou=people,dc=example,dc=org
    user_attribute: sAMAccountName
    dn_attribute: sAMAccountName
    bind_dn: cn=jupyterhub,ou=services,dc=example,dc=org
    password_secret: {name: ldap-search, key: password}
  allowed_groups: ["cn=researchers,ou=groups,dc=example,dc=org"]
  admin_groups: ["cn=hub-admins,ou=groups,dc=example,dc=org"]
  egress: [{cidr: 10.40.0.10/32}]
"""
)


@pytest.mark.real
def test_active_directory_lookup_with_a_search_account_from_its_secret(tmp_path, monkeypatch):
    objects = synth_objects(ACTIVE_DIRECTORY, tmp_path)
    authenticator = load_authenticator(objects, tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "GroupAdminLDAPAuthenticator"
    assert (authenticator.server_address, authenticator.server_port) == ("ad.example.org", 636)
    assert authenticator.tls_strategy.name == "on_connect"
    assert authenticator.lookup_dn is True
    assert authenticator.user_attribute == "sAMAccountName"
    assert authenticator.lookup_dn_search_user == "cn=jupyterhub,ou=services,dc=example,dc=org"
    assert authenticator.lookup_dn_search_password == fake_secret("ldap-search", "password")
    assert hub_env(objects)["JUPYTERHUB_LDAP_SEARCH_PASSWORD"] == ("ldap-search", "password")
    assert authenticator.allowed_groups == [
        "cn=researchers,ou=groups,dc=example,dc=org",
        "cn=hub-admins,ou=groups,dc=example,dc=org",
    ]
    assert authenticator.admin_groups == {"cn=hub-admins,ou=groups,dc=example,dc=org"}
    # The directory's certificate is verified against the corporate CA, mounted from its ConfigMap.
    assert authenticator.tls_kwargs == {
        "validate": ssl.CERT_REQUIRED,
        "ca_certs_file": "/etc/jupyterhub-ldap-ca/ca.crt",
    }
    hub = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]
    [volume] = [v for v in hub["volumes"] if v["name"] == "ldap-ca"]
    assert volume["configMap"] == {"name": "corporate-ca", "items": [{"key": "ca.crt", "path": "ca.crt"}]}
    [mount] = [m for m in hub["containers"][0]["volumeMounts"] if m["name"] == "ldap-ca"]
    assert (mount["mountPath"], mount["readOnly"]) == ("/etc/jupyterhub-ldap-ca", True)
    # The hub reaches the directory on its LDAPS port, nothing else.
    policy = find(objects, "NetworkPolicy", "jupyterhub-hub-to-identity-provider")
    assert policy["spec"]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.40.0.10/32"}}], "ports": [{"port": 636, "protocol": "TCP"}]}
    ]


LTI13 = (
    HEAD
    + """
auth:
  type: lti13
  issuer: https://canvas.instructure.com
  client_ids: ["125900000000000085"]
  authorize_url: https://lms.example.edu/api/lti/authorize_redirect
  jwks_url: https://lms.example.edu/api/lti/security/jwks
  allowed_users: [student1@example.edu]
  admin_users: [teacher@example.edu]
  egress: [{cidr: 198.51.100.7/32}]
"""
)


@pytest.mark.real
def test_lti13_platform_settings(tmp_path, monkeypatch):
    authenticator = load_authenticator(synth_objects(LTI13, tmp_path), tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "LTI13Authenticator"
    assert authenticator.issuer == "https://canvas.instructure.com"
    assert authenticator.client_id == {"125900000000000085"}
    assert authenticator.authorize_url == "https://lms.example.edu/api/lti/authorize_redirect"
    assert authenticator.jwks_endpoint == "https://lms.example.edu/api/lti/security/jwks"
    assert authenticator.username_key == "email"
    assert authenticator.uri_scheme == "https"
    assert authenticator.allowed_users == {"student1@example.edu"}
    assert authenticator.login_url("/") == "/lti13/oauth_login"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            LTI13.replace("  egress: [{cidr: 198.51.100.7/32}]\n", ""),
            "auth.egress: the NetworkPolicies deny the hub all egress they do not open, so it could not reach the "
            "lti13 provider",
        ),
        (
            ACTIVE_DIRECTORY.replace(
                "  tls: on_connect\n  ca_certificate: {config_map: corporate-ca, key: ca.crt}\n", "  tls: insecure\n"
            )
            + "production: true\n",
            "auth.tls: insecure sends every password in clear text and is refused with `production: true`",
        ),
        (
            ACTIVE_DIRECTORY.replace("  tls: on_connect\n", "  tls: insecure\n"),
            "auth.ca_certificate: tls: insecure uses no TLS, so there is no certificate to verify; remove one",
        ),
        (
            GOOGLE.replace("  workspace:\n    domain: university.edu\n    administrator: admin\n", "").replace(
                "    service_account_key: {name: google-groups, key: key.json}\n", ""
            ),
            "auth.workspace: Google groups are read with a Workspace service account",
        ),
        (
            GITHUB_TEAMS.replace("  egress:", "  scopes: [read:user]\n  egress:"),
            "auth.scopes: admin_teams reads the user's teams, which needs read:org; add it",
        ),
        (
            ACTIVE_DIRECTORY.replace("  lookup:\n", "  bind_dn_templates: [cn=x]\n  lookup:\n"),
            "auth.bind_dn_templates: 'cn=x' has no {username}; every template needs it",
        ),
    ],
)
def test_sign_in_mistakes_are_one_line_each(tmp_path, text, expected):
    path = tmp_path / "test.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_file(path, "environments/test.yaml")
    [problem] = [str(p) for p in error.value.problems]
    assert problem.startswith("environments/test.yaml: " + expected), problem
