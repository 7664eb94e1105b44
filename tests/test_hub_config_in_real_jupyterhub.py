"""The generated jupyterhub_config.py in the real JupyterHub 5.5.0, KubeSpawner 7.0.0 and CHP proxy class.

Each environment's config file is loaded by a real `JupyterHub` app with the
hub container's environment (Secrets filled with fake values), the classes it
names are instantiated, and their trait values are compared with the
environment's config model (parsed from the YAML by the project's loader).
Expected values come from the model and from the other synthesized objects
(Services, volumes), never from the generated file.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jupyterhub.app import JupyterHub
from jupyterhub.auth import Authenticator
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from jupyterhub.proxy import ConfigurableHTTPProxy
from kubernetes_asyncio.config import kube_config
from kubespawner import KubeSpawner
from ltiauthenticator.lti13.auth import LTI13Authenticator
from support.hub_harness import container_env, deployment_container, fake_secrets, kubeconfig
from support.synthesis import ENVIRONMENTS, MINIMAL, ROOT, dist_objects, environment, hub_config_text, synth_objects
from tornado.httpclient import AsyncHTTPClient
from traitlets.config import Config

from jupyterhub_cdk8s.config import HubConfig
from jupyterhub_cdk8s.config.hub import PostgresDatabase
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.naming import SECRETS_BOOTSTRAP, SHARED_STORAGE

pytestmark = pytest.mark.real

AUTHENTICATOR_CLASSES = {"shared-password": SharedPasswordAuthenticator, "lti13": LTI13Authenticator}
"""The class each `auth.type` of this module's checks must load; OAuth types are checked by their own tests."""

# Kubernetes quantity suffixes, written out here so the expected values do not
# come from the project's own parser.
QUANTITY_SUFFIXES = {
    "m": Decimal("0.001"),
    "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
}  # fmt: skip


def quantity(text: str) -> Decimal:
    for suffix in sorted(QUANTITY_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            return Decimal(text.removesuffix(suffix)) * QUANTITY_SUFFIXES[suffix]
    return Decimal(text)


class LoadedHub:
    """One environment's config as the real JupyterHub reads it, with the classes it names."""

    def __init__(self, objects: list[dict], tmp_path: Path, monkeypatch, values: dict[tuple[str, str], str]):
        self.objects = objects
        self.secrets = fake_secrets(objects, values)
        for name, value in container_env(deployment_container(objects, "hub"), self.secrets).items():
            monkeypatch.setenv(name, value)
        # KubeSpawner loads a kubeconfig even when mocked; the client read $KUBECONFIG at import.
        monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig(tmp_path / "kubeconfig")))
        path = tmp_path / "jupyterhub_config.py"
        path.write_text(hub_config_text(objects), encoding="utf-8")
        self.app = JupyterHub()
        self.app.load_config_file(str(path))

    async def spawner(self) -> KubeSpawner:
        """KubeSpawner needs a running event loop to be made."""
        return self.app.spawner_class(config=self.app.config, _mock=True)

    def authenticator(self):
        return self.app.authenticator_class(config=self.app.config)

    def proxy(self) -> ConfigurableHTTPProxy:
        return self.app.proxy_class(config=self.app.config)


@pytest.fixture
def load(tmp_path, monkeypatch):
    """load(objects, secrets={...}) -> LoadedHub; the process-wide HTTP client choice is restored after."""
    saved = AsyncHTTPClient._save_configuration()
    yield lambda objects, secrets={}: LoadedHub(objects, tmp_path, monkeypatch, secrets)
    AsyncHTTPClient._restore_configuration(saved)


