"""Config of Pod Security admission: the levels the namespace enforces, warns and audits at."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import StrictModel

Level = Literal["privileged", "baseline", "restricted"]


PRIVILEGED_REASON = (
    "the block-cloud-metadata init container runs privileged with NET_ADMIN, which Pod Security {level} refuses, "
    "so no user pod could start; write pod_security.enforce: privileged to allow it, or leave it off where the CNI "
    'enforces NetworkPolicy (README, "Network policies on your cluster")'
)


class PodSecuritySettings(StrictModel):
    """Pod Security admission levels of the namespace (labels on the Namespace object)."""

    enforce: Level = Field("baseline", description="Pods below this level are rejected (user pods meet baseline).")
    warn: Level = Field("restricted", description="Pods below this level are admitted with a warning to the client.")
    audit: Level = Field("restricted", description="Pods below this level are admitted and recorded in the audit log.")
    version: str = Field(
        "latest",
        pattern=r"^(latest|v1\.[0-9]+)$",
        description="Version of the standard to apply, e.g. latest or v1.30.",
    )


def pod_security_problems(
    levels: PodSecuritySettings, blocks_metadata: bool, baseline_reasons: list[str]
) -> list[tuple[str, str]]:
    """User pods the namespace's Pod Security enforcement would refuse (`baseline_reasons`: why they are not
    restricted)."""
    if blocks_metadata and levels.enforce != "privileged":
        return [("singleuser.cloud_metadata.block_with_iptables", PRIVILEGED_REASON.format(level=levels.enforce))]
    if baseline_reasons and levels.enforce == "restricted":
        return [
            (
                "pod_security.enforce",
                f"restricted would refuse every user pod, which meets baseline only: {'; '.join(baseline_reasons)}; "
                "write enforce: baseline, or remove what needs it",
            )
        ]
    return []
