"""The constructs in someone else's cdk8s app: the README's example runs, and writes what dist/ would hold.

Issue 16, "a construct library": the public API is the package's `__all__`,
typed, and light to import.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
import yaml
from support.commands import ENV
from support.synthesis import MINIMAL, ROOT, environment

import jupyterhub_cdk8s
from jupyterhub_cdk8s import ConfigError, HubConfig, config_from_dict, load_config
from jupyterhub_cdk8s.synth import manifests


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Use the constructs in your own cdk8s app\n") :]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block.group(1)


@pytest.mark.output
def test_the_readme_example_synthesizes_the_hub_beside_the_apps_own_chart(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=tmp_path,
        env={**ENV, "PYTHONPATH": f"{ROOT / 'constructs'}:{ROOT}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "dist").iterdir()) == ["jupyterhub.k8s.yaml", "platform.k8s.yaml"]
    platform = list(yaml.safe_load_all((tmp_path / "dist" / "platform.k8s.yaml").read_text()))
    assert [obj["kind"] for obj in platform] == ["ConfigMap"]

    # The hub's objects are those a synth of the same settings writes to dist/<env>/, waves and scopes included.
    written = [doc for doc in yaml.safe_load_all((tmp_path / "dist" / "jupyterhub.k8s.yaml").read_text()) if doc]
    settings = re.search(r"config_from_dict\(\n(.*?),\n    source=", readme_example(), re.DOTALL)
    assert settings is not None
    env_file = yaml.safe_dump(eval(settings.group(1)))  # the example's dict literal
    expected = [obj for m in manifests([environment(env_file, tmp_path, "jupyterhub")]) for obj in m.objects]
    key = lambda obj: (obj["kind"], obj["metadata"]["name"])  # noqa: E731
    assert sorted(written, key=key) == sorted(expected, key=key)
    assert all("argocd.argoproj.io/sync-wave" in obj["metadata"]["annotations"] for obj in written)
    assert "namespace" not in next(obj for obj in written if obj["kind"] == "Namespace")["metadata"]


@pytest.mark.unit
def test_settings_from_a_mapping_or_a_file_and_every_problem_named_by_its_source(tmp_path):
    data = yaml.safe_load(textwrap.dedent(MINIMAL))
    assert isinstance(config_from_dict(data), HubConfig)
    path = tmp_path / "lab.yaml"
    path.write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
    assert load_config(path) == config_from_dict(data)
    with pytest.raises(ConfigError) as error:
        config_from_dict({**data, "hub": {"replicas": 2, "colour": "blue"}}, source="my-app: hub")
    lines = str(error.value).splitlines()
    assert lines[0].startswith("my-app: hub: hub.colour: unknown key;")
    assert lines[1].startswith("my-app: hub: hub.replicas: 2 replicas refused")


@pytest.mark.output
def test_the_public_api_is_all_there_and_importing_the_package_loads_nothing_heavy():
    assert sorted(jupyterhub_cdk8s.__all__) == [
        "ConfigError",
        "HubConfig",
        "JupyterHubChart",
        "Problem",
        "__version__",
        "config_from_dict",
        "load_config",
    ]
    assert all(getattr(jupyterhub_cdk8s, name) is not None for name in jupyterhub_cdk8s.__all__)
    assert (ROOT / "constructs" / "jupyterhub_cdk8s" / "py.typed").is_file()
    probe = "import sys, jupyterhub_cdk8s; print(sorted({'pydantic', 'cdk8s', 'jsii'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**ENV, "PYTHONPATH": str(ROOT / "constructs")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[]\n"
    with pytest.raises(AttributeError):
        _ = jupyterhub_cdk8s.NoSuchThing  # type: ignore[attr-defined]
