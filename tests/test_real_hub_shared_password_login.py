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
