"""import-z2jh on values files written like the chart's documentation: imported without error, every note true.

The files are in tests/data/z2jh-docs/ (its README names the documentation page of each). Each is
imported by the command as a user runs it; the environment is synthesized, its hub config loaded by
the real JupyterHub/KubeSpawner, and every note the import printed is checked against the objects:
a note without a check here fails the test, so a new kind of note needs its proof.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support.authenticators import load_authenticator
from support.hub_harness import deployment_container
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.cli import main

pytestmark = pytest.mark.real

DOCS = Path(__file__).parent / "data" / "z2jh-docs"
EXAMPLES = sorted(path.stem for path in DOCS.glob("*.yaml"))
NOTE = re.compile(r"^(?P<file>[^:]+): (?P<path>[^:]+): note: (?P<message>.*)$")


@dataclass
class Imported:
    """One imported example: its environment file, notes, objects, and the real hub config and user pod."""

    environment: dict
    notes: dict[str, str]
    objects: list[dict]
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def policies(self) -> list[dict]:
        return [o for o in self.objects if o["kind"] == "NetworkPolicy"]

    def pod(self, component: str) -> dict:
        return find_workload(self.objects, component)["spec"]["template"]

    def endpoint(self, component: str) -> Endpoint:
        return Endpoint(component, self.environment["namespace"], self.pod(component)["metadata"]["labels"])

    def user_pod(self) -> dict:
        return user_pod(load_hub_config(hub_config_text(self.objects), self.tmp_path), {})

    def authenticator(self):
        return load_authenticator(self.objects, self.tmp_path, self.monkeypatch)


def find_workload(objects: list[dict], component: str) -> dict:
    return next(
        o
        for o in objects
        if o["kind"] in ("Deployment", "Job") and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )


def _import(name: str, tmp_path: Path, monkeypatch, capsys) -> Imported:
    tmp_path.mkdir(parents=True, exist_ok=True)
    assert main(["import-z2jh", str(DOCS / f"{name}.yaml")]) == 0
    captured = capsys.readouterr()
    notes = {}
    for line in captured.err.splitlines():
        if match := NOTE.match(line):
            assert match["path"] not in notes, f"{match['path']} is reported twice"
            notes[match["path"]] = match["message"]
    return Imported(
        yaml.safe_load(captured.out), notes, synth_objects(captured.out, tmp_path, name=name), tmp_path, monkeypatch
    )


def _quota_off(run: Imported, message: str) -> None:
    assert not [o for o in run.objects if o["kind"] == "ResourceQuota"]


def _user_internet(run: Imported, message: str) -> None:
    user = Endpoint("user", run.environment["namespace"], run.user_pod()["metadata"]["labels"])
    assert may_connect(run.policies, user, Endpoint("pypi", ip="151.101.0.223"), 443)
    assert not may_connect(run.policies, user, Endpoint("metadata", ip="169.254.169.254"), 80)


def _user_amount(resource: str, side: str) -> Callable[[Imported, str], None]:
    def check(run: Imported, message: str) -> None:
        written = re.search(r"here each (?:reserves|server is limited to) (\S+) ", message)[1]
        amounts = run.user_pod()["spec"]["containers"][0]["resources"]["requests" if side == "guarantee" else "limits"]
        expected = {"100m": 0.1, "2": 2, "8": 8, "2Gi": 2 * 2**30, "48Gi": 48 * 2**30}[written]
        assert amounts[resource] == expected

    return check


def _user_tolerations(run: Imported, message: str) -> None:
    tolerations = run.user_pod()["spec"]["tolerations"]
    assert {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"} in (
        tolerations
    )


def _no_user_node_preference(run: Imported, message: str) -> None:
    affinity = run.user_pod()["spec"].get("affinity") or {}
    assert "hub.jupyter.org/node-purpose" not in str(affinity)


def _core_pods(run: Imported, message: str) -> None:
    for component in ("hub", "proxy", "user-scheduler"):
        spec = run.pod(component)["spec"]
        assert {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "core", "effect": "NoSchedule"} in (
            spec["tolerations"]
        )
        preferred = spec["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
        assert preferred[0]["preference"]["matchExpressions"][0]["values"] == ["core"]


def _ingress_without_class(run: Imported, message: str) -> None:
    ingress = find(run.objects, "Ingress")
    assert "ingressClassName" not in ingress["spec"]
    assert not any("nginx" in key for key in (ingress["metadata"].get("annotations") or {}))


def _homes_kept(run: Imported, message: str) -> None:
    assert load_hub_config(hub_config_text(run.objects), run.tmp_path).KubeSpawner.delete_pvc is False


def _api_server_private(run: Imported, message: str) -> None:
    api_server = Endpoint("api server", ip="10.0.0.1")
    assert may_connect(run.policies, run.endpoint("hub"), api_server, 443)
    user = Endpoint("user", run.environment["namespace"], run.user_pod()["metadata"]["labels"])
    assert not may_connect(run.policies, user, api_server, 443)


def _callback(run: Imported, message: str) -> None:
    host = re.search(r"from host \((\S+)\)", message)[1]
    assert run.environment["host"] == host
    assert run.authenticator().oauth_callback_url == f"https://{host}/hub/oauth_callback"


def _client_secret(run: Imported, message: str) -> None:
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(run.objects, "hub")["env"]}
    assert {"secretKeyRef": {"name": "jupyterhub-oauth", "key": "client-secret"}} in env.values()


def _public_egress(run: Imported, message: str) -> None:
    """The identity provider's policy alone: public addresses, never the cluster's (the API server's is its own)."""
    hub = run.endpoint("hub")
    policy = [find(run.objects, "NetworkPolicy", "jupyterhub-hub-to-identity-provider")]
    assert may_connect(policy, hub, Endpoint("provider", ip="142.250.74.46"), 443)
    assert not may_connect(policy, hub, Endpoint("cluster", ip="10.1.2.3"), 443)


def _ldap_egress(run: Imported, message: str) -> None:
    hub = run.endpoint("hub")
    for address in ("10.1.2.3", "192.168.0.5", "203.0.113.9"):
        assert may_connect(run.policies, hub, Endpoint("directory", ip=address), 389)
        assert not may_connect(run.policies, hub, Endpoint("directory", ip=address), 22)


def _egress(run: Imported, message: str) -> None:
    (_ldap_egress if "port 389" in message else _public_egress)(run, message)


def _allow_all(run: Imported, message: str) -> None:
    authenticator = run.authenticator()
    assert authenticator.allow_all is True
    if "your-university.edu" in message:
        assert authenticator.hosted_domain == ["your-university.edu"]


def _ldap_password(run: Imported, message: str) -> None:
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(run.objects, "hub")["env"]}
    assert env["JUPYTERHUB_LDAP_SEARCH_PASSWORD"] == {
        "secretKeyRef": {"name": "jupyterhub-ldap", "key": "search-password"}
    }
    assert "secret" not in str(run.authenticator().lookup_dn_search_password)


