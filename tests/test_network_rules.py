"""network_rules: extra connections per component, each a policy of its own, never to the metadata address."""

from __future__ import annotations

import pytest
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import MINIMAL, environment, find, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError

pytestmark = pytest.mark.unit

RULES = """
network_rules:
  hub:
    ingress:
      - peer: {namespace: monitoring, pod_labels: {app: agent}}
        ports: [8081]
    egress:
      - peer: {cidr: 10.40.0.0/24}
        ports: [5432]
  singleuser:
    egress:
      - peer: {namespace: databases}
        ports: [5432, 6379]
      - peer: {cidr: 10.60.0.5/32}
        ports: [514]
        protocol: UDP
"""


def pods(objects: list[dict], component: str) -> Endpoint:
    workload = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    return Endpoint(component, "hub-test", workload["spec"]["template"]["metadata"]["labels"])


def test_extra_rules_open_exactly_their_connections(tmp_path):
    objects = synth_objects(MINIMAL + RULES, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    hub, proxy = pods(objects, "hub"), pods(objects, "proxy")
    user = Endpoint("user", "hub-test", {**hub.labels, "app.kubernetes.io/component": "singleuser-server"})
    agent = Endpoint("agent", "monitoring", {"app": "agent"})
    assert may_connect(policies, agent, hub, 8081)
    assert not may_connect(policies, agent, proxy, 8000)
    assert not may_connect(policies, Endpoint("other", "monitoring", {"app": "other"}), hub, 8081)
    database = Endpoint("db", ip="10.40.0.7")
    assert may_connect(policies, hub, database, 5432) and not may_connect(policies, hub, database, 22)
    assert not may_connect(policies, user, database, 5432)
    redis = Endpoint("redis", "databases", {"app": "redis"})
    assert may_connect(policies, user, redis, 6379) and not may_connect(policies, hub, redis, 6379)
    assert may_connect(policies, user, Endpoint("syslog", ip="10.60.0.5"), 514, "UDP")
    assert not may_connect(policies, user, Endpoint("syslog", ip="10.60.0.5"), 514, "TCP")
    assert find(objects, "NetworkPolicy", "jupyterhub-hub-extra-rules")["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert not [o for o in policies if o["metadata"]["name"] == "jupyterhub-proxy-extra-rules"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "{peer: {cidr: 169.254.0.0/16}, ports: [80]}",
            "network_rules.hub.egress[0].peer.cidr: 169.254.0.0/16 contains the cloud metadata address",
        ),
        (
            "{peer: {namespace: a, cidr: 10.0.0.0/8}, ports: [80]}",
            "network_rules.hub.egress[0].peer.namespace: write pods as {namespace: <ns>, pod_labels: {...}}, or an "
            "IP block as {cidr: <cidr>}",
        ),
        ("{peer: {namespace: a}, ports: []}", "network_rules.hub.egress[0].ports: "),
    ],
)
def test_bad_rules_are_refused(tmp_path, rule, expected):
    with pytest.raises(ConfigError) as error:
        environment(MINIMAL + f"network_rules: {{hub: {{egress: [{rule}]}}}}\n", tmp_path)
    [problem] = [str(p) for p in error.value.problems]
    assert problem.startswith("environments/test.yaml: " + expected), problem


def test_without_network_policies_the_rules_write_nothing(tmp_path):
    objects = synth_objects(MINIMAL + RULES + "network_policy: {enabled: false}\n", tmp_path)
    assert not [o for o in objects if o["kind"] == "NetworkPolicy"]