def pods_service(objects: list[dict], component: str, container_port: int) -> tuple[str, int]:
    """(name, port) of the Service that selects `component`'s pods and forwards to `container_port`."""
    deployment = next(
        o
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    port_names = {
        p["name"]: p["containerPort"] for c in deployment["spec"]["template"]["spec"]["containers"] for p in c["ports"]
    }
    found = [
        (service["metadata"]["name"], port["port"])
        for service in objects
        if service["kind"] == "Service" and service["spec"]["selector"].items() <= pod_labels.items()
        for port in service["spec"]["ports"]
        if port_names.get(port["targetPort"], port["targetPort"]) == container_port
    ]
    assert len(found) == 1, f"expected one Service to {component} port {container_port}, found {found}"
    return found[0]


def proxy_flags(objects: list[dict]) -> dict[str, str]:
    command = deployment_container(objects, "proxy")["command"]
    return dict(arg.partition("=")[::2] for arg in command[1:])


def check_hub(loaded: LoadedHub, config: HubConfig) -> None:
    app, objects = loaded.app, loaded.objects
    assert app.cleanup_servers is False, "user servers must outlive a hub restart"
    # Routes come back within a minute after a proxy restart, as in the Helm chart (issue 15, finding 6).
    assert app.last_activity_interval == 60
    assert app.base_url == config.hub.base_url
    assert app.concurrent_spawn_limit == config.hub.concurrent_spawn_limit
    assert app.active_server_limit == config.hub.active_server_limit
    assert app.allow_named_servers == config.hub.named_servers.enabled
    if config.hub.named_servers.enabled:
        assert app.named_server_limit_per_user == config.hub.named_servers.limit_per_user
    assert app.shutdown_on_logout == config.hub.shutdown_on_logout
    assert app.log_level == logging.getLevelName(config.hub.log_level)
    assert app.spawner_class is KubeSpawner
    assert issubclass(app.authenticator_class, Authenticator)
    assert app.authenticator_class is AUTHENTICATOR_CLASSES.get(config.auth.type, app.authenticator_class)
    assert app.proxy_class is ConfigurableHTTPProxy
    # The curl client is in the hub image and much faster towards the proxy API.
    assert AsyncHTTPClient.configured_class().__name__ == "CurlAsyncHTTPClient"

    hub_container = deployment_container(objects, "hub")
    bind = urlsplit(app.hub_bind_url)
    assert bind.hostname is None, "the hub must listen on all interfaces of its pod"
    assert bind.port in {p["containerPort"] for p in hub_container["ports"]}
    service, port = pods_service(objects, "hub", bind.port)
    connect = urlsplit(app.hub_connect_url)
    assert (connect.hostname, connect.port) == (f"{service}.{config.namespace}.svc", port)

    cookie_refs = [ref for ref, value in loaded.secrets.items() if value == app.cookie_secret.hex()]
    assert [name for name, _ in cookie_refs] == [hub_secret_name(objects, config)]
    if isinstance(config.hub.database, PostgresDatabase):
        url_ref = config.hub.database.url_secret
        assert app.db_url == loaded.secrets[(url_ref.name, url_ref.key)]
    else:
        database = Path(app.db_url.removeprefix("sqlite:///"))
        volumes = {v["name"]: v for v in deployment_spec(objects, "hub")["volumes"]}
        mounts = [m for m in hub_container["volumeMounts"] if database.is_relative_to(m["mountPath"])]
        assert len(mounts) == 1, f"{database} is on no (or several) volumes: {mounts}"
        claim = volumes[mounts[0]["name"]]["persistentVolumeClaim"]["claimName"]
        assert any(o["kind"] == "PersistentVolumeClaim" and o["metadata"]["name"] == claim for o in objects)


def hub_secret_name(objects: list[dict], config: HubConfig) -> str:
    """The Secret the user named, or else the one the bootstrap Job creates (its args: NAMESPACE NAME KEY...)."""
    if config.secrets.existing_secret:
        return config.secrets.existing_secret
    job = next(
        o
        for o in objects
        if o["kind"] == "Job" and o["metadata"]["labels"]["app.kubernetes.io/component"] == SECRETS_BOOTSTRAP
    )
    namespace, secret, *_ = job["spec"]["template"]["spec"]["containers"][0]["args"]
    assert namespace == config.namespace
    return secret


def deployment_spec(objects: list[dict], component: str) -> dict:
    return next(
        o["spec"]["template"]["spec"]
        for o in objects
        if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )


def check_proxy(loaded: LoadedHub, config: HubConfig) -> None:
    proxy, objects = loaded.proxy(), loaded.objects
    assert proxy.should_start is False, "the proxy runs in its own pod"
    flags = proxy_flags(objects)
    api = urlsplit(proxy.api_url)
    service, port = pods_service(objects, "proxy", int(flags["--api-port"]))
    assert (api.hostname, api.port) == (f"{service}.{config.namespace}.svc", port)
    token_env = next(e for e in deployment_container(objects, "proxy")["env"] if e["name"] == "CONFIGPROXY_AUTH_TOKEN")
    token_ref = token_env["valueFrom"]["secretKeyRef"]
    assert proxy.auth_token == loaded.secrets[(token_ref["name"], token_ref["key"])], "hub and proxy share one token"
    assert token_ref["name"] == hub_secret_name(objects, config)
    # The proxy sends what it cannot route to the hub, at the address the hub is reached at.
    assert flags["--default-target"] == loaded.app.hub_connect_url
    assert flags["--error-target"] == f"{loaded.app.hub_connect_url}{config.hub.base_url}hub/error"


async def check_spawner(loaded: LoadedHub, config: HubConfig) -> None:
    spawner, user = await loaded.spawner(), config.singleuser
    assert spawner.namespace == config.namespace
    assert spawner.image == user.image
    assert spawner.start_timeout == user.start_timeout
    assert spawner.http_timeout == user.http_timeout
    assert spawner.default_url == user.default_url
    assert Decimal(str(spawner.cpu_limit)) == quantity(user.cpu.limit)
    assert Decimal(str(spawner.cpu_guarantee)) == quantity(user.cpu.guarantee)
    assert spawner.mem_limit == quantity(user.memory.limit)
    assert spawner.mem_guarantee == quantity(user.memory.guarantee)
    assert user.extra_env.items() <= spawner.environment.items()
    assert (spawner.uid, spawner.fs_gid) == (user.uid, user.fs_gid)

    pod = await spawner.get_pod_manifest()
    resources = pod.spec.containers[0].resources
    assert quantity(str(resources.limits["memory"])) == quantity(user.memory.limit)
    assert quantity(str(resources.requests["cpu"])) == quantity(user.cpu.guarantee)
    claims = [v.persistent_volume_claim for v in pod.spec.volumes if v.persistent_volume_claim]
    # Shared volumes are the PVCs synthesized for them; every user pod mounts each of them.
    shared = sorted(
        o["metadata"]["name"]
        for o in loaded.objects
        if o["kind"] == "PersistentVolumeClaim"
        and o["metadata"]["labels"]["app.kubernetes.io/component"] == SHARED_STORAGE
    )
    assert len(shared) == len(user.storage.shared_volumes)
    assert sorted(c["claimName"] for c in claims if c["claimName"] in shared) == shared
    existing = {v.claim for v in user.storage.extra_volumes if v.claim}
    claims = [c for c in claims if c["claimName"] not in shared and c["claimName"] not in existing]
    if user.storage.type == "dynamic":
        assert spawner.storage_pvc_ensure is True
        pvc = spawner.get_pvc_manifest()
        assert pvc.spec.resources.requests["storage"] == user.storage.capacity
        assert pvc.spec.storage_class_name == user.storage.storage_class
        assert pvc.spec.access_modes == [user.storage.access_mode]
        assert [claim["claimName"] for claim in claims] == [pvc.metadata.name]
        assert user.storage.home_mount_path in {m["mountPath"] for m in spawner.volume_mounts.values()}
    elif user.storage.type == "static":
        assert spawner.storage_pvc_ensure is False
        assert [claim["claimName"] for claim in claims] == [user.storage.existing_claim]
        assert spawner.volume_mounts["home"]["mountPath"] == user.storage.home_mount_path
    else:
        assert spawner.storage_pvc_ensure is False
        assert claims == []


async def check_authenticator(loaded: LoadedHub, config: HubConfig) -> None:
    auth, rule = loaded.authenticator(), config.auth
    assert auth.allowed_users == set(rule.allowed_users)
    assert auth.admin_users == set(rule.admin_users)
    assert auth.allow_all == rule.allow_all
    if rule.type != "shared-password":
        return
    password = loaded.secrets[(rule.password_secret.name, rule.password_secret.key)]
    # Admin users log in with the admin password only, so try a user who is not one.
    user = next((name for name in rule.allowed_users if name not in rule.admin_users), "someone")
    assert await auth.authenticate(None, {"username": user, "password": password}) == {
        "name": user,
        "admin": False,
        "groups": [],
    }
    assert await auth.authenticate(None, {"username": user, "password": password + "x"}) is None
    # The access rule is applied on top of the password.
    accepted = await auth.get_authenticated_user(None, {"username": "stranger", "password": password})
    assert (accepted is not None) == rule.allow_all
    if rule.admin_password_secret:
        admin_password = loaded.secrets[(rule.admin_password_secret.name, rule.admin_password_secret.key)]
        admin = rule.admin_users[0]
        assert (await auth.authenticate(None, {"username": admin, "password": admin_password}))["admin"] is True
        assert await auth.authenticate(None, {"username": admin, "password": password}) is None


def check_all(loaded: LoadedHub, config: HubConfig) -> None:
    check_hub(loaded, config)
    check_proxy(loaded, config)

    async def spawner_and_authenticator():
        await check_spawner(loaded, config)
        await check_authenticator(loaded, config)

    asyncio.run(spawner_and_authenticator())


POSTGRES_URL = "postgresql://jupyterhub:pw@db.example.com:5432/jupyterhub"


def environment_config(env: str) -> HubConfig:
    return load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_in_dist_loads_into_the_real_hub_with_its_config(env, load):
    config = environment_config(env)
    database = config.hub.database
    # The hub reads its PostgreSQL URL from a Secret: give it one a URL parser accepts.
    values = (
        {(database.url_secret.name, database.url_secret.key): POSTGRES_URL} if database.type == "postgresql" else {}
    )
    check_all(load(dist_objects(env), values), config)


BASE = yaml.safe_load(MINIMAL)

VARIANTS = {
    "postgres": {
        "hub": {"database": {"type": "postgresql", "url_secret": {"name": "hub-db", "key": "url"}}},
        # The default-deny egress must let the hub reach its database.
        "network_policy": {"database": {"cidrs": ["10.0.5.10/32"]}},
    },
    "named-servers": {
        "hub": {
            "named_servers": {"enabled": True, "limit_per_user": 3},
            "active_server_limit": 50,
            "concurrent_spawn_limit": 0,
            "shutdown_on_logout": True,
        }
    },
    "base-url": {"hub": {"base_url": "/jupyter/"}},
    "no-storage-admin-password": {
        "singleuser": {
            "storage": {"type": "none"},
            "cpu": {"guarantee": "250m", "limit": "1.5"},
            "memory": {"guarantee": "1500Mi", "limit": "3G"},
        },
        "auth": {
            "type": "shared-password",
            "password_secret": {"name": "hub-password", "key": "password"},
            "admin_password_secret": {"name": "hub-password", "key": "admin-password"},
            "allow_all": True,
            "admin_users": ["root"],
        },
    },
    "existing-secret": {
        "name": "lab",
        "secrets": {"existing_secret": "my-hub-secret"},
        "singleuser": {
            "storage": {
                "storage_class": "fast",
                "access_mode": "ReadWriteOncePod",
                "capacity": "5Gi",
                "home_mount_path": "/home/user",
            }
        },
    },
}
DATABASE_URL = {("hub-db", "url"): POSTGRES_URL}


def variant_text(sections: dict) -> str:
    """BASE with the variant's top-level sections replacing BASE's."""
    return yaml.safe_dump({**BASE, **sections})


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_synthesized_variants_load_into_the_real_hub_with_their_config(variant, load, tmp_path):
    text = variant_text(VARIANTS[variant])
    config = environment(text, tmp_path, "variant").config
    check_all(load(synth_objects(text, tmp_path, "variant"), DATABASE_URL), config)


EXTRA = {
    "10-announcement": "c.JupyterHub.template_vars = {'announcement': 'Maintenance on Friday'}",
    "20-override": "c.KubeSpawner.start_timeout = 900\nc.Authenticator.admin_users = {'admin', 'ops'}",
}


def test_extra_config_comes_last_and_overrides_the_generated_traits(load, tmp_path):
    text = variant_text({"hub": {"extra_config": EXTRA}})
    config = environment(text, tmp_path, "extra").config
    loaded = load(synth_objects(text, tmp_path, "extra"))
    expected = Config()
    for name in sorted(config.hub.extra_config):
        exec(config.hub.extra_config[name], {"c": expected})

    async def instances():
        return {
            "JupyterHub": loaded.app,
            "KubeSpawner": await loaded.spawner(),
            "Authenticator": loaded.authenticator(),
        }

    made = asyncio.run(instances())
    assert set(expected) == set(made)
    for klass, values in expected.items():
        for trait, value in values.items():
            assert getattr(made[klass], trait) == value, f"{klass}.{trait}"


SHARED_PASSWORD_ENVIRONMENTS = [env for env in ENVIRONMENTS if environment_config(env).auth.type == "shared-password"]


@pytest.mark.parametrize("env", SHARED_PASSWORD_ENVIRONMENTS)
def test_every_user_a_shared_password_environment_names_can_log_in(env, load):
    config = environment_config(env)
    loaded = load(dist_objects(env))
    refs = [ref for ref in (config.auth.password_secret, config.auth.admin_password_secret) if ref]
    passwords = [loaded.secrets[(ref.name, ref.key)] for ref in refs]
    # With allow_all, any name the shared password opens must get in too.
    anyone = ["someone-not-listed"] if config.auth.allow_all else []

    async def locked_out() -> list[str]:
        auth = loaded.authenticator()
        return [
            name
            for name in sorted({*config.auth.allowed_users, *config.auth.admin_users, *anyone})
            if not [p for p in passwords if await auth.get_authenticated_user(None, {"username": name, "password": p})]
        ]

    assert asyncio.run(locked_out()) == []
