"""A hub moved from the JupyterHub Helm chart with import-z2jh uses the release's PVCs: its database, every home.

The chart names the hub's PVC `<fullname>-hub-db-dir` (`hub-db-dir` by default; z2jh 4.4.0
templates/_helpers-names.tpl) and leaves KubeSpawner's `pvc_name_template` at its default
`claim-{user_server}` unless `singleuser.storage.dynamic.pvcNameTemplate` is set (files/hub/
jupyterhub_config.py). The real KubeSpawner 7.0.0 resolves the names for both hubs here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.synthesis import environment, find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, on_spawner
from traitlets.config import Config

from jupyterhub_cdk8s.config.loader import ConfigError
from jupyterhub_cdk8s.z2jh_import import migrate, render

DATA = Path(__file__).parent / "data"
# Names with capitals, dots, @ and non-ASCII letters; KubeSpawner 7's default "safe" slug scheme
# hashes whatever is not already a valid DNS label (kubespawner/slugs.py, safe_slug).
USERS = {
    "alice": "claim-alice",
    "Alice": "claim-alice---3bc51062",
    "first.last": "claim-first-last---23e1b5a0",
    "user@example.com": "claim-user-example-com---b4c9a289",
    "jürgen": "claim-j-rgen---19b720a9",
    "Zoë.Müller@uni.de": "claim-zo-m-ller-uni-de---ad223ee6",
}
VALUES = {
    "defaults": {},
    "wide": yaml.safe_load((DATA / "z2jh-values.yaml").read_text(encoding="utf-8")),
    "urbalurba": yaml.safe_load((DATA / "urbalurba-values.yaml").read_text(encoding="utf-8")),
}


def _claim(config: Config, user: str, server: str = "") -> str:
    async def name(spawner) -> str:
        return spawner.pvc_name

    return on_spawner(config, name, user, server)


def _charts_hub(values: dict) -> Config:
    """The KubeSpawner settings the chart's jupyterhub_config.py makes of `values` that name a user's PVC."""
    config = Config()
    config.KubeSpawner.storage_pvc_ensure = True
    template = values.get("singleuser", {}).get("storage", {}).get("dynamic", {}).get("pvcNameTemplate")
    if template:
        config.KubeSpawner.pvc_name_template = template
    return config


def _imported(values: dict, tmp_path: Path) -> list[dict]:
    return synth_objects(render(migrate(values, "jupyterhub")), tmp_path)


@pytest.mark.real
@pytest.mark.parametrize("chart", list(VALUES))
def test_every_user_finds_the_home_the_chart_gave_them(chart: str, tmp_path: Path):
    values = VALUES[chart]
    imported = load_hub_config(hub_config_text(_imported(values, tmp_path)), tmp_path)
    charts = _charts_hub(values)
    for user in USERS:
        for server in ("", "gpu"):
            assert _claim(imported, user, server) == _claim(charts, user, server), (user, server)


@pytest.mark.real
def test_the_charts_default_names_are_kubespawners_safe_slugs(tmp_path: Path):
    """The expected names, written out: a change of KubeSpawner's naming would show here first."""
    imported = load_hub_config(hub_config_text(_imported({}, tmp_path)), tmp_path)
    assert {user: _claim(imported, user) for user in USERS} == USERS


@pytest.mark.unit
@pytest.mark.parametrize(("override", "claim"), [({}, "hub-db-dir"), ({"fullnameOverride": "lab"}, "lab-hub-db-dir")])
def test_the_hub_mounts_the_releases_database_pvc(override: dict, claim: str, tmp_path: Path):
    objects = _imported(override, tmp_path)
    pvc = find(objects, "PersistentVolumeClaim", claim)
    assert pvc["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    hub = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": claim}} in hub["volumes"]
    # The chart's database file, /srv/jupyterhub/jupyterhub.sqlite, is the same path here.
    assert "c.JupyterHub.db_url = 'sqlite:////srv/jupyterhub/jupyterhub.sqlite'" in hub_config_text(objects)


@pytest.mark.unit
def test_a_release_named_after_itself_is_left_to_the_operator_with_the_names_to_write():
    migration = migrate({"fullnameOverride": None}, "jupyterhub")
    assert "pvc_name" not in migration.config.get("hub", {}).get("database", {})
    assert "<release>-hub-db-dir" in dict(migration.notes)["hub.database.pvc_name"]


@pytest.mark.unit
def test_a_template_giving_every_user_the_same_pvc_is_refused(tmp_path: Path):
    text = "namespace: x\nauth: {type: dummy, allow_all: true}\nsingleuser: {storage: {pvc_name_template: home}}\n"
    with pytest.raises(ConfigError, match="names one PVC for every user"):
        environment(text, tmp_path)
