"""Config of where and when pods run: user scheduler, priorities, placeholders, image pullers, core pod placement."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .base import FieldProblems, Image, StrictModel
from .kubernetes import INT32_MIN, MAX_PRIORITY, LabelKey, Labels, LabelValue
from .resources import Resources, resources
from .versions import image_minor, kube_scheduler_image

PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1"

LEADER_ELECTION_REASON = (
    "the user scheduler runs with leader election so that one replica schedules while the other waits to take "
    "over; with 1 replica every restart or node drain leaves new user pods Pending until it is back, so write 2 "
    "(or more), or set user_scheduler.enabled: false to let the cluster's default scheduler place user pods"
)


MAX_SCHEDULER_REPLICAS = 5
MAX_PLACEHOLDERS = 10_000  # warm room for ten thousand servers: beyond any hub, and stops a typo's millions of pods


class UserScheduler(StrictModel):
    """A kube-scheduler of our own that packs user pods onto as few nodes as possible."""

    enabled: bool = Field(
        True,
        description=(
            "Run the user scheduler and let KubeSpawner hand user pods to it. Packing users onto few nodes lets a "
            "cluster autoscaler drain and remove empty nodes; the default scheduler spreads them instead."
        ),
    )
    image: Image | None = Field(
        None,
        description=(
            "kube-scheduler image. Unset: registry.k8s.io/kube-scheduler of kubernetes_version (the tags are in "
            "config/versions.py). A mirror must carry the same version: the scheduler's RBAC is written for it."
        ),
    )
    replicas: int = Field(
        2,
        ge=0,
        le=MAX_SCHEDULER_REPLICAS,
        description=(
            "Scheduler replicas; one leads (leader election), the others take over when it goes away, so more "
            f"than a few only take room: at most {MAX_SCHEDULER_REPLICAS}."
        ),
    )
    resources: Resources = Field(
        default_factory=lambda: resources(("50m", "1"), ("128Mi", "512Mi")),
        description="Requests and limits of each scheduler container.",
    )
    cpu_weight: int = Field(
        1, ge=1, le=100, description="Weight of CPU when the MostAllocated strategy scores how full a node is (1-100)."
    )
    memory_weight: int = Field(
        1,
        ge=1,
        le=100,
        description="Weight of memory when the MostAllocated strategy scores how full a node is (1-100).",
    )

    def image_for(self, kubernetes_version: str) -> str:
        """The image the scheduler runs: the one set, or kube-scheduler of the cluster's version."""
        return self.image or kube_scheduler_image(kubernetes_version)

    @model_validator(mode="after")
    def _highly_available(self) -> UserScheduler:
        if self.enabled and self.replicas < 2:
            raise FieldProblems(("replicas", f"{self.replicas} is too few: {LEADER_ELECTION_REASON}"))
        return self


def user_scheduler_problems(scheduler: UserScheduler, kubernetes_version: str) -> list[tuple[str, str]]:
    """An image of another Kubernetes minor than the cluster's: its RBAC and the API server would not match."""
    minor = image_minor(scheduler.image) if scheduler.enabled and scheduler.image else None
    if minor is None or minor == kubernetes_version:
        return []
    return [
        (
            "scheduling.user_scheduler.image",
            f"{scheduler.image} is kube-scheduler {minor}, but kubernetes_version is {kubernetes_version}: its RBAC "
            f"is written for {kubernetes_version}, and a scheduler newer than the API server is not supported; write "
            f"a {kubernetes_version} tag ({kube_scheduler_image(kubernetes_version)}), remove image, or correct "
            "kubernetes_version",
        )
    ]


