"""Objects assembled by method calls and written once, when the chart is complete.

Every call on a cdk8s object is a round trip to jsii's Node process. A
NetworkPolicy or Role built rule by rule with JSON patches would cost two round
trips per rule, the largest share of a synth; instead their rules are gathered
in Python and each object is written once by `complete(chart)`, which the
chart calls when all its parts exist. The written object keeps its place in
the construct tree, so the output is the same.
"""

from __future__ import annotations

from collections.abc import Callable

from cdk8s import Chart
from constructs import Construct

_WRITERS = "_writers_on_complete"


class Part(Construct):
    """A construct of this package: it knows its chart without asking jsii.

    `Chart.of` is a round trip to the Node process; a Part takes the chart from
    its scope, which is the chart itself or another Part.
    """

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        self.chart: Chart = scope if isinstance(scope, Chart) else getattr(scope, "chart", None) or Chart.of(scope)


def on_complete(part: Part, write: Callable[[], None]) -> None:
    """Run `write` once the chart holding `part` is complete."""
    chart = part.chart
    if not hasattr(chart, _WRITERS):
        setattr(chart, _WRITERS, [])
    getattr(chart, _WRITERS).append(write)


def complete(chart: Chart) -> None:
    """Write every object gathered in `chart`; call before serializing it."""
    for write in getattr(chart, _WRITERS, []):
        write()
    setattr(chart, _WRITERS, [])
