"""A user's home PVC outlives the user unless the environment says otherwise (KubeSpawner's default deletes it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.synthesis import (
    ENVIRONMENTS,
    MINIMAL,
    dist_objects,
    environment,
    find,
    hub_config_text,
    synth_objects,
)
from support.user_pods import load_hub_config, on_spawner

from jupyterhub_cdk8s.z2jh_import import migrate

# Homes on existing storage, and none: KubeSpawner still deletes claim-<user>... when a user is deleted.
OTHER_HOMES = {
    "static": "singleuser: {storage: {type: static, existing_claim: homes%s}}\n",
    "none": "singleuser: {storage: {type: none%s}}\n",
}


async def _delete_pvc(spawner) -> bool:
    return spawner.delete_pvc


async def _deleted_pvc(spawner) -> str | None:
    """The PVC KubeSpawner deletes with the user (spawner.py, delete_forever), or None."""
    return spawner.pvc_name if spawner.delete_pvc else None


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_deleting_a_user_keeps_their_home_by_default(env: str, tmp_path: Path):
    """KubeSpawner 7.0.0's delete_pvc is True whatever the home is; every shipped hub keeps every PVC."""
    config = load_hub_config(hub_config_text(dist_objects(env)), tmp_path)
    assert on_spawner(config, _delete_pvc) is False


@pytest.mark.real
@pytest.mark.parametrize("home", sorted(OTHER_HOMES))
def test_a_hub_without_home_pvcs_deletes_no_pvc_unless_asked(home: str, tmp_path: Path):
    """A static or ephemeral home hub never deletes a claim-<user> PVC (one left from dynamic homes) by itself."""
    kept = synth_objects(MINIMAL + OTHER_HOMES[home] % "", tmp_path)
    assert on_spawner(load_hub_config(hub_config_text(kept), tmp_path), _deleted_pvc) is None
    asked = synth_objects(MINIMAL + OTHER_HOMES[home] % ", delete_on_user_deletion: true", tmp_path)
    assert on_spawner(load_hub_config(hub_config_text(asked), tmp_path), _deleted_pvc) == "jupyterhub-claim-alice"


@pytest.mark.real
def test_an_environment_may_delete_homes_with_their_users(tmp_path: Path):
    text = MINIMAL + "singleuser: {storage: {delete_on_user_deletion: true}}\n"
    config = load_hub_config(hub_config_text(synth_objects(text, tmp_path)), tmp_path)
    assert on_spawner(config, _delete_pvc) is True


async def _pvc_calls(spawner) -> set[str]:
    """The PVC calls KubeSpawner 7.0.0 makes: create and read back each home with storage_pvc_ensure
    (spawner.py `_start`, `_make_create_pvc_request`), delete it with delete_pvc (`delete_forever`)."""
    return ({"create", "get"} if spawner.storage_pvc_ensure else set()) | ({"delete"} if spawner.delete_pvc else set())


@pytest.mark.real
@pytest.mark.parametrize("home", ["dynamic", "static", "none"])
@pytest.mark.parametrize("delete", [False, True])
def test_the_hub_may_do_to_pvcs_exactly_what_kubespawner_does(home: str, delete: bool, tmp_path: Path):
    """Least privilege: a hub that keeps homes cannot delete one, a hub without home PVCs cannot touch any."""
    storage = {"dynamic": {}, "static": {"type": "static", "existing_claim": "homes"}, "none": {"type": "none"}}[home]
    settings = {"singleuser": {"storage": {**storage, "delete_on_user_deletion": delete}}}
    objects = synth_objects(MINIMAL + yaml.safe_dump(settings), tmp_path)
    role = find(objects, "Role", "jupyterhub-hub")
    granted = {
        verb for rule in role["rules"] if "persistentvolumeclaims" in rule["resources"] for verb in rule["verbs"]
    }
    assert granted == on_spawner(load_hub_config(hub_config_text(objects), tmp_path), _pvc_calls)


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
