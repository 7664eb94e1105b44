"""Every component besides the proxy, hub, user servers and network policies, each alone in a bare cdk8s Chart.

Each test makes one component from a small slice of the config (its own settings model, or the whole config of
a minimal environment where `from_config` reads more), builds it alone, and asserts on its own objects and on
what it declares in the shared context (connections, hub pod volumes, user pod variables, jupyterhub_config.py):
the names other objects refer to, and the facts production depends on (hooks, priorities, selectors, who may
connect). The proxy, hub, user servers and network policies are in test_components_alone.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.components import build_alone
from support.synthesis import MINIMAL, environment
from traitlets.config import Config

from jupyterhub_cdk8s.authentication import AuthenticationComponent
from jupyterhub_cdk8s.branding import BrandingComponent
from jupyterhub_cdk8s.chart import COMPONENTS
from jupyterhub_cdk8s.component import Component, Context, FieldValue, SecretValue
from jupyterhub_cdk8s.config import HubConfig
from jupyterhub_cdk8s.config.auth import OidcAuth, SharedPasswordAuth
from jupyterhub_cdk8s.config.branding import Branding
from jupyterhub_cdk8s.config.files import ExtraFile
from jupyterhub_cdk8s.config.gateway import GatewaySettings
from jupyterhub_cdk8s.config.hub import BRANDING_DIR, HubSettings
from jupyterhub_cdk8s.config.ingress import IngressSettings
from jupyterhub_cdk8s.config.monitoring import MonitoringSettings
from jupyterhub_cdk8s.config.platform_services import PlatformServices
from jupyterhub_cdk8s.config.pod_security import PodSecuritySettings
from jupyterhub_cdk8s.config.quota import QuotaSettings
from jupyterhub_cdk8s.config.scheduling import SchedulingSettings, UserScheduler
from jupyterhub_cdk8s.config.secrets import SECRET_KEYS
from jupyterhub_cdk8s.config.services import HubService
from jupyterhub_cdk8s.config.singleuser import IdleCulling, SingleuserSettings
from jupyterhub_cdk8s.gateway import GatewayComponent
from jupyterhub_cdk8s.hub import HubComponent
from jupyterhub_cdk8s.hub.files import HubFilesComponent
from jupyterhub_cdk8s.hub.services import HubServicesComponent, IdleCullerComponent
from jupyterhub_cdk8s.ingress import IngressComponent
from jupyterhub_cdk8s.monitoring import MonitoringComponent
from jupyterhub_cdk8s.namespace import NamespaceComponent
from jupyterhub_cdk8s.naming import (
    CORE_TIER,
    HUB,
    IMAGE_PULLER_TIER,
    PLACEHOLDER_TIER,
    PROXY,
    SINGLEUSER,
    USER_TIER,
)
from jupyterhub_cdk8s.network_policies import NetworkPoliciesComponent
from jupyterhub_cdk8s.platform_services import HELPER_DIR, PlatformServicesComponent
from jupyterhub_cdk8s.ports import HUB_PORT, PROXY_METRICS_PORT, PROXY_PUBLIC_PORT
from jupyterhub_cdk8s.quotas import LimitRangeComponent, QuotaComponent
from jupyterhub_cdk8s.scheduling import (
    ImagePullersComponent,
    PrioritiesComponent,
    UserPlaceholdersComponent,
    UserSchedulerComponent,
)
from jupyterhub_cdk8s.secrets_bootstrap import SecretsBootstrapComponent

pytestmark = pytest.mark.unit

HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOST = "hub.example.com"


# --------------------------------------------------------------------------- helpers


def identities(objects: list[dict]) -> set[tuple[str, str]]:
    return {(obj["kind"], obj["metadata"]["name"]) for obj in objects}


def one(objects: list[dict], kind: str, name: str | None = None) -> dict:
    found = [obj for obj in objects if obj["kind"] == kind and name in (None, obj["metadata"]["name"])]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def policies(context: Context) -> dict[str, dict]:
    """The NetworkPolicies the registry writes from what was declared on `context`, by name: their specs."""
    objects, _ = build_alone(NetworkPoliciesComponent(), context=context)
    return {obj["metadata"]["name"]: obj["spec"] for obj in objects if obj["kind"] == "NetworkPolicy"}


def hub_config(context: Context, monkeypatch: pytest.MonkeyPatch) -> Any:
    """jupyterhub_config.py as traitlets reads it; each Secret-fed variable holds `<secret/key>`."""
    for env in context.config_file.secret_envs:
        monkeypatch.setenv(env.name, f"<{env.secret}/{env.key}>")
    config = Config()
    exec(compile(context.config_file.render(), "jupyterhub_config.py", "exec"), {"c": config})
    return config


def config_of(extra: str, tmp_path: Path) -> HubConfig:
    """The config of the minimal environment (tests/support/synthesis.py) with `extra` YAML added."""
    return environment(MINIMAL + extra, tmp_path).config


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


# --------------------------------------------------------------------------- switches


# Each component and the YAML that flips it from its default: off for those a minimal environment has, on for
# those it lacks. What the flag says in the README's config reference is what `from_config` must obey.
SWITCHES: list[tuple[type[Component], bool, str]] = [
    (NamespaceComponent, True, "create_namespace: false"),
    (SecretsBootstrapComponent, True, "secrets: {existing_secret: hub-keys}"),
    (IngressComponent, True, "ingress: {enabled: false}"),
    (UserSchedulerComponent, True, "scheduling: {user_scheduler: {enabled: false}}"),
    (ImagePullersComponent, True, "scheduling: {image_puller: {continuous: false, pre_sync: {enabled: false}}}"),
    (QuotaComponent, True, "quota: {enabled: false}"),
    (LimitRangeComponent, True, "limit_range: {enabled: false}"),
    (IdleCullerComponent, True, "singleuser: {culling: {enabled: false}}"),
    (
        GatewayComponent,
        False,
        "gateway: {enabled: true, parent: {name: public}, pods: {namespace: envoy-gateway-system}}",
    ),
    (MonitoringComponent, False, "monitoring: {enabled: true}"),
    (BrandingComponent, False, "hub: {branding: {announcement: Maintenance tonight}}"),
    (HubFilesComponent, False, "hub: {extra_files: {motd: {mount_path: /etc/jupyterhub/motd.txt, text: hi}}}"),
    (HubServicesComponent, False, "hub: {roles: [{name: ta, scopes: ['admin:servers'], users: [alice]}]}"),
    (UserPlaceholdersComponent, False, "scheduling: {user_placeholders: {replicas: 1}}"),
    (
        PlatformServicesComponent,
        False,
        "platform_services: {services: [{name: trino, kind: trino, host: trino.data, port: 8080}]}",
    ),
]


def test_each_optional_component_follows_its_own_switch(tmp_path):
    """`from_config` returns None exactly when the component's own setting turns it off, and nothing else does."""
    assert {kind for kind, _, _ in SWITCHES} <= set(COMPONENTS)
    minimal = config_of("", tmp_path)
    wrong = []
    for index, (kind, on_by_default, flip) in enumerate(SWITCHES):
        flipped = environment(MINIMAL + flip, tmp_path, f"flip{index}").config
        if (kind.from_config(minimal) is not None) != on_by_default:
            wrong.append(f"{kind.__name__} in the minimal environment")
        if (kind.from_config(flipped) is not None) == on_by_default:
            wrong.append(f"{kind.__name__} with {flip}")
    assert not wrong, wrong


