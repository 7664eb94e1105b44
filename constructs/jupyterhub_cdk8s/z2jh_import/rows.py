"""The table: what each key of the JupyterHub chart (z2jh 4.x) becomes here, or why it is not mapped.

One row per chart key, saying where it goes in this project's config and how
its value is converted, or why it is not mapped. A new capability of this
project adds rows.
"""

from __future__ import annotations

from ..config.hub import BRANDING_DIR, CONFIG_DIR, HubSettings
from ..config.proxy import ProxySettings
from ..config.scheduling import UserScheduler
from .auth import authenticator_type, extra_config, ldap_lookup, ldap_search_password, ldap_use_ssl
from .engine import IMAGE, MAPPING, NUMBER, QUANTITY, SWITCH, TEXT, WHOLE, Row, Shape, Table, either, list_of, map_of
from .pods import (
    command,
    containers,
    extra_files,
    image_pull_secret,
    labels,
    pull_secrets,
    service_account,
    stash,
)
from .profiles import profile_list
from .transforms import (
    access_mode,
    announcement,
    base_url,
    callback_url,
    core_placement,
    core_purpose,
    debug,
    enabled_default_on,
    env_vars,
    extra_images,
    extra_resource,
    host_from,
    http_route_parent,
    hub_database,
    hub_services,
    image,
    ingress_tls,
    lifecycle_hooks,
    load_roles,
    node_purpose,
    one_claim,
    one_or_more,
    placeholders,
    privilege_escalation,
    quantity,
    resources,
    route_hostnames,
    same,
    scheduler_replicas,
    spawner_bytes,
    storage_type,
    tolerations,
    uid,
)

SECRET_IN_GIT = (
    "a secret value in a values file ends up in git; here the hub's secrets are generated in-cluster by the "
    "bootstrap hook, or read from secrets.existing_secret"
)
PASSWORD_IN_GIT = "a password in a values file ends up in git; put it in a Secret and reference it as auth.{}"
BUILT_IN = "built in, with production defaults (not configurable)"

CULL_SETTINGS = {
    "enabled": ("enabled", SWITCH),
    "timeout": ("timeout", WHOLE),
    "every": ("every", WHOLE),
    "maxAge": ("max_age", WHOLE),
    "users": ("cull_users", SWITCH),
    "removeNamedServers": ("remove_named_servers", SWITCH),
    "concurrency": ("concurrency", WHOLE),
}
# extraEnv: a map of name to value (or to an env entry), or the Kubernetes list of {name, value/valueFrom}.
ENV = either(MAPPING, list_of(MAPPING))
# imagePullSecrets: Secret names, or {name: ...} as a pod spec writes them.
PULL_SECRETS = list_of(either(TEXT, MAPPING))
# extraVolumes, extraVolumeMounts, initContainers, extraContainers: a list of named entries, or a map of them.
NAMED_ENTRIES = either(list_of(MAPPING), map_of(MAPPING))
NOT_YET = "{} is not available in this version of the project"
NETWORK_RULES = (
    "each component opens exactly its own connections; write more as network_rules.{}.ingress/egress "
    "(peers by namespace and pod_labels, or cidr)"
)
OAUTH_CLASSES = (
    "GenericOAuthenticator",
    "GitHubOAuthenticator",
    "GitLabOAuthenticator",
    "GoogleOAuthenticator",
    "AzureAdOAuthenticator",
)

