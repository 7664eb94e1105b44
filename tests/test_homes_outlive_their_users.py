"""A user's home PVC outlives the user unless the environment says otherwise (KubeSpawner's default deletes it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.synthesis import MINIMAL, dist_objects, environment, hub_config_text, synth_objects
from support.user_pods import load_hub_config, on_spawner

from jupyterhub_cdk8s.z2jh_import import migrate

HOMES = ["254carbon", "default", "urbalurba"]  # the shipped environments with a home PVC per user


async def _delete_pvc(spawner) -> bool:
    return spawner.delete_pvc


@pytest.mark.real
@pytest.mark.parametrize("env", HOMES)
def test_deleting_a_user_keeps_their_home_by_default(env: str, tmp_path: Path):
    """KubeSpawner 7.0.0's delete_pvc is True; the hub these environments run keeps the home."""
    config = load_hub_config(hub_config_text(dist_objects(env)), tmp_path)
    assert on_spawner(config, _delete_pvc) is False


@pytest.mark.real
def test_an_environment_may_delete_homes_with_their_users(tmp_path: Path):
    text = MINIMAL + "singleuser: {storage: {delete_on_user_deletion: true}}\n"
    config = load_hub_config(hub_config_text(synth_objects(text, tmp_path)), tmp_path)
    assert on_spawner(config, _delete_pvc) is True


@pytest.mark.unit
def test_culling_users_whose_homes_go_with_them_is_warned_about(tmp_path: Path):
    text = MINIMAL + "singleuser: {storage: {delete_on_user_deletion: true}, culling: {cull_users: true}}\n"
    (warning,) = environment(text, tmp_path).warnings
    assert str(warning).startswith(
        "environments/test.yaml: singleuser.culling.cull_users: the idle culler deletes users idle for 3600s, "
        "and storage.delete_on_user_deletion deletes their homes with them"
    )
    assert not environment(MINIMAL + "singleuser: {culling: {cull_users: true}}\n", tmp_path).warnings


@pytest.mark.unit
def test_import_keeps_the_charts_choice_and_says_when_it_differs():
    kept = migrate({"hub": {"config": {"KubeSpawner": {"delete_pvc": True}}}}, "jupyterhub")
    assert kept.config["singleuser"]["storage"]["delete_on_user_deletion"] is True
    assert "singleuser.storage.delete_on_user_deletion" not in dict(kept.notes)
    default = dict(migrate({}, "jupyterhub").notes)["singleuser.storage.delete_on_user_deletion"]
    assert "the chart deletes a user's home PVC with the user" in default
