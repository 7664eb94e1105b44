"""Migration from the JupyterHub Helm chart: values files become environments that synthesize."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.synthesis import ROOT, find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, spawn_form, user_pod

from jupyterhub_cdk8s.cli import main
from jupyterhub_cdk8s.z2jh_import import ROWS, migrate, render, validate
from jupyterhub_cdk8s.z2jh_import.command import import_values

DATA = Path(__file__).parent / "data"
URBALURBA = DATA / "urbalurba-values.yaml"
WIDE = DATA / "z2jh-values.yaml"


def _values(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _leaves(node, path=""):
    """Every set key of a values file, as a dotted path (maps that are values, like extraEnv, count per entry)."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif node not in (None, [], {}):
        yield path


def _import(path: Path, capsys) -> tuple[str, str]:
    assert main(["import-z2jh", str(path)]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def _container(objects, kind, name, container):
    spec = find(objects, kind, name)["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == container)


@pytest.mark.real
def test_urbalurba_values_become_a_hub_with_the_seed_facts(capsys, tmp_path):
    out, err = _import(URBALURBA, capsys)
    objects = synth_objects(out, tmp_path, name="urbalurba")

    hub = _container(objects, "Deployment", "jupyterhub-hub", "hub")
    password = [
        e for e in hub["env"] if e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == "urbalurba-secrets"
    ]
    assert [e["valueFrom"]["secretKeyRef"]["key"] for e in password] == ["JUPYTERHUB_AUTH_PASSWORD"]
    assert hub["resources"] == {"requests": {"cpu": "200m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}}
    proxy = _container(objects, "Deployment", "jupyterhub-proxy", "chp")
    assert proxy["resources"] == {
        "requests": {"cpu": "200m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }

    config = hub_config_text(objects)
    assert "'jupyter/pyspark-notebook:spark-3.5.0'" in config
    assert "'PYSPARK_PYTHON': '/opt/conda/bin/python'" in config
    assert "'local-path'" in config and "'10Gi'" in config
    assert "shared-password" in config and "DummyAuthenticator" not in config
    assert "fallback-password" not in out + config

    pod = user_pod(load_hub_config(config, tmp_path), {})
    post_start = pod["spec"]["containers"][0]["lifecycle"]["postStart"]["exec"]["command"]
    assert post_start[:2] == ["bash", "-c"]
    assert "pip install --user pyspark==3.5.0 findspark plotly seaborn scikit-learn" in post_start[2]


@pytest.mark.unit
def test_urbalurba_import_carries_every_key(capsys):
    out, err = _import(URBALURBA, capsys)
    assert [line for line in err.splitlines() if ": not mapped: " in line] == []


@pytest.mark.unit
def test_wide_values_file_uses_at_least_30_chart_keys_and_synthesizes(capsys, tmp_path):
    leaves = set(_leaves(_values(WIDE)))
    assert len(leaves) >= 30
    out, err = _import(WIDE, capsys)
    objects = synth_objects(out, tmp_path, name="wide")
    ingress = find(objects, "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "hub.example.org"
    assert ingress["spec"]["tls"][0]["secretName"] == "hub-tls"
    config = hub_config_text(objects)
    assert "'quay.io/jupyter/scipy-notebook:2025-03-17'" in config
    assert "logo_file" in config
    branding = next(o for o in objects if o["kind"] == "ConfigMap" and "page.html" in o.get("data", {}))
    assert "Maintenance on Friday 18:00-20:00 UTC" in branding["data"]["page.html"]
    hub = _container(objects, "Deployment", "jupyterhub-hub", "hub")
    assert {"name": "team-secrets", "key": "password"} in [
        e["valueFrom"]["secretKeyRef"] for e in hub["env"] if "valueFrom" in e
    ]
    for secret_value in ("0123456789abcdef", "abcdef0123456789", "do-not-put-me-here"):
        assert secret_value not in out


@pytest.mark.unit
def test_no_key_is_dropped_silently():
    """Every key set in the values file is mapped by a row, or reported with a reason."""
    for path in (URBALURBA, WIDE):
        migration = migrate(_values(path), "jupyterhub")
        accounted = migration.mapped + [p for p, _ in migration.unmapped] + [p for p, _ in migration.notes]
        for leaf in _leaves(_values(path)):
            assert any(leaf == p or leaf.startswith(p + ".") or leaf.startswith(p + "[") for p in accounted), leaf
        assert all(reason.startswith("not mapped: ") and len(reason) > 20 for _, reason in migration.unmapped)


@pytest.mark.unit
def test_a_hub_secret_no_setting_reads_stays_in_the_hub_and_is_reported_once():
    """Before, it was dropped ("no setting here reads this Secret"); the hub keeps it now (hub.environment)."""
    secret = {"valueFrom": {"secretKeyRef": {"name": "team-secrets", "key": "unused"}}}
    for authenticator in ("dummy", "github"):
        config = {"JupyterHub": {"authenticator_class": authenticator}}
        values = {"hub": {"extraEnv": {"UNUSED": secret}, "config": config}}
        migration = migrate(values, "jupyterhub")
        reported = [path for path, _ in migration.unmapped + migration.notes]
        assert reported.count("hub.extraEnv.UNUSED") == 1, authenticator
        assert "hub.extraEnv.UNUSED" not in dict(migration.unmapped)
        assert migration.config["hub"]["environment"] == {"UNUSED": {"name": "team-secrets", "key": "unused"}}


@pytest.mark.unit
def test_unknown_keys_are_reported_where_they_are(capsys):
    values = {"hub": {"concurrentSpawnLimit": 5, "madeUpSetting": True}, "madeUpSection": {"a": 1}}
    migration = migrate(values, "jupyterhub")
    assert dict(migration.unmapped) == {
        "hub.madeUpSetting": "not mapped: no hub setting of this project corresponds",
        "madeUpSection.a": "not mapped: not a key of the JupyterHub chart 4.x that this importer knows",
    }
    assert yaml.safe_load(render(migration))["hub"]["concurrent_spawn_limit"] == 5


@pytest.mark.real
def test_wide_values_profiles_scheduling_pullers_and_culling_reach_the_hub(capsys, tmp_path):
    """profileList, tolerations, userScheduler, userPlaceholder, podPriority, prePuller and cull, on the YAML."""
    out, err = _import(WIDE, capsys)
    objects = synth_objects(out, tmp_path, name="wide")
    hub_config = load_hub_config(hub_config_text(objects), tmp_path)

    submitted = {"profile": ["gpu"]}
    gpu_pod = user_pod(hub_config, spawn_form(hub_config, submitted)[1])
    assert gpu_pod["spec"]["containers"][0]["image"] == "quay.io/jupyter/pytorch-notebook:cuda12-2025-03-17"
    assert gpu_pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert gpu_pod["spec"]["nodeSelector"]["nvidia.com/gpu.present"] == "true"
    large = user_pod(hub_config, spawn_form(hub_config, {"profile": ["large"]})[1])["spec"]["containers"][0]
    # values: singleuser.cpu.guarantee 0.5 kept, cpu_limit 8, mem 8G/32G from the profile's override
    assert large["resources"] == {
        "requests": {"cpu": 0.5, "memory": 8 * 2**30},
        "limits": {"cpu": 8, "memory": 32 * 2**30},
    }
    small = user_pod(hub_config, {})["spec"]
    assert {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"} in small[
        "tolerations"
    ]
    assert small["nodeSelector"] == {"node-purpose": "user"}
    assert small["containers"][0]["lifecycle"]["postStart"]["exec"]["command"] == ["sh", "-c", "echo ready"]

    assert find(objects, "Deployment", "jupyterhub-user-scheduler")["spec"]["replicas"] == 2
    assert find(objects, "StatefulSet", "jupyterhub-user-placeholder")["spec"]["replicas"] == 4
    priorities = {o["metadata"]["name"]: o["value"] for o in objects if o["kind"] == "PriorityClass"}
    assert priorities["jupyterhub.jupyterhub-image-puller-priority-minus-5"] == -5
    assert priorities["jupyterhub.jupyterhub-user-placeholder-priority-minus-10"] == -10
    pulled = [
        c["image"] for o in objects if o["kind"] == "DaemonSet" for c in o["spec"]["template"]["spec"]["initContainers"]
    ]
    assert "apache/spark:3.5.0" in pulled
    services = hub_config.JupyterHub.services.get_value([])  # appended to: a LazyConfigValue
    culler = next(s for s in services if s["name"] == "idle-culler")["command"]
    assert {"--timeout=3600", "--cull-every=600", "--max-age=28800", "--concurrency=5"} <= set(culler)


GENERIC_OAUTH = {
    "hub": {
        "config": {
            "JupyterHub": {"authenticator_class": "generic-oauth"},
            "GenericOAuthenticator": {
                "client_id": "hub",
                "client_secret": "in-git-by-mistake",
                "oauth_callback_url": "https://hub.example.org/hub/oauth_callback",
                "authorize_url": "https://sso.example.org/oauth2/authorize",
                "token_url": "https://sso.example.org/oauth2/token",
                "userdata_url": "https://sso.example.org/oauth2/userinfo",
                "username_claim": "email",
                "scope": ["openid", "email"],
                "allowed_groups": ["data-team"],
                "claim_groups_key": "roles",
            },
        }
    },
    "ingress": {"enabled": True, "hosts": ["hub.example.org"]},
}


@pytest.mark.real
def test_generic_oauth_values_become_an_oidc_hub(tmp_path):
    migration = migrate(GENERIC_OAUTH, "jupyterhub")
    text = render(migration)
    assert "in-git-by-mistake" not in text
    assert "client_secret" in dict(migration.unmapped)["hub.config.GenericOAuthenticator.client_secret"]
    config = load_hub_config(hub_config_text(synth_objects(text, tmp_path, name="oauth")), tmp_path)
    oauth = config.GenericOAuthenticator
    assert (oauth.authorize_url, oauth.token_url, oauth.userdata_url) == (
        "https://sso.example.org/oauth2/authorize",
        "https://sso.example.org/oauth2/token",
        "https://sso.example.org/oauth2/userinfo",
    )
    assert (oauth.client_id, oauth.username_claim, oauth.scope) == ("hub", "email", ["openid", "email"])
    assert (set(oauth.allowed_groups), oauth.auth_state_groups_key) == ({"data-team"}, "oauth_user.roles")
    assert oauth.oauth_callback_url == "https://hub.example.org/hub/oauth_callback"


@pytest.mark.real
def test_generic_oauth_against_a_keycloak_realm_becomes_keycloak(tmp_path):
    """Thinkube's chart values (seed 002): GenericOAuthenticator pointed at realm thinkube's endpoints."""
    realm = "https://keycloak.example.com/realms/thinkube/protocol/openid-connect"
    generic = {
        "client_id": "jupyterhub",
        "authorize_url": f"{realm}/auth",
        "token_url": f"{realm}/token",
        "userdata_url": f"{realm}/userinfo",
        "logout_redirect_url": f"{realm}/logout?redirect_uri=https://control.example.com",
        "username_claim": "preferred_username",
    }
    values = {
        "hub": {"config": {"JupyterHub": {"authenticator_class": "generic-oauth"}, "GenericOAuthenticator": generic,
                           "Authenticator": {"admin_users": ["admin"], "allow_all": True}}},
        "ingress": {"enabled": True, "hosts": ["jupyter.example.com"]},
    }  # fmt: skip
    text = render(migrate(values, "jupyterhub"))
    auth = yaml.safe_load(text)["auth"]
    assert (auth["type"], auth["url"], auth["realm"]) == ("keycloak", "https://keycloak.example.com", "thinkube")
    assert auth["post_logout_redirect_url"] == "https://control.example.com"
    oauth = load_hub_config(hub_config_text(synth_objects(text, tmp_path, name="kc")), tmp_path).GenericOAuthenticator
    assert (oauth.authorize_url, oauth.token_url, oauth.userdata_url) == (
        f"{realm}/auth",
        f"{realm}/token",
        f"{realm}/userinfo",
    )
    assert (
        oauth.logout_redirect_url.startswith(f"{realm}/logout?") and "control.example.com" in oauth.logout_redirect_url
    )


@pytest.mark.real
def test_github_values_become_a_github_hub(tmp_path):
    values = {
        "hub": {
            "config": {
                "JupyterHub": {"authenticator_class": "github"},
                "GitHubOAuthenticator": {"client_id": "gh-hub", "allowed_organizations": ["my-org:data"]},
            }
        },
        "ingress": {"enabled": True, "hosts": ["hub.example.org"]},
    }
    text = render(migrate(values, "jupyterhub"))
    config = load_hub_config(hub_config_text(synth_objects(text, tmp_path, name="github")), tmp_path)
    assert config.JupyterHub.authenticator_class == "github"
    assert config.GitHubOAuthenticator.client_id == "gh-hub"
    assert set(config.GitHubOAuthenticator.allowed_organizations) == {"my-org:data"}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("values", "key", "reason"),
    [
        ({"singleuser": {"allowPrivilegeEscalation": True}}, "singleuser.allowPrivilegeEscalation", "grant_sudo"),
        ({"singleuser": {"extraEnv": {"GRANT_SUDO": "yes"}}}, "singleuser.extraEnv.GRANT_SUDO", "grant_sudo: true"),
        ({"singleuser": {"extraResource": {"limits": {"nvidia.com/gpu": "1"}}}}, "singleuser.extraResource", "gpus"),
        ({"scheduling": {"userScheduler": {"replicas": 1}}}, "scheduling.userScheduler.replicas", "leader election"),
        (
            {"scheduling": {"userPods": {"nodeAffinity": {"matchNodePurpose": "prefer"}}}},
            "scheduling.userPods.nodeAffinity.matchNodePurpose",
            "require or ignore",
        ),
        ({"scheduling": {"podPriority": {"enabled": False}}}, "scheduling.podPriority.enabled", "always on"),
        (
            {"singleuser": {"lifecycleHooks": {"postStart": {"httpGet": {"path": "/"}}}}},
            "singleuser.lifecycleHooks",
            "exec",
        ),
        ({"singleuser": {"profileList": [{"slug": "x"}]}}, "singleuser.profileList", "singleuser.profiles"),
        ({"cull": {"adminUsers": False}}, "cull.adminUsers", "culling"),
        (
            {"hub": {"templateVars": {"announcement": "<b>Maintenance</b>"}}},
            "hub.templateVars.announcement",
            "plain text",
        ),
        ({"hub": {"templateVars": {"org": "x"}}}, "hub.templateVars.org", "announcement"),
        (
            {"scheduling": {"userPlaceholder": {"replicas": 3, "extra": 1}}},
            "scheduling.userPlaceholder.extra",
            "scheduling",
        ),
        (
            {
                "singleuser": {
                    "storage": {
                        "extraVolumes": [{"name": "node", "hostPath": {"path": "/data"}}],
                        "extraVolumeMounts": [{"name": "node", "mountPath": "/data"}],
                    }
                }
            },
            "singleuser.storage.volume_mounts[0]",
            "Pod Security baseline",
        ),
        (
            {
                "singleuser": {
                    "storage": {
                        "type": "none",
                        "extraVolumes": [{"name": "home", "nfs": {"server": "nfs.example.org", "path": "/homes"}}],
                        "extraVolumeMounts": [{"name": "home", "mountPath": "/home/jovyan", "subPath": "{username}"}],
                    }
                }
            },
            "singleuser.storage.extraVolumes",
            "storage.type static",
        ),
        (
            {"singleuser": {"extraFiles": {"conf": {"mountPath": "/etc/conf.toml", "data": {"a": 1}}}}},
            "singleuser.extraFiles.conf",
            "write the file under text",
        ),
        (
            {
                "hub": {
                    "extraFiles": {
                        "snippet": {
                            "mountPath": "/usr/local/etc/jupyterhub/jupyterhub_config.d/snippet.py",
                            "stringData": "c.JupyterHub.log_level = 'DEBUG'",
                        }
                    }
                }
            },
            "hub.extraFiles.snippet",
            "load it from hub.extra_config",
        ),
        (
            {"singleuser": {"extraContainers": [{"name": "s", "image": "busybox"}]}},
            "singleuser.extraContainers[0]",
            "not pinned",
        ),
        (
            {
                "singleuser": {
                    "initContainers": [{"name": "s", "image": "busybox:1", "securityContext": {"runAsUser": 0}}]
                }
            },
            "singleuser.initContainers[0].securityContext",
            "run as the user",
        ),
        (
            {"imagePullSecret": {"create": True, "registry": "ghcr.io", "password": "x"}},
            "imagePullSecret.password",
            "ends up in git",
        ),
        (
            {"singleuser": {"storage": {"type": "dynamic", "static": {"pvcName": "homes"}}}},
            "singleuser.storage.static.pvcName",
            "only read with storage.type static",
        ),
    ],
)
def test_unsound_or_unrepresentable_values_are_reported_with_what_to_write(values, key, reason):
    migration = migrate(values, "jupyterhub")
    reasons = dict(migration.unmapped)
    assert key in reasons and reason in reasons[key], reasons
    validate(render(migration))


@pytest.mark.unit
def test_placeholders_follow_the_charts_defaults():
    """The chart enables placeholders by default: replicas alone count; enabled: false means none."""
    assert migrate({"scheduling": {"userPlaceholder": {"replicas": 3}}}, "j").config["scheduling"][
        "user_placeholders"
    ] == {"replicas": 3}
    off = {"scheduling": {"userPlaceholder": {"enabled": False, "replicas": 3}}}
    assert migrate(off, "j").config["scheduling"]["user_placeholders"] == {"replicas": 0}


@pytest.mark.unit
def test_table_has_one_row_per_chart_key():
    sources = [row.source for row in ROWS]
    assert len(sources) == len(set(sources))
    assert all(row.transform for row in ROWS if row.target)
    assert all(row.reason for row in ROWS if row.transform is None)


@pytest.mark.unit
def test_values_that_make_an_invalid_environment_print_nothing(tmp_path, capsys):
    values = tmp_path / "values.yaml"
    values.write_text("hub:\n  concurrentSpawnLimit: -1\n", encoding="utf-8")
    assert main(["import-z2jh", str(values)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{values}: hub.concurrentSpawnLimit: -1 is less than the least it takes, 0\n" in captured.err


@pytest.mark.unit
def test_unreadable_values_file_is_a_clear_error(tmp_path, capsys):
    values = tmp_path / "values.yaml"
    values.write_text("hub: [unclosed\n", encoding="utf-8")
    assert main(["import-z2jh", str(values)]) == 2
    assert f"{values}: not valid YAML at line 2, column 1:" in capsys.readouterr().err
    assert main(["import-z2jh", str(tmp_path / "missing.yaml")]) == 2


@pytest.mark.output
def test_command_line_writes_an_environment_file(tmp_path):
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "import-z2jh", str(URBALURBA), "--namespace", "notebooks"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["namespace"] == "notebooks"
    assert "not mapped" in result.stderr and "not mapped" not in result.stdout


@pytest.mark.unit
@pytest.mark.parametrize("type_", ["sqlite-memory", "mysql"])
def test_hub_database_without_equivalent_is_reported(type_):
    migration = migrate({"hub": {"db": {"type": type_}}}, "jupyterhub")
    assert "hub.db.type" in dict(migration.unmapped)


# --- any values file: an environment or a clear problem, never a traceback ---------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=8))
_values_of_any_shape = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=2),
    st.dictionaries(
        st.sampled_from(["name", "tag", "requests", "limits", "cpu", "memory", "secretName"]), _scalars, max_size=3
    ),
)


def _nest(items: dict) -> dict:
    values: dict = {}
    for path, value in sorted(items.items()):
        *parents, last = path.split(".")
        node = values
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(last, value)
    return values


@pytest.mark.output
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([row.source for row in ROWS]), _values_of_any_shape, max_size=8))
def test_any_values_import_to_a_valid_environment_or_a_clear_problem(items):
    """Exit 0 with an environment, or exit 2 with nothing on stdout; every line names the values file and a key."""
    with tempfile.TemporaryDirectory() as directory:
        values = Path(directory) / "values.yaml"
        values.write_text(yaml.safe_dump(_nest(items)), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = import_values(values, "jupyterhub", out, err)
    lines = err.getvalue().splitlines()
    assert code in (0, 2)
    assert (out.getvalue() != "") == (code == 0)
    assert all(line.startswith(f"{values}: ") for line in lines[:-1]), lines
    if code == 0:
        validate(out.getvalue())


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "ingress: {enabled: true, hosts: jupyter.example.com}\n",
            "ingress.hosts: 'jupyter.example.com' is not a list of host names, e.g. [jupyter.example.com], which the "
            "chart takes here",
        ),
        (
            "singleuser:\n  profileList:\n  - display_name: GPU\n"
            "    kubespawner_override: {extra_resource_limits: {nvidia.com/gpu: one}}\n",
            "singleuser.profileList[0].kubespawner_override.extra_resource_limits.nvidia.com/gpu: 'one' is not a GPU "
            "count; write a whole number like 1",
        ),
        (
            "scheduling: {userScheduler: {replicas: 100000000000000000000}}\n",
            "scheduling.userScheduler.replicas: 100000000000000000000 is more than the most it takes, 5",
        ),
        ("hub: {db: {type: sqlite-pvc}, db: {type: other}}\n", "hub.db: line 1: written twice (first on line 1)"),
        ("hub: {image: quay.io/x}\n", "hub.image: 'quay.io/x' is not an image {name: text, tag: text}"),
        ("singleuser: {image: {name: x, tag: 1.10}}\n", "singleuser.image: {'name': 'x', 'tag': 1.1} is not an image"),
        ("singleuser: {uid: true}\n", "singleuser.uid: true is not a whole number, which the chart takes here"),
        ("cull: {timeout: '3600'}\n", "cull.timeout: '3600' is not a whole number, which the chart takes here"),
        ("singleuser: {extraEnv: [{value: x}]}\n", "singleuser.extraEnv: [{'value': 'x'}] is not a value the chart"),
    ],
    ids=[
        "hosts-as-text",
        "gpu-one",
        "replicas-1e20",
        "duplicate-key",
        "image-as-text",
        "float-tag",
        "uid-true",
        "quoted-number",
        "env-without-name",
    ],  # fmt: skip
)
def test_a_value_the_chart_would_not_take_stops_the_import_at_its_key(text, line, tmp_path, capsys):
    values = tmp_path / "values.yaml"
    values.write_text(text, encoding="utf-8")
    assert main(["import-z2jh", str(values)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{values}: {line}" in captured.err
    assert captured.err.endswith("nothing was imported: fix the values above in the values file and import again\n")


@pytest.mark.unit
def test_extra_env_in_the_kubernetes_list_form_is_imported_as_written():
    values = {"singleuser": {"extraEnv": [{"name": "DEBUG", "value": True}, {"name": "N", "value": 1}]}}
    assert migrate(values, "j").config["singleuser"]["extra_env"] == {"DEBUG": "true", "N": "1"}