def _shared_password(run: Imported, message: str) -> None:
    assert type(run.authenticator()).__name__ == "SharedPasswordAuthenticator"


def _password_secret(run: Imported, message: str) -> None:
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(run.objects, "hub")["env"]}
    assert env["JUPYTERHUB_SHARED_PASSWORD"] == {"secretKeyRef": {"name": "jupyterhub-password", "key": "password"}}


def _admin_password(run: Imported, message: str) -> None:
    assert run.authenticator().admin_password


def _gateway_pods(run: Imported, message: str) -> None:
    namespace = re.search(r"namespace (\S+) ", message)[1]
    proxy = run.endpoint("proxy")
    assert may_connect(run.policies, Endpoint("gateway", namespace, {"any": "pod"}), proxy, 8000)
    assert not may_connect(run.policies, Endpoint("gateway", namespace, {"any": "pod"}), proxy, 8001)
    route = find(run.objects, "HTTPRoute")
    assert route["spec"]["parentRefs"][0]["namespace"] == namespace


def _service(run: Imported, message: str) -> None:
    env = {e["name"]: e.get("valueFrom") for e in deployment_container(run.objects, "hub")["env"]}
    secret = re.search(r"Secret (\S+) key (\S+) ", message)
    assert env["JUPYTERHUB_SERVICE_MY_SERVICE_TOKEN"] == {"secretKeyRef": {"name": secret[1], "key": secret[2]}}
    labelled = Endpoint("svc", run.environment["namespace"], {"hub.jupyter.org/network-access-hub": "true"})
    assert may_connect(run.policies, labelled, run.endpoint("hub"), 8081)
    assert not may_connect(run.policies, Endpoint("svc", run.environment["namespace"], {}), run.endpoint("hub"), 8081)
    config = load_hub_config(hub_config_text(run.objects), run.tmp_path)
    roles = {role["name"]: role for role in config.JupyterHub.load_roles.get_value([])}
    assert roles["my-service"]["scopes"] == ["list:users", "read:users:activity"]


