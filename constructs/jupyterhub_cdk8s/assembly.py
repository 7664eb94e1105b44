"""Objects assembled by method calls and written once, when the chart is complete.

Every call on a cdk8s object is a round trip to jsii's Node process. A
NetworkPolicy or Role built rule by rule with JSON patches would cost two round
trips per rule, the largest share of a synth; instead their rules are gathered
in Python and each object is written with one patch by `complete(chart)`,
which synth calls right before it serializes the chart. The written object
keeps its place in the construct tree, so the output is the same.
"""

from __future__ import annotations

from typing import Callable

from cdk8s import Chart
from constructs import Construct

_WRITERS = "_writers_on_complete"


def on_complete(scope: Construct, write: Callable[[], None]) -> None:
    """Run `write` once the chart holding `scope` is complete."""
    chart = Chart.of(scope)
    if not hasattr(chart, _WRITERS):
        setattr(chart, _WRITERS, [])
    getattr(chart, _WRITERS).append(write)


def complete(chart: Chart) -> None:
    """Write every object gathered in `chart`; call before serializing it."""
    for write in getattr(chart, _WRITERS, []):
        write()
    setattr(chart, _WRITERS, [])
