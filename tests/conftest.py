"""Fixtures and hooks only; the helpers tests import live in tests/support/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before any test module imports cdk8s (jsii warns on Node 20 otherwise).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from support.synthesis import MINIMAL, synth_objects


@pytest.fixture
def minimal_objects(tmp_path: Path) -> list[dict]:
    return synth_objects(MINIMAL, tmp_path)
