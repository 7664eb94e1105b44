"""Who may talk to whom in small environments, computed from the synthesized NetworkPolicies alone.

The evaluator (tests/support/network_policy_evaluator.py) answers "may A open
a connection to B on port P"; it is checked on its own first, then on small
environments synthesized in-process. The shipped environments are judged by
IBM's network-config-analyzer (test_network_connectivity.py).
"""

from __future__ import annotations

import pytest
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import MINIMAL, synth_objects

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


# ------------------------------------------------------------------ small environments
# Who may talk to whom in the shipped environments, on every common cluster, is judged by IBM's
# network-config-analyzer instead (test_network_connectivity.py).

METADATA = Endpoint("metadata", ip="169.254.169.254")
INTERNET = Endpoint("internet", ip="1.1.1.1")
INTRANET = Endpoint("intranet", ip="10.1.2.3")


@pytest.mark.unit
def test_internet_egress_keeps_link_local_private_ranges_and_the_api_server_closed(tmp_path):
    text = "network_policy: {user_internet: true, private_ranges: [10.0.0.0/8], api_server: {cidrs: [203.0.113.0/28]}}"
    objects = synth_objects(MINIMAL + text + "\n", tmp_path)
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
    # Every link-local node agent: EKS Pod Identity hands out credentials at 169.254.170.23 (issue 15).
    assert not may_connect(policies, user, Endpoint("pod identity", ip="169.254.170.23"), 80)
    # A public API server endpoint, once written down, is left out of the internet (issue 15, finding 1).
    assert not may_connect(policies, user, Endpoint("api server", ip="203.0.113.10"), 443)


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


def pod_of(objects: list[dict], component: str) -> Endpoint:
    """The pod a workload of `component` runs, as its template labels it."""
    (template,) = [
        o["spec"]["template"]
        for o in objects
        if o["kind"] in {"Deployment", "Job"} and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    ]
    return Endpoint(component, "hub-test", template["metadata"]["labels"])


@pytest.mark.unit
def test_api_server_clients_reach_it_wherever_clusters_serve_it(tmp_path):
    """kind/k3d 6443, minikube and vcluster 8443, managed clusters 443 on private or public addresses (issue 15, 1)."""
    objects = synth_objects(MINIMAL, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    endpoints = [("172.18.0.2", 6443), ("192.168.49.2", 8443), ("10.0.12.34", 443), ("203.0.113.10", 443)]
    for component in ("hub", "user-scheduler", "secrets-bootstrap", "image-awaiter"):
        pod = pod_of(objects, component)
        for address, port in endpoints:
            assert may_connect(policies, pod, Endpoint("api server", ip=address), port), (component, address, port)
        assert not may_connect(policies, pod, Endpoint("api server", ip="203.0.113.10"), 10250), component
        for link_local in ("169.254.169.254", "169.254.170.23"):
            assert not may_connect(policies, pod, Endpoint("node agent", ip=link_local), 443), component


@pytest.mark.unit
def test_dns_reaches_the_dns_servers_of_every_common_cluster(tmp_path):
    """CoreDNS/kube-dns on 53, OpenShift on 5353, vcluster on 1053, NodeLocal DNSCache (issue 15, finding 2)."""
    objects = synth_objects(MINIMAL, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    servers = [
        (Endpoint("coredns", "kube-system", {"k8s-app": "kube-dns"}), 53),
        (Endpoint("openshift", "openshift-dns", {"dns.operator.openshift.io/daemonset-dns": "default"}), 5353),
        (Endpoint("vcluster coredns", "kube-system", {"k8s-app": "vcluster-kube-dns"}), 1053),
        (Endpoint("nodelocal dns", ip="169.254.20.10"), 53),
        (Endpoint("kube-dns ClusterIP, not NATed", ip="10.96.0.10"), 53),
    ]
    user = Endpoint(
        "user", "hub-test", {**pod_of(objects, "hub").labels, "app.kubernetes.io/component": "singleuser-server"}
    )
    for pod in (pod_of(objects, "hub"), pod_of(objects, "proxy"), user):
        for server, port in servers:
            for protocol in ("UDP", "TCP"):
                assert may_connect(policies, pod, server, port, protocol), (pod.name, server.name, protocol)
        assert not may_connect(policies, pod, Endpoint("nodelocal dns", ip="169.254.20.10"), 8080), pod.name
        assert not may_connect(policies, pod, METADATA, 53, "UDP"), pod.name
        assert not may_connect(policies, pod, Endpoint("elsewhere", "other", {"k8s-app": "kube-dns"}), 53, "UDP")


@pytest.mark.unit
def test_a_host_network_ingress_controller_reaches_the_public_port_only(tmp_path):
    """Its connections come from node addresses, which no pod selector names (issue 15, finding 10)."""
    text = MINIMAL + "network_policy: {ingress_controller: {namespace: ingress, cidrs: [192.168.1.0/24]}}\n"
    objects = synth_objects(text, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    node = Endpoint("ingress controller's node", ip="192.168.1.11")
    proxy, hub = pod_of(objects, "proxy"), pod_of(objects, "hub")
    assert may_connect(policies, node, proxy, 8000)
    assert not may_connect(policies, node, proxy, 8001)
    assert not may_connect(policies, node, hub, 8081)
    assert not may_connect(policies, Endpoint("elsewhere", ip="192.168.2.11"), proxy, 8000)
