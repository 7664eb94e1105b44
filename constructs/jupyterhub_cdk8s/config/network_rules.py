"""Config of extra NetworkPolicy rules per component: a service, a monitoring agent or a database let in or out.

What the chart spreads over `hub.networkPolicy.ingress/egress`,
`proxy.chp.networkPolicy...` and `singleuser.networkPolicy...`, here in one
place and in the same terms as the rest: peers are pods of a namespace (with
labels) or an IP block, never one containing the cloud metadata address.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import DnsLabel, FieldProblems, StrictModel
from .network import SafeCidr


class RulePeer(StrictModel):
    """The other end: pods of a namespace (optionally by labels), or an IP block."""

    namespace: DnsLabel | None = Field(None, description="Namespace of the pods, e.g. monitoring.")
    pod_labels: dict[str, str] = Field(
        default_factory=dict, description="Labels of the pods in that namespace; empty: every pod of it."
    )
    cidr: SafeCidr | None = Field(
        None, description="An IP block instead, e.g. 10.20.0.0/16; never one containing the metadata address."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> RulePeer:
        if (self.namespace is None) == (self.cidr is None) or (self.cidr is not None and self.pod_labels):
            raise FieldProblems(
                ("namespace", "write pods as {namespace: <ns>, pod_labels: {...}}, or an IP block as {cidr: <cidr>}")
            )
        return self


class ExtraRule(StrictModel):
    """One connection more: with whom, and on which ports."""

    peer: RulePeer = Field(description="Who is let in (ingress) or reached (egress).")
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        min_length=1, description="Ports of the connection (the destination's container ports), e.g. [8081]."
    )
    protocol: Literal["TCP", "UDP"] = Field("TCP", description="Protocol of the ports.")


class ExtraRules(StrictModel):
    """Connections one component's pods accept or open besides their own."""

    ingress: list[ExtraRule] = Field(default_factory=list, description="Who may open connections to these pods.")
    egress: list[ExtraRule] = Field(default_factory=list, description="What these pods may open connections to.")


class ExtraRulesByComponent(StrictModel):
    """Extra rules of each component that runs pods others talk to."""

    hub: ExtraRules = Field(default_factory=ExtraRules, description="The hub pod (its API listens on 8081).")
    proxy: ExtraRules = Field(
        default_factory=ExtraRules, description="The proxy pod (public 8000, API 8001, metrics 8002)."
    )
    singleuser: ExtraRules = Field(default_factory=ExtraRules, description="Every user server (8888).")
