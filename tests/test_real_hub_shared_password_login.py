"""End to end on loopback: the synthesized hub and proxy run for real and users log in through the proxy.

The hub runs from the hub Deployment's command and ConfigMap, the proxy from
the proxy Deployment's command (tests/support/hub_harness.py rewrites only addresses
and paths). Logging in goes the way a browser goes: GET the login page for the
`_xsrf` cookie, POST the form.
"""

from __future__ import annotations

import pytest
import requests
from support.hub_harness import RunningHub, fake_secrets, running_hub
from support.synthesis import MINIMAL, ROOT, environment, hub_config_text, synth_objects

pytestmark = pytest.mark.real


def log_in(public_url: str, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Log in through the proxy like a browser; the POST's own response (not followed)."""
    session = requests.Session()
    page = session.get(public_url + "hub/login", timeout=10)
    assert page.status_code == 200 and "_xsrf" in session.cookies, page.text[:500]
    response = session.post(
        public_url + "hub/login",
        data={"username": username, "password": password, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=10,
    )
    return session, response


def assert_sent_to_spawn(hub: RunningHub, username: str, password: str) -> None:
    session, response = log_in(hub.public_url, username, password)
    # JupyterHub 5.5 sends a user without a running server straight to spawn (redirect_to_server).
    assert response.status_code == 302, hub.logs()
    assert response.headers["Location"] == f"{hub.base_url}hub/spawn"
    home = session.get(hub.public_url + "hub/home", allow_redirects=False, timeout=10)
    assert home.status_code == 200 and username in home.text, f"the login cookie does not hold\n{hub.logs()}"


def assert_refused(hub: RunningHub, username: str, password: str) -> None:
    session, response = log_in(hub.public_url, username, password)
    assert response.status_code == 403, hub.logs()
    assert "Invalid username or password" in response.text, "the login page is not shown again with the error"
    assert session.get(hub.public_url + "hub/home", allow_redirects=False, timeout=10).status_code == 302


# The default environment below runs at base_url /; this one under a prefix.
SHARED_PASSWORD_ENV = MINIMAL + "hub: {base_url: /jupyter/}\n"


@pytest.fixture(scope="module")
def shared_password_hub(tmp_path_factory):
    """support's MINIMAL shared-password environment under /jupyter/, running for this module, and its password."""
    tmp_path = tmp_path_factory.mktemp("shared-password")
    config = environment(SHARED_PASSWORD_ENV, tmp_path).config
    assert (config.auth.allowed_users, config.auth.allow_all) == (["alice"], False), (
        "these tests log in as alice and bob"
    )
    objects = synth_objects(SHARED_PASSWORD_ENV, tmp_path)
    secrets = fake_secrets(objects)
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        assert hub.public_url.endswith(config.hub.base_url)
        yield hub, secrets[(config.auth.password_secret.name, config.auth.password_secret.key)]


LOCAL_ONLY_TRAITS = {
    "c.JupyterHub.hub_bind_url",
    "c.JupyterHub.hub_connect_url",
    "c.ConfigurableHTTPProxy.api_url",
    "c.JupyterHub.db_url",
}


def test_hub_health_answers_through_the_proxy(shared_password_hub):
    hub, _ = shared_password_hub
    response = requests.get(hub.public_url + "hub/health", timeout=10)
    assert response.status_code == 200, hub.logs()


def test_the_hub_runs_the_generated_config_with_only_addresses_and_paths_overridden(shared_password_hub, tmp_path):
    hub, _ = shared_password_hub
    generated = hub_config_text(synth_objects(SHARED_PASSWORD_ENV, tmp_path))
    running = hub.config_path.read_text(encoding="utf-8")
    assert running.startswith(generated)
    appended = [line for line in running.removeprefix(generated).splitlines() if line and not line.startswith("#")]
    assert {line.partition(" = ")[0] for line in appended} == LOCAL_ONLY_TRAITS


def test_allowed_user_logs_in_with_the_shared_password_and_is_sent_to_spawn(shared_password_hub):
    hub, password = shared_password_hub
    assert_sent_to_spawn(hub, "alice", password)


def test_user_outside_the_access_rule_is_refused(shared_password_hub):
    hub, password = shared_password_hub
    assert_refused(hub, "bob", password)


def test_wrong_password_is_refused(shared_password_hub):
    hub, password = shared_password_hub
    assert_refused(hub, "alice", password[::-1])


def test_default_environment_lets_anyone_with_the_password_in(tmp_path):
    text = (ROOT / "environments" / "default.yaml").read_text(encoding="utf-8")
    auth = environment(text, tmp_path, "default").config.auth
    assert auth.allow_all, "environments/default.yaml is expected to say allow_all"
    objects = synth_objects(text, tmp_path, "default")
    secrets = fake_secrets(objects)
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        password = secrets[(auth.password_secret.name, auth.password_secret.key)]
        assert_sent_to_spawn(hub, "newcomer", password)


def test_a_user_taken_off_the_allowed_users_can_log_in_no_more(tmp_path):
    """JupyterHub 5.5 lets in every user its database holds once allowed_users is set, unless
    allow_existing_users is off: a student removed from the roster would keep logging in. The second hub
    runs on the first one's database, as after a sync that changed the list."""
    both = MINIMAL.replace("allowed_users: [alice]", "allowed_users: [alice, bob]")
    objects = synth_objects(both, tmp_path)
    secrets = fake_secrets(objects)
    password = secrets[("hub-password", "password")]
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        assert_sent_to_spawn(hub, "bob", password)
    objects = synth_objects(MINIMAL, tmp_path)
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        assert_sent_to_spawn(hub, "alice", password)
        assert_refused(hub, "bob", password)


def test_behind_a_proxy_that_terminates_tls_the_login_cookies_are_secure(tmp_path):
    """Envoy Gateway and Traefik say `X-Forwarded-Proto: https` and no X-Scheme. configurable-http-proxy
    appended its own "http" to it, the hub read the last entry and set its login cookies without Secure."""
    objects = synth_objects(MINIMAL, tmp_path)
    secrets = fake_secrets(objects)
    over_tls = {"X-Forwarded-Proto": "https"}
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        page = requests.get(hub.public_url + "hub/login", headers=over_tls, timeout=10)
        xsrf = page.cookies["_xsrf"]
        response = requests.post(
            hub.public_url + "hub/login",
            data={"username": "alice", "password": secrets[("hub-password", "password")], "_xsrf": xsrf},
            headers={**over_tls, "Cookie": f"_xsrf={xsrf}"},  # by hand: a Secure cookie is not sent over http
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, hub.logs()
        login = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("jupyterhub-hub-login=")]
        assert login and "; Secure" in login[0], response.headers
        # Without a TLS proxy in front (a port-forward), the cookies stay usable over plain HTTP.
        _, plain = log_in(hub.public_url, "alice", secrets[("hub-password", "password")])
        assert "Secure" not in plain.headers["Set-Cookie"]
