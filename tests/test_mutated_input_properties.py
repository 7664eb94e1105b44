"""Properties: the reference files, mutated with hostile values and broken lines, synthesize or are refused cleanly.

Each example takes a real environment (or chart values) file and applies a few mutations: a value replaced by a
hostile one (bombs, tags, duplicates, numbers beyond int32, system namespaces, IP hosts, ...), lines deleted,
doubled or re-indented, the text cut. The result must load and synthesize objects the API server accepts (the
synth's own check, output_check.py, raises otherwise), or be refused with one-line problems naming the file;
never a traceback.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.synthesis import ROOT

from jupyterhub_cdk8s.config import ConfigError
from jupyterhub_cdk8s.config.loader import MAX_PROBLEMS, load_file
from jupyterhub_cdk8s.synth import manifests
from jupyterhub_cdk8s.z2jh_import.command import import_values

pytestmark = pytest.mark.output

ENVIRONMENTS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "environments").glob("*.yaml"))]
VALUES = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests" / "data").glob("*values.yaml"))]
HOSTILE = [
    "true", "yes", "~", "1.5", ".inf", "-1", "0", "70000", "2147483648", "100000000000000000000", "1.0e+30",
    "''", "'a b'", "Bad_Name", "1abc", "kube-system", "default", "10.0.0.1", "'{{ 7*7 }}'", "'{% endblock %}'",
    "!!set {a, b}", "!!binary aGk=", "!custom x", "*nowhere", "&x [1, *x]", "{a: 1, a: 2}", "[" * 40 + "]" * 40,
    "[[[a]]]", "{x: {y: {z: 1}}}", "x" * 300, "'\\t'", "\"\\0\"", "2024-01-01", "[a, b]", "{}", "[]", "-", "|",
]  # fmt: skip


@st.composite
def mutated(draw, sources: list[str]) -> str:
    lines = draw(st.sampled_from(sources)).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["value", "value", "value", "delete", "double", "indent", "insert", "cut"]))
        if action == "value" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + draw(st.sampled_from(HOSTILE))
        elif action == "delete":
            del lines[index]
        elif action == "double":
            lines.insert(index, line)
        elif action == "indent":
            lines[index] = " " * draw(st.integers(1, 5)) + line
        elif action == "insert":
            key = draw(st.sampled_from(["namespace", "name", "host", "replicas", "uid", "yes", "~", "<<", "x"]))
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(index, f"{indent}{key}: {draw(st.sampled_from(HOSTILE))}")
        elif action == "cut":
            lines = lines[:index]
        if not lines:
            lines = ["namespace: x"]
    return "\n".join(lines) + "\n"


def _one_line_problems(problems: list, file: str) -> None:
    assert problems and len(problems) <= MAX_PROBLEMS + 1
    for problem in problems:
        text = str(problem)
        assert text.startswith(f"{file}: ") and "\n" not in text and len(text) < 1000, text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated(ENVIRONMENTS))
def test_a_mutated_environment_synthesizes_valid_objects_or_is_refused_cleanly(text):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "mutated.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            env = load_file(path, "environments/mutated.yaml")
        except ConfigError as error:
            _one_line_problems(error.problems, "environments/mutated.yaml")
            return
    # The synth checks every object against the API server's rules and raises ConfigError for one it would
    # refuse: a mutation the config accepted must not reach one. (Schemas: test_any_environment_synthesizes...)
    assert manifests([env])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated(VALUES))
def test_a_mutated_values_file_imports_or_is_refused_at_its_keys(text):
    with tempfile.TemporaryDirectory() as directory:
        values = Path(directory) / "values.yaml"
        values.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = import_values(values, "jupyterhub", out, err)
    *lines, last = err.getvalue().splitlines()
    assert code in (0, 2)
    assert (out.getvalue() != "") == (code == 0)
    assert all(line.startswith(f"{values}: ") and len(line) < 1000 for line in lines), lines
    assert last.endswith("(listed above).") if code == 0 else last.startswith("nothing was imported")
