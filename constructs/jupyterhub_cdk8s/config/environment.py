"""The root of an environment file: one complete JupyterHub."""

from __future__ import annotations

from pydantic import Field

from .auth import Auth
from .base import DnsLabel, Hostname, StrictModel
from .gitops import GitOpsSettings
from .hub import HubSettings
from .ingress import IngressSettings
from .proxy import ProxySettings
from .secrets import HubSecrets
from .singleuser import SingleuserSettings


class HubConfig(StrictModel):
    """One environment: everything `python main.py` needs to write `dist/<environment>/`."""

    name: DnsLabel = Field(
        "jupyterhub", description="Prefix of every object name (jupyterhub-hub, jupyterhub-proxy, ...) and the instance label."
    )
    namespace: DnsLabel = Field(description="Namespace the hub and its users run in; one environment per namespace of a cluster.")
    cluster: DnsLabel = Field(
        "in-cluster",
        description=(
            "Cluster the environment is deployed to (its ArgoCD destination name). Two environments may use the "
            "same namespace only on different clusters."
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
    secrets: HubSecrets = Field(default_factory=HubSecrets, description="Origin of the hub's own secrets.")
    gitops: GitOpsSettings | None = Field(
        None,
        description=(
            "ArgoCD Application and AppProject syncing dist/<environment>/ from git, written to dist/argocd/. "
            "Unset: no ArgoCD objects for this environment."
        ),
    )
