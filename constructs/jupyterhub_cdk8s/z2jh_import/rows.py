"""The table: what each key of the JupyterHub chart (z2jh 4.x) becomes here, or why it is not mapped.

One row per chart key, saying where it goes in this project's config and how
its value is converted, or why it is not mapped. A new capability of this
project adds rows.
"""

from __future__ import annotations

from ..config.hub import BRANDING_DIR, CONFIG_DIR, HubSettings
from ..config.proxy import ProxySettings
from ..config.scheduling import UserScheduler
from .auth import authenticator_type, extra_config
from .engine import Row, Table
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
    debug,
    enabled_default_on,
    env_vars,
    extra_images,
    extra_resource,
    hub_database,
    image,
    ingress_host,
    ingress_tls,
    lifecycle_hooks,
    node_purpose,
    one_claim,
    placeholders,
    privilege_escalation,
    quantity,
    resources,
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
CALLBACK_FROM_HOST = "always https://<host>/hub/oauth_callback (register that URL with the provider)"
CULL_SETTINGS = {
    "enabled": "enabled",
    "timeout": "timeout",
    "every": "every",
    "maxAge": "max_age",
    "users": "cull_users",
    "removeNamedServers": "remove_named_servers",
    "concurrency": "concurrency",
}
NOT_YET = "{} is not available in this version of the project"

