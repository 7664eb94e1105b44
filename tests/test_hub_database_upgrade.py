"""A database an older JupyterHub wrote is upgraded by the hub's command line exactly as the Deployment runs it.

The hub image moves to a JupyterHub with a newer schema (4.1.6 -> 5.5.0: alembic 0eee8c825d24 -> 4621fec11365,
jupyterhub/alembic/versions/); without --upgrade-db the new hub stops on DatabaseSchemaMismatch and crash-loops.
"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from support.hub_harness import deployment_container, fake_secrets, running_hub
from support.synthesis import MINIMAL, dist_objects, synth_objects

pytestmark = pytest.mark.real

OLD_JUPYTERHUB = "4.1.6"
OLD_SCHEMA, NEW_SCHEMA = "0eee8c825d24", "4621fec11365"
CREATE_DATABASE = """
import sys
from jupyterhub import __version__, orm
assert __version__ == sys.argv[2], __version__
db = orm.new_session_factory("sqlite:///" + sys.argv[1])()
db.add(orm.User(name="alice"))
db.commit()
"""


@pytest.fixture(scope="session")
def old_jupyterhub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a venv holding the older JupyterHub (from PyPI): made once, kept in pytest's cache."""
    cache = getattr(request.config, "cache", None)
    root = cache.mkdir(f"jupyterhub-{OLD_JUPYTERHUB}") if cache else tmp_path_factory.mktemp("old-jupyterhub")
    venv, done = root / "venv", root / "installed"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one pytest-xdist worker installs, the others wait
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
            install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            subprocess.run([*install, f"jupyterhub=={OLD_JUPYTERHUB}"], check=True, capture_output=True, timeout=300)
            done.touch()
    return venv / "bin" / "python"


def _schema(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _users(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM users ORDER BY name")]


def test_the_hub_upgrades_a_database_of_an_older_jupyterhub_and_stops_without_the_flag(
    old_jupyterhub: Path, tmp_path: Path
):
    without, upgraded = tmp_path / "without-flag", tmp_path / "upgraded"
    for directory in (without, upgraded):
        directory.mkdir()
        database = directory / "jupyterhub.sqlite"  # where the harness points c.JupyterHub.db_url
        subprocess.run([str(old_jupyterhub), "-c", CREATE_DATABASE, str(database), OLD_JUPYTERHUB], check=True)
        assert _schema(database) == OLD_SCHEMA

    # An environment that turned the upgrade off: the new hub refuses the old schema and exits.
    objects = synth_objects(MINIMAL + "hub: {database: {type: sqlite, upgrade: false}}\n", tmp_path)
    assert "--upgrade-db" not in deployment_container(objects, "hub")["args"]
    with (
        pytest.raises(AssertionError, match=f"Found database schema version {OLD_SCHEMA} != {NEW_SCHEMA}"),
        running_hub(objects, without, secrets=fake_secrets(objects)),
    ):
        pass
    assert _schema(without / "jupyterhub.sqlite") == OLD_SCHEMA

    # The Deployment as shipped: SQLite is backed up, migrated, and the hub serves with its users kept.
    objects = dist_objects("default")
    assert deployment_container(objects, "hub")["args"][-1] == "--upgrade-db"
    with running_hub(objects, upgraded, secrets=fake_secrets(objects)) as hub:
        assert requests.get(hub.hub_url + "hub/health", timeout=5).ok
    database = upgraded / "jupyterhub.sqlite"
    assert _schema(database) == NEW_SCHEMA
    assert "alice" in _users(database)
    (backup,) = upgraded.glob("jupyterhub.sqlite.*")
    assert _schema(backup) == OLD_SCHEMA
