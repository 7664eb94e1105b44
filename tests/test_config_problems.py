"""A model validator's problems reach the user at the exact sub-fields it names (`config.base.FieldProblems`)."""

from __future__ import annotations

import pytest
from support.synthesis import MINIMAL, environment

from jupyterhub_cdk8s.config import ConfigError
from jupyterhub_cdk8s.config.base import FieldProblems

pytestmark = pytest.mark.unit


def problems(extra: str, tmp_path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        environment(MINIMAL + extra, tmp_path)
    return [str(problem) for problem in error.value.problems]


def test_a_nested_models_problems_are_reported_at_its_own_sub_fields(tmp_path):
    # ProfileOption's validator runs inside a list item and a mapping value, and names two of its fields.
    option = "{kind: cpu, display_name: CPU, default: huge, choices: {small: {display_name: S, value: lots}}}"
    extra = f"singleuser:\n  profiles: [{{display_name: A, slug: a, default: true, options: {{size: {option}}}}}]\n"
    assert problems(extra, tmp_path) == [
        "environments/test.yaml: singleuser.profiles[0].options.size.choices.small.value: 'lots' is not a CPU "
        "quantity; write cores like 2 or 0.5, or millicores like 500m",
        "environments/test.yaml: singleuser.profiles[0].options.size.default: 'huge' is not one of the choices; "
        "write one of: small",
    ]


def test_a_list_items_problem_is_reported_at_its_index(tmp_path):
    extra = "scheduling:\n  user_pods: {tolerations: [{key: a, value: b}, {key: c, operator: Exists, value: d}]}\n"
    assert problems(extra, tmp_path) == [
        "environments/test.yaml: scheduling.user_pods.tolerations[1].value: must be unset with operator Exists; "
        "remove it or write operator: Equal"
    ]


def test_the_root_models_problems_carry_their_whole_path(tmp_path):
    extra = "singleuser: {cpu: {guarantee: '2', limit: '4'}}\nquota: {cpu: {requests: '1'}}\n"
    (problem,) = problems(extra, tmp_path)
    assert problem.startswith("environments/test.yaml: quota.cpu.requests: 1 leaves no room for one user server")


def test_a_plain_value_error_stays_at_its_field(tmp_path):
    assert problems("quota: {memory: {limits: 8 gigs}}\n", tmp_path) == [
        "environments/test.yaml: quota.memory.limits: '8 gigs' is not a memory/storage quantity; write a number "
        "with a binary suffix like 512Mi, 8Gi or 1Ti"
    ]


def test_field_problems_read_as_text_wherever_pydantic_prints_them():
    error = FieldProblems(("cpu.request", "4 is above the limit 2"), ("", "the model as a whole"))
    assert isinstance(error, ValueError)
    assert error.problems == [("cpu.request", "4 is above the limit 2"), ("", "the model as a whole")]
    assert str(error) == "cpu.request: 4 is above the limit 2; the model as a whole"
