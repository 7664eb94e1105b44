"""Who may talk to whom, computed from the synthesized NetworkPolicies alone.

The evaluator (tests/support/network_policy_evaluator.py) answers "may A open
a connection to B on port P"; it is checked on its own first, then on the
components of each environment in dist/, where the issue's table is asserted:
allowed and denied.
"""

from __future__ import annotations

import ipaddress

import pytest
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import ENVIRONMENTS, MINIMAL, ROOT, dist_objects, hub_config_text, synth_objects
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.config.loader import load_file

# ------------------------------------------------------------------ the evaluator, checked on its own


def policy(spec: dict, namespace: str = "ns") -> dict:
    return {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": namespace}, "spec": spec}


A = Endpoint("a", "ns", {"app": "a"})
B = Endpoint("b", "ns", {"app": "b"})
ELSEWHERE = Endpoint("c", "other", {"app": "a"})
OUTSIDE = Endpoint("outside", ip="8.8.8.8")


@pytest.mark.unit
def test_evaluator_without_policies_allows_everything():
    assert may_connect([], A, B, 80) and may_connect([], A, OUTSIDE, 53, "UDP")


@pytest.mark.unit
def test_evaluator_default_deny_and_additive_rules():
    deny = policy({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    a_to_b = policy(
        {
            "podSelector": {"matchLabels": {"app": "a"}},
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": {"matchLabels": {"app": "b"}}}], "ports": [{"port": 80, "protocol": "TCP"}]}
            ],
        }
    )
    b_from_a = policy(
        {
            "podSelector": {"matchLabels": {"app": "b"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}],
        }
    )
    assert not may_connect([deny], A, B, 80)
    assert not may_connect([deny, a_to_b], A, B, 80), "B's ingress is still denied"
    assert may_connect([deny, a_to_b, b_from_a], A, B, 80)
    assert not may_connect([deny, a_to_b, b_from_a], A, B, 81), "port not opened"
    assert not may_connect([deny, a_to_b, b_from_a], A, B, 80, "UDP"), "protocol not opened"
    assert not may_connect([deny, a_to_b, b_from_a], B, A, 80), "rules are one-way"


@pytest.mark.unit
def test_evaluator_pod_selector_alone_means_the_policy_namespace():
    b_from_a = policy(
        {
            "podSelector": {"matchLabels": {"app": "b"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}],
        }
    )
    assert may_connect([b_from_a], A, B, 80)
    assert not may_connect([b_from_a], ELSEWHERE, B, 80)
    from_other = policy(
        {
            "podSelector": {},
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}},
                            "podSelector": {"matchLabels": {"app": "a"}},
                        }
                    ]
                }
            ],
        }
    )
    assert may_connect([from_other], ELSEWHERE, B, 80)
    assert not may_connect([from_other], A, B, 80)


@pytest.mark.unit
def test_evaluator_ip_block_except():
    internet = policy(
        {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["8.8.8.0/24"]}}]}],
        }
    )
    assert may_connect([internet], A, Endpoint("x", ip="1.1.1.1"), 443)
    assert not may_connect([internet], A, OUTSIDE, 443)
    assert not may_connect([internet], A, B, 443), "ipBlock does not select pods"


@pytest.mark.unit
def test_evaluator_policy_types_without_rules_deny_that_direction_only():
    egress_deny = policy({"podSelector": {}, "policyTypes": ["Egress"]})
    assert not may_connect([egress_deny], A, OUTSIDE, 443)
    assert may_connect([egress_deny], ELSEWHERE, A, 443)


# ------------------------------------------------------------------ the issue's table, per environment

METADATA = Endpoint("metadata", ip="169.254.169.254")
INTERNET = Endpoint("internet", ip="1.1.1.1")
INTRANET = Endpoint("intranet", ip="10.1.2.3")
API_SERVER = Endpoint("api-server", ip="10.0.0.1")
STRANGER = Endpoint("pod of another namespace", "somewhere-else", {"app": "x"})