def _binary_size(run: Imported, message: str) -> None:
    chart, ours = re.match(r"(\S+) \(powers of 1024 in KubeSpawner\) becomes (\S+)", message).groups()
    assert ours == chart + "i"
    requests = run.user_pod()["spec"]["containers"][0]["resources"]["requests"]
    assert requests["memory"] == int(chart[:-1]) * 2**30


# Each kind of note, by the path it is printed at, and the check that it is true.
CHECKS: dict[str, Callable[[Imported, str], None]] = {
    "quota": _quota_off,
    "network_policy.user_internet": _user_internet,
    "singleuser.cpu.guarantee": _user_amount("cpu", "guarantee"),
    "singleuser.cpu.limit": _user_amount("cpu", "limit"),
    "singleuser.memory.limit": _user_amount("memory", "limit"),
    "singleuser.memory.guarantee": _binary_size,
    "scheduling.user_pods.tolerations": _user_tolerations,
    "scheduling.userPods.nodeAffinity.matchNodePurpose": _no_user_node_preference,
    "scheduling.core_pods": _core_pods,
    "ingress.class_name": _ingress_without_class,
    "singleuser.storage.delete_on_user_deletion": _homes_kept,
    "network_policy.api_server.cidrs": _api_server_private,
    r"hub\.config\.\w+\.oauth_callback_url": _callback,
    "auth.client_secret": _client_secret,
    "auth.egress": _egress,
    "auth.allow_all": _allow_all,
    "hub.config.LDAPAuthenticator.lookup_dn_search_password": _ldap_password,
    "hub.config.JupyterHub.authenticator_class": _shared_password,
    "auth.password_secret": _password_secret,
    "auth.admin_password_secret": _admin_password,
    "gateway.pods": _gateway_pods,
    "hub.services.my-service": _service,
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_documentation_example_imports_and_every_note_is_true(name, tmp_path, monkeypatch, capsys):
    run = _import(name, tmp_path, monkeypatch, capsys)
    assert run.notes, "every example differs from this project somewhere"
    for path, message in run.notes.items():
        check = next((check for pattern, check in CHECKS.items() if re.fullmatch(pattern, path)), None)
        assert check is not None, f"note at {path} has no check: {message}"
        check(run, message)


def test_the_host_is_found_wherever_the_chart_takes_it(tmp_path, monkeypatch, capsys):
    """Before, only ingress.hosts: a values file naming the host in one of the others failed to import."""
    for name, host in (
        ("github", "your-jupyterhub-domain.example.org"),
        ("https", "jupyter.example.com"),
        ("httproute", "jupyter.example.com"),
        ("services", "jupyter.example.com"),
    ):
        assert _import(name, tmp_path / name, monkeypatch, capsys).environment["host"] == host, name


def test_the_http_route_is_carried_over(tmp_path, monkeypatch, capsys):
    """Before: "httpRoute: not a key of the JupyterHub chart 4.x that this importer knows"."""
    run = _import("httproute", tmp_path, monkeypatch, capsys)
    route = find(run.objects, "HTTPRoute")
    assert route["spec"]["hostnames"] == ["jupyter.example.com"]
    assert route["spec"]["parentRefs"][0] | {} == {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "public-gateway",
        "namespace": "gateway-system",
        "sectionName": "https",
    }


def test_large_servers_import_without_a_quota_in_the_way(tmp_path, monkeypatch, capsys):
    """Before, this project's default memory quota (40Gi requests) refused a 48G server with exit 2."""
    run = _import("user-resources", tmp_path, monkeypatch, capsys)
    resources = run.user_pod()["spec"]["containers"][0]["resources"]
    assert resources["requests"]["memory"] == 48 * 2**30 and resources["limits"]["memory"] == 48 * 2**30


def test_authenticators_of_the_examples_are_the_real_ones(tmp_path, monkeypatch, capsys):
    expected = {"github": "GitHubOAuthenticator", "google": "GoogleOAuthenticator",
                "azuread": "AzureAdOAuthenticator", "ldap": "LDAPAuthenticator"}  # fmt: skip
    for name, klass in expected.items():
        run = _import(name, tmp_path / name, monkeypatch, capsys)
        authenticator = run.authenticator()
        assert type(authenticator).__name__ == klass, name
        assert asyncio.iscoroutinefunction(authenticator.check_allowed)
