"""Hub services and roles: typed, scopes checked at load, tokens from Secrets, one connection each; run for real.

The end-to-end test starts the synthesized hub and proxy (tests/support/hub_harness.py) and calls the
hub's REST API with the service token the hub Deployment reads from its Secret: every call its role's
scopes allow answers, every other is refused with 403.
"""

from __future__ import annotations

import pytest
import requests
from jupyterhub.scopes import scope_definitions
from support.hub_harness import deployment_container, fake_secrets, running_hub
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import MINIMAL, environment, find, hub_config_text, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError
from jupyterhub_cdk8s.config.services import JUPYTERHUB_SCOPES

GRADER = """
hub:
  services:
    - name: grader
      description: Collects and returns assignments
      scopes: [list:users, read:users, read:groups, list:groups]
      api_token: {name: grader-token, key: token}
      runs_in: {namespace: grading, pod_labels: {app.kubernetes.io/name: grader}}
    - name: announcer
      scopes: [read:hub]
      command: [python3, -c, "import time; time.sleep(3600)"]
  roles:
    - name: teaching-assistants
      scopes: ["admin:servers!group=students", "read:users!group=students"]
      users: [alice]
"""


def _problems(text: str, tmp_path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        environment(text, tmp_path)
    return [str(problem) for problem in error.value.problems]


@pytest.mark.real
def test_the_scope_list_is_jupyterhubs_own():
    """The vendored list is exactly the installed JupyterHub 5.5.0's (but its internal '(no_scope)')."""
    assert set(scope_definitions) - {"(no_scope)"} == JUPYTERHUB_SCOPES


@pytest.mark.unit
@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("read:user", "'read:user' is not a JupyterHub 5.5 scope"),
        ("all", "'all' is called 'inherit' in JupyterHub 5; write inherit"),
        ("read:users!team=a", "has the filter !team=a, which JupyterHub does not know"),
    ],
)
def test_a_scope_jupyterhub_does_not_know_is_refused_at_load(tmp_path, scope, message):
    text = MINIMAL + f"hub: {{roles: [{{name: r, scopes: ['{scope}'], users: [alice]}}]}}\n"
    [problem] = _problems(text, tmp_path)
    assert problem.startswith("environments/test.yaml: hub.roles[0].scopes[0]: ") and message in problem


@pytest.mark.unit
def test_a_service_says_where_it_runs_and_where_its_token_is(tmp_path):
    text = MINIMAL + "hub: {services: [{name: grader, scopes: [read:users]}]}\n"
    assert _problems(text, tmp_path) == [
        "environments/test.yaml: hub.services[0].runs_in: say where the service runs: runs_in: {namespace: <ns>, "
        "pod_labels: {...}} for pods, runs_at: [<cidr>] outside the cluster, or command: [...] to let the hub run it"
    ]
    text = MINIMAL + "hub: {services: [{name: grader, scopes: [read:users], runs_in: {namespace: grading}}]}\n"
    [problem] = _problems(text, tmp_path)
    assert problem.startswith("environments/test.yaml: hub.services[0].api_token: a service running elsewhere")


@pytest.mark.unit
def test_a_role_names_only_known_services(tmp_path):
    text = MINIMAL + "hub: {roles: [{name: r, scopes: [read:users], services: [ghost]}]}\n"
    assert _problems(text, tmp_path) == [
        "environments/test.yaml: hub.roles[0].services: 'ghost' is not in hub.services; add it there"
    ]


@pytest.mark.unit
def test_each_service_running_elsewhere_reaches_the_hub_port_and_nothing_else(tmp_path):
    objects = synth_objects(MINIMAL + GRADER, tmp_path)
    policy = find(objects, "NetworkPolicy", "jupyterhub-grader-service-to-hub")
    assert policy["spec"] == {
        "podSelector": {"matchLabels": deployment_labels(objects, "hub")},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "grading"}},
                        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "grader"}},
                    }
                ],
                "ports": [{"port": 8081, "protocol": "TCP"}],
            }
        ],
    }
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    hub = Endpoint("hub", "hub-test", deployment_labels(objects, "hub"))
    proxy = Endpoint("proxy", "hub-test", deployment_labels(objects, "proxy"))
    grader = Endpoint("grader", "grading", {"app.kubernetes.io/name": "grader"})
    other = Endpoint("other", "grading", {"app.kubernetes.io/name": "other"})
    assert may_connect(policies, grader, hub, 8081)
    assert not may_connect(policies, grader, hub, 8080)
    assert not may_connect(policies, grader, proxy, 8000)
    assert not may_connect(policies, other, hub, 8081)
    # The hub-managed service runs in the hub's container: no policy of its own.
    assert not [o for o in objects if o["kind"] == "NetworkPolicy" and "announcer" in o["metadata"]["name"]]


