"""Objects made from plain JSON (`api_object`) lose none of their props on the way to YAML.

The L1 serialization keeps only the keys its schema knows, so a misspelled
key would vanish from the output without an error; these tests find it.
"""

from __future__ import annotations

import pytest
from cdk8s import ApiObject, App, Chart
from cdk8s_plus_27 import k8s
from support.synthesis import ENVIRONMENTS, ROOT

from jupyterhub_cdk8s.api_objects import api_object, every_prop_is_written, made_from_json
from jupyterhub_cdk8s.chart import JupyterHubChart
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.gitops import GitOpsChart

pytestmark = pytest.mark.unit


def charts(env: str) -> list[Chart]:
    """The workload chart of a shipped environment, and its ArgoCD chart when it has one."""
    config = load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config
    app = App()
    workload = JupyterHubChart(app, env, config=config)
    if config.gitops is None:
        return [workload]
    return [
        workload,
        GitOpsChart(app, "argocd", env_name=env, config=config, gitops=config.gitops, objects=workload.to_json()),
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_prop_reaches_the_output(env: str) -> None:
    objects = [
        child
        for chart in charts(env)
        for child in chart.node.find_all()
        if isinstance(child, ApiObject) and made_from_json(child)
    ]
    assert len(objects) > 5
    dropped = {f"{obj.kind}/{obj.name}": every_prop_is_written(obj) for obj in objects}
    assert {name: paths for name, paths in dropped.items() if paths} == {}


def test_a_misspelled_key_is_found() -> None:
    chart = Chart(App(), "typo")
    account = api_object(
        chart,
        "account",
        k8s.KubeServiceAccount,
        {"metadata": {"name": "hub", "labels": {"app": "hub"}}, "automountServiceAcountToken": False},
    )
    assert every_prop_is_written(account) == ["/automountServiceAcountToken"]


def test_a_value_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(Exception, match="Quantity"):
        api_object(
            Chart(App(), "wrong-type"),
            "quota",
            k8s.KubeResourceQuota,
            {"metadata": {"name": "quota"}, "spec": {"hard": {"cpu": "4"}}},
        )
