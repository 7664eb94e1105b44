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
    if migration.get("singleuser.storage.type", "dynamic") == "dynamic":
        if migration.get("singleuser.storage.delete_on_user_deletion") is None:
            migration.notes.append(
                (
                    "singleuser.storage.delete_on_user_deletion",
                    "the chart deletes a user's home PVC with the user (KubeSpawner's delete_pvc defaults to true); "
                    "here homes are kept; write `delete_on_user_deletion: true` to keep the chart's behaviour",
                )
            )
        migration.notes.append(
            (
                "singleuser.storage",
                "user PVCs are named <name>-claim-<user> here, claim-<user> in the chart: "
                "rename existing claims (or copy their data) before users move over",
            )
        )
    return migration


__all__ = ["ROWS", "Row", "Migration", "migrate", "render", "validate"]
