"""Fixtures and hooks only; the helpers tests import live in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before any test module imports cdk8s (jsii warns on Node 20 otherwise).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from support.synthesis import MINIMAL, synth_objects

# The test layers, cheapest first (README, "Tests"); pyproject.toml registers them as markers.
LAYERS = ("unit", "output", "real")
LAYER_PROBLEM = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test carries exactly one layer marker, so `pytest -m <layer>` runs each layer alone and all add up.

    A test with none or several fails in every run, with `-n` too (an error raised here would be lost in
    pytest-xdist's workers): it gets every layer's marker, so any `-m <layer>` selects it, and fails at setup.
    """
    for item in items:
        layers = [mark.name for mark in item.iter_markers() if mark.name in LAYERS]
        if len(layers) != 1:
            item.stash[LAYER_PROBLEM] = (
                f"{item.nodeid} has {' and '.join(layers) or 'no layer marker'}; "
                f"mark it with exactly one of {', '.join(LAYERS)} (README, Tests)"
            )
            for layer in LAYERS:
                item.add_marker(layer)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if LAYER_PROBLEM in item.stash:
        pytest.fail(item.stash[LAYER_PROBLEM], pytrace=False)


@pytest.fixture
def minimal_objects(tmp_path: Path) -> list[dict]:
    return synth_objects(MINIMAL, tmp_path)