ROWS: list[Row] = [
    # hub
    Row("hub.image", "hub.image", image, keys=("name", "tag"), takes=IMAGE),
    Row("hub.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("hub.image.pullSecrets", None, pull_secrets("hub"), takes=PULL_SECRETS),
    Row("hub.resources", "hub.resources", resources(lambda: HubSettings().resources), takes=MAPPING),
    Row("hub.baseUrl", "hub.base_url", base_url, takes=TEXT),
    Row("hub.concurrentSpawnLimit", "hub.concurrent_spawn_limit", same, takes=WHOLE),
    Row("hub.activeServerLimit", "hub.active_server_limit", same, takes=WHOLE),
    Row("hub.allowNamedServers", "hub.named_servers.enabled", same, takes=SWITCH),
    Row("hub.namedServerLimitPerUser", "hub.named_servers.limit_per_user", same, takes=WHOLE),
    Row("hub.shutdownOnLogout", "hub.shutdown_on_logout", same, takes=SWITCH),
    Row("hub.db.type", "hub.database.type", hub_database, takes=TEXT),
    Row("hub.db.pvc.storage", "hub.database.capacity", quantity, takes=QUANTITY),
    Row("hub.db.pvc.storageClassName", "hub.database.storage_class", same, takes=TEXT),
    Row("hub.db.upgrade", "hub.database.upgrade", same, takes=SWITCH),
    Row(
        "hub.db.pvc.subPath",
        reason="the hub mounts its PVC's root: move jupyterhub.sqlite from that directory to the PVC's root first",
    ),
    Row("hub.db.pvc.accessModes", reason="the hub's PVC is ReadWriteOnce: there is only ever one hub"),
    Row("hub.db.url", reason="a database URL carries its password; write hub.database.url_secret: {name, key}"),
    Row("hub.db.password", reason=SECRET_IN_GIT),
    Row("hub.cookieSecret", reason=SECRET_IN_GIT),
    Row(
        "hub.existingSecret",
        reason="the chart's Secret uses other keys; create one with proxy-auth-token, cookie-secret and crypt-key "
        "and set secrets.existing_secret",
    ),
    Row("hub.config.JupyterHub.authenticator_class", "auth.type", authenticator_type, takes=TEXT),
    Row(
        "hub.config.JupyterHub.admin_access",
        reason="admins act as users through roles in JupyterHub 5, not admin_access",
    ),
    Row("hub.config.Authenticator.admin_users", "auth.admin_users", same, takes=list_of(TEXT)),
    Row("hub.config.Authenticator.allowed_users", "auth.allowed_users", same, takes=list_of(TEXT)),
    Row("hub.config.Authenticator.allow_all", "auth.allow_all", same, takes=SWITCH),
    Row("hub.config.DummyAuthenticator.password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row("hub.config.SharedPasswordAuthenticator.user_password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row(
        "hub.config.SharedPasswordAuthenticator.admin_password", reason=PASSWORD_IN_GIT.format("admin_password_secret")
    ),
    *(
        row
        for authenticator in OAUTH_CLASSES
        for row in (
            Row(f"hub.config.{authenticator}.client_id", "auth.client_id", same, takes=TEXT),
            Row(f"hub.config.{authenticator}.client_secret", reason=PASSWORD_IN_GIT.format("client_secret")),
            Row(f"hub.config.{authenticator}.oauth_callback_url", None, callback_url),
            Row(f"hub.config.{authenticator}.enable_auth_state", "auth.keep_tokens", same, takes=SWITCH),
        )
    ),
    *(
        Row(f"hub.config.{authenticator}.{key}", f"auth.{ours}", same)
        for authenticator in ("GenericOAuthenticator", "GitHubOAuthenticator")
        for key, ours in (("scope", "scopes"), ("login_service", "login_service"))
    ),
    Row("hub.config.OAuthenticator.oauth_callback_url", None, callback_url),
    Row("hub.config.GoogleOAuthenticator.hosted_domain", "auth.hosted_domains", one_or_more),
    Row("hub.config.AzureAdOAuthenticator.tenant_id", "auth.tenant_id", same),
    Row("hub.config.AzureAdOAuthenticator.username_claim", "auth.username_claim", one_claim),
    Row("hub.config.GitLabOAuthenticator.gitlab_url", "auth.url", same),
    Row("hub.config.GitLabOAuthenticator.allowed_gitlab_groups", "auth.allowed_groups", same),
    Row("hub.config.GitLabOAuthenticator.allowed_project_ids", "auth.allowed_project_ids", same),
    Row("hub.config.GitLabOAuthenticator.scope", "auth.scopes", same),
    Row("hub.config.LDAPAuthenticator.server_address", "auth.server", same),
    Row("hub.config.LDAPAuthenticator.server_port", "auth.port", same),
    Row("hub.config.LDAPAuthenticator.tls_strategy", "auth.tls", same),
    Row("hub.config.LDAPAuthenticator.use_ssl", None, ldap_use_ssl),
    Row("hub.config.LDAPAuthenticator.bind_dn_template", "auth.bind_dn_templates", one_or_more),
    Row("hub.config.LDAPAuthenticator.allowed_groups", "auth.allowed_groups", same),
    Row("hub.config.LDAPAuthenticator.search_filter", "auth.search_filter", same),
    Row("hub.config.LDAPAuthenticator.lookup_dn", None, ldap_lookup),
    Row("hub.config.LDAPAuthenticator.user_search_base", "auth.lookup.search_base", same),
    Row("hub.config.LDAPAuthenticator.user_attribute", "auth.lookup.user_attribute", same),
    Row("hub.config.LDAPAuthenticator.lookup_dn_user_dn_attribute", "auth.lookup.dn_attribute", same),
    Row("hub.config.LDAPAuthenticator.lookup_dn_search_user", "auth.lookup.bind_dn", same),
    Row("hub.config.LDAPAuthenticator.lookup_dn_search_password", None, ldap_search_password),
    Row("hub.config.LDAPAuthenticator.lookup_dn_search_filter", reason="always ({login_attr}={login})"),
    Row(
        "hub.config.LDAPAuthenticator.escape_userdn", reason="removed in ldapauthenticator 2.0: DNs are always escaped"
    ),
    Row("hub.config.LTI13Authenticator.issuer", "auth.issuer", same),
    Row("hub.config.LTI13Authenticator.client_id", "auth.client_ids", one_or_more),
    Row("hub.config.LTI13Authenticator.authorize_url", "auth.authorize_url", same),
    Row("hub.config.LTI13Authenticator.jwks_endpoint", "auth.jwks_url", same),
    Row("hub.config.LTI13Authenticator.username_key", "auth.username_key", same),
    Row("hub.config.GenericOAuthenticator.authorize_url", "auth.authorize_url", same, takes=TEXT),
    Row("hub.config.GenericOAuthenticator.token_url", "auth.token_url", same, takes=TEXT),
    Row("hub.config.GenericOAuthenticator.userdata_url", "auth.userinfo_url", same, takes=TEXT),
    Row("hub.config.GenericOAuthenticator.logout_redirect_url", "auth.logout_url", same, takes=TEXT),
    Row("hub.config.GenericOAuthenticator.username_claim", "auth.username_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.username_key", "auth.username_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.claim_groups_key", "auth.groups_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.allowed_groups", "auth.allowed_groups", same, takes=list_of(TEXT)),
    Row("hub.config.GenericOAuthenticator.admin_groups", "auth.admin_groups", same, takes=list_of(TEXT)),
    Row(
        "hub.config.GitHubOAuthenticator.allowed_organizations", "auth.allowed_organizations", same, takes=list_of(TEXT)
    ),
    Row("hub.extraEnv", None, env_vars("hub"), takes=ENV),
    Row("hub.extraConfig", "hub.extra_config", extra_config, takes=map_of(TEXT)),
    Row("hub.deploymentStrategy", reason="always Recreate: two hubs must never share one database"),
    Row("hub.livenessProbe", reason=BUILT_IN),
    Row("hub.readinessProbe", reason=BUILT_IN),
    Row("hub.pdb", reason=BUILT_IN),
    Row("hub.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.podSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.networkPolicy", reason=NETWORK_RULES.format("hub")),
    Row("hub.service", reason="the hub's Service is internal (ClusterIP); users reach the proxy"),
    Row("hub.revisionHistoryLimit", reason=BUILT_IN),
    Row("hub.nodeSelector", "scheduling.core_pods.node_selector", core_placement),
    Row("hub.tolerations", "scheduling.core_pods.tolerations", core_placement),
    Row("hub.extraVolumes", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraVolumeMounts", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraFiles", "hub.extra_files", extra_files(read_only=(CONFIG_DIR, BRANDING_DIR)), takes=map_of(MAPPING)),
    Row("hub.services", None, hub_services),
    Row("hub.loadRoles", None, load_roles),
    Row("hub.templatePaths", reason=NOT_YET.format("custom page templates")),
    Row("hub.templateVars.announcement", "hub.branding.announcement", announcement, takes=TEXT),
    # proxy
    Row("proxy.chp.image", "proxy.image", image, keys=("name", "tag"), takes=IMAGE),
    Row("proxy.chp.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("proxy.chp.image.pullSecrets", None, pull_secrets("proxy"), takes=PULL_SECRETS),
    Row("proxy.chp.resources", "proxy.resources", resources(lambda: ProxySettings().resources), takes=MAPPING),
    Row("proxy.chp.livenessProbe", reason=BUILT_IN),
    Row("proxy.chp.readinessProbe", reason=BUILT_IN),
    Row("proxy.chp.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("proxy.chp.pdb", reason=BUILT_IN),
    Row("proxy.chp.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("proxy.secretToken", reason=SECRET_IN_GIT),
    Row("proxy.deploymentStrategy", reason="always Recreate: the routing table lives in one proxy"),
    Row("proxy.service.type", "proxy.service.type", same, takes=TEXT),
    Row("proxy.service.annotations", "proxy.service.annotations", same, takes=map_of(TEXT)),
    Row("proxy.service.nodePorts", reason=NOT_YET.format("pinning node ports")),
    Row("proxy.service.loadBalancerIP", reason=NOT_YET.format("a fixed load balancer IP")),
    Row("proxy.service.loadBalancerSourceRanges", reason=NOT_YET.format("load balancer source ranges")),
    Row("proxy.https.hosts", None, host_from("proxy.https.hosts")),
    Row("proxy.traefik", reason="no autohttps pod: TLS terminates at the Ingress or the Gateway"),
    Row("proxy.chp.nodeSelector", "scheduling.core_pods.node_selector", core_placement),
    Row("proxy.chp.tolerations", "scheduling.core_pods.tolerations", core_placement),
    # user servers
    Row("singleuser.image", "singleuser.image", image, keys=("name", "tag"), takes=IMAGE),
    Row("singleuser.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("singleuser.image.pullSecrets", None, pull_secrets("singleuser"), takes=PULL_SECRETS),
    Row("singleuser.cpu.guarantee", "singleuser.cpu.guarantee", quantity, takes=NUMBER),
    Row("singleuser.cpu.limit", "singleuser.cpu.limit", quantity, takes=NUMBER),
    Row("singleuser.memory.guarantee", "singleuser.memory.guarantee", spawner_bytes, takes=QUANTITY),
    Row("singleuser.memory.limit", "singleuser.memory.limit", spawner_bytes, takes=QUANTITY),
    Row("singleuser.storage.type", "singleuser.storage.type", storage_type, takes=TEXT),
    Row("singleuser.storage.capacity", "singleuser.storage.capacity", quantity, takes=QUANTITY),
    Row("singleuser.storage.homeMountPath", "singleuser.storage.home_mount_path", same, takes=TEXT),
    Row("singleuser.storage.dynamic.storageClass", "singleuser.storage.storage_class", same, takes=TEXT),
    Row(
        "singleuser.storage.dynamic.storageAccessModes",
        "singleuser.storage.access_mode",
        access_mode,
        takes=list_of(TEXT),
    ),
    Row("singleuser.storage.dynamic.pvcNameTemplate", "singleuser.storage.pvc_name_template", same, takes=TEXT),
    Row("singleuser.storage.dynamic.volumeNameTemplate", reason="the home volume is always named home"),
    Row("hub.config.KubeSpawner.delete_pvc", "singleuser.storage.delete_on_user_deletion", same),
    Row("singleuser.storage.dynamic.subPath", None, stash("dynamic.subPath"), takes=TEXT),
    Row("singleuser.storage.static.pvcName", None, stash("static.pvcName"), takes=TEXT),
    Row("singleuser.storage.static.subPath", None, stash("static.subPath"), takes=TEXT),
    Row("singleuser.storage.extraVolumes", None, stash("extraVolumes", dict), takes=NAMED_ENTRIES),
    Row("singleuser.storage.extraVolumeMounts", None, stash("extraVolumeMounts", dict), takes=NAMED_ENTRIES),
    Row("singleuser.startTimeout", "singleuser.start_timeout", same, takes=WHOLE),
    Row("singleuser.defaultUrl", "singleuser.default_url", same, takes=TEXT),
    Row("singleuser.extraEnv", "singleuser.extra_env", env_vars("singleuser"), takes=ENV),
    Row("singleuser.uid", "singleuser.uid", uid, takes=WHOLE),
    Row("singleuser.fsGid", "singleuser.fs_gid", same, takes=WHOLE),
    Row("singleuser.cmd", "singleuser.command", command, takes=either(TEXT, list_of(TEXT))),
    Row("singleuser.lifecycleHooks", "singleuser.lifecycle", lifecycle_hooks, takes=MAPPING),
    Row("singleuser.profileList", "singleuser.profiles", profile_list, takes=list_of(MAPPING)),
    Row("singleuser.allowPrivilegeEscalation", None, privilege_escalation, takes=SWITCH),
    Row("singleuser.networkPolicy.egressAllowRules.nonPrivateIPs", "network_policy.user_internet", same, takes=SWITCH),
    Row(
        "singleuser.cloudMetadata",
        reason="the NetworkPolicies keep user servers from the cloud metadata endpoint; where the CNI does not enforce "
        "them, set singleuser.cloud_metadata.block_with_iptables (with pod_security.enforce: privileged)",
    ),
    Row("singleuser.nodeSelector", "scheduling.user_pods.node_selector", same, takes=map_of(TEXT)),
    Row("singleuser.extraTolerations", "scheduling.user_pods.tolerations", tolerations, takes=list_of(MAPPING)),
    Row("singleuser.extraLabels", "singleuser.labels", labels, takes=map_of(TEXT)),
    Row("singleuser.extraAnnotations", reason=NOT_YET.format("user pod annotations")),
    Row("singleuser.initContainers", "singleuser.init_containers", containers, takes=NAMED_ENTRIES),
    Row("singleuser.extraContainers", "singleuser.sidecars", containers, takes=NAMED_ENTRIES),
    Row("singleuser.extraFiles", "singleuser.extra_files", extra_files(), takes=map_of(MAPPING)),
    Row("singleuser.extraPodConfig", reason=NOT_YET.format("raw pod config")),
    Row("singleuser.extraResource", None, extra_resource, takes=MAPPING),
    Row("singleuser.serviceAccountName", "singleuser.service_account", service_account, takes=TEXT),
    # ingress
    Row("ingress.enabled", "ingress.enabled", same, takes=SWITCH),
    Row(
        "ingress.hosts",
        None,
        host_from("ingress.hosts"),
        takes=Shape("a list of host names, e.g. [jupyter.example.com]", list_of(TEXT).fits),
    ),
    Row("ingress.ingressClassName", "ingress.class_name", same, takes=TEXT),
    Row("ingress.annotations", "ingress.annotations", same, takes=map_of(TEXT)),
    Row("ingress.tls", "ingress.tls_secret", ingress_tls, takes=list_of(MAPPING)),
    Row("ingress.pathSuffix", reason="the Ingress routes the whole host (a prefix goes in hub.base_url)"),
    Row("ingress.pathType", reason="always Prefix"),
    # scheduling
    Row("scheduling.userScheduler.enabled", "scheduling.user_scheduler.enabled", same, takes=SWITCH),
    Row("scheduling.userScheduler.replicas", "scheduling.user_scheduler.replicas", scheduler_replicas, takes=WHOLE),
    Row(
        "scheduling.userScheduler.image",
        reason="the kube-scheduler is the cluster's own version, with RBAC written for it: set kubernetes_version",
        keys=("name", "tag"),
    ),
    Row("scheduling.userScheduler.image.pullSecrets", None, pull_secrets("scheduler"), takes=PULL_SECRETS),
    Row("scheduling.userPlaceholder.image.pullSecrets", None, pull_secrets("pause"), takes=PULL_SECRETS),
    Row(
        "scheduling.userScheduler.resources",
        "scheduling.user_scheduler.resources",
        resources(lambda: UserScheduler().resources),
        takes=MAPPING,
    ),
    Row("scheduling.podPriority.enabled", None, enabled_default_on, takes=SWITCH),
    Row("scheduling.podPriority.globalDefault", reason="the classes apply to this hub's pods only, never cluster-wide"),
    Row("scheduling.podPriority.defaultPriority", "scheduling.priorities.user", same, takes=WHOLE),
    Row("scheduling.podPriority.imagePullerPriority", "scheduling.priorities.image_puller", same, takes=WHOLE),
    Row("scheduling.podPriority.userPlaceholderPriority", "scheduling.priorities.placeholder", same, takes=WHOLE),
    Row(
        "scheduling.userPlaceholder",
        "scheduling.user_placeholders.replicas",
        placeholders,
        keys=("enabled", "replicas"),
        takes=MAPPING,
    ),
    Row(
        "scheduling.userPods.nodeAffinity.matchNodePurpose",
        "scheduling.user_pods.node_selector",
        node_purpose,
        takes=TEXT,
    ),
    Row("scheduling.userPods.tolerations", "scheduling.user_pods.tolerations", tolerations, takes=list_of(MAPPING)),
    Row("scheduling.corePods.tolerations", "scheduling.core_pods.tolerations", tolerations),
    Row("scheduling.corePods.nodeAffinity.matchNodePurpose", None, core_purpose),
    Row("scheduling.userScheduler.nodeSelector", "scheduling.core_pods.node_selector", core_placement),
    Row("scheduling.userScheduler.tolerations", "scheduling.core_pods.tolerations", core_placement),
    # Gateway API
    Row("httpRoute.enabled", "gateway.enabled", same),
    Row("httpRoute.hostnames", "gateway.hostnames", route_hostnames),
    Row("httpRoute.gateway", "gateway.parent", http_route_parent),
    Row("httpRoute.annotations", "gateway.annotations", same),
    # image pre-pulling
    Row("prePuller.continuous.enabled", "scheduling.image_puller.continuous", same, takes=SWITCH),
    Row("prePuller.hook.enabled", "scheduling.image_puller.pre_sync.enabled", same, takes=SWITCH),
    Row("prePuller.extraImages", "scheduling.image_puller.extra_images", extra_images, takes=map_of(IMAGE)),
    # the awaiter runs the hub's image, the pullers' idle container the pause image
    Row("prePuller.hook.image.pullSecrets", None, pull_secrets("hub"), takes=PULL_SECRETS),
    Row("prePuller.pause.image.pullSecrets", None, pull_secrets("pause"), takes=PULL_SECRETS),
    # idle culling
    *(
        Row(f"cull.{theirs}", f"singleuser.culling.{ours}", same, takes=shape)
        for theirs, (ours, shape) in CULL_SETTINGS.items()
    ),
    # chart-wide
    Row("debug.enabled", "hub.log_level", debug, takes=SWITCH),
    Row("rbac", reason="RBAC is always created, least-privilege"),
    Row("imagePullSecret", None, image_pull_secret, takes=MAPPING),
    Row("imagePullSecrets", None, pull_secrets("all"), takes=PULL_SECRETS),
    Row("global", reason="Helm-only settings"),
    Row("custom", reason="Helm-only settings (read by extraConfig through z2jh.get_config)"),
    Row(
        "fullnameOverride",
        reason="object names come from the environment's `name`; the hub's PVC keeps the chart's name "
        "(hub.database.pvc_name)",
    ),
    Row("nameOverride", reason="object names come from the environment's `name`"),
]

# Why a key without a row of its own, below one of these, is not mapped.
REASON_BELOW = {
    "proxy.https": "no automatic HTTPS pod: TLS terminates at the Ingress (ingress.tls_secret with "
    "ingress.cert_manager_issuer) or at the Gateway (gateway.certificate)",
    "singleuser.networkPolicy": NETWORK_RULES.format("singleuser"),
    "hub.templateVars": "only the announcement is a template variable here (hub.branding); "
    + NOT_YET.format("custom page templates"),
    "hub.config": "JupyterHub traitlets are set here from typed settings; one they lack can go in hub.extra_config",
    "hub": "no hub setting of this project corresponds",
    "proxy": "no proxy setting of this project corresponds",
    "singleuser": "no user-server setting of this project corresponds",
    "scheduling": "no scheduling setting of this project corresponds",
    "prePuller": "no image-puller setting of this project corresponds (the pullers are built in)",
    "cull": "no culling setting of this project corresponds",
}
UNKNOWN = "not a key of the JupyterHub chart 4.x that this importer knows"


CHART = Table(ROWS, REASON_BELOW, UNKNOWN)

# Where the chart's default differs from this project's, the migrated hub keeps the chart's behaviour.
CHART_DEFAULTS = {"proxy": {"service": {"type": "LoadBalancer"}}, "ingress": {"enabled": False}}