# --------------------------------------------------------------------------- namespace


def test_namespace_is_labelled_for_pod_security_and_never_pruned():
    objects, _ = build_alone(NamespaceComponent(PodSecuritySettings(enforce="baseline", warn="restricted")))
    namespace = one(objects, "Namespace", "jupyterhub")
    assert identities(objects) == {("Namespace", "jupyterhub")}
    labels = namespace["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    # Deleting the Namespace would delete every PVC in it: users' homes and the hub's database.
    options = namespace["metadata"]["annotations"]["argocd.argoproj.io/sync-options"].split(",")
    assert {"Prune=false", "Delete=false"} <= set(options)


# --------------------------------------------------------------------------- secrets bootstrap


def test_secrets_bootstrap_is_a_presync_job_whose_rbac_comes_first_and_goes_away():
    objects, _ = build_alone(SecretsBootstrapComponent("quay.io/jupyterhub/k8s-hub:4.4.0"))
    name = "jupyterhub-secrets-bootstrap"
    assert identities(objects) == {(kind, name) for kind in ("ServiceAccount", "Role", "RoleBinding", "Job")}
    job = one(objects, "Job")
    annotations = job["metadata"]["annotations"]
    assert annotations[HOOK] == "PreSync"
    # Deleted once it succeeded; a failed Job stays for `kubectl logs`.
    assert "HookSucceeded" in annotations[HOOK_DELETE_POLICY].split(",")
    assert "HookFailed" not in annotations[HOOK_DELETE_POLICY].split(",")
    for kind in ("ServiceAccount", "Role", "RoleBinding"):
        rbac = one(objects, kind)["metadata"]["annotations"]
        assert rbac[HOOK] == "PreSync"
        assert int(rbac[SYNC_WAVE]) < int(annotations[SYNC_WAVE]), f"{kind} must exist before the Job runs"
        assert {"HookSucceeded", "HookFailed"} <= set(rbac[HOOK_DELETE_POLICY].split(","))
    pod = pod_spec(job)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["serviceAccountName"] == name
    # It may read and patch only the hub's Secret (create cannot be limited to a name).
    rules = one(objects, "Role")["rules"]
    assert [rule["resourceNames"] for rule in rules if {"get", "patch"} & set(rule["verbs"])] == [
        ["jupyterhub-hub-secret"]
    ]


def test_secrets_bootstrap_generates_the_keys_other_components_ask_for_and_reaches_only_the_api_server():
    context = Context.bare()
    context.hub_pod.secret_keys.append("prometheus-api-token")
    objects, context = build_alone(SecretsBootstrapComponent("quay.io/jupyterhub/k8s-hub:4.4.0"), context=context)
    args = pod_spec(one(objects, "Job"))["containers"][0]["args"]
    assert args[:2] == ["jupyterhub", "jupyterhub-hub-secret"]
    assert set(args[2:]) == {*SECRET_KEYS, "prometheus-api-token"}
    written = policies(context)
    egress = written["jupyterhub-secrets-bootstrap-to-api-server"]
    assert egress["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "secrets-bootstrap"
    assert egress["policyTypes"] == ["Egress"]


# --------------------------------------------------------------------------- branding and hub files


def test_branding_is_a_configmap_the_hub_mounts_and_reads_templates_from(monkeypatch):
    branding = Branding(logo_svg="<svg></svg>", announcement="Maintenance tonight")
    objects, context = build_alone(BrandingComponent(branding))
    assert identities(objects) == {("ConfigMap", "jupyterhub-hub-branding")}
    assert {"page.html", "logo.svg"} <= set(objects[0]["data"])
    [volume] = context.hub_pod.volumes
    assert volume.volume() == {"name": "branding", "configMap": {"name": "jupyterhub-hub-branding"}}
    assert volume.mount() == {"name": "branding", "mountPath": BRANDING_DIR, "readOnly": True}
    config = hub_config(context, monkeypatch)
    assert config.JupyterHub.template_paths == [BRANDING_DIR]
    assert config.JupyterHub.logo_file == f"{BRANDING_DIR}/logo.svg"


def test_branding_text_is_escaped_and_a_change_of_it_changes_the_hub_config():
    """The announcement is plain text in a Jinja template: neither HTML nor Jinja of it may run; the hub reads
    templates once, so a new text must change jupyterhub_config.py (whose checksum restarts the hub)."""
    hostile = Branding(announcement="<script>alert(1)</script> {{ 7*7 }} {% endblock %}")
    objects, context = build_alone(BrandingComponent(hostile))
    page = objects[0]["data"]["page.html"]
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "{{ 7*7 }}" not in page
    assert page.count("{% endblock") == 1  # only the announcement block's own end
    _, other = build_alone(BrandingComponent(Branding(announcement="Maintenance tomorrow")))
    assert context.config_file.render() != other.config_file.render()


def test_hub_extra_files_are_mounted_one_file_each_and_a_change_restarts_the_hub():
    files = {"motd": ExtraFile(mount_path="/etc/jupyterhub/motd.txt", text="Welcome")}
    objects, context = build_alone(HubFilesComponent(files))
    assert identities(objects) == {("ConfigMap", "jupyterhub-hub-files")}
    assert objects[0]["data"] == {"motd": "Welcome"}
    [volume] = context.hub_pod.volumes
    # A subPath mount: the file appears without hiding the rest of its directory.
    assert volume.mount() == {
        "name": "file-motd",
        "mountPath": "/etc/jupyterhub/motd.txt",
        "subPath": "motd",
        "readOnly": True,
    }
    assert volume.source["configMap"]["name"] == "jupyterhub-hub-files"
    changed = {"motd": ExtraFile(mount_path="/etc/jupyterhub/motd.txt", text="Goodbye")}
    _, other = build_alone(HubFilesComponent(changed))
    assert context.config_file.render() != other.config_file.render()


# --------------------------------------------------------------------------- authentication


def test_shared_password_comes_from_its_secret_and_the_access_rule_is_explicit(monkeypatch):
    auth = SharedPasswordAuth.model_validate(
        {
            "type": "shared-password",
            "password_secret": {"name": "hub-password", "key": "password"},
            "allowed_users": ["alice", "bob"],
        }
    )
    objects, context = build_alone(AuthenticationComponent(auth))
    assert objects == []  # a section of the hub's config, nothing of its own
    config = hub_config(context, monkeypatch)
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "<hub-password/password>"
    assert config.Authenticator.allowed_users == {"alice", "bob"}
    assert config.Authenticator.allow_all is False


def test_oidc_calls_back_to_the_public_host_and_the_hub_reaches_only_its_provider(monkeypatch):
    auth = OidcAuth.model_validate(
        {
            "type": "oidc",
            "issuer": "https://login.example.org/realms/main",
            "authorize_url": "/protocol/openid-connect/auth",
            "token_url": "/protocol/openid-connect/token",
            "userinfo_url": "/protocol/openid-connect/userinfo",
            "client_id": "jupyterhub",
            "client_secret": {"name": "oidc", "key": "client-secret"},
            "allowed_users": ["alice"],
            "egress": [{"cidr": "203.0.113.10/32"}],
        }
    )
    context = Context.bare()
    context.host = HOST
    context.base_url = "/lab/"
    _, context = build_alone(AuthenticationComponent(auth), context=context)
    config = hub_config(context, monkeypatch)
    assert config.GenericOAuthenticator.oauth_callback_url == f"https://{HOST}/lab/hub/oauth_callback"
    assert config.GenericOAuthenticator.client_secret == "<oidc/client-secret>"
    # Tokens are kept in auth_state, which JupyterHub encrypts with the hub Secret's crypt key.
    crypt = {env.name: (env.secret, env.key) for env in context.config_file.secret_envs}["JUPYTERHUB_CRYPT_KEY"]
    assert crypt == ("jupyterhub-hub-secret", "crypt-key")
    egress = policies(context)["jupyterhub-hub-to-identity-provider"]
    assert egress["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == HUB
    assert egress["egress"] == [
        {"to": [{"ipBlock": {"cidr": "203.0.113.10/32"}}], "ports": [{"port": 443, "protocol": "TCP"}]}
    ]
    assert "ingress" not in egress


# --------------------------------------------------------------------------- hub services


def test_idle_culler_runs_in_the_hub_on_loopback_with_only_the_scopes_it_uses(monkeypatch):
    context = Context.bare()
    context.base_url = "/lab/"
    objects, context = build_alone(IdleCullerComponent(IdleCulling(timeout=3600)), context=context)
    assert objects == []
    config = hub_config(context, monkeypatch)
    [service] = config.JupyterHub.services.get_value([])
    assert service["name"] == "idle-culler"
    assert service["command"][:3] == ["python3", "-m", "jupyterhub_idle_culler"]
    assert f"--url=http://127.0.0.1:{HUB_PORT}/lab/hub/api" in service["command"]
    assert "--timeout=3600" in service["command"]
    [role] = config.JupyterHub.load_roles.get_value([])
    assert role["services"] == ["idle-culler"]
    # Stopping servers needs no right to delete users.
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}
    # It calls the hub on loopback: no connection to open.
    assert set(policies(context)) == {"jupyterhub-default-deny"}


def test_culling_users_adds_the_flag_and_the_right_it_needs(monkeypatch):
    _, context = build_alone(IdleCullerComponent(IdleCulling(cull_users=True)))
    config = hub_config(context, monkeypatch)
    [service] = config.JupyterHub.services.get_value([])
    [role] = config.JupyterHub.load_roles.get_value([])
    assert "--cull-users" in service["command"]
    assert "admin:users" in role["scopes"]


def test_external_hub_service_gets_its_token_from_a_secret_and_one_connection_to_the_hub(monkeypatch):
    grader = HubService.model_validate(
        {
            "name": "grader",
            "scopes": ["list:users", "read:users"],
            "api_token": {"name": "grader-token", "key": "token"},
            "runs_in": {"namespace": "grading", "pod_labels": {"app": "grader"}},
        }
    )
    objects, context = build_alone(HubServicesComponent((grader,), ()))
    assert objects == []
    config = hub_config(context, monkeypatch)
    [service] = config.JupyterHub.services.get_value([])
    assert service == {"name": "grader", "api_token": "<grader-token/token>"}
    [role] = config.JupyterHub.load_roles.get_value([])
    assert (role["name"], role["scopes"], role["services"]) == ("grader", ["list:users", "read:users"], ["grader"])
    policy = policies(context)["jupyterhub-grader-service-to-hub"]
    assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == HUB
    assert policy["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "grading"}},
                    "podSelector": {"matchLabels": {"app": "grader"}},
                }
            ],
            "ports": [{"port": HUB_PORT, "protocol": "TCP"}],
        }
    ]


