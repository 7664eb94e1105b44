"""Every connection a hub needs is permitted, and what must stay impossible is not, on every common cluster.

The judge is IBM's network-config-analyzer (tests/support/connectivity.py says how the world
around `dist/` is built and which questions are asked). One nca run per environment answers the
questions of every cluster topology the environment declares it runs on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from support.connectivity import (
    DOCUMENT,
    INSTALL,
    NCA,
    REQUIRED_TOPOLOGIES,
    TOPOLOGIES,
    Analysis,
    Connectivity,
    Target,
    admits,
    analyze,
    checks,
    covers,
    parse,
    shipped_document,
)
from support.synthesis import ENVIRONMENTS, MINIMAL, ROOT, dist_objects, environment, synth_objects

from jupyterhub_cdk8s.config import HubConfig
from jupyterhub_cdk8s.config.loader import load_file


def config_of(env: str) -> HubConfig:
    return load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config


# Shipped environments with settings of clusters the shipped ones do not describe: name -> (environment, changes).
VARIANTS = {
    # A managed cluster whose API endpoint is public, with user internet egress: the endpoint is left out of it.
    "thinkube-public-api": ("thinkube", {"network_policy": {"api_server": {"cidrs": ["203.0.113.10/32"]}}}),
    # Bare metal: the ingress controller runs on the host network of nodes in 192.168.1.0/24.
    "default-hostnet-ingress": (
        "default",
        {
            "network_policy": {
                "ingress_controller": {
                    "namespace": "ingress-nginx",
                    "pod_labels": {"app.kubernetes.io/name": "ingress-nginx"},
                    "cidrs": ["192.168.1.0/24"],
                }
            }
        },
    ),
}


def variant_text(env: str, changes: dict) -> str:
    document = yaml.safe_load((ROOT / "environments" / f"{env}.yaml").read_text(encoding="utf-8"))

    def merge(into: dict, changes: dict) -> None:
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = value

    merge(document, changes)
    return yaml.safe_dump(document)


def variant_config(name: str, tmp_path) -> HubConfig:
    env, changes = VARIANTS[name]
    return environment(variant_text(env, changes), tmp_path, name).config


CONFIGS = {env: config_of(env) for env in ENVIRONMENTS}


def cases(tmp_path):
    for name in VARIANTS:
        CONFIGS[name] = variant_config(name, tmp_path)
    for env, config in CONFIGS.items():
        for topology in TOPOLOGIES:
            if topology.applies_to(config):
                yield pytest.param(env, topology, id=f"{env}-{topology.name}")


@pytest.fixture(scope="session")
def analysis(tmp_path_factory):
    """nca's reading of one environment's dist/, made once per environment and worker."""
    if not NCA.exists():
        pytest.fail(f"network-config-analyzer is missing ({NCA}); install it: {INSTALL}", pytrace=False)
    done: dict[str, Analysis] = {}

    def of(env: str) -> Analysis:
        if env not in done:
            workdir = tmp_path_factory.mktemp(env)
            if env in VARIANTS:
                objects = synth_objects(variant_text(*VARIANTS[env]), workdir, env)
            else:
                objects = dist_objects(env)
            done[env] = analyze(env, objects, CONFIGS[env], workdir)
        return done[env]

    return of


@pytest.mark.real
@pytest.mark.parametrize(("env", "topology"), list(cases(Path(tempfile.mkdtemp(prefix="variants-")))))
def test_every_needed_connection_is_permitted_and_nothing_else(analysis, env, topology):
    judged = analysis(env)
    wrong = judged.connectivity.wrong(checks(judged.world, topology))
    assert not wrong, f"{env} on {topology.name} ({topology.description}):\n  " + "\n  ".join(wrong)


@pytest.mark.unit
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_shipped_environment_runs_on_the_common_clusters(env):
    declared = {topology.name for topology in TOPOLOGIES if topology.applies_to(CONFIGS[env])}
    assert set(REQUIRED_TOPOLOGIES) <= declared, f"{env} does not declare {set(REQUIRED_TOPOLOGIES) - declared}"


@pytest.mark.unit
def test_default_network_settings_run_on_every_cluster_with_a_pod_ingress_controller(tmp_path):
    """kind, k3d, minikube (8443), managed clusters with a private or a public endpoint (issue 15, finding 1)."""
    config = environment(MINIMAL, tmp_path).config
    assert [t.name for t in TOPOLOGIES if t.applies_to(config)] == [t.name for t in TOPOLOGIES if not t.ingress_from]


@pytest.mark.unit
def test_the_host_network_ingress_variant_is_checked_with_a_host_network_ingress():
    assert "hostnet-ingress" in [t.name for t in TOPOLOGIES if t.applies_to(CONFIGS["default-hostnet-ingress"])]


@pytest.mark.unit
def test_the_public_api_variant_is_checked_on_a_public_endpoint():
    declared = [topology.name for topology in TOPOLOGIES if topology.applies_to(CONFIGS["thinkube-public-api"])]
    assert declared == ["managed-public"]


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_what_hub_metrics_without_a_token_expose_is_documented(analysis, env):
    """Issue 15, finding 7: in network mode every user server reads /hub/metrics; the README must say so."""
    judged = analysis(env)
    if judged.metrics_need_token:
        assert CONFIGS[env].monitoring.hub_metrics.type == "token"
        return
    assert {"proxy", "user", "other-user"} <= set(judged.hub_port_clients())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = "every pod that may connect to the hub's port can then read the metrics too: the proxy and every user server"
    assert said in readme


@pytest.mark.unit
def test_hub_metrics_need_a_token_by_default(tmp_path):
    assert environment(MINIMAL + "monitoring: {enabled: true}\n", tmp_path).config.monitoring.hub_metrics.type == (
        "token"
    )


@pytest.mark.real
def test_connectivity_table_is_current(analysis):
    expected = shipped_document(analysis(env) for env in ENVIRONMENTS)
    assert DOCUMENT.exists() and DOCUMENT.read_text(encoding="utf-8") == expected, (
        f"{DOCUMENT.relative_to(ROOT)} is stale; run `make connectivity` and commit it"
    )


# ------------------------------------------------------------------------------------------------ the parser


NCA_LINES = """\
0.0.0.0-255.255.255.255 => other-team/stranger[Pod] : All connections
ns/hub[Pod] => 10.0.0.0-10.255.255.255 : {protocols:TCP,dst_ports:443,6443}
ns/hub[Pod] => kube-system/coredns[Pod] : {protocols:TCP, UDP,dst_ports:53}
ns/user[Pod] => 0.0.0.0-9.255.255.255,11.0.0.0-169.254.169.253 : All but {protocols:UDP}
ns/user[Pod] => data/minio-0[Pod] : {protocols:TCP,dst_ports:9000-9010}
ns/proxy[Pod] => ns/hub[Pod] : {protocols:TCP,dst_ports:8081},{protocols:UDP,dst_ports:53}
ns/scheduler[Pod] => 172.18.0.2 : {protocols:all but UDP, SCTP}
"""


@pytest.mark.unit
def test_parser_reads_fixed_nca_output():
    connectivity = Connectivity(parse(NCA_LINES))
    assert len(connectivity.edges) == 7
    assert connectivity.allows("1.2.3.4", Target("other-team/stranger", 22, "UDP"))
    assert connectivity.allows("ns/hub", Target("10.9.8.7", 6443))
    assert not connectivity.allows("ns/hub", Target("10.9.8.7", 8443))
    assert not connectivity.allows("ns/hub", Target("11.0.0.1", 443))
    assert connectivity.allows("ns/hub", Target("kube-system/coredns", 53, "UDP"))
    assert not connectivity.allows("ns/hub", Target("kube-system/coredns-vcluster", 53, "UDP"))
    assert connectivity.allows("ns/user", Target("93.184.215.14", 443))
    assert not connectivity.allows("ns/user", Target("93.184.215.14", 53, "UDP"))
    assert not connectivity.allows("ns/user", Target("169.254.169.254", 80))
    assert connectivity.allows("ns/user", Target("data/minio-0", 9005))
    assert not connectivity.allows("ns/user", Target("data/minio-0", 9011))
    assert connectivity.allows("ns/proxy", Target("ns/hub", 53, "UDP"))
    assert not connectivity.allows("ns/proxy", Target("ns/hub", 8081, "UDP"))
    assert connectivity.allows("ns/scheduler", Target("172.18.0.2", 6443))
    assert not connectivity.allows("ns/scheduler", Target("172.18.0.2", 53, "UDP"))


@pytest.mark.unit
@pytest.mark.parametrize(
    "line",
    [
        "ns/a[Pod] -> ns/b[Pod] : All connections",  # another arrow
        "ns/a[Pod] => ns/b[Pod] : {protocols:TCP,src_ports:80}",  # a dimension the parser does not know
        "ns/a[Pod] => ns/b[Pod] : {protocols:ICMP}",
        "ns/a[Pod] => ns/b[Pod] : some connections",
    ],
)
def test_parser_refuses_what_it_does_not_know(line):
    with pytest.raises(ValueError):
        for edge in parse(line):
            admits(edge.connections, 80, "TCP")


@pytest.mark.unit
def test_pods_and_addresses_are_told_apart():
    assert covers("ns/hub[Pod]", "ns/hub") and not covers("ns/hub[Pod]", "ns/hu")
    assert not covers("10.0.0.0-10.255.255.255", "ns/hub")
    assert covers("10.0.0.0-10.255.255.255,192.168.0.0-192.168.255.255", "192.168.1.1")
