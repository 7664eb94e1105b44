"""The fast YAML path (libyaml) writes exactly the bytes of the pure-Python emitter it replaces."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.synthesis import ENVIRONMENTS, dist_objects

from jupyterhub_cdk8s.rendering import BlockStyleDumper, render_document


def reference(obj: dict) -> str:
    return yaml.dump(obj, Dumper=BlockStyleDumper, sort_keys=False, width=120, allow_unicode=True)


@pytest.mark.output
def test_every_committed_document_renders_as_the_python_emitter_writes_it():
    objects = [obj for env in ENVIRONMENTS for obj in dist_objects(env)]
    assert objects
    for obj in objects:
        assert render_document(obj) == reference(obj)


# Where libyaml and PyYAML disagree: these must take the Python path.
AWKWARD = [
    {"title": "🚀 GPU notebooks"},
    {"note": "line\x85break"},
    {"script": "keeps trailing lines\n\n"},
    {"only": "\n"},
    {"": "empty key"},
    {"k" * 120: "long key"},
    {"tab\there": "control character in a key"},
    {"data": {"jupyterhub_config.py": "import os\nc.JupyterHub.x = 'é'\n"}},
]


@pytest.mark.unit
def test_documents_libyaml_writes_differently_still_render_as_the_python_emitter():
    for obj in AWKWARD:
        assert render_document(obj) == reference(obj)


text = st.text(alphabet=st.characters(max_codepoint=0x1F700, blacklist_categories=("Cs",)), max_size=150) | st.text(
    alphabet=" \n\t-:#'\"ab{}[],&*!|>%@`?é", max_size=150
)
documents = st.dictionaries(
    text,
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=12,
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.output
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(documents)
def test_any_document_renders_as_the_python_emitter_writes_it(obj):
    assert render_document(obj) == reference(obj)