# --------------------------------------------------------------------------- platform services


PLATFORM = {
    "services": [
        {
            "name": "trino",
            "kind": "trino",
            "host": "trino.data-platform",
            "port": 8080,
            "credentials": {"password": {"name": "trino-credentials", "key": "password"}},
        },
        # MinIO's Service maps port 80 to the pods' 9000.
        {"name": "minio", "kind": "s3", "host": "minio.storage", "port": 80, "target_port": 9000},
    ]
}


def test_platform_services_reach_user_pods_as_variables_with_credentials_only_from_secrets():
    platform = PlatformServices.model_validate(PLATFORM)
    objects, context = build_alone(PlatformServicesComponent(platform, "quay.io/jupyter/base-notebook:2025-01-06"))
    environment_ = context.user_pods.environment
    assert environment_["TRINO_HOST"] == "trino.data-platform"
    assert environment_["TRINO_PORT"] == "8080"
    assert environment_["TRINO_PASSWORD"] == SecretValue("trino-credentials", "password")
    assert environment_["S3_ENDPOINT"] == "http://minio.storage:80"
    # The helper module: a ConfigMap mounted into every user pod, on PYTHONPATH.
    helper = one(objects, "ConfigMap", "jupyterhub-platform-services")
    assert environment_["PYTHONPATH"] == HELPER_DIR
    [volume] = context.user_pods.volumes
    assert volume.source == {"configMap": {"name": "jupyterhub-platform-services"}}
    assert volume.mount_path == HELPER_DIR and volume.read_only
    catalog = json.loads(helper["data"]["catalog.json"])
    trino = next(service for service in catalog["services"] if service["name"] == "trino")
    assert trino["variables"]["password"] == "TRINO_PASSWORD"
    assert "trino-credentials" not in helper["data"]["catalog.json"]


