"""The root of an environment file: one complete JupyterHub."""

from __future__ import annotations

from dataclasses import replace

from pydantic import Field, model_validator

from .auth import Auth, auth_environment_problems
from .base import RELEASE_MAX, DnsLabel, FieldProblems, Hostname, OwnNamespace, Release, StrictModel
from .gateway import GatewaySettings, gateway_problems
from .gitops import GitOpsSettings
from .hub import HubSettings, PostgresDatabase, SqliteDatabase
from .ingress import IngressSettings
from .limits import LimitRangeSettings, limit_range_problems
from .monitoring import MonitoringSettings, monitoring_problems
from .network import NetworkPolicySettings, network_policy_problems
from .network_rules import ExtraRulesByComponent
from .platform_services import PlatformServices
from .pod_security import PodSecuritySettings, pod_security_problems
from .proxy import ProxySettings
from .quota import QuotaSettings, expected_users_warnings, placeholder_problems, quota_problems
from .registries import PullSecret, covers, image_location
from .resources import Amount, Bounds, Footprint
from .scheduling import PAUSE_IMAGE, SchedulingSettings, user_scheduler_problems
from .secrets import HubSecrets
from .singleuser import SingleuserSettings
from .sizing import default_user_server, largest_user_server
from .versions import DEFAULT_KUBERNETES, KubernetesMinor


