"""The cluster's Kubernetes minor version: supported ones accepted, everything else refused with what to write."""

from __future__ import annotations

import pytest
from support.synthesis import MINIMAL, environment

from jupyterhub_cdk8s.config.loader import ConfigError

pytestmark = pytest.mark.unit


def test_default_is_a_supported_version(tmp_path):
    assert environment(MINIMAL, tmp_path).config.kubernetes_version == "1.33"


@pytest.mark.parametrize("written", ['"1.28"', '"1.35"', "'1.30'"])
def test_supported_versions_are_accepted(tmp_path, written):
    config = environment(MINIMAL + f"kubernetes_version: {written}\n", tmp_path).config
    assert config.kubernetes_version == written.strip("\"'")


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("1.30", "1.3 is a number to YAML (1.30 reads as 1.3); write the version quoted"),
        ('"1.27"', "Kubernetes 1.27 is not supported; supported are 1.28 to 1.35"),
        ('"1.36"', "Kubernetes 1.36 is not supported; supported are 1.28 to 1.35"),
        ('"v1.30.2"', "'v1.30.2' is not a Kubernetes minor version; write it as a quoted string"),
        ("true", "true is not a Kubernetes minor version"),
    ],
)
def test_other_values_are_refused_with_what_to_write(tmp_path, written, message):
    with pytest.raises(ConfigError) as refused:
        environment(MINIMAL + f"kubernetes_version: {written}\n", tmp_path)
    assert f"environments/test.yaml: kubernetes_version: {message}" in str(refused.value)
