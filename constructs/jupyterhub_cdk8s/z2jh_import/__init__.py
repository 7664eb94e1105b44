"""Migration from the JupyterHub Helm chart: a z2jh 4.x values file to an environment file.

Every key of the values file is either mapped or reported with its reason:
nothing is dropped silently (keys set to null or to an empty map or list set
nothing and are skipped). The parts:

- rows.py: the table, one row per chart key (where it goes, or why not);
- transforms.py: the conversions the rows name; profiles.py: profileList; pods.py: private
  registries, volumes, the home on existing storage, containers and files of user pods;
- auth.py: the authenticator, which the chart spreads over several keys;
- chart_behaviour.py: the chart's defaults that differ here, kept or noted;
- engine.py: the walk that applies the table;
- environment_file.py: the file written, and its check by the loader.

Nothing here loads cdk8s or jsii: `import-z2jh` is YAML in, YAML out.
"""

from __future__ import annotations

from .auth import resolve_auth
from .chart_behaviour import keep_chart_behaviour, keep_users_data
from .engine import Migration, Row, merged, walk
from .environment_file import render, validate
from .pods import resolve_pull_secrets, resolve_storage
from .profiles import complete_profiles, quota_for_gpus, resolve_profile_volumes
from .rows import CHART, CHART_DEFAULTS, ROWS
from .transforms import resolve_services


def migrate(values: dict, namespace: str) -> Migration:
    """The environment for `values` in `namespace`, with every key not carried over and every note."""
    migration = Migration()
    migration.put("namespace", namespace)
    walk(merged(CHART_DEFAULTS, values), CHART, migration)
    resolve_auth(migration)
    resolve_services(migration)
    resolve_storage(migration)
    resolve_profile_volumes(migration)
    complete_profiles(migration)
    quota_for_gpus(migration)
    resolve_pull_secrets(migration)
    keep_users_data(values, migration)
    keep_chart_behaviour(values, migration)
    return migration


__all__ = ["ROWS", "Row", "Migration", "migrate", "render", "validate"]
