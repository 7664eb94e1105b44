"""Each component alone, in a bare cdk8s Chart, from its slice of the config; and the three passes' contract."""

from __future__ import annotations

import pytest
from cdk8s import App, Chart
from support.components import build_alone
from support.synthesis import ENVIRONMENTS, ROOT

from jupyterhub_cdk8s.chart import COMPONENTS, components_of
from jupyterhub_cdk8s.component import Context, FieldValue, SecretValue, Volume, assemble
from jupyterhub_cdk8s.config.hub import HubSettings
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.config.network import NetworkPolicySettings
from jupyterhub_cdk8s.config.proxy import ProxySettings
from jupyterhub_cdk8s.config.singleuser import SingleuserSettings
from jupyterhub_cdk8s.hub import HubComponent
from jupyterhub_cdk8s.naming import Names
from jupyterhub_cdk8s.network_policies import NetworkPoliciesComponent
from jupyterhub_cdk8s.parts import complete
from jupyterhub_cdk8s.proxy import ProxyComponent
from jupyterhub_cdk8s.singleuser import UserServersComponent

pytestmark = pytest.mark.unit


def kinds(objects: list[dict]) -> list[tuple[str, str]]:
    return [(obj["kind"], obj["metadata"]["name"]) for obj in objects]


def test_proxy_alone_makes_its_deployment_services_and_budget():
    objects, context = build_alone(ProxyComponent(ProxySettings(), metrics=False))
    assert kinds(objects) == [
        ("ServiceAccount", "jupyterhub-proxy"),
        ("Deployment", "jupyterhub-proxy"),
        ("Service", "jupyterhub-proxy-api"),
        ("Service", "jupyterhub-proxy-public"),
        ("PodDisruptionBudget", "jupyterhub-proxy"),
    ]
    assert "c.ConfigurableHTTPProxy.should_start = False" in context.config_file.render()


def test_proxy_declares_its_connections_but_writes_no_policy_itself():
    objects, context = build_alone(ProxyComponent(ProxySettings(), metrics=False))
    assert not [obj for obj in objects if obj["kind"] == "NetworkPolicy"]
    policies, _ = build_alone(NetworkPoliciesComponent(), context=context)
    assert [obj["metadata"]["name"] for obj in policies] == [
        "jupyterhub-default-deny",
        "jupyterhub-proxy-public",
        "jupyterhub-proxy",
    ]


def test_registry_of_a_context_with_policies_off_writes_nothing():
    context = Context.bare(network=NetworkPolicySettings(enabled=False))
    proxy = ProxyComponent(ProxySettings(), metrics=False)
    proxy.declare(context)
    chart = Chart(App(), "alone", disable_resource_name_hashes=True)
    context.network.write(chart)
    assert chart.to_json() == []


def test_a_component_may_not_declare_another_components_policy():
    context = Context.bare()
    context.network.policy("proxy", "proxy")
    with pytest.raises(ValueError, match="two components declare the network policy jupyterhub-proxy"):
        ProxyComponent(ProxySettings(), metrics=False).declare(context)


def test_user_pods_get_what_other_components_lend_them():
    """The spawner writes volumes and variables declared by others, whatever the order of declaration."""
    context = Context.bare()
    context.user_pods.volumes.append(Volume("lent", {"configMap": {"name": "lent"}}, "/opt/lent", read_only=True))
    context.user_pods.set_env("FROM_SECRET", SecretValue("s", "k"), "test")
    context.user_pods.set_env("POD_IP", FieldValue("status.podIP"), "test")
    _, context = build_alone(
        UserServersComponent(SingleuserSettings(), internet=False, extra_egress=()), context=context
    )
    text = context.config_file.render()
    assert "{'name': 'lent', 'configMap': {'name': 'lent'}}" in text
    assert "{'name': 'lent', 'mountPath': '/opt/lent', 'readOnly': True}" in text
    assert "'FROM_SECRET': {'valueFrom': {'secretKeyRef': {'name': 's', 'key': 'k'}}}" in text
    assert "'POD_IP': {'valueFrom': {'fieldRef': {'fieldPath': 'status.podIP'}}}" in text


def test_two_components_may_not_set_the_same_user_variable():
    context = Context.bare()
    context.user_pods.set_env("SHARED", "a", "first")
    with pytest.raises(ValueError, match="second sets the user pods' SHARED"):
        context.user_pods.set_env("SHARED", "b", "second")


def test_hub_mounts_the_volumes_other_components_lend_it():
    context = Context.bare(names=Names(release="lab", namespace="research"))
    context.hub_pod.volumes.append(Volume("extra", {"configMap": {"name": "extra"}}, "/etc/extra", read_only=True))
    objects, _ = build_alone(HubComponent(HubSettings(), None), context=context)
    deployment = next(obj for obj in objects if obj["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert {"name": "extra", "configMap": {"name": "extra"}} in pod["volumes"]
    assert {"name": "extra", "mountPath": "/etc/extra", "readOnly": True} in pod["containers"][0]["volumeMounts"]
    assert deployment["metadata"]["name"] == "lab-hub"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_config_file_does_not_depend_on_the_order_of_components(env):
    """Sections follow their fixed order, not the order components were called in."""
    config = load_file(ROOT / "environments" / f"{env}.yaml", env).config
    rendered = []
    for components in (components_of(config), list(reversed(components_of(config)))):
        context = Context.of(config)
        assemble(components, Chart(App(), env, disable_resource_name_hashes=True), context)
        rendered.append(context.config_file.render())
    assert rendered[0] == rendered[1]


def test_every_component_can_be_turned_off_or_on_from_its_slice():
    """`from_config` is the one place a component reads the config."""
    assert all(callable(getattr(kind, "from_config", None)) for kind in COMPONENTS)
    assert len(set(COMPONENTS)) == len(COMPONENTS)


def _identities(objects: list[dict]) -> set[tuple[str, str]]:
    return {(obj["kind"], obj["metadata"]["name"]) for obj in objects}


@pytest.mark.parametrize("env", sorted(p.stem for p in (ROOT / "environments").glob("*.yaml")))
def test_each_component_alone_writes_exactly_the_objects_it_writes_in_the_whole_hub(env):
    """A component needs no other component's objects: alone, from its slice and what the others declare, it
    writes the same objects as in the hub. Only what others declare may change their content (the hub's
    config file, the registry's policies)."""
    config = load_file(ROOT / "environments" / f"{env}.yaml", env).config
    components = components_of(config)
    declared = Context.of(config)
    for component in components:
        component.declare(declared)
    for component in components:
        component.configure(declared)
    written: dict[type, set[tuple[str, str]]] = {}
    for component in components:
        chart = Chart(App(), "alone", namespace=config.namespace, disable_resource_name_hashes=True)
        component.build(chart, declared)
        complete(chart)
        written[type(component)] = _identities(chart.to_json())
    whole = Chart(App(), "whole", namespace=config.namespace, disable_resource_name_hashes=True)
    assemble(components, whole, Context.of(config))
    complete(whole)
    everything = [identity for identities in written.values() for identity in identities]
    assert len(everything) == len(set(everything)), "two components write the same object"
    assert set(everything) == _identities(whole.to_json())
