"""The hub's container: tini stays PID 1, the database is migrated at start, probes never cut a migration short."""

from __future__ import annotations

import pytest
from support.hub_harness import deployment_container
from support.synthesis import MINIMAL, find, hub_config_text, synth_objects

from jupyterhub_cdk8s.z2jh_import import migrate

pytestmark = pytest.mark.unit

POSTGRES = (
    "hub: {database: {type: postgresql, url_secret: {name: db, key: url}%s}}\n"
    "network_policy: {database: {cidrs: [10.0.5.10/32], port: 5432}}\n"
)


def test_the_hub_runs_as_args_of_the_images_entrypoint_with_the_database_upgrade(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    hub = deployment_container(objects, "hub")
    assert "command" not in hub, "a command replaces the image's tini entrypoint"
    assert hub["args"] == ["jupyterhub", "--config", "/usr/local/etc/jupyterhub/jupyterhub_config.py", "--upgrade-db"]
    assert "c.JupyterHub.last_activity_interval = 60" in hub_config_text(objects)


@pytest.mark.parametrize(("upgrade", "flag"), [("", False), (", upgrade: true", True)])
def test_postgresql_is_upgraded_only_when_asked(tmp_path, upgrade, flag):
    """JupyterHub backs up SQLite files before a migration, never a PostgreSQL database."""
    objects = synth_objects(MINIMAL + POSTGRES % upgrade, tmp_path)
    assert ("--upgrade-db" in deployment_container(objects, "hub")["args"]) is flag


def test_probes_give_a_migration_time_and_never_drop_the_only_hub(tmp_path):
    objects = synth_objects(MINIMAL, tmp_path)
    hub = deployment_container(objects, "hub")

    def window(probe: dict) -> int:
        return probe["periodSeconds"] * probe["failureThreshold"]

    assert window(hub["startupProbe"]) >= 600
    assert window(hub["livenessProbe"]) >= 300  # the Helm chart's ~5 minutes unresponsive
    assert window(hub["readinessProbe"]) >= window(hub["livenessProbe"]), "unready only when liveness would restart"
    deployment = find(objects, "Deployment", "jupyterhub-hub")
    assert deployment["spec"]["progressDeadlineSeconds"] > window(hub["startupProbe"])


def test_import_keeps_the_charts_database_upgrade_choice():
    assert migrate({"hub": {"db": {"upgrade": False}}}, "jupyterhub").config["hub"]["database"]["upgrade"] is False
