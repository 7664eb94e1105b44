"""Logging in end to end: a real OpenID Connect provider, the real hub and the real proxy, on loopback.

The provider is `oidc-provider-mock` (authlib-based, serving discovery,
authorization, token and userinfo endpoints) in this test's process; the hub
and configurable-http-proxy run from the synthesized objects
(tests/support/hub_harness.py). The test plays the browser: it starts at the hub's
login URL, picks the user on the provider's authorization page, and brings
the code back to the hub's callback through the proxy, exactly the
authorization-code flow a user's browser performs. Refresh is proven too:
once refresh_age has passed, a group changed at the provider reaches the hub
through the token kept in the encrypted auth_state.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread
from support.hub_harness import running_hub, secret_refs
from support.synthesis import synth_objects

pytestmark = pytest.mark.real

HOST = "hub.example.test"
API_TOKEN = secrets.token_hex(32)

# Who exists at the provider, with the claims its userinfo endpoint returns.
USERS = {
    "alice": {"preferred_username": "alice", "email": "alice@lab.example", "groups": ["data-science"]},
    "root": {"preferred_username": "root", "email": "root@lab.example", "groups": ["platform-admins"]},
    "mallory": {"preferred_username": "mallory", "email": "mallory@elsewhere.example", "groups": ["marketing"]},
    "dora": {"preferred_username": "dora", "email": "dora@254carbon.com", "groups": []},
    "ed": {"preferred_username": "ed", "email": "ed@254carbon.com", "email_verified": False, "groups": []},
}


def environment_text(issuer: str) -> str:
    return f"""
namespace: hub-test
host: {HOST}
auth:
  type: oidc
  issuer: {issuer}
  authorize_url: /oauth2/authorize
  token_url: /oauth2/token
  userinfo_url: /userinfo
  client_id: jupyterhub
  client_secret: {{name: oidc-client, key: client_secret}}
  allowed_groups: [data-science]
  admin_groups: [platform-admins]
  allowed_email_domains: [254carbon.com]
  refresh_age: 1
# On loopback there is no cluster to enforce NetworkPolicies (nor an address to open).
network_policy: {{enabled: false}}
"""


# A service whose token reads users through the hub's REST API; appended to the
# generated config by the harness (append keeps any services the config has).
READ_USERS_SERVICE = f"""
c.JupyterHub.services.append({{"name": "login-test", "api_token": {API_TOKEN!r}}})
c.JupyterHub.load_roles.append({{"name": "login-test", "scopes": ["read:users"], "services": ["login-test"]}})
"""


def log_in(hub, username: str) -> tuple[requests.Session, requests.Response]:
    """The browser's authorization-code flow; returns the browser and the hub's answer to the callback."""
    browser = requests.Session()
    login = browser.get(hub.public_url + "hub/oauth_login", allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text
    authorize_url = login.headers["Location"]
    # The provider's authorization page: the user picks who they are and consents.
    consent = browser.post(authorize_url, data={"sub": username}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["Location"])
    # The provider sends the browser to the registered callback on the public host;
    # on loopback the proxy stands in for the Ingress of that host.
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == f"https://{HOST}/hub/oauth_callback"
    origin = hub.public_url[: -len(hub.base_url)]
    return browser, browser.get(f"{origin}{callback.path}?{callback.query}", allow_redirects=False, timeout=30)


def session(hub, username: str) -> requests.Session | None:
    """The browser with a hub session after the flow, or None when the hub refused the user (403)."""
    browser, callback = log_in(hub, username)
    if callback.status_code != 302:
        assert callback.status_code == 403, f"{callback.status_code}: {callback.text}"
        return None
    assert open_home(hub, browser).status_code == 200
    return browser


def open_home(hub, browser: requests.Session) -> requests.Response:
    return browser.get(hub.public_url + "hub/home", allow_redirects=False, timeout=10)


def logged_in(hub, username: str) -> bool:
    return session(hub, username) is not None


def hub_user(hub, username: str) -> dict | None:
    answer = requests.get(
        hub.hub_url + f"hub/api/users/{username}", headers={"Authorization": f"token {API_TOKEN}"}, timeout=10
    )
    if answer.status_code == 404:
        return None
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def provider(monkeypatch):
    """The OpenID Connect provider, over http on loopback (authlib refuses http unless told)."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        for sub, claims in USERS.items():
            requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()
        yield issuer


def test_users_log_in_through_a_real_oidc_provider(provider, tmp_path):
    objects = synth_objects(environment_text(provider), tmp_path)
    hub_secrets = {ref: secrets.token_hex(32) for ref in secret_refs(objects)}
    with running_hub(objects, tmp_path, secrets=hub_secrets, extra_config=READ_USERS_SERVICE) as hub:
        # In an allowed group: logged in, with the group synced from the claim, not admin.
        alice = session(hub, "alice")
        assert alice is not None
        assert hub_user(hub, "alice")["admin"] is False
        assert hub_user(hub, "alice")["groups"] == ["data-science"]

        # Tokens are kept (auth_state, encrypted with the hub secret's crypt-key): once refresh_age
        # has passed, the next request re-reads the user at the provider with the stored token.
        moved = {**USERS["alice"], "groups": ["data-science", "gpu-users"]}
        requests.put(f"{provider}/users/alice", json=moved, timeout=5).raise_for_status()
        time.sleep(1.5)
        assert open_home(hub, alice).status_code == 200
        assert hub_user(hub, "alice")["groups"] == ["data-science", "gpu-users"]

        # In an admin group: logged in and admin.
        assert logged_in(hub, "root")
        assert hub_user(hub, "root")["admin"] is True

        # Outside every allowed group and domain: refused (403), and never becomes a hub user.
        assert not logged_in(hub, "mallory")
        assert hub_user(hub, "mallory") is None

        # No group, but a verified email of an allowed domain: logged in.
        assert logged_in(hub, "dora")
        assert hub_user(hub, "dora")["admin"] is False

        # Same domain, but the provider says the email is not verified: refused.
        assert not logged_in(hub, "ed")
        assert hub_user(hub, "ed") is None