@pytest.mark.unit
def test_the_token_reaches_the_hub_from_its_secret_and_never_the_output(tmp_path):
    objects = synth_objects(MINIMAL + GRADER, tmp_path)
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(objects, "hub")["env"]}
    assert env["JUPYTERHUB_SERVICE_GRADER_TOKEN"] == {"secretKeyRef": {"name": "grader-token", "key": "token"}}
    config = hub_config_text(objects)
    assert "'api_token': os.environ['JUPYTERHUB_SERVICE_GRADER_TOKEN']" in config
    assert "JUPYTERHUB_SERVICE_ANNOUNCER_TOKEN" not in config


@pytest.mark.unit
def test_hub_environment_comes_from_secrets_and_reserved_names_are_refused(tmp_path):
    objects = synth_objects(MINIMAL + "hub: {environment: {LMS_API_KEY: {name: lms, key: api-key}}}\n", tmp_path)
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(objects, "hub")["env"]}
    assert env["LMS_API_KEY"] == {"secretKeyRef": {"name": "lms", "key": "api-key"}}
    [problem] = _problems(MINIMAL + "hub: {environment: {JPY_COOKIE_SECRET: {name: a, key: b}}}\n", tmp_path)
    assert "hub.environment.JPY_COOKIE_SECRET" in problem and "choose another name" in problem


@pytest.mark.unit
@pytest.mark.parametrize(
    "line",
    [
        'c.GitHubOAuthenticator.client_secret = "3f2a9c0d1e8b7a65"',
        "c.JupyterHub.services = [{'name': 'grader', 'api_token': '0123456789abcdef'}]",
        'c.LDAPAuthenticator.lookup_dn_search_password = os.environ.get("LDAP_PASSWORD", "hunter22")',
        'token = "ghp_' + "a" * 36 + '"',
        "c.JupyterHub.db_url = 'postgresql://hub:S3cretPass@db/hub'",
        'c.GenericOAuthenticator.client_secret = """3f2a9c0d1e8b7a65"""',
        "c.KubeSpawner.environment = {'AWS_SECRET_ACCESS_KEY': 'wJalrXUtnFEMI/K7MDENG'}",
    ],
)
def test_extra_config_with_a_credential_literal_is_refused_with_how_to_reference_a_secret(tmp_path, line):
    text = MINIMAL + f"hub:\n  extra_config:\n    10-auth: |\n      import os\n      {line}\n"
    [problem] = _problems(text, tmp_path)
    assert problem.startswith("environments/test.yaml: hub.extra_config.10-auth: line 2: ")
    assert "hub.environment: {MY_VARIABLE: {name: <secret>, key: <key>}}" in problem
    assert 'os.environ["MY_VARIABLE"]' in problem


@pytest.mark.unit
def test_extra_config_reading_secrets_from_the_environment_is_accepted(tmp_path):
    """Names and URLs that say where a secret is, or how to find one, are not credentials."""
    snippet = (
        'c.GenericOAuthenticator.token_url = "https://login.example.com/token"\n'
        'c.GenericOAuthenticator.client_secret = os.environ["OAUTH_SECRET"]\n'
        'c.Authenticator.username_claim = "preferred_username"\n'
        'c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"\n'
        "c.JupyterHub.db_url = f\"postgresql://hub:{os.environ['DB_PASSWORD']}@db/hub\"\n"
        'c.KubeSpawner.environment = {"WAREHOUSE_URL": "postgresql://analyst@warehouse/db"}\n'
    )
    text = MINIMAL + "hub:\n  extra_config:\n    10-auth: |\n" + "".join(f"      {s}\n" for s in snippet.splitlines())
    assert environment(text, tmp_path).config.hub.extra_config["10-auth"] == snippet


def deployment_labels(objects: list[dict], component: str) -> dict[str, str]:
    deployment = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    return dict(deployment["spec"]["selector"]["matchLabels"])