def pod_endpoint(objects: list[dict], component: str) -> Endpoint:
    workload = next(
        o
        for o in objects
        if o["kind"] in {"Deployment", "Job"} and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    return Endpoint(component, workload["metadata"]["namespace"], workload["spec"]["template"]["metadata"]["labels"])


def environment_config(env: str):
    return load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config


def environment_endpoints(env: str, tmp_path) -> dict[str, Endpoint]:
    objects = dist_objects(env)
    config = environment_config(env)
    user = user_pod(load_hub_config(hub_config_text(objects), tmp_path), {})
    controller, dns = config.network_policy.ingress_controller, config.network_policy.dns
    endpoints = {
        "hub": pod_endpoint(objects, "hub"),
        "proxy": pod_endpoint(objects, "proxy"),
        "user": Endpoint("user", config.namespace, user["metadata"]["labels"]),
        "other user": Endpoint(
            "other user", config.namespace, {**user["metadata"]["labels"], "hub.jupyter.org/username": "mallory"}
        ),
        "ingress controller": Endpoint("ingress controller", controller.namespace, dict(controller.pod_labels)),
        "dns": Endpoint("dns", dns.namespace, dict(dns.pod_labels)),
    }
    if any(o["kind"] == "Job" for o in objects):
        endpoints["bootstrap"] = pod_endpoint(objects, "secrets-bootstrap")
    return endpoints


def network_policies(env: str) -> list[dict]:
    return [o for o in dist_objects(env) if o["kind"] == "NetworkPolicy"]


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_connections_of_the_issue_table(env, tmp_path):
    policies = network_policies(env)
    e = environment_endpoints(env, tmp_path)
    internet = environment_config(env).network_policy.user_internet
    allowed = [
        ("ingress controller", "proxy", 8000, "TCP"),
        ("proxy", "hub", 8081, "TCP"),
        ("proxy", "user", 8888, "TCP"),
        ("proxy", "dns", 53, "UDP"),
        ("hub", "proxy", 8001, "TCP"),
        ("hub", "user", 8888, "TCP"),
        ("hub", "dns", 53, "UDP"),
        ("hub", "dns", 53, "TCP"),
        ("hub", "api-server", 443, "TCP"),
        ("hub", "api-server", 6443, "TCP"),
        ("user", "hub", 8081, "TCP"),
        ("user", "dns", 53, "UDP"),
        ("user", "dns", 53, "TCP"),
    ]
    denied = [
        # Only the ingress controller and the namespace reach the proxy; only the hub its API.
        ("pod of another namespace", "proxy", 8000, "TCP"),
        # The proxy accepts the namespace's pods on 8000, but none of ours has a reason to open that egress.
        ("hub", "proxy", 8000, "TCP"),
        ("user", "proxy", 8000, "TCP"),
        ("user", "proxy", 8001, "TCP"),
        ("ingress controller", "proxy", 8001, "TCP"),
        ("ingress controller", "hub", 8081, "TCP"),
        ("ingress controller", "user", 8888, "TCP"),
        ("pod of another namespace", "hub", 8081, "TCP"),
        ("pod of another namespace", "user", 8888, "TCP"),
        # User servers cannot reach each other, the API server, the metadata address or private networks.
        ("user", "other user", 8888, "TCP"),
        ("user", "api-server", 443, "TCP"),
        ("user", "api-server", 6443, "TCP"),
        ("user", "metadata", 80, "TCP"),
        ("user", "intranet", 5432, "TCP"),
        ("user", "hub", 8000, "TCP"),
        # The hub and proxy reach nothing outside what they use.
        ("hub", "metadata", 80, "TCP"),
        ("hub", "internet", 443, "TCP"),
        ("hub", "api-server", 10250, "TCP"),
        ("proxy", "api-server", 443, "TCP"),
        ("proxy", "internet", 443, "TCP"),
        ("proxy", "metadata", 80, "TCP"),
        ("proxy", "hub", 8001, "TCP"),
    ]
    (allowed if internet else denied).append(("user", "internet", 443, "TCP"))
    if "bootstrap" in e:
        allowed += [("bootstrap", "api-server", 443, "TCP"), ("bootstrap", "api-server", 6443, "TCP")]
        denied += [
            ("bootstrap", "dns", 53, "UDP"),
            ("bootstrap", "hub", 8081, "TCP"),
            ("bootstrap", "internet", 443, "TCP"),
            ("bootstrap", "metadata", 80, "TCP"),
            ("user", "bootstrap", 8888, "TCP"),
        ]
    # The hub reaches its identity provider where auth.egress says, on its ports only; user pods never through that.
    auth = environment_config(env).auth
    for index, destination in enumerate(getattr(auth, "egress", [])):
        name = f"identity provider {index}"
        if destination.cidr:
            e[name] = Endpoint(name, ip=str(ipaddress.ip_network(destination.cidr)[1]))
        else:
            e[name] = Endpoint(name, destination.pods.namespace, dict(destination.pods.pod_labels))
        ports = destination.ports or auth.provider_ports()
        allowed += [("hub", name, port, "TCP") for port in ports]
        denied += [("hub", name, 22, "TCP"), ("proxy", name, ports[0], "TCP")]
        if destination.pods or not internet:
            denied.append(("user", name, ports[0], "TCP"))
    addresses = {
        "metadata": METADATA,
        "internet": INTERNET,
        "intranet": INTRANET,
        "api-server": API_SERVER,
        STRANGER.name: STRANGER,
    }
    endpoint = {**addresses, **e}
    wrong = [
        f"{source} -> {target}:{port}/{protocol} should be {'allowed' if expected else 'denied'}"
        for expected, table in ((True, allowed), (False, denied))
        for source, target, port, protocol in table
        if may_connect(policies, endpoint[source], endpoint[target], port, protocol) != expected
    ]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_metadata_address_is_closed_to_every_pod_on_every_port(env, tmp_path):
    policies = network_policies(env)
    ours = [
        e for e in environment_endpoints(env, tmp_path).values() if e.namespace == policies[0]["metadata"]["namespace"]
    ]
    assert {e.name for e in ours} >= {"hub", "proxy", "user"}
    for endpoint in ours:
        for port in (80, 443, 6443, 8080):
            assert not may_connect(policies, endpoint, METADATA, port), f"{endpoint.name} -> metadata:{port}"


@pytest.mark.unit
def test_internet_egress_keeps_the_metadata_address_and_private_ranges_closed(tmp_path):
    objects = synth_objects(MINIMAL + "network_policy: {user_internet: true, private_ranges: [10.0.0.0/8]}\n", tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    user = Endpoint(
        "user",
        "hub-test",
        {
            "app.kubernetes.io/name": "jupyterhub",
            "app.kubernetes.io/instance": "jupyterhub",
            "app.kubernetes.io/component": "singleuser-server",
        },
    )
    assert may_connect(policies, user, INTERNET, 443)
    assert may_connect(policies, user, Endpoint("lan", ip="192.168.1.5"), 22), (
        "only the configured private ranges are closed"
    )
    assert not may_connect(policies, user, INTRANET, 443)
    assert not may_connect(policies, user, METADATA, 80)


@pytest.mark.unit
def test_extra_user_egress_and_database_open_only_their_destination(tmp_path):
    text = MINIMAL + (
        "hub: {database: {type: postgresql, url_secret: {name: db, key: url}}}\n"
        "network_policy:\n  database: {cidrs: [10.0.5.10/32], port: 5432}\n "
        " user_egress: [{cidr: 10.20.0.0/16, ports: [443]}]\n"
    )
    policies = [o for o in synth_objects(text, tmp_path) if o["kind"] == "NetworkPolicy"]
    selector = {"app.kubernetes.io/name": "jupyterhub", "app.kubernetes.io/instance": "jupyterhub"}
    hub = Endpoint("hub", "hub-test", {**selector, "app.kubernetes.io/component": "hub"})
    user = Endpoint("user", "hub-test", {**selector, "app.kubernetes.io/component": "singleuser-server"})
    database = Endpoint("db", ip="10.0.5.10")
    assert may_connect(policies, hub, database, 5432)
    assert not may_connect(policies, user, database, 5432)
    assert may_connect(policies, user, Endpoint("svc", ip="10.20.3.4"), 443)
    assert not may_connect(policies, user, Endpoint("svc", ip="10.20.3.4"), 22)