class Priorities(StrictModel):
    """PriorityClass values: who is evicted first when the cluster is full."""

    core: int = Field(
        1000, ge=INT32_MIN, le=MAX_PRIORITY, description="Hub, proxy and user scheduler: never pre-empted by user load."
    )
    user: int = Field(0, ge=INT32_MIN, le=MAX_PRIORITY, description="User servers.")
    image_puller: int = Field(
        -5,
        ge=INT32_MIN,
        le=MAX_PRIORITY,
        description="Continuous image puller pods: below users, so they never keep a user out.",
    )
    placeholder: int = Field(
        -10,
        ge=INT32_MIN,
        le=MAX_PRIORITY,
        description="User placeholders: the lowest, so any real user pre-empts them.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Priorities:
        problems = []
        if self.core <= self.user:
            problems.append(
                ("core", f"{self.core} must be above user ({self.user}): core pods must never be evicted for users")
            )
        if self.image_puller >= self.user:
            problems.append(
                (
                    "image_puller",
                    f"{self.image_puller} must be below user ({self.user}): a puller must never keep a user out",
                )
            )
        if self.placeholder >= self.user:
            problems.append(
                (
                    "placeholder",
                    f"{self.placeholder} must be below user ({self.user}): users must pre-empt placeholders",
                )
            )
        if problems:
            raise FieldProblems(*problems)
        return self


class UserPlaceholders(StrictModel):
    """Pause pods the size of a user server, keeping warm room that real users pre-empt."""

    replicas: int = Field(
        0,
        ge=INT32_MIN,  # below 0: refused by _not_negative, with what to write
        le=MAX_PLACEHOLDERS,
        description=(
            "Placeholder pods, each requesting what one user server is guaranteed; 0 keeps no spare room. An "
            "autoscaler adds nodes for them, so this many users start without waiting for a new node. No quota "
            "counts them (they must not take the users' share): at most what the quota admits of user servers, "
            f"and at most {MAX_PLACEHOLDERS}."
        ),
    )

    @field_validator("replicas")
    @classmethod
    def _not_negative(cls, replicas: int) -> int:
        if replicas < 0:
            raise ValueError(
                f"{replicas} placeholders cannot exist; write 0 to keep no spare room, or the number of users that "
                "should start without waiting for a new node"
            )
        return replicas


class RolloutWait(StrictModel):
    """Holds the hub's rollout until the pullers have the images on every user node, only when the images change."""

    enabled: bool = Field(
        True,
        description=(
            "Before Argo CD rolls out the hub, wait until every user node has pulled the images (a Sync hook Job, "
            "run once per set of images)."
        ),
    )
    timeout: int = Field(
        600,
        ge=30,
        le=3600,
        description=(
            "Seconds the sync waits for the pulls; after that it goes on anyway (a slow node must not block a deploy)."
        ),
    )


class ImagePuller(StrictModel):
    """Pre-pulls every image a user can start, so a start never waits for a download."""

    continuous: bool = Field(
        True,
        description=(
            "Keep DaemonSets that pull the user images on every node user servers may run on (each profile's images "
            "where its pods can run), nodes an autoscaler adds later included."
        ),
    )
    pre_sync: RolloutWait = Field(
        default_factory=RolloutWait, description="Waiting for the pulls before the hub rolls out."
    )
    extra_images: list[Image] = Field(
        default_factory=list,
        description=(
            "More images to pull on the user nodes besides the user images (e.g. Spark executors users launch), "
            "pinned with a tag. Each must contain /bin/sh: the puller runs `/bin/sh -c 'exit 0'` in it after the pull."
        ),
    )

    @model_validator(mode="after")
    def _waits_for_a_puller(self) -> ImagePuller:
        if self.pre_sync.enabled and not self.continuous:
            raise FieldProblems(
                (
                    "pre_sync.enabled",
                    "waits for the pullers' pods, but continuous is false, so there are none; write "
                    "pre_sync: {enabled: false}, or continuous: true",
                )
            )
        return self


class Toleration(StrictModel):
    """A taint user pods tolerate (e.g. a dedicated user node pool)."""

    key: LabelKey | None = Field(None, description="Taint key; unset with operator Exists tolerates every taint.")
    operator: Literal["Equal", "Exists"] = Field("Equal", description="Equal matches `value`; Exists any value.")
    value: LabelValue | None = Field(None, description="Taint value matched with operator Equal.")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(
        None, description="Taint effect tolerated; unset tolerates every effect."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Toleration:
        if self.operator == "Exists" and self.value is not None:
            raise FieldProblems(("value", "must be unset with operator Exists; remove it or write operator: Equal"))
        if self.operator == "Equal" and self.key is None:
            raise FieldProblems(("key", "is required with operator Equal; write the taint key, or operator: Exists"))
        return self

    def to_kubernetes(self) -> dict[str, str]:
        return self.model_dump(exclude_none=True)


class NodeRequirement(StrictModel):
    """One node label expression of a node affinity."""

    key: str = Field(min_length=1, description="Node label key, e.g. hub.jupyter.org/node-purpose.")
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"] = Field("In", description="How the label is matched.")
    values: list[str] = Field(default_factory=list, description="Label values for In and NotIn.")

    @model_validator(mode="after")
    def _values_fit_operator(self) -> NodeRequirement:
        if self.operator in ("In", "NotIn") and not self.values:
            raise FieldProblems(("values", f"operator {self.operator} needs values, e.g. [core]"))
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise FieldProblems(("values", f"operator {self.operator} takes no values; remove them"))
        return self

    def to_kubernetes(self) -> dict[str, Any]:
        return {"key": self.key, "operator": self.operator, **({"values": self.values} if self.values else {})}


class NodeAffinity(StrictModel):
    """Nodes the pods must run on (all `required` expressions), and nodes they prefer."""

    required: list[NodeRequirement] = Field(default_factory=list, description="Every expression must hold.")
    preferred: list[NodeRequirement] = Field(
        default_factory=list, description="Nodes where these hold are preferred (each with weight 100)."
    )

    def to_kubernetes(self) -> dict[str, Any] | None:
        affinity: dict[str, Any] = {}
        if self.required:
            expressions = [requirement.to_kubernetes() for requirement in self.required]
            affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
                "nodeSelectorTerms": [{"matchExpressions": expressions}]
            }
        if self.preferred:
            affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
                {"weight": 100, "preference": {"matchExpressions": [requirement.to_kubernetes()]}}
                for requirement in self.preferred
            ]
        return {"nodeAffinity": affinity} if affinity else None


