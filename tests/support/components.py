"""Building components alone, the way cdk8s-plus tests its constructs: a bare Chart, a bare Context."""

from __future__ import annotations

from cdk8s import App, Chart

from jupyterhub_cdk8s.component import Component, Context, assemble
from jupyterhub_cdk8s.parts import complete


def build_alone(*components: Component, context: Context | None = None) -> tuple[list[dict], Context]:
    """The objects of `components` in a chart of their own, and the context they shared."""
    context = context or Context.bare()
    chart = Chart(App(), "alone", namespace=context.names.namespace, disable_resource_name_hashes=True)
    assemble(components, chart, context)
    complete(chart)
    return chart.to_json(), context
