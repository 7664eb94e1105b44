"""The layer check of conftest.py fails a test with no layer marker or two, in a whole run and in a layer's run."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.unit

TESTS = """
import pytest

def test_unmarked():
    pass

@pytest.mark.unit
@pytest.mark.real
def test_two_layers():
    pass

@pytest.mark.output
def test_one_layer():
    pass
"""


@pytest.mark.parametrize("args", [[], ["-m", "unit"], ["-m", "real"]])
def test_a_test_without_exactly_one_layer_fails_every_run(pytester: pytest.Pytester, args: list[str]):
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    unit\n    output\n    real\n")
    pytester.makepyfile(test_layers=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(errors=2, passed=0 if args else 1, deselected=1 if args else 0)
    result.stdout.fnmatch_lines(
        [
            "*test_unmarked has no layer marker; mark it with exactly one of unit, output, real*",
            "*test_two_layers has real and unit; mark it*",
        ]
    )