@pytest.mark.real
def test_a_service_token_from_the_manifests_has_exactly_its_roles_scopes(tmp_path):
    objects = synth_objects(MINIMAL + GRADER, tmp_path)
    secrets = fake_secrets(objects)
    token = secrets[("grader-token", "token")]
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        api = hub.hub_url + "hub/api"

        def call(method: str, path: str) -> int:
            headers = {"Authorization": f"token {token}"}
            return requests.request(method, api + path, headers=headers, timeout=10).status_code

        whoami = requests.get(api + "/user", headers={"Authorization": f"token {token}"}, timeout=10).json()
        assert (whoami["kind"], whoami["name"]) == ("service", "grader")
        assert {"list:users", "read:users", "read:groups", "list:groups"} <= set(whoami["scopes"])
        assert not {scope for scope in whoami["scopes"] if scope.startswith(("admin:", "servers", "delete:"))}
        # What the role allows.
        assert call("GET", "/users") == 200
        assert call("GET", "/users/alice") == 200
        assert call("GET", "/groups") == 200
        # What it does not: start or stop servers, change users, read the hub's services.
        assert call("POST", "/users/alice/server") == 403
        assert call("DELETE", "/users/alice") == 403
        assert call("POST", "/users/mallory") == 403
        assert call("GET", "/services") == 403
        # A wrong token is nobody.
        wrong = requests.get(api + "/users", headers={"Authorization": "token not-the-token"}, timeout=10)
        assert wrong.status_code == 403


CLASS_HELPER = """
hub:
  groups: {class: [alice]}
  services:
    - name: helper
      scopes: ["read:users!group=class", "admin:servers!group=class"]
      api_token: {name: helper-token, key: token}
      runs_at: [127.0.0.1/32]
"""


@pytest.mark.real
def test_a_scope_filtered_by_a_group_of_hub_groups_reaches_its_members_only(tmp_path):
    """hub.groups is what `!group=` filters name (load_groups): the course's teaching assistants reach the class's
    servers, never an admin's."""
    text = MINIMAL.replace("admin_users: [admin]", "admin_users: [instructor]") + CLASS_HELPER
    objects = synth_objects(text, tmp_path)
    secrets = fake_secrets(objects)
    headers = {"Authorization": f"token {secrets[('helper-token', 'token')]}"}
    with running_hub(objects, tmp_path, secrets=secrets) as hub:
        api = hub.hub_url + "hub/api"
        assert requests.get(api + "/users/alice", headers=headers, timeout=10).status_code == 200
        assert requests.get(api + "/users/instructor", headers=headers, timeout=10).status_code == 404
        # Stopping a server needs it to run; what matters here is whether the scope lets the call through.
        assert requests.delete(api + "/users/instructor/server", headers=headers, timeout=10).status_code == 404
        assert requests.delete(api + "/users/alice/server", headers=headers, timeout=10).status_code != 404


@pytest.mark.unit
def test_hub_groups_are_refused_where_the_authenticator_manages_groups(tmp_path):
    github = (
        "namespace: hub-test\nhost: hub.example.com\n"
        "auth: {type: github, client_id: c, client_secret: {name: gh, key: s}, allowed_organizations: [o], "
        "admin_teams: ['o:admins'], egress: [{public_internet: true}]}\n"
        "hub: {groups: {class: [alice]}}\n"
    )
    [problem] = _problems(github, tmp_path)
    assert problem.startswith("environments/test.yaml: hub.groups: auth.type github sets each user's groups at login")


@pytest.mark.unit
def test_a_service_in_the_hubs_own_namespace_gets_its_way_out_to_the_hub_too(tmp_path):
    """The namespace's default deny holds for the service's pods too: their egress to the hub is opened, only that."""
    text = MINIMAL + (
        "hub: {services: [{name: stats, scopes: [read:metrics], api_token: {name: stats, key: token}, "
        "runs_in: {namespace: hub-test, pod_labels: {app: stats}}}]}\n"
    )
    objects = synth_objects(text, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    hub = Endpoint("hub", "hub-test", deployment_labels(objects, "hub"))
    stats = Endpoint("stats", "hub-test", {"app": "stats"})
    assert may_connect(policies, stats, hub, 8081)
    assert not may_connect(policies, stats, Endpoint("proxy", "hub-test", deployment_labels(objects, "proxy")), 8000)
    assert not may_connect(policies, stats, Endpoint("internet", ip="203.0.113.5"), 443)
    assert not may_connect(policies, Endpoint("other", "hub-test", {"app": "other"}), hub, 8081)
