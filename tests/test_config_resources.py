"""The one model of CPU and memory amounts (`config.resources`): comparisons, sums and messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jupyterhub_cdk8s.config.resources import Amount, Bounds, largest, written
from jupyterhub_cdk8s.config.singleuser import SingleuserSettings
from jupyterhub_cdk8s.config.sizing import largest_user_server

pytestmark = pytest.mark.unit

GI, MI = 2**30, 2**20


@pytest.mark.parametrize(
    "resource, size, text",
    [
        ("cpu", Decimal("12"), "12"),
        ("cpu", Decimal("0.1") + Decimal("9.3"), "9400m"),
        ("memory", Decimal(12 * GI), "12Gi"),
        ("memory", Decimal(1920 * MI), "1920Mi"),
        ("storage", Decimal(1025 * GI + GI // 2), "1050112Mi"),
        ("memory", Decimal(1536), "1536"),
    ],
)
def test_a_computed_size_is_written_exactly_as_a_user_would(resource, size, text):
    assert written(resource, size) == text


def test_a_request_above_its_limit_is_named_at_the_request_with_the_limit_to_raise():
    bounds = Bounds(Amount("memory", "4Gi", "hub.resources.memory.request"), Amount("memory", "3Gi", "x.limit"))
    assert bounds.problems() == [
        ("hub.resources.memory.request", "4Gi is above the limit 3Gi; lower it or raise x.limit")
    ]
    assert Bounds(Amount("cpu", "1000m", "a"), Amount("cpu", "1", "b")).problems() == []


def test_of_equal_amounts_the_first_is_largest_as_written():
    # The LimitRange ceiling is written as the user wrote it; ties must not flip between runs.
    assert largest([Amount("cpu", "1", "a"), Amount("cpu", "1000m", "b"), Amount("cpu", "500m", "c")]).source == "a"


def test_the_largest_user_server_names_the_field_behind_each_number():
    singleuser = SingleuserSettings.model_validate(
        {
            "memory": {"guarantee": "2Gi", "limit": "4Gi"},
            "profiles": [
                {"display_name": "S", "slug": "s", "default": True},
                {
                    "display_name": "L",
                    "slug": "l",
                    "cpu": {"guarantee": "1", "limit": "2"},
                    "options": {
                        "mem": {
                            "kind": "memory",
                            "display_name": "Memory",
                            "default": "big",
                            "choices": {"big": {"display_name": "16", "value": "16Gi"}},
                        }
                    },
                },
            ],
        }
    )
    size = largest_user_server(singleuser)
    assert (size.cpu.request.source, size.cpu.request.quantity) == (
        "singleuser.profiles[1].cpu.guarantee (profile l)",
        "1",
    )
    assert (size.memory.request.source, size.memory.request.quantity) == (
        "singleuser.memory.guarantee (profile s)",
        "2Gi",
    )
    assert size.memory.limit == Amount(
        "memory", "16Gi", "singleuser.profiles[1].options.mem.choices.big.value (profile l)"
    )
    assert size.storage == Amount("storage", "10Gi", "singleuser.storage.capacity")
