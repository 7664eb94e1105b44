"""Migration from the JupyterHub Helm chart: a z2jh 4.x values file to an environment file.

Every key of the values file is either mapped or reported with its reason:
nothing is dropped silently (keys set to null or to an empty map or list set
nothing and are skipped). The parts:

- rows.py: the table, one row per chart key (where it goes, or why not);
- transforms.py: the conversions the rows name; profiles.py: profileList;
- auth.py: the authenticator, which the chart spreads over several keys;
- engine.py: the walk that applies the table;
- environment_file.py: the file written, and its check by the loader.

Nothing here loads cdk8s or jsii: `import-z2jh` is YAML in, YAML out.
"""

from __future__ import annotations

from .auth import resolve_auth
from .engine import Migration, Row, merged, walk
from .environment_file import render, validate
from .profiles import complete_profiles, quota_for_gpus
from .rows import CHART, CHART_DEFAULTS, ROWS


def migrate(values: dict, namespace: str) -> Migration:
    """The environment for `values` in `namespace`, with every key not carried over and every note."""
    migration = Migration()
    migration.put("namespace", namespace)
    walk(merged(CHART_DEFAULTS, values), CHART, migration)
    resolve_auth(migration)
    complete_profiles(migration)
    quota_for_gpus(migration)
    keep_users_data(values, migration)
    return migration


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


__all__ = ["ROWS", "Row", "Migration", "migrate", "render", "validate"]