def test_user_pods_may_reach_each_platform_service_on_its_pods_port_only():
    platform = PlatformServices.model_validate(PLATFORM)
    _, context = build_alone(PlatformServicesComponent(platform, "quay.io/jupyter/base-notebook:2025-01-06"))
    egress = policies(context)["jupyterhub-singleuser-to-platform-services"]
    assert egress["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == SINGLEUSER
    reached = {
        (rule["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], port["port"])
        for rule in egress["egress"]
        for port in rule["ports"]
    }
    # NetworkPolicy is evaluated after the Service's NAT: MinIO's pods answer on 9000.
    assert reached == {("data-platform", 8080), ("storage", 9000)}


def test_spark_executors_give_user_pods_an_identity_limited_to_pods_and_configmaps():
    platform = PlatformServices.model_validate(
        {"spark": {"enabled": True, "executors": True, "api_server_cidrs": ["10.96.0.1/32"]}}
    )
    objects, context = build_alone(PlatformServicesComponent(platform, "quay.io/jupyter/pyspark-notebook:2025-01-06"))
    assert context.user_pods.service_account == "jupyterhub-singleuser-spark"
    assert context.user_pods.environment["SPARK_DRIVER_HOST"] == FieldValue("status.podIP")
    assert context.user_pods.environment["SPARK_EXECUTOR_IMAGE"] == "quay.io/jupyter/pyspark-notebook:2025-01-06"
    role = one(objects, "Role", "jupyterhub-singleuser-spark")
    assert {resource for rule in role["rules"] for resource in rule["resources"]} == {"pods", "configmaps"}
    assert "jupyterhub-spark-executors" in policies(context)


# --------------------------------------------------------------------------- public entry


def test_ingress_routes_the_host_to_proxy_public_with_its_certificate():
    ingress = IngressSettings.model_validate({"tls_secret": "hub-tls", "cert_manager_issuer": {"name": "letsencrypt"}})
    context = Context.bare()
    context.host = HOST
    objects, _ = build_alone(IngressComponent(ingress), context=context)
    assert identities(objects) == {("Ingress", "jupyterhub")}
    spec = objects[0]["spec"]
    [rule] = spec["rules"]
    assert rule["host"] == HOST
    [path] = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"] == {"name": "jupyterhub-proxy-public", "port": {"number": 80}}
    assert spec["tls"] == [{"hosts": [HOST], "secretName": "hub-tls"}]
    annotations = objects[0]["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"] == "letsencrypt"
    # Kernels keep websockets open for hours; NGINX would cut them after 60 s.
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def test_gateway_route_attaches_to_the_configured_gateway_and_lets_its_pods_reach_the_proxy():
    gateway = GatewaySettings.model_validate(
        {
            "enabled": True,
            "parent": {"name": "public", "namespace": "gateways", "section_name": "https"},
            "pods": {"namespace": "envoy-gateway-system", "pod_labels": {"gateway": "public"}},
        }
    )
    context = Context.bare()
    context.host = HOST
    objects, context = build_alone(GatewayComponent(gateway), context=context)
    assert identities(objects) == {("HTTPRoute", "jupyterhub")}
    spec = objects[0]["spec"]
    [parent] = spec["parentRefs"]
    assert parent == {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": "public",
        "namespace": "gateways",
        "sectionName": "https",
    }
    assert spec["hostnames"] == [HOST]
    [backend] = spec["rules"][0]["backendRefs"]
    assert (backend["kind"], backend["name"], backend["port"]) == ("Service", "jupyterhub-proxy-public", 80)
    policy = policies(context)["jupyterhub-proxy-from-gateway"]
    assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == PROXY
    [rule] = policy["ingress"]
    assert rule["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "envoy-gateway-system"
    }
    assert rule["ports"] == [{"port": PROXY_PUBLIC_PORT, "protocol": "TCP"}]


def test_gateway_certificate_secret_is_granted_to_the_gateways_namespace_and_nothing_else():
    settings = {
        "enabled": True,
        "hostnames": ["jupyter.example.org"],
        "certificate": {"issuer": {"name": "letsencrypt"}},
        "pods": {"namespace": "gateways"},
    }
    elsewhere = GatewaySettings.model_validate({**settings, "parent": {"name": "public", "namespace": "gateways"}})
    objects, _ = build_alone(GatewayComponent(elsewhere))
    certificate = one(objects, "Certificate", "jupyterhub-tls")["spec"]
    assert certificate["dnsNames"] == ["jupyter.example.org"]
    assert certificate["issuerRef"] == {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt"}
    grant = one(objects, "ReferenceGrant")["spec"]
    assert grant["from"] == [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "gateways"}]
    assert grant["to"] == [{"group": "", "kind": "Secret", "name": certificate["secretName"]}]
    # A Gateway of the hub's own namespace reads the Secret without a grant.
    local = GatewaySettings.model_validate({**settings, "parent": {"name": "public"}})
    objects, _ = build_alone(GatewayComponent(local))
    assert "ReferenceGrant" not in {obj["kind"] for obj in objects}


# --------------------------------------------------------------------------- priorities and quotas


def test_priority_classes_keep_core_pods_above_users_and_users_above_pullers_and_placeholders(monkeypatch):
    scheduling = SchedulingSettings.model_validate({"user_placeholders": {"replicas": 2}})
    objects, context = build_alone(PrioritiesComponent(scheduling))
    names = context.names
    value = {obj["metadata"]["name"]: obj["value"] for obj in objects if obj["kind"] == "PriorityClass"}
    tiers = (CORE_TIER, USER_TIER, IMAGE_PULLER_TIER, PLACEHOLDER_TIER)
    assert set(value) == {names.priority_class(tier) for tier in tiers}
    core, user, puller, placeholder = (value[names.priority_class(tier)] for tier in tiers)
    assert core > user > puller and user > placeholder
    assert not any(obj["globalDefault"] for obj in objects)
    config = hub_config(context, monkeypatch)
    assert config.KubeSpawner.priority_class_name == names.priority_class(USER_TIER)
    assert config.KubeSpawner.scheduler_name == names.user_scheduler_name
    # Tiers without pods have no class.
    idle = SchedulingSettings.model_validate(
        {"image_puller": {"continuous": False, "pre_sync": {"enabled": False}}, "user_placeholders": {"replicas": 0}}
    )
    objects, _ = build_alone(PrioritiesComponent(idle))
    assert {obj["metadata"]["name"] for obj in objects} == {
        names.priority_class(CORE_TIER),
        names.priority_class(USER_TIER),
    }


def test_user_quota_counts_only_pods_of_the_user_priority_class_and_storage_has_its_own():
    quota = QuotaSettings.model_validate({"cpu": {"requests": "50", "limits": "100"}, "gpus": 4})
    objects, context = build_alone(QuotaComponent(quota), PrioritiesComponent(SchedulingSettings()))
    user = one(objects, "ResourceQuota", "jupyterhub-user-quota")["spec"]
    [scope] = user["scopeSelector"]["matchExpressions"]
    # The class KubeSpawner gives user pods, as the priorities component writes it.
    user_class = context.names.priority_class(USER_TIER)
    assert ("PriorityClass", user_class) in identities(objects)
    assert (scope["scopeName"], scope["operator"], scope["values"]) == ("PriorityClass", "In", [user_class])
    assert user["hard"]["requests.cpu"] == "50"
    assert user["hard"]["limits.cpu"] == "100"
    assert user["hard"]["requests.nvidia.com/gpu"] == 4
    # Kubernetes refuses PVC counts under a PriorityClass scope: they have a quota of their own.
    storage = one(objects, "ResourceQuota", "jupyterhub-storage-quota")["spec"]
    assert "scopeSelector" not in storage
    assert {"persistentvolumeclaims", "requests.storage"} == set(storage["hard"])


def test_limit_range_ceiling_is_the_largest_container_the_environment_declares(tmp_path):
    config = config_of(
        "singleuser: {cpu: {guarantee: 100m, limit: '12'}, memory: {guarantee: 1Gi, limit: 48Gi}}\n", tmp_path
    )
    component = LimitRangeComponent.from_config(config)
    assert component is not None
    objects, _ = build_alone(component, context=Context.of(config))
    [limits] = one(objects, "LimitRange", "jupyterhub-limits")["spec"]["limits"]
    assert limits["type"] == "Container"
    # The user server is the largest container: the ceiling lets exactly it start.
    assert limits["max"] == {"cpu": "12", "memory": "48Gi"}
    assert limits["defaultRequest"] == {"cpu": "100m", "memory": "256Mi"}


# --------------------------------------------------------------------------- user scheduler and placeholders


def test_user_scheduler_packs_users_onto_few_nodes_with_leader_election():
    objects, context = build_alone(UserSchedulerComponent(UserScheduler(), "1.33"))
    names = context.names
    account = "jupyterhub-user-scheduler"
    assert {
        ("ServiceAccount", account),
        ("Role", account),
        ("RoleBinding", account),
        ("ClusterRole", names.user_scheduler_cluster_role),
        ("ClusterRoleBinding", names.user_scheduler_cluster_role),
        ("ConfigMap", account),
        ("Deployment", account),
        ("PodDisruptionBudget", account),
    } == identities(objects)
    configuration = yaml.safe_load(one(objects, "ConfigMap")["data"]["config.yaml"])
    [profile] = configuration["profiles"]
    assert profile["schedulerName"] == names.user_scheduler_name
    [fit] = [plugin for plugin in profile["pluginConfig"] if plugin["name"] == "NodeResourcesFit"]
    assert fit["args"]["scoringStrategy"]["type"] == "MostAllocated"
    assert {"name": "NodeResourcesBalancedAllocation"} in profile["plugins"]["score"]["disabled"]
    assert configuration["leaderElection"]["leaderElect"] is True
    assert configuration["leaderElection"]["resourceNamespace"] == names.namespace
    deployment = one(objects, "Deployment")
    assert deployment["spec"]["replicas"] >= 2
    assert pod_spec(deployment)["priorityClassName"] == names.priority_class(CORE_TIER)
    assert pod_spec(deployment)["containers"][0]["image"].endswith(":v1.33.9")
    assert one(objects, "PodDisruptionBudget")["spec"]["minAvailable"] == 1
    assert policies(context)["jupyterhub-user-scheduler-to-api-server"]["policyTypes"] == ["Egress"]


def test_user_scheduler_rbac_is_written_for_the_clusters_kubernetes_version():
    """kube-scheduler 1.32 watches VolumeAttachments; a 1.31 one must not be granted what it never asks for."""

    def resources(version: str) -> set[str]:
        objects, _ = build_alone(UserSchedulerComponent(UserScheduler(), version))
        return {resource for rule in one(objects, "ClusterRole")["rules"] for resource in rule["resources"]}

    assert "volumeattachments" not in resources("1.31")
    assert "volumeattachments" in resources("1.32")


def test_placeholders_hold_one_guaranteed_user_server_each_at_the_lowest_priority():
    scheduling = SchedulingSettings.model_validate(
        {
            "user_placeholders": {"replicas": 3},
            "user_pods": {
                "node_selector": {"hub.jupyter.org/node-purpose": "user"},
                "tolerations": [{"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NoSchedule"}],
            },
        }
    )
    singleuser = SingleuserSettings.model_validate(
        {"cpu": {"guarantee": "500m", "limit": "2"}, "memory": {"guarantee": "2Gi", "limit": "4Gi"}}
    )
    objects, context = build_alone(UserPlaceholdersComponent(scheduling, singleuser))
    statefulset = one(objects, "StatefulSet", "jupyterhub-user-placeholder")
    assert statefulset["spec"]["replicas"] == 3
    pod = pod_spec(statefulset)
    assert pod["priorityClassName"] == context.names.priority_class(PLACEHOLDER_TIER)
    assert pod["schedulerName"] == context.names.user_scheduler_name
    assert pod["terminationGracePeriodSeconds"] == 0  # pre-emption frees the room at once
    [container] = pod["containers"]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "2Gi"}
    # Where users go: the same nodes and taints.
    assert pod["nodeSelector"] == {"hub.jupyter.org/node-purpose": "user"}
    assert pod["tolerations"] == [
        {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}
    ]


# --------------------------------------------------------------------------- image pullers


PULLER_PLACEMENT = """
scheduling:
  user_pods:
    node_selector: {hub.jupyter.org/node-purpose: user}
    tolerations: [{key: hub.jupyter.org/dedicated, value: user, effect: NoSchedule}]
"""


def _pullers(extra: str, tmp_path: Path, name: str = "test") -> tuple[list[dict], Context, HubConfig]:
    config = environment(MINIMAL + extra, tmp_path, name).config
    component = ImagePullersComponent.from_config(config)
    assert component is not None
    objects, context = build_alone(component, context=Context.of(config))
    return objects, context, config


def test_image_pullers_are_ondelete_daemonsets_on_the_user_nodes(tmp_path):
    objects, context, config = _pullers(PULLER_PLACEMENT, tmp_path)
    daemonset = one(objects, "DaemonSet")
    # Argo CD counts an OnDelete DaemonSet healthy once observed: pullers never hold up a sync.
    assert daemonset["spec"]["updateStrategy"] == {"type": "OnDelete"}
    pod = pod_spec(daemonset)
    assert pod["nodeSelector"] == {"hub.jupyter.org/node-purpose": "user"}
    assert pod["tolerations"] == [
        {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}
    ]
    assert pod["priorityClassName"] == context.names.priority_class(IMAGE_PULLER_TIER)
    assert config.singleuser.image in [container["image"] for container in pod["initContainers"]]
    assert all(container["command"] == ["/bin/sh", "-c", "exit 0"] for container in pod["initContainers"])
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_image_awaiter_is_a_sync_hook_kept_after_success_that_may_only_watch_its_pullers(tmp_path):
    objects, context, _ = _pullers(PULLER_PLACEMENT, tmp_path)
    daemonset = one(objects, "DaemonSet")["metadata"]["name"]
    job = one(objects, "Job")
    annotations = job["metadata"]["annotations"]
    # Kept once it succeeded, so Argo CD runs it once per set of images, not on every sync.
    assert (annotations[HOOK], annotations[HOOK_DELETE_POLICY]) == ("Sync", "HookFailed")
    assert daemonset in pod_spec(job)["containers"][0]["args"]
    [rule] = one(objects, "Role")["rules"]
    assert (rule["resources"], rule["resourceNames"]) == (["daemonsets"], [daemonset])
    assert set(rule["verbs"]) == {"get", "list", "watch"}
    assert f"{context.names.release}-image-awaiter-to-api-server" in policies(context)


def test_a_new_set_of_images_is_a_new_daemonset_and_a_new_wait(tmp_path):
    before, _, _ = _pullers(PULLER_PLACEMENT, tmp_path, "before")
    extra = PULLER_PLACEMENT + "  image_puller: {extra_images: ['quay.io/jupyter/base-notebook:2025-01-06']}\n"
    after, _, _ = _pullers(extra, tmp_path, "after")
    for kind in ("DaemonSet", "Job"):
        assert one(before, kind)["metadata"]["name"] != one(after, kind)["metadata"]["name"], kind
    pulled = [container["image"] for container in pod_spec(one(after, "DaemonSet"))["initContainers"]]
    assert "quay.io/jupyter/base-notebook:2025-01-06" in pulled


# --------------------------------------------------------------------------- monitoring


def test_monitoring_selects_the_hub_and_proxy_metrics_services(monkeypatch):
    monitoring = MonitoringComponent(MonitoringSettings(enabled=True), "lab-cluster", sqlite=True)
    objects, context = build_alone(monitoring)
    names = context.names
    hub_monitor = one(objects, "ServiceMonitor", names.hub)["spec"]
    hub_service = one(build_alone(HubComponent(HubSettings(), None))[0], "Service", names.hub)
    assert hub_monitor["selector"]["matchLabels"].items() <= hub_service["metadata"]["labels"].items()
    assert hub_monitor["namespaceSelector"] == {"matchNames": [names.namespace]}
    [endpoint] = hub_monitor["endpoints"]
    assert endpoint["port"] in [port["name"] for port in hub_service["spec"]["ports"]]
    assert endpoint["path"] == "/hub/metrics"
    # Prometheus presents the very token the hub's prometheus service is given.
    credentials = endpoint["authorization"]["credentials"]
    config = hub_config(context, monkeypatch)
    [service] = [s for s in config.JupyterHub.services.get_value([]) if s["name"] == "prometheus"]
    assert service["api_token"] == f"<{credentials['name']}/{credentials['key']}>"
    assert config.JupyterHub.authenticate_prometheus is True
    [role] = [r for r in config.JupyterHub.load_roles.get_value([]) if r["name"] == "prometheus"]
    assert role["scopes"] == ["read:metrics"]
    assert credentials["key"] in context.hub_pod.secret_keys  # the bootstrap Job generates it
    # The proxy's metrics Service selects the proxy's pods; the ServiceMonitor finds it by its metrics port.
    metrics = one(objects, "Service", names.proxy_metrics)["spec"]
    assert metrics["selector"] == names.selector(PROXY)
    proxy_monitor = one(objects, "ServiceMonitor", names.proxy)["spec"]
    assert proxy_monitor["endpoints"][0]["port"] in [port["name"] for port in metrics["ports"]]
    # Both carry the labels the Prometheus instance selects them by.
    assert {"ServiceMonitor", "PrometheusRule"} <= {obj["kind"] for obj in objects}
    for obj in objects:
        if obj["kind"] in ("ServiceMonitor", "PrometheusRule"):
            assert obj["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_only_prometheus_may_scrape_and_only_the_metrics_ports():
    monitoring = MonitoringComponent(MonitoringSettings(enabled=True), "lab-cluster", sqlite=True)
    _, context = build_alone(monitoring)
    written = policies(context)
    prometheus = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
    }
    for component, port in ((HUB, HUB_PORT), (PROXY, PROXY_METRICS_PORT)):
        policy = written[f"jupyterhub-{component}-metrics-scrape"]
        assert policy["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == component
        assert policy["ingress"] == [{"from": [prometheus], "ports": [{"port": port, "protocol": "TCP"}]}]


def test_metrics_guarded_by_the_network_need_no_token(monkeypatch):
    settings = MonitoringSettings.model_validate({"enabled": True, "hub_metrics": {"type": "network"}})
    objects, context = build_alone(MonitoringComponent(settings, "lab-cluster", sqlite=False))
    [endpoint] = one(objects, "ServiceMonitor", context.names.hub)["spec"]["endpoints"]
    assert endpoint.get("authorization") is None
    assert context.hub_pod.secret_keys == []
    config = hub_config(context, monkeypatch)
    assert config.JupyterHub.authenticate_prometheus is False
