"""The course reference environment (environments/course.yaml): its facts, as the committed dist/ and the real hub show.

A course hub for 300 students signing in through LTI 1.3 from the LMS, with a roster, nbgitpuller
through the default URL, culling after 30 idle minutes, 5Gi homes, read-only course materials, a
grader service with its own token and role, a login page of its own, and a Gateway API route with a
cert-manager certificate.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from support.authenticators import load_authenticator
from support.crds import crd_errors
from support.hub_harness import deployment_container
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import dist_objects, find, hub_config_text
from support.user_pods import load_hub_config, user_pod, user_pvc

pytestmark = pytest.mark.real

OBJECTS = dist_objects("course")


def test_students_sign_in_through_lti13_from_the_roster(tmp_path, monkeypatch):
    authenticator = load_authenticator(OBJECTS, tmp_path, monkeypatch)
    assert type(authenticator).__name__ == "LTI13Authenticator"
    # The class: 300 students and the 3 teaching assistants; only them, even once off the roster.
    assert len(authenticator.allowed_users) == 303
    assert {"ta1@example.edu", "ta2@example.edu", "ta3@example.edu"} <= authenticator.allowed_users
    assert (authenticator.allow_all, authenticator.allow_existing_users) == (False, False)
    assert authenticator.admin_users == {"instructor@example.edu"}
    assert authenticator.jwks_endpoint.startswith("https://")


def test_teaching_assistants_reach_the_class_and_never_the_instructor(tmp_path):
    """An unfiltered access:servers would let a teaching assistant run code in the instructor's (an admin's)
    server; every scope of theirs names the class, and the class is a group the hub loads."""
    config = load_hub_config(hub_config_text(OBJECTS), tmp_path)
    [role] = [r for r in config.JupyterHub.load_roles.get_value([]) if r["name"] == "teaching-assistants"]
    assert role["scopes"] and all(scope.endswith("!group=class") for scope in role["scopes"])
    members = set(config.JupyterHub.load_groups["class"]["users"])
    assert set(role["users"]) <= members and "instructor@example.edu" not in members


def test_servers_pull_the_notebooks_and_keep_five_gigabytes(tmp_path):
    config = load_hub_config(hub_config_text(OBJECTS), tmp_path)
    pod = user_pod(config, {})
    # What the user's server opens first (KubeSpawner hands the default URL to jupyterhub-singleuser).
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    url = urlsplit(env["JUPYTERHUB_DEFAULT_URL"])
    assert url.path == "/git-pull"
    query = parse_qs(url.query)
    assert query["repo"] == ["https://github.com/example-university/ds101-notebooks"]
    assert query["urlpath"] == ["lab/tree/ds101-notebooks/"]
    assert user_pvc(config)["spec"]["resources"]["requests"]["storage"] == "5Gi"
    [materials] = [m for m in pod["spec"]["containers"][0]["volumeMounts"] if "course-materials" in m["mountPath"]]
    assert materials["readOnly"] is True
    # The department's existing claim, read-only at the volume too; not an object of dist/ (never pruned).
    [volume] = [v for v in pod["spec"]["volumes"] if v["name"] == materials["name"]]
    assert volume["persistentVolumeClaim"] == {"claimName": "course-materials", "readOnly": True}
    assert [o["metadata"]["name"] for o in OBJECTS if o["kind"] == "PersistentVolumeClaim"] == ["jupyterhub-hub-db"]


def test_idle_servers_are_stopped_after_thirty_minutes(tmp_path):
    config = load_hub_config(hub_config_text(OBJECTS), tmp_path)
    [culler] = [s for s in config.JupyterHub.services.get_value([]) if s["name"] == "idle-culler"]
    assert "--timeout=1800" in culler["command"]


def test_the_grader_has_its_token_from_a_secret_its_role_and_one_way_in(tmp_path):
    config = load_hub_config(hub_config_text(OBJECTS), tmp_path)
    roles = {role["name"]: role for role in config.JupyterHub.load_roles.get_value([])}
    assert roles["grader"]["scopes"] == ["list:users", "read:users", "read:users:activity"]
    assert roles["grader"]["services"] == ["grader"]
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(OBJECTS, "hub")["env"]}
    assert env["JUPYTERHUB_SERVICE_GRADER_TOKEN"] == {"secretKeyRef": {"name": "course-grader", "key": "token"}}
    policies = [o for o in OBJECTS if o["kind"] == "NetworkPolicy"]
    hub_labels = find(OBJECTS, "Deployment", "jupyterhub-hub")["spec"]["template"]["metadata"]["labels"]
    hub = Endpoint("hub", "ds101", hub_labels)
    grader = Endpoint("grader", "grading", {"app.kubernetes.io/name": "grader"})
    assert may_connect(policies, grader, hub, 8081)
    assert not may_connect(policies, Endpoint("other", "grading", {}), hub, 8081)


def test_the_route_and_certificate_are_valid_and_the_gateway_reaches_only_the_proxy():
    for kind in ("HTTPRoute", "Certificate", "ReferenceGrant"):
        assert crd_errors(find(OBJECTS, kind)) == [], kind
    assert not [o for o in OBJECTS if o["kind"] == "Ingress"]
    assert find(OBJECTS, "HTTPRoute")["spec"]["hostnames"] == ["ds101.jupyter.example.edu"]
    assert find(OBJECTS, "Certificate")["spec"]["dnsNames"] == ["ds101.jupyter.example.edu"]
    policies = [o for o in OBJECTS if o["kind"] == "NetworkPolicy"]
    gateway = Endpoint(
        "gateway", "envoy-gateway-system", {"gateway.envoyproxy.io/owning-gateway-name": "campus-gateway"}
    )
    proxy_labels = find(OBJECTS, "Deployment", "jupyterhub-proxy")["spec"]["template"]["metadata"]["labels"]
    hub_labels = find(OBJECTS, "Deployment", "jupyterhub-hub")["spec"]["template"]["metadata"]["labels"]
    assert may_connect(policies, gateway, Endpoint("proxy", "ds101", proxy_labels), 8000)
    assert not may_connect(policies, gateway, Endpoint("hub", "ds101", hub_labels), 8081)


def test_the_login_page_sends_students_to_the_lms():
    files = find(OBJECTS, "ConfigMap", "jupyterhub-hub-branding")["data"]
    assert "Canvas signs you in" in files["login.html"]


def test_argocd_may_create_the_route_certificate_and_grant():
    import yaml
    from support.synthesis import ROOT

    documents = list(yaml.safe_load_all((ROOT / "dist" / "argocd" / "course.yaml").read_text(encoding="utf-8")))
    project = next(d for d in documents if d and d["kind"] == "AppProject")
    allowed = {(k["group"], k["kind"]) for k in project["spec"]["namespaceResourceWhitelist"]}
    assert {
        ("gateway.networking.k8s.io", "HTTPRoute"),
        ("gateway.networking.k8s.io", "ReferenceGrant"),
        ("cert-manager.io", "Certificate"),
    } <= allowed
