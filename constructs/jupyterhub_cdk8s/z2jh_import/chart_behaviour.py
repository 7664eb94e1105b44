"""What a chart user gets without writing it: the chart's defaults, kept where this project can, noted where not.

After the table is applied, each behaviour of the chart's defaults (z2jh
4.4.0, jupyterhub/values.yaml) that differs from this project's is either
written into the environment, so the migrated hub behaves the same, or
reported as a note that says what changes and how to change it back. This
project's own defaults never make an imported file invalid: where one would
(the ResourceQuota), it is left off with a note.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..config.network import PRIVATE_RANGES
from ..config.resources import parse_quantity
from ..config.singleuser import CpuAllotment, MemoryAllotment
from .engine import Migration

NODE_PURPOSE = "hub.jupyter.org/node-purpose"
# scheduling.userPods.tolerations and scheduling.corePods.tolerations of the chart's values.yaml.
CHART_USER_TOLERATIONS = [
    {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
    {"key": "hub.jupyter.org_dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
]
CHART_CORE_TOLERATIONS = [
    {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "core", "effect": "NoSchedule"},
    {"key": "hub.jupyter.org_dedicated", "operator": "Equal", "value": "core", "effect": "NoSchedule"},
]


def _set(values: dict, path: str) -> bool:
    """Whether the values file itself sets `path` (to anything but null)."""
    node = values
    for part in path.split("."):
        if not isinstance(node, dict) or node.get(part) is None:
            return False
        node = node[part]
    return True


def keep_chart_behaviour(values: dict, migration: Migration) -> None:
    """Each default of the chart that differs here: kept in the environment, or a note."""
    _quota(migration)
    _user_internet(values, migration)
    _user_resources(values, migration)
    _ingress_class(values, migration)
    _user_tolerations(values, migration)
    _core_pods(values, migration)
    _host(migration)


def _quota(migration: Migration) -> None:
    migration.put("quota.enabled", False)
    migration.notes.append(
        (
            "quota",
            "the chart writes no ResourceQuota, so none is written here (quota.enabled: false); set quota: "
            "{cpu: ..., memory: ..., storage: ...} to cap what all users take together",
        )
    )


def _user_internet(values: dict, migration: Migration) -> None:
    if not _set(values, "singleuser.networkPolicy.egressAllowRules.nonPrivateIPs"):
        migration.put("network_policy.user_internet", True)
        migration.notes.append(
            (
                "network_policy.user_internet",
                "true, as the chart lets user servers reach every public address by default "
                "(singleuser.networkPolicy.egressAllowRules.nonPrivateIPs); write false to close it",
            )
        )
    if migration.get("network_policy.user_internet") and not migration.get("network_policy.api_server.cidrs"):
        # With internet egress the API server's addresses must be written down, so they can be left out of
        # it (config/network.py); the chart's users reach no private address, so private is what it assumes.
        migration.put("network_policy.api_server.cidrs", list(PRIVATE_RANGES))
        migration.notes.append(
            (
                "network_policy.api_server.cidrs",
                "the private ranges: users reach public addresses, which must leave the API server out, and the "
                "chart's egress rules assume it is private; if yours has a public endpoint, write its address "
                "(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes)",
            )
        )


def _user_resources(values: dict, migration: Migration) -> None:
    """The chart's servers have no CPU guarantee or limit and no memory limit; here each has both."""
    for resource, model, chart in (("cpu", CpuAllotment, None), ("memory", MemoryAllotment, "1G")):
        given = migration.get(f"singleuser.{resource}", {})
        default = model().model_dump()
        if "guarantee" not in given and chart is None:
            migration.notes.append(
                (
                    f"singleuser.{resource}.guarantee",
                    f"the chart reserves no {resource} for a user server; here each reserves "
                    f"{default['guarantee']} (write singleuser.{resource}.guarantee to change it)",
                )
            )
        if "limit" not in given:
            guarantee = given.get("guarantee", default["guarantee"])
            try:
                limit = max(default["limit"], guarantee, key=parse_quantity)
            except (TypeError, ValueError):
                continue  # not a quantity: the loader reports the guarantee
            migration.put(f"singleuser.{resource}.limit", limit)
            migration.notes.append(
                (
                    f"singleuser.{resource}.limit",
                    f"the chart sets no {resource} limit (a server may use all of its node's); here each server "
                    f"is limited to {limit} (raise singleuser.{resource}.limit as needed)",
                )
            )


def _ingress_class(values: dict, migration: Migration) -> None:
    if not migration.get("ingress.enabled", False):
        return
    if not _set(values, "ingress.ingressClassName"):
        migration.put("ingress.class_name", None)
        migration.put("ingress.controller", "other")
        migration.notes.append(
            (
                "ingress.class_name",
                "unset, as in the chart: the cluster's default IngressClass serves the hub, and no controller "
                "annotations are added (with ingress-nginx, write controller: ingress-nginx for unlimited uploads "
                "and 1 h websocket timeouts)",
            )
        )
    elif migration.get("ingress.controller", "ingress-nginx") == "ingress-nginx":
        migration.notes.append(
            (
                "ingress.controller",
                "ingress-nginx: the Ingress gets unlimited body size and 1 h read/send timeouts, which the chart "
                "does not add; write controller: other for none",
            )
        )


