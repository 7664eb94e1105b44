"""Snapshot of every environment's dist/: a change of output is a reviewed change of the snapshot."""

from __future__ import annotations

import pytest
from support.synthesis import ENVIRONMENTS, ROOT

pytestmark = pytest.mark.output


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dist_matches_snapshot(env: str, snapshot):
    files = {
        str(path.relative_to(ROOT / "dist")): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "dist" / env).rglob("*.yaml"))
    }
    assert files == snapshot
