"""Every NetworkPolicy goes through one registry: none at all with policies off, each feature's with them on."""

from __future__ import annotations

import pytest
from support.synthesis import synth_objects

pytestmark = pytest.mark.unit

# Every feature that opens connections of its own, in one environment.
EVERY_FEATURE = """
namespace: all-features
host: hub.example.com
singleuser:
  storage:
    examples: {url: "https://github.com/example/notebooks.git", mount_path: /home/jovyan/examples}
auth:
  type: github
  client_id: hub
  client_secret: {name: github, key: secret}
  allowed_organizations: [example]
  egress: [{public_internet: true}]
platform_services:
  services:
    - {name: trino, kind: trino, host: trino.data, port: 8080}
  spark: {enabled: true, executors: true, api_server_cidrs: [10.96.0.1/32]}
hub:
  database: {type: postgresql, url_secret: {name: db, key: url}}
  services:
    - {name: grader, scopes: [list:users], api_token: {name: grader, key: token},
       runs_in: {namespace: all-features, pod_labels: {app: grader}}}
    - {name: reporter, scopes: [list:users], api_token: {name: reporter, key: token},
       runs_in: {namespace: reports, pod_labels: {app: reporter}}}
monitoring: {enabled: true}
ingress: {enabled: false}
gateway:
  enabled: true
  parent: {name: shared-gateway, namespace: gateway-system}
  pods: {namespace: envoy-gateway-system, pod_labels: {app: envoy}}
network_rules:
  hub:
    egress: [{peer: {cidr: 10.40.0.0/24}, ports: [5432]}]
  singleuser:
    egress: [{peer: {namespace: databases}, ports: [5432]}]
network_policy:
  enabled: {enabled}
  database: {cidrs: [10.0.5.10/32]}
  user_internet: true
  user_egress: [{cidr: 10.20.0.0/16, ports: [443]}]
  api_server: {cidrs: [203.0.113.10/32]}
"""

# The purpose of each policy a feature above declares (the name is `jupyterhub-<purpose>`).
EXPECTED_PURPOSES = {
    "default-deny",
    "hub",
    "hub-to-database",
    "hub-to-identity-provider",
    "hub-metrics-scrape",
    "proxy",
    "proxy-public",
    "proxy-metrics-scrape",
    "singleuser",
    "singleuser-internet",
    "singleuser-extra-egress",
    "singleuser-to-examples-repository",
    "singleuser-to-platform-services",
    "singleuser-spark-driver",
    "spark-executors",
    "secrets-bootstrap-to-api-server",
    "user-scheduler-to-api-server",
    "image-awaiter-to-api-server",
    "proxy-from-gateway",
    "grader-service-to-hub",
    "grader-service",
    "reporter-service-to-hub",
    "hub-extra-rules",
    "singleuser-server-extra-rules",
}

# What cannot be in one environment with the above: user pods with a token of their own (Spark executors
# already give them a ServiceAccount).
USER_TOKEN = """
namespace: user-token
host: hub.example.com
auth: {type: shared-password, password_secret: {name: pw, key: pw}, allowed_users: [alice]}
singleuser: {service_account: {name: notebooks, automount_token: true}}
network_policy: {enabled: {enabled}}
"""
USER_TOKEN_PURPOSES = {
    "default-deny",
    "hub",
    "proxy",
    "proxy-public",
    "singleuser",
    "singleuser-to-api-server",
    "secrets-bootstrap-to-api-server",
    "user-scheduler-to-api-server",
    "image-awaiter-to-api-server",
}
ENVIRONMENTS = pytest.mark.parametrize(
    ("environment", "purposes"),
    [(EVERY_FEATURE, EXPECTED_PURPOSES), (USER_TOKEN, USER_TOKEN_PURPOSES)],
    ids=["every-feature", "user-token"],
)


def policies(environment: str, tmp_path, enabled: bool) -> list[dict]:
    text = environment.replace("{enabled}", str(enabled).lower())
    return [obj for obj in synth_objects(text, tmp_path) if obj["kind"] == "NetworkPolicy"]


@ENVIRONMENTS
def test_policies_off_means_no_network_policy_at_all(environment, purposes, tmp_path):
    """A lone Egress policy would cut the pods it selects off from DNS, the hub and the API server."""
    assert policies(environment, tmp_path, enabled=False) == []


@ENVIRONMENTS
def test_policies_on_write_every_features_policy_once(environment, purposes, tmp_path):
    written = [policy["metadata"]["name"] for policy in policies(environment, tmp_path, enabled=True)]
    assert sorted(written) == sorted(f"jupyterhub-{purpose}" for purpose in purposes)


def test_every_policy_is_in_the_network_policy_file(tmp_path):
    """One place to review who may talk to whom."""
    text = EVERY_FEATURE.replace("{enabled}", "true")
    labels = {
        obj["metadata"]["labels"]["app.kubernetes.io/component"]
        for obj in synth_objects(text, tmp_path)
        if obj["kind"] == "NetworkPolicy"
    }
    assert labels == {"network-policy"}


def test_public_internet_is_one_definition(tmp_path):
    """Every rule to the public internet excludes the configured private ranges, link-local and the API server."""
    text = EVERY_FEATURE.replace("{enabled}", "true").replace(
        "  user_internet: true\n", "  user_internet: true\n  private_ranges: [10.0.0.0/8, 100.64.0.0/10]\n"
    )
    blocks = [
        peer["ipBlock"]
        for obj in synth_objects(text, tmp_path)
        if obj["kind"] == "NetworkPolicy"
        for rule in obj["spec"].get("egress", [])
        for peer in rule["to"]
        if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"
    ]
    assert len(blocks) == 3  # identity provider, user internet, examples repository
    # 100.64.0.0/10 (written here) holds Alibaba Cloud's metadata address; Azure's WireServer is excluded on its own.
    expected = ["10.0.0.0/8", "100.64.0.0/10", "168.63.129.16/32", "169.254.0.0/16", "203.0.113.10/32"]
    assert all(block["except"] == expected for block in blocks)


def test_the_clouds_node_endpoints_are_never_the_public_internet(tmp_path):
    """Link-local is excluded; Alibaba Cloud's metadata service and Azure's WireServer are not in it."""
    text = EVERY_FEATURE.replace("{enabled}", "true")
    excepted = [
        set(peer["ipBlock"]["except"])
        for obj in synth_objects(text, tmp_path)
        if obj["kind"] == "NetworkPolicy"
        for rule in obj["spec"].get("egress", [])
        for peer in rule["to"]
        if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"
    ]
    assert excepted and all({"100.100.100.200/32", "168.63.129.16/32", "169.254.0.0/16"} <= e for e in excepted)