def _user_tolerations(values: dict, migration: Migration) -> None:
    if _set(values, "scheduling.userPods.tolerations"):
        return
    migration.put("scheduling.user_pods.tolerations", CHART_USER_TOLERATIONS)
    migration.notes.append(
        (
            "scheduling.user_pods.tolerations",
            "user pods tolerate the chart's dedicated user nodes (taint hub.jupyter.org/dedicated=user), as "
            "the chart's scheduling.userPods.tolerations do by default",
        )
    )
    if not _set(values, "scheduling.userPods.nodeAffinity.matchNodePurpose"):
        migration.notes.append(
            (
                "scheduling.userPods.nodeAffinity.matchNodePurpose",
                f"the chart's default prefer is not kept: user pods do not prefer nodes labelled {NODE_PURPOSE}="
                f"user; write scheduling.user_pods.node_selector: {{{NODE_PURPOSE}: user}} to require them",
            )
        )


def _core_pods(values: dict, migration: Migration) -> None:
    if not _set(values, "scheduling.corePods.tolerations"):
        migration.put("scheduling.core_pods.tolerations", CHART_CORE_TOLERATIONS)
    if not _set(values, "scheduling.corePods.nodeAffinity.matchNodePurpose"):
        migration.put(
            "scheduling.core_pods.node_affinity.preferred",
            [{"key": NODE_PURPOSE, "operator": "In", "values": ["core"]}],
        )
    if not (_set(values, "scheduling.corePods.tolerations") and _set(values, "scheduling.corePods.nodeAffinity")):
        migration.notes.append(
            (
                "scheduling.core_pods",
                "hub, proxy, user scheduler and hook Jobs tolerate the chart's dedicated core nodes and prefer "
                f"nodes labelled {NODE_PURPOSE}=core, as the chart's scheduling.corePods do by default",
            )
        )


def _host(migration: Migration) -> None:
    """The first host the values name (Ingress, automatic HTTPS, HTTPRoute, OAuth callback); others are noted."""
    if not migration.hosts or "host" in migration.config:
        return
    source, host = migration.hosts[0]
    migration.put("host", host)
    for other_source, other in migration.hosts[1:]:
        if other != host:
            migration.notes.append((other_source, f"{other} differs from the host {host} (from {source}); unused"))


def callback_host(value: str) -> str | None:
    """The host of an OAuth callback URL, if it is an absolute https URL."""
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts.hostname if parts is not None and parts.scheme == "https" and parts.hostname else None


def hub_egress_for(port: int) -> list[dict]:
    """What the chart lets the hub reach on `port` (every public and private address), as auth.egress."""
    return [
        {"public_internet": True, "ports": [port]},
        *({"cidr": cidr, "ports": [port]} for cidr in PRIVATE_RANGES),
    ]


# KubeSpawner 7.0.0's default pvc_name_template (spawner.py), which the chart leaves in place
# (values.yaml singleuser.storage.dynamic.pvcNameTemplate: null).
CHART_USER_CLAIMS = "claim-{user_server}"


def keep_users_data(values: dict, migration: Migration) -> None:
    """The migrated hub uses the release's own PVCs: its database and every user's home, by the chart's names."""
    if migration.get("hub.database.type", "sqlite") == "sqlite":
        override = values.get("fullnameOverride", "")
        if isinstance(override, str):
            # z2jh 4.4.0 _helpers-names.tpl: jupyterhub.hub-pvc.fullname is <fullname.dash>hub-db-dir.
            migration.put("hub.database.type", "sqlite")
            migration.put("hub.database.pvc_name", f"{override}-hub-db-dir" if override else "hub-db-dir")
        else:
            migration.notes.append(
                (
                    "hub.database.pvc_name",
                    "fullnameOverride: null names the hub's PVC after the Helm release: write "
                    "`pvc_name: <release>-hub-db-dir` if the release name contains 'jupyterhub', else "
                    "`pvc_name: <release>-jupyterhub-hub-db-dir` (`kubectl get pvc` shows it)",
                )
            )
    if migration.get("singleuser.storage.type", "dynamic") != "dynamic":
        return
    if migration.get("singleuser.storage.pvc_name_template") is None:
        migration.put("singleuser.storage.pvc_name_template", CHART_USER_CLAIMS)
    if migration.get("singleuser.storage.delete_on_user_deletion") is None:
        migration.notes.append(
            (
                "singleuser.storage.delete_on_user_deletion",
                "the chart deletes a user's home PVC with the user (KubeSpawner's delete_pvc defaults to true); "
                "here homes are kept; write `delete_on_user_deletion: true` to keep the chart's behaviour",
            )
        )