class HubConfig(StrictModel):
    """One environment: everything `python main.py` needs to write `dist/<environment>/`."""

    name: Release = Field(
        "jupyterhub",
        description=(
            "Prefix of every object name (jupyterhub-hub, jupyterhub-proxy, ...) and the instance label; at most "
            f"{RELEASE_MAX} characters, starting with a letter."
        ),
    )
    namespace: OwnNamespace = Field(
        description="Namespace the hub and its users run in; one environment per namespace of a cluster."
    )
    cluster: DnsLabel = Field(
        "in-cluster",
        description=(
            "Cluster the environment is deployed to (its ArgoCD destination name). Two environments may use the "
            "same namespace only on different clusters."
        ),
    )
    kubernetes_version: KubernetesMinor = Field(
        DEFAULT_KUBERNETES,
        description=(
            "Minor version of the cluster's Kubernetes, e.g. \"1.33\" (`kubectl version` shows the server's). "
            "The user scheduler runs a kube-scheduler of this version, with the RBAC that version needs."
        ),
    )
    create_namespace: bool = Field(True, description="Write the Namespace object (with its Pod Security labels).")
    production: bool = Field(False, description="Marks a production environment: test-only settings are refused.")
    host: Hostname | None = Field(
        None, description="Public host users open, e.g. jupyter.example.com; used by the Ingress and OAuth callbacks."
    )
    hub: HubSettings = Field(default_factory=HubSettings, description="The hub process.")
    proxy: ProxySettings = Field(default_factory=ProxySettings, description="configurable-http-proxy.")
    singleuser: SingleuserSettings = Field(default_factory=SingleuserSettings, description="Defaults of user servers.")
    auth: Auth = Field(description="How users log in and who may.")
    ingress: IngressSettings = Field(default_factory=IngressSettings, description="Public entry through an Ingress.")
    gateway: GatewaySettings = Field(
        default_factory=GatewaySettings,
        description="Public entry through a Gateway API HTTPRoute (the alternative to the Ingress).",
    )
    scheduling: SchedulingSettings = Field(
        default_factory=SchedulingSettings,
        description="User scheduler, priorities, user placeholders and image pullers.",
    )
    secrets: HubSecrets = Field(default_factory=HubSecrets, description="Origin of the hub's own secrets.")
    image_pull_secrets: list[PullSecret] = Field(
        default_factory=list,
        description=(
            "Credentials of private registries, each a Secret and the registries it serves: every pod whose images "
            "come from one of them pulls with it (user pods, image pullers, hub, proxy, user scheduler, hooks)."
        ),
    )
    quota: QuotaSettings = Field(default_factory=QuotaSettings, description="ResourceQuota of the namespace.")
    limit_range: LimitRangeSettings = Field(
        default_factory=LimitRangeSettings,
        description="LimitRange of the namespace: per-container defaults and ceiling.",
    )
    network_policy: NetworkPolicySettings = Field(
        default_factory=NetworkPolicySettings,
        description="NetworkPolicies: default deny, then what each component needs.",
    )
    network_rules: ExtraRulesByComponent = Field(
        default_factory=ExtraRulesByComponent,
        description=(
            "More connections per component (the chart's hub/proxy/singleuser networkPolicy.ingress/egress): a "
            "monitoring agent, a service or a database in another namespace. Each is a policy of its own."
        ),
    )
    pod_security: PodSecuritySettings = Field(
        default_factory=PodSecuritySettings, description="Pod Security admission levels of the namespace."
    )
    platform_services: PlatformServices = Field(
        default_factory=PlatformServices,
        description="Services notebooks connect to (variables, egress, helper module).",
    )
    monitoring: MonitoringSettings = Field(
        default_factory=MonitoringSettings,
        description="Prometheus metrics, alert rules and Grafana dashboards (off by default).",
    )
    gitops: GitOpsSettings | None = Field(
        None,
        description=(
            "ArgoCD Application and AppProject syncing dist/<environment>/ from git, written to dist/argocd/. "
            "Unset: no ArgoCD objects for this environment."
        ),
    )

    def images(self) -> list[str]:
        """Every image a pod of this environment runs (images users type in a free-text choice aside)."""
        images = [self.hub.image, self.proxy.image]
        if self.scheduling.user_scheduler.enabled:
            images.append(self.scheduling.user_scheduler.image_for(self.kubernetes_version))
        if self.scheduling.image_puller.continuous or self.scheduling.user_placeholders.replicas:
            images.append(PAUSE_IMAGE)
        images += self.singleuser.images() + list(self.scheduling.image_puller.extra_images)
        return list(dict.fromkeys(images))

    def own_containers(self) -> list[Footprint]:
        """Containers of our own pods in the namespace, each with its replicas: the limit range must admit them.

        Image pullers are left out: they run one pod per node (a count unknown
        at synth time) and request almost nothing (1m CPU, 8Mi memory).
        """
        own = [self.hub.resources.footprint("hub.resources"), self.proxy.resources.footprint("proxy.resources")]
        scheduler = self.scheduling.user_scheduler
        if scheduler.enabled:
            footprint = scheduler.resources.footprint("scheduling.user_scheduler.resources")
            own.append(replace(footprint, replicas=scheduler.replicas))
        # Placeholders request (and are limited to) what one user server is guaranteed.
        cpu, memory = (
            replace(guarantee, source=f"scheduling.user_placeholders ({guarantee.source})")
            for guarantee in (
                self.singleuser.cpu.bounds("singleuser.cpu").request,
                self.singleuser.memory.bounds("singleuser.memory").request,
            )
        )
        placeholders = self.scheduling.user_placeholders.replicas
        if placeholders:
            own.append(
                Footprint(
                    "scheduling.user_placeholders", Bounds(cpu, cpu), Bounds(memory, memory), replicas=placeholders
                )
            )
        return own

    def _user_internet_by(self) -> str | None:
        """The setting that lets user servers reach public addresses (all ports, or HTTPS for git), if any."""
        if self.network_policy.user_internet:
            return "network_policy.user_internet"
        if self.singleuser.storage.examples:
            return "singleuser.storage.examples"
        return None

    def own_claims(self) -> list[Amount]:
        """Our own PVCs: they take storage quota before any user home does."""
        database = self.hub.database
        claims = (
            [Amount("storage", database.capacity, "hub.database.capacity")]
            if isinstance(database, SqliteDatabase)
            else []
        )
        return claims + [
            Amount("storage", volume.capacity, f"singleuser.storage.shared_volumes[{i}].capacity")
            for i, volume in enumerate(self.singleuser.storage.shared_volumes)
        ]

    def warnings(self) -> list[tuple[str, str]]:
        return super().warnings() + expected_users_warnings(
            self.quota, default_user_server(self.singleuser), self.own_claims()
        )

    @model_validator(mode="after")
    def _guardrails_fit(self) -> HubConfig:
        """Refuse a user server that the quota or limit range would never admit."""
        own = self.own_containers()
        user = largest_user_server(self.singleuser)
        problems = [
            *quota_problems(self.quota, user, self.own_claims()),
            *placeholder_problems(
                self.quota, self.scheduling.user_placeholders.replicas, (self.singleuser.cpu, self.singleuser.memory)
            ),
            *limit_range_problems(self.limit_range, user, own),
            *network_policy_problems(
                self.network_policy, isinstance(self.hub.database, PostgresDatabase), self._user_internet_by()
            ),
            *user_scheduler_problems(self.scheduling.user_scheduler, self.kubernetes_version),
            *pod_security_problems(
                self.pod_security,
                self.singleuser.cloud_metadata.block_with_iptables,
                self.singleuser.baseline_reasons(),
            ),
        ]
        if problems:
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _auth_fits_environment(self) -> HubConfig:
        if problems := auth_environment_problems(
            self.auth, host=self.host, production=self.production, network_policies=self.network_policy.enabled
        ):
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _groups_have_one_source(self) -> HubConfig:
        if self.hub.groups and self.auth.manages_groups():
            # JupyterHub 5.5 app.py `init_groups`: "Group management has been offloaded to the authenticator".
            raise FieldProblems(
                (
                    "hub.groups",
                    f"auth.type {self.auth.type} sets each user's groups at login from the provider's, and "
                    "JupyterHub then refuses to start with groups of its own; use the provider's groups in "
                    "hub.roles, or remove hub.groups",
                )
            )
        return self

    @model_validator(mode="after")
    def _gateway_fits_environment(self) -> HubConfig:
        if problems := gateway_problems(self.gateway, self.host, self.network_policy.enabled):
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _monitoring_fits_environment(self) -> HubConfig:
        if problems := monitoring_problems(self.monitoring, network_policies=self.network_policy.enabled):
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _one_source_per_variable(self) -> HubConfig:
        platform = set(self.platform_services.variable_names())
        problems = [
            (f"singleuser.extra_env.{name}", "is set by platform_services; remove it here")
            for name in sorted(set(self.singleuser.extra_env) & platform)
        ]
        for i, profile in enumerate(self.singleuser.profiles):
            problems += [
                (f"singleuser.profiles[{i}].environment.{name}", "is set by platform_services; remove it here")
                for name in sorted(set(profile.environment) & platform)
            ]
        if problems:
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _pull_secrets_used(self) -> HubConfig:
        """A pull secret that serves no image of the environment is a typo or a leftover: say which."""
        locations = [image_location(image) for image in self.images()]
        typed = [prefix for profile in self.singleuser.profiles for prefix in profile.unlisted_prefixes()]
        problems = []
        names = [secret.name for secret in self.image_pull_secrets]
        for i, secret in enumerate(self.image_pull_secrets):
            if names.index(secret.name) != i:
                problems.append(
                    (f"image_pull_secrets[{i}].name", f"{secret.name!r} is named twice; merge its registries")
                )
            for j, prefix in enumerate(secret.registries):
                used = any(covers(prefix, location) for location in locations) or any(
                    not other or covers(prefix, other) or covers(other, prefix) for other in typed
                )
                if not used:
                    problems.append(
                        (
                            f"image_pull_secrets[{i}].registries[{j}]",
                            f"no image of this environment comes from {prefix}, so no pod would use Secret "
                            f"{secret.name} for it; remove it, or check the spelling against the images (e.g. "
                            f"{self.singleuser.image} is from {image_location(self.singleuser.image)})",
                        )
                    )
        if problems:
            raise FieldProblems(*problems)
        return self

    @model_validator(mode="after")
    def _one_identity_and_placement(self) -> HubConfig:
        """User pods have one ServiceAccount, and a profile's nodes are among the user nodes."""
        problems = []
        if self.singleuser.service_account and self.platform_services.spark.executors:
            problems.append(
                (
                    "singleuser.service_account",
                    "platform_services.spark.executors already gives user pods a ServiceAccount of their own (to start "
                    "executors); remove one of them",
                )
            )
        common = self.scheduling.user_pods.node_selector
        for i, profile in enumerate(self.singleuser.profiles):
            for key in sorted(profile.node_selector.keys() & common.keys()):
                if profile.node_selector[key] != common[key]:
                    problems.append(
                        (
                            f"singleuser.profiles[{i}].node_selector.{key}",
                            f"{profile.node_selector[key]!r} conflicts with scheduling.user_pods.node_selector "
                            f"{key}: {common[key]!r}, which every user pod requires; a profile can only add labels, "
                            "so move this key from scheduling.user_pods into each profile",
                        )
                    )
        if problems:
            raise FieldProblems(*problems)
        return self
