"""Idle culler as a hub-managed service with only its scopes; branding templates that JupyterHub renders."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub.app import JupyterHub
from jupyterhub.scopes import scope_definitions
from support.hub_harness import fake_secrets, running_hub
from support.synthesis import MINIMAL, dist_objects, find, hub_config_text, synth_objects
from support.user_pods import load_hub_config

CULLING = (
    MINIMAL
    + """
singleuser:
  culling: {timeout: 1800, every: 300, max_age: 86400, cull_users: true, remove_named_servers: true, concurrency: 5}
"""
)


def hub_app(config_text: str, directory: Path) -> JupyterHub:
    app = JupyterHub(config=load_hub_config(config_text, directory))
    return app


@pytest.mark.real
def test_culler_is_a_hub_managed_service_with_exactly_its_scopes(tmp_path: Path):
    app = hub_app(hub_config_text(synth_objects(CULLING, tmp_path)), tmp_path)
    [service] = [s for s in app.services if s["name"] == "idle-culler"]
    assert service["command"] == [
        "python3",
        "-m",
        "jupyterhub_idle_culler",
        "--url=http://127.0.0.1:8081/hub/api",
        "--timeout=1800",
        "--cull-every=300",
        "--max-age=86400",
        "--concurrency=5",
        "--cull-users",
        "--remove-named-servers",
    ]
    [role] = [r for r in app.load_roles if r["name"] == "idle-culler"]
    assert role["services"] == ["idle-culler"]
    # The culler's README: list users, read activity and servers, stop servers; admin:users only to delete users.
    assert sorted(role["scopes"]) == sorted(
        ["list:users", "read:users:activity", "read:servers", "delete:servers", "admin:users"]
    )
    assert set(role["scopes"]) <= set(scope_definitions)


@pytest.mark.real
def test_culler_without_cull_users_cannot_delete_users(tmp_path: Path):
    app = hub_app(hub_config_text(dist_objects("default")), tmp_path)
    [role] = [r for r in app.load_roles if r["name"] == "idle-culler"]
    assert "admin:users" not in role["scopes"]
    [service] = [s for s in app.services if s["name"] == "idle-culler"]
    assert "--timeout=3600" in service["command"] and "--cull-users" not in service["command"]


@pytest.mark.real
def test_real_culler_accepts_the_generated_command_line(tmp_path: Path):
    app = hub_app(hub_config_text(synth_objects(CULLING, tmp_path)), tmp_path)
    [service] = [s for s in app.services if s["name"] == "idle-culler"]
    # Same flags; the last --url wins and points where no hub of another test can answer.
    command = [sys.executable, *service["command"][1:], "--url=http://127.0.0.1:9/hub/api"]
    process = subprocess.Popen(
        command, env={**os.environ, "JUPYTERHUB_API_TOKEN": "test"}, stderr=subprocess.PIPE, text=True
    )
    try:
        # A bad flag ends the culler at once; accepted flags keep it running its loop.
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=4)
    finally:
        process.kill()
        stderr = process.communicate()[1]
    assert "Unrecognized command line option" not in stderr


def render_page(files: dict[str, str], directory: Path) -> str:
    """page.html through the loaders JupyterHub 5.5 builds (its own templates under `templates/`)."""
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    base = JupyterHub()._template_paths_default()[0]
    loader = ChoiceLoader(
        [PrefixLoader({"templates": FileSystemLoader([base])}, "/"), FileSystemLoader([str(directory)])]
    )
    env = Environment(loader=loader, autoescape=True)
    return env.get_template("page.html").render(static_url=lambda path, **_: f"/hub/static/{path}", base_url="/hub/")


@pytest.mark.real
def test_thinkube_branding_renders_on_jupyterhubs_page(tmp_path: Path):
    objects = dist_objects("thinkube")
    files = find(objects, "ConfigMap", "jupyterhub-hub-branding")["data"]
    page = render_page(files, tmp_path)
    assert "Welcome to Thinkube AI Lab - Thinkube&#x27;s intelligent notebook laboratory" in page
    assert "--tk-teal: #006680" in page
    assert 'id="jupyterhub-logo"' in page  # still JupyterHub's page, extended
    assert files["logo.svg"].startswith("<svg")
    config = hub_config_text(objects)
    assert "c.JupyterHub.template_paths = ['/usr/local/share/jupyterhub/branding']" in config
    assert "c.JupyterHub.logo_file = '/usr/local/share/jupyterhub/branding/logo.svg'" in config
    hub = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]
    assert {"name": "branding", "configMap": {"name": "jupyterhub-hub-branding"}} in hub["volumes"]
    mount = {"name": "branding", "mountPath": "/usr/local/share/jupyterhub/branding", "readOnly": True}
    assert mount in hub["containers"][0]["volumeMounts"]


@pytest.mark.real
def test_announcement_is_text_not_html(tmp_path: Path):
    text = MINIMAL + "hub: {branding: {announcement: '<script>alert(1)</script> maintenance at 18:00'}}\n"
    files = find(synth_objects(text, tmp_path), "ConfigMap", "jupyterhub-hub-branding")["data"]
    page = render_page(files, tmp_path)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; maintenance at 18:00" in page


@pytest.mark.unit
def test_branding_change_restarts_the_hub(tmp_path: Path):
    def checksum(announcement: str) -> str:
        objects = synth_objects(MINIMAL + f"hub: {{branding: {{announcement: {announcement}}}}}\n", tmp_path)
        return find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]

    assert checksum("one") != checksum("two")


@pytest.mark.real
def test_announcement_is_text_not_a_template(tmp_path: Path):
    """Jinja marks in the announcement show as written, and cannot end its block or break the page."""
    announcement = "{{ 7*7 }} {% endblock %} {# note #} {%raw%}"
    text = MINIMAL + f"hub: {{branding: {{announcement: '{announcement}'}}}}\n"
    files = find(synth_objects(text, tmp_path), "ConfigMap", "jupyterhub-hub-branding")["data"]
    page = render_page(files, tmp_path)
    banner = page.split('class="container text-center announcement alert alert-info">')[1].split("</div>")[0]
    assert html.unescape(banner) == announcement
    assert "49" not in banner
    assert 'id="jupyterhub-logo"' in page  # the rest of JupyterHub's page still renders


@pytest.mark.real
def test_the_login_page_template_shows_the_message_above_jupyterhubs_form(tmp_path: Path):
    """The running hub serves the branding's login.html: the message (as text), then JupyterHub's own form."""
    message = "Open the notebooks from the course page in the LMS.\n\nQuestions? <b>Ask</b> the teaching team."
    text = MINIMAL + f"hub: {{branding: {{login_message: {json.dumps(message)}}}}}\n"
    objects = synth_objects(text, tmp_path)
    # The ConfigMap's files where the pod would mount them: only the path differs on loopback.
    mounted = tmp_path / "branding"
    mounted.mkdir()
    for name, content in find(objects, "ConfigMap", "jupyterhub-hub-branding")["data"].items():
        (mounted / name).write_text(content, encoding="utf-8")
    assert "c.JupyterHub.template_paths = ['/usr/local/share/jupyterhub/branding']" in hub_config_text(objects)
    paths = f"c.JupyterHub.template_paths = [{str(mounted)!r}]"
    with running_hub(objects, tmp_path, secrets=fake_secrets(objects), extra_config=paths) as hub:
        page = requests.get(hub.public_url + "hub/login", timeout=10).text
    assert "<p>Open the notebooks from the course page in the LMS.</p>" in page
    assert "<p>Questions? &lt;b&gt;Ask&lt;/b&gt; the teaching team.</p>" in page
    assert page.index("login-message") < page.index('name="username"')
