"""Gateway API entry (HTTPRoute) and cert-manager certificates: valid against the vendored CRDs, gateway pods let in."""

from __future__ import annotations

import pytest
from support.crds import crd_errors
from support.network_policy_evaluator import Endpoint, may_connect
from support.synthesis import MINIMAL, environment, find, synth_objects

from jupyterhub_cdk8s.config.loader import ConfigError

GATEWAY = """
ingress: {enabled: false}
gateway:
  enabled: true
  parent: {name: public, namespace: gateways, section_name: https}
  pods: {namespace: gateways, pod_labels: {gateway.envoyproxy.io/owning-gateway-name: public}}
  certificate: {issuer: {name: letsencrypt}}
"""
GATEWAY_POD = Endpoint("gateway", "gateways", {"gateway.envoyproxy.io/owning-gateway-name": "public"})


def pods(objects: list[dict], component: str) -> Endpoint:
    deployment = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    return Endpoint(component, "hub-test", deployment["spec"]["template"]["metadata"]["labels"])


@pytest.mark.unit
def test_the_route_certificate_and_grant_validate_against_the_crds(tmp_path):
    objects = synth_objects(MINIMAL + GATEWAY, tmp_path)
    custom = [o for o in objects if o["kind"] in ("HTTPRoute", "Certificate", "ReferenceGrant")]
    assert sorted(o["kind"] for o in custom) == ["Certificate", "HTTPRoute", "ReferenceGrant"]
    for obj in custom:
        assert crd_errors(obj) == [], obj["kind"]
    route = find(objects, "HTTPRoute")
    assert route["spec"]["hostnames"] == ["hub.example.com"]
    assert route["spec"]["parentRefs"][0] == {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "public",
        "namespace": "gateways",
        "sectionName": "https",
    }
    [backend] = route["spec"]["rules"][0]["backendRefs"]
    service = find(objects, "Service", backend["name"])
    assert backend["port"] in [port["port"] for port in service["spec"]["ports"]]
    certificate = find(objects, "Certificate")
    assert certificate["spec"]["dnsNames"] == ["hub.example.com"]
    grant = find(objects, "ReferenceGrant")
    assert grant["spec"]["to"] == [{"group": "", "kind": "Secret", "name": certificate["spec"]["secretName"]}]
    assert grant["spec"]["from"][0]["namespace"] == "gateways"
    assert not [o for o in objects if o["kind"] == "Ingress"]


@pytest.mark.unit
def test_the_strict_crd_schema_catches_a_misspelt_route_field(tmp_path):
    route = find(synth_objects(MINIMAL + GATEWAY, tmp_path), "HTTPRoute")
    route["spec"]["rules"][0]["backendRefs"][0]["prot"] = 80
    assert crd_errors(route)


@pytest.mark.unit
def test_the_gateway_pods_reach_the_proxy_public_port_and_nothing_else(tmp_path):
    objects = synth_objects(MINIMAL + GATEWAY, tmp_path)
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    proxy, hub = pods(objects, "proxy"), pods(objects, "hub")
    assert may_connect(policies, GATEWAY_POD, proxy, 8000)
    assert not may_connect(policies, GATEWAY_POD, proxy, 8001)
    assert not may_connect(policies, GATEWAY_POD, hub, 8081)
    stranger = Endpoint("stranger", "gateways", {"app": "other"})
    assert not may_connect(policies, stranger, proxy, 8000)


@pytest.mark.unit
def test_ingress_asks_cert_manager_for_its_certificate(tmp_path):
    text = MINIMAL + "ingress: {tls_secret: hub-tls, cert_manager_issuer: {name: letsencrypt, kind: Issuer}}\n"
    ingress = find(synth_objects(text, tmp_path), "Ingress")
    assert ingress["metadata"]["annotations"]["cert-manager.io/issuer"] == "letsencrypt"
    assert ingress["spec"]["tls"] == [{"hosts": ["hub.example.com"], "secretName": "hub-tls"}]
    text = MINIMAL + "ingress: {tls_secret: hub-tls, cert_manager_issuer: {name: letsencrypt}}\n"
    ingress = find(synth_objects(text, tmp_path), "Ingress")
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "ingress: {cert_manager_issuer: {name: letsencrypt}}\n",
            "ingress.tls_secret: cert-manager writes the certificate into tls_secret; name it, e.g. jupyter-tls",
        ),
        (
            "gateway: {enabled: true}\n",
            "gateway.parent: an HTTPRoute needs its Gateway; write parent: {name: <gateway>, namespace: <ns>}",
        ),
        (
            "gateway: {enabled: true, parent: {name: public}}\n",
            "gateway.pods: the NetworkPolicies let only the listed outside pods reach the proxy, so the gateway "
            "could not; write its pods",
        ),
    ],
)
def test_gateway_and_certificate_mistakes(tmp_path, extra, expected):
    with pytest.raises(ConfigError) as error:
        environment(MINIMAL + extra, tmp_path)
    [problem] = [str(p) for p in error.value.problems]
    assert problem.startswith("environments/test.yaml: " + expected), problem