ROWS: list[Row] = [
    # hub
    Row("hub.image", "hub.image", image, keys=("name", "tag")),
    Row("hub.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("hub.image.pullSecrets", None, pull_secrets("hub")),
    Row("hub.resources", "hub.resources", resources(lambda: HubSettings().resources)),
    Row("hub.baseUrl", "hub.base_url", base_url),
    Row("hub.concurrentSpawnLimit", "hub.concurrent_spawn_limit", same),
    Row("hub.activeServerLimit", "hub.active_server_limit", same),
    Row("hub.allowNamedServers", "hub.named_servers.enabled", same),
    Row("hub.namedServerLimitPerUser", "hub.named_servers.limit_per_user", same),
    Row("hub.shutdownOnLogout", "hub.shutdown_on_logout", same),
    Row("hub.db.type", "hub.database.type", hub_database),
    Row("hub.db.pvc.storage", "hub.database.capacity", quantity),
    Row("hub.db.pvc.storageClassName", "hub.database.storage_class", same),
    Row("hub.db.pvc.accessModes", reason="the hub's PVC is ReadWriteOnce: there is only ever one hub"),
    Row("hub.db.url", reason="a database URL carries its password; write hub.database.url_secret: {name, key}"),
    Row("hub.db.password", reason=SECRET_IN_GIT),
    Row("hub.cookieSecret", reason=SECRET_IN_GIT),
    Row(
        "hub.existingSecret",
        reason="the chart's Secret uses other keys; create one with proxy-auth-token, cookie-secret and crypt-key "
        "and set secrets.existing_secret",
    ),
    Row("hub.config.JupyterHub.authenticator_class", "auth.type", authenticator_type),
    Row(
        "hub.config.JupyterHub.admin_access",
        reason="admins act as users through roles in JupyterHub 5, not admin_access",
    ),
    Row("hub.config.Authenticator.admin_users", "auth.admin_users", same),
    Row("hub.config.Authenticator.allowed_users", "auth.allowed_users", same),
    Row("hub.config.Authenticator.allow_all", "auth.allow_all", same),
    Row("hub.config.DummyAuthenticator.password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row("hub.config.SharedPasswordAuthenticator.user_password", reason=PASSWORD_IN_GIT.format("password_secret")),
    Row(
        "hub.config.SharedPasswordAuthenticator.admin_password", reason=PASSWORD_IN_GIT.format("admin_password_secret")
    ),
    *(
        row
        for authenticator in ("GenericOAuthenticator", "GitHubOAuthenticator")
        for row in (
            Row(f"hub.config.{authenticator}.client_id", "auth.client_id", same),
            Row(f"hub.config.{authenticator}.client_secret", reason=PASSWORD_IN_GIT.format("client_secret")),
            Row(f"hub.config.{authenticator}.oauth_callback_url", reason=CALLBACK_FROM_HOST),
            Row(f"hub.config.{authenticator}.scope", "auth.scopes", same),
            Row(f"hub.config.{authenticator}.enable_auth_state", "auth.keep_tokens", same),
            Row(f"hub.config.{authenticator}.login_service", "auth.login_service", same),
        )
    ),
    Row("hub.config.GenericOAuthenticator.authorize_url", "auth.authorize_url", same),
    Row("hub.config.GenericOAuthenticator.token_url", "auth.token_url", same),
    Row("hub.config.GenericOAuthenticator.userdata_url", "auth.userinfo_url", same),
    Row("hub.config.GenericOAuthenticator.logout_redirect_url", "auth.logout_url", same),
    Row("hub.config.GenericOAuthenticator.username_claim", "auth.username_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.username_key", "auth.username_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.claim_groups_key", "auth.groups_claim", one_claim),
    Row("hub.config.GenericOAuthenticator.allowed_groups", "auth.allowed_groups", same),
    Row("hub.config.GenericOAuthenticator.admin_groups", "auth.admin_groups", same),
    Row("hub.config.GitHubOAuthenticator.allowed_organizations", "auth.allowed_organizations", same),
    Row("hub.extraEnv", None, env_vars("hub")),
    Row("hub.extraConfig", "hub.extra_config", extra_config),
    Row("hub.deploymentStrategy", reason="always Recreate: two hubs must never share one database"),
    Row("hub.livenessProbe", reason=BUILT_IN),
    Row("hub.readinessProbe", reason=BUILT_IN),
    Row("hub.pdb", reason=BUILT_IN),
    Row("hub.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.podSecurityContext", reason="always the restricted Pod Security profile"),
    Row("hub.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("hub.service", reason="the hub's Service is internal (ClusterIP); users reach the proxy"),
    Row("hub.revisionHistoryLimit", reason=BUILT_IN),
    Row("hub.nodeSelector", reason=NOT_YET.format("placement of the hub")),
    Row("hub.tolerations", reason=NOT_YET.format("placement of the hub")),
    Row("hub.extraVolumes", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraVolumeMounts", reason=NOT_YET.format("extra hub volumes")),
    Row("hub.extraFiles", "hub.extra_files", extra_files(read_only=(CONFIG_DIR, BRANDING_DIR))),
    Row("hub.services", reason=NOT_YET.format("JupyterHub services")),
    Row("hub.loadRoles", reason=NOT_YET.format("custom roles")),
    Row("hub.templatePaths", reason=NOT_YET.format("custom page templates")),
    Row("hub.templateVars.announcement", "hub.branding.announcement", announcement),
    # proxy
    Row("proxy.chp.image", "proxy.image", image, keys=("name", "tag")),
    Row("proxy.chp.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("proxy.chp.image.pullSecrets", None, pull_secrets("proxy")),
    Row("proxy.chp.resources", "proxy.resources", resources(lambda: ProxySettings().resources)),
    Row("proxy.chp.livenessProbe", reason=BUILT_IN),
    Row("proxy.chp.readinessProbe", reason=BUILT_IN),
    Row("proxy.chp.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("proxy.chp.pdb", reason=BUILT_IN),
    Row("proxy.chp.containerSecurityContext", reason="always the restricted Pod Security profile"),
    Row("proxy.secretToken", reason=SECRET_IN_GIT),
    Row("proxy.deploymentStrategy", reason="always Recreate: the routing table lives in one proxy"),
    Row("proxy.service.type", "proxy.service.type", same),
    Row("proxy.service.annotations", "proxy.service.annotations", same),
    Row("proxy.service.nodePorts", reason=NOT_YET.format("pinning node ports")),
    Row("proxy.service.loadBalancerIP", reason=NOT_YET.format("a fixed load balancer IP")),
    Row("proxy.service.loadBalancerSourceRanges", reason=NOT_YET.format("load balancer source ranges")),
    Row("proxy.https", reason="TLS terminates at the Ingress: set ingress.tls_secret (e.g. from cert-manager)"),
    Row("proxy.traefik", reason="no autohttps pod: TLS terminates at the Ingress"),
    # user servers
    Row("singleuser.image", "singleuser.image", image, keys=("name", "tag")),
    Row("singleuser.image.pullPolicy", reason="images are pinned by tag and pulled IfNotPresent"),
    Row("singleuser.image.pullSecrets", None, pull_secrets("singleuser")),
    Row("singleuser.cpu.guarantee", "singleuser.cpu.guarantee", quantity),
    Row("singleuser.cpu.limit", "singleuser.cpu.limit", quantity),
    Row("singleuser.memory.guarantee", "singleuser.memory.guarantee", spawner_bytes),
    Row("singleuser.memory.limit", "singleuser.memory.limit", spawner_bytes),
    Row("singleuser.storage.type", "singleuser.storage.type", storage_type),
    Row("singleuser.storage.capacity", "singleuser.storage.capacity", quantity),
    Row("singleuser.storage.homeMountPath", "singleuser.storage.home_mount_path", same),
    Row("singleuser.storage.dynamic.storageClass", "singleuser.storage.storage_class", same),
    Row("singleuser.storage.dynamic.storageAccessModes", "singleuser.storage.access_mode", access_mode),
    Row(
        "singleuser.storage.dynamic.pvcNameTemplate",
        reason="user PVCs are named <name>-claim-<user>; rename existing claims before moving users over",
    ),
    Row("singleuser.storage.dynamic.volumeNameTemplate", reason="the home volume is always named home"),
    Row("singleuser.storage.dynamic.subPath", None, stash("dynamic.subPath")),
    Row("singleuser.storage.static.pvcName", None, stash("static.pvcName")),
    Row("singleuser.storage.static.subPath", None, stash("static.subPath")),
    Row("singleuser.storage.extraVolumes", None, stash("extraVolumes", dict)),
    Row("singleuser.storage.extraVolumeMounts", None, stash("extraVolumeMounts", dict)),
    Row("singleuser.startTimeout", "singleuser.start_timeout", same),
    Row("singleuser.defaultUrl", "singleuser.default_url", same),
    Row("singleuser.extraEnv", "singleuser.extra_env", env_vars("singleuser")),
    Row("singleuser.uid", "singleuser.uid", uid),
    Row("singleuser.fsGid", "singleuser.fs_gid", same),
    Row("singleuser.cmd", "singleuser.command", command),
    Row("singleuser.lifecycleHooks", "singleuser.lifecycle", lifecycle_hooks),
    Row("singleuser.profileList", "singleuser.profiles", profile_list),
    Row("singleuser.allowPrivilegeEscalation", None, privilege_escalation),
    Row("singleuser.networkPolicy", reason="each component opens exactly its own connections; " + BUILT_IN),
    Row("singleuser.cloudMetadata", reason="user servers never reach the cloud metadata endpoint; " + BUILT_IN),
    Row("singleuser.nodeSelector", "scheduling.user_pods.node_selector", same),
    Row("singleuser.extraTolerations", "scheduling.user_pods.tolerations", tolerations),
    Row("singleuser.extraLabels", "singleuser.labels", labels),
    Row("singleuser.extraAnnotations", reason=NOT_YET.format("user pod annotations")),
    Row("singleuser.initContainers", "singleuser.init_containers", containers),
    Row("singleuser.extraContainers", "singleuser.sidecars", containers),
    Row("singleuser.extraFiles", "singleuser.extra_files", extra_files()),
    Row("singleuser.extraPodConfig", reason=NOT_YET.format("raw pod config")),
    Row("singleuser.extraResource", None, extra_resource),
    Row("singleuser.serviceAccountName", "singleuser.service_account", service_account),
    # ingress
    Row("ingress.enabled", "ingress.enabled", same),
    Row("ingress.hosts", "host", ingress_host),
    Row("ingress.ingressClassName", "ingress.class_name", same),
    Row("ingress.annotations", "ingress.annotations", same),
    Row("ingress.tls", "ingress.tls_secret", ingress_tls),
    Row("ingress.pathSuffix", reason="the Ingress routes the whole host (a prefix goes in hub.base_url)"),
    Row("ingress.pathType", reason="always Prefix"),
    # scheduling
    Row("scheduling.userScheduler.enabled", "scheduling.user_scheduler.enabled", same),
    Row("scheduling.userScheduler.replicas", "scheduling.user_scheduler.replicas", scheduler_replicas),
    Row("scheduling.userScheduler.image", "scheduling.user_scheduler.image", image, keys=("name", "tag")),
    Row("scheduling.userScheduler.image.pullSecrets", None, pull_secrets("scheduler")),
    Row("scheduling.userPlaceholder.image.pullSecrets", None, pull_secrets("pause")),
    Row(
        "scheduling.userScheduler.resources",
        "scheduling.user_scheduler.resources",
        resources(lambda: UserScheduler().resources),
    ),
    Row("scheduling.podPriority.enabled", None, enabled_default_on),
    Row("scheduling.podPriority.globalDefault", reason="the classes apply to this hub's pods only, never cluster-wide"),
    Row("scheduling.podPriority.defaultPriority", "scheduling.priorities.user", same),
    Row("scheduling.podPriority.imagePullerPriority", "scheduling.priorities.image_puller", same),
    Row("scheduling.podPriority.userPlaceholderPriority", "scheduling.priorities.placeholder", same),
    Row(
        "scheduling.userPlaceholder",
        "scheduling.user_placeholders.replicas",
        placeholders,
        keys=("enabled", "replicas"),
    ),
    Row("scheduling.userPods.nodeAffinity.matchNodePurpose", "scheduling.user_pods.node_selector", node_purpose),
    Row("scheduling.userPods.tolerations", "scheduling.user_pods.tolerations", tolerations),
    Row("scheduling.corePods", reason=NOT_YET.format("placement of the hub and proxy")),
    # image pre-pulling
    Row("prePuller.continuous.enabled", "scheduling.image_puller.continuous", same),
    Row("prePuller.hook.enabled", "scheduling.image_puller.pre_sync.enabled", same),
    Row("prePuller.extraImages", "scheduling.image_puller.extra_images", extra_images),
    # the awaiter runs the hub's image, the pullers' idle container the pause image
    Row("prePuller.hook.image.pullSecrets", None, pull_secrets("hub")),
    Row("prePuller.pause.image.pullSecrets", None, pull_secrets("pause")),
    # idle culling
    *(Row(f"cull.{theirs}", f"singleuser.culling.{ours}", same) for theirs, ours in CULL_SETTINGS.items()),
    # chart-wide
    Row("debug.enabled", "hub.log_level", debug),
    Row("rbac", reason="RBAC is always created, least-privilege"),
    Row("imagePullSecret", None, image_pull_secret),
    Row("imagePullSecrets", None, pull_secrets("all")),
    Row("global", reason="Helm-only settings"),
    Row("custom", reason="Helm-only settings (read by extraConfig through z2jh.get_config)"),
    Row("fullnameOverride", reason="object names come from the environment's `name`"),
    Row("nameOverride", reason="object names come from the environment's `name`"),
]

# Why a key without a row of its own, below one of these, is not mapped.
REASON_BELOW = {
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