class NodePlacement(StrictModel):
    """Node selector, tolerations and node affinity of a group of pods."""

    node_selector: dict[str, str] = Field(
        default_factory=dict, description="Node labels the pods require, e.g. {hub.jupyter.org/node-purpose: core}."
    )
    tolerations: list[Toleration] = Field(default_factory=list, description="Taints the pods tolerate.")
    node_affinity: NodeAffinity = Field(
        default_factory=NodeAffinity, description="Required and preferred node label expressions."
    )

    def pod_spec(self) -> dict[str, Any]:
        """The pod spec fields of this placement; empty when nothing is set."""
        spec: dict[str, Any] = {}
        if self.node_selector:
            spec["nodeSelector"] = dict(sorted(self.node_selector.items()))
        if self.tolerations:
            spec["tolerations"] = [toleration.to_kubernetes() for toleration in self.tolerations]
        if affinity := self.node_affinity.to_kubernetes():
            spec["affinity"] = affinity
        return spec


class UserPods(StrictModel):
    """Nodes user pods may run on; placeholders and image pullers follow the same rules."""

    node_selector: Labels = Field(
        default_factory=dict,
        description="Node labels user pods require, e.g. {hub.jupyter.org/node-purpose: user}.",
    )
    tolerations: list[Toleration] = Field(
        default_factory=list, description="Taints of user nodes that user pods tolerate."
    )


class SchedulingSettings(StrictModel):
    """Where and when user pods run, and keeping their images warm."""

    user_scheduler: UserScheduler = Field(default_factory=UserScheduler, description="The packing user scheduler.")
    priorities: Priorities = Field(default_factory=Priorities, description="PriorityClass values.")
    user_placeholders: UserPlaceholders = Field(
        default_factory=UserPlaceholders, description="Warm spare room for users."
    )
    image_puller: ImagePuller = Field(default_factory=ImagePuller, description="Image pre-pulling on user nodes.")
    user_pods: UserPods = Field(default_factory=UserPods, description="Node selection of user pods.")
    core_pods: NodePlacement = Field(
        default_factory=NodePlacement,
        description=(
            "Where the hub, proxy, user scheduler and hook Jobs run (the chart's scheduling.corePods), e.g. a "
            "system node pool; image pullers and placeholders follow user_pods."
        ),
    )
