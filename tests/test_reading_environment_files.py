"""Reading an environment file: bounded work, nothing silently changed, every problem at its key, as written."""

from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import pytest
from support.synthesis import MINIMAL

from jupyterhub_cdk8s.config import ConfigError, load_environments
from jupyterhub_cdk8s.config.loader import MAX_PROBLEMS, load_file
from jupyterhub_cdk8s.config.yaml_input import MAX_BYTES, MAX_DEPTH, MAX_NODES

pytestmark = pytest.mark.unit

GOOD = textwrap.dedent(MINIMAL)


def problems_of(text: str | bytes, tmp_path: Path, name: str = "test") -> list[str]:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ConfigError) as error:
        load_file(path, f"environments/{name}.yaml")
    return [str(problem) for problem in error.value.problems]


@pytest.fixture
def deadline():
    """Fail instead of hanging: what used to block or run for minutes must now end in a second."""
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("took longer than 5 s"))
    signal.alarm(5)
    yield
    signal.alarm(0)


def billion_laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path, deadline):
    started = time.monotonic()
    assert problems_of(GOOD + billion_laughs(9), tmp_path) == [
        f"environments/test.yaml: a5[0]: holds more than {MAX_NODES:,} values once its aliases (*name) are "
        "expanded; a config is a few hundred: write each setting out, or repeat fewer aliases"
    ]
    assert time.monotonic() - started < 1


def test_anchors_and_merge_keys_within_the_limit_still_work(tmp_path):
    text = GOOD + "x-size: &size {guarantee: 1Gi, limit: 2Gi}\n"
    assert problems_of(text, tmp_path) == [
        "environments/test.yaml: x-size: unknown key; allowed here: auth, cluster, create_namespace, gateway, gitops, "
        "host, hub, image_pull_secrets, ingress, kubernetes_version, limit_range, monitoring, name, namespace, "
        "network_policy, network_rules, platform_services, pod_security, production, proxy, quota, scheduling, "
        "secrets, singleuser"
    ]
    path = tmp_path / "merge.yaml"
    path.write_text(GOOD + "singleuser:\n  memory: &size {guarantee: 1Gi, limit: 2Gi}\n  cpu: {<<: {limit: '4'}}\n")
    env = load_file(path, "environments/merge.yaml")
    assert (env.config.singleuser.memory.limit, env.config.singleuser.cpu.limit) == ("2Gi", "4")


@pytest.mark.parametrize(
    "text",
    ["x: " + "[" * 100_000 + "]" * 100_000, "x:\n" + "".join(" " * i + "- \n" for i in range(1, 1000))],
    ids=["flow-100k", "block-1000"],
)
def test_deep_nesting_is_refused_before_the_parser_recurses(text, tmp_path, deadline):
    (problem,) = problems_of(GOOD + text, tmp_path)
    assert problem.startswith("environments/test.yaml: x")
    assert problem.endswith(f": nests deeper than {MAX_DEPTH} levels; no setting is that deep")


def test_an_alias_inside_what_it_names_is_refused(tmp_path):
    assert problems_of(GOOD + "x: &loop [1, *loop]\n", tmp_path) == [
        "environments/test.yaml: x[1]: line 10: *loop is inside the collection &loop it names; "
        "a value cannot hold itself"
    ]


def test_a_key_written_twice_is_an_error_not_the_last_one_wins(tmp_path):
    text = GOOD + "hub: {log_level: INFO, log_level: DEBUG}\nnamespace: other\n"
    assert problems_of(text, tmp_path) == [
        "environments/test.yaml: hub.log_level: line 10: written twice (first on line 10); YAML would silently "
        "keep the last one, so remove one",
        "environments/test.yaml: namespace: line 11: written twice (first on line 2); YAML would silently keep "
        "the last one, so remove one",
    ]


@pytest.mark.parametrize("tag", ["!!set", "!!omap", "!!binary", "!!timestamp", "!!python/tuple", "!custom"])
def test_tags_beyond_plain_yaml_are_refused(tag, tmp_path):
    value = {"!!binary": "aGk=", "!!timestamp": "2024-01-01"}.get(tag, "[a]" if tag != "!!set" else "{a, b}")
    (problem,) = problems_of(GOOD + f"singleuser:\n  lifecycle: {{post_start: {tag} {value}}}\n", tmp_path)
    assert problem == (
        f"environments/test.yaml: singleuser.lifecycle.post_start: line 11: the tag {tag} is not plain YAML; "
        "write the value without it"
    )


def test_keys_are_shown_as_written(tmp_path):
    assert [p.split(";")[0] for p in problems_of(GOOD + "yes: 1\n~: 2\n1: 3\n", tmp_path)] == [
        "environments/test.yaml: 1: unknown key",
        "environments/test.yaml: yes: unknown key",
        "environments/test.yaml: ~: unknown key",
    ]


def test_a_number_too_long_to_convert_is_refused_at_its_key(tmp_path):
    assert problems_of(GOOD + "singleuser: {uid: " + "9" * 5000 + "}\n", tmp_path) == [
        "environments/test.yaml: singleuser.uid: line 10: a number of 5000 digits; no setting takes one"
    ]


def test_a_number_with_an_exponent_is_a_number_as_in_yaml_1_2_and_json(tmp_path):
    """PyYAML (YAML 1.1) read `1.5e300` as text, so `extra_files` wrote it into JSON as a string."""
    text = (
        GOOD
        + 'singleuser: {extra_files: {c: {mount_path: /etc/c.json, data: {big: 1.5e300, kb: 1e3, as_text: "1e3"}}}}\n'
    )
    (tmp_path / "test.yaml").write_text(text)
    data = load_file(tmp_path / "test.yaml", "environments/test.yaml").config.singleuser.extra_files["c"].data
    assert data == {"big": 1.5e300, "kb": 1000.0, "as_text": "1e3"}


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: os.mkfifo(path), "a named pipe"),
        (lambda path: path.mkdir(), "a directory"),
        (lambda path: path.symlink_to("/dev/zero"), "a device"),
    ],
    ids=["fifo", "directory", "device"],
)
def test_only_regular_files_are_read(make, kind, tmp_path, deadline):
    (tmp_path / "environments").mkdir()
    make(tmp_path / "environments" / "odd.yaml")
    (tmp_path / "environments" / "good.yaml").write_text(GOOD)
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path / "environments", display_root=tmp_path)
    assert [str(p) for p in error.value.problems] == [
        f"environments/odd.yaml: is {kind}, not a file; only regular files are read"
    ]


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path):
    assert problems_of(GOOD + "#" * MAX_BYTES, tmp_path) == [
        "environments/test.yaml: is larger than 1024 KiB; a config file is a few KiB of settings"
    ]


def test_bytes_that_are_not_utf8_are_refused_with_their_line(tmp_path):
    assert problems_of(GOOD.encode() + b"host: caf\xe9.example.com\n", tmp_path) == [
        "environments/test.yaml: is not UTF-8 text: byte 0xe9 on line 10; save the file as UTF-8"
    ]


def test_yaml_files_with_another_suffix_are_reported_not_skipped(tmp_path):
    (tmp_path / "environments").mkdir()
    for name in ("good.yaml", "prod.yml", "stage.YAML", "notes.txt"):
        (tmp_path / "environments" / name).write_text(GOOD)
    with pytest.raises(ConfigError) as error:
        load_environments(tmp_path / "environments", display_root=tmp_path)
    assert [str(p) for p in error.value.problems] == [
        "environments/prod.yml: environment files end in .yaml and this one is not read; rename it to prod.yaml",
        "environments/stage.YAML: environment files end in .yaml and this one is not read; rename it to stage.yaml",
    ]


def test_messages_never_repeat_an_unbounded_value(tmp_path):
    (problem,) = problems_of(GOOD.replace("hub.example.com", "x" * 100_000), tmp_path)
    assert problem == (
        "environments/test.yaml: host: '" + "x" * 44 + "...(100002 characters) is not "
        "a valid host name; write a lower-case DNS name without scheme, port or path, e.g. jupyter.example.com"
    )


def test_a_file_with_thousands_of_mistakes_shows_the_first_ones(tmp_path):
    text = GOOD + "scheduling: {image_puller: {extra_images: [" + ", ".join(["nope"] * 5000) + "]}}\n"
    problems = problems_of(text, tmp_path)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == f"environments/test.yaml: {MAX_PROBLEMS} of 5000 problems shown; fix them and run again"


def test_an_alias_is_shown_as_users_write_it(tmp_path):
    assert problems_of(GOOD + "monitoring: {alerts: {hub_down: {for_: 5m}}}\n", tmp_path) == [
        "environments/test.yaml: monitoring.alerts.hub_down.for_: unknown key; did you mean 'for'? "
        "allowed here: enabled, for, severity"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            GOOD.split("auth:")[0] + "auth: {allow_all: true}\n",
            "auth.type: missing; write one of: 'keycloak', 'oidc', 'cloudflare-access', 'github', 'gitlab', "
            "'google', 'azuread', 'ldap', 'lti13', 'shared-password', 'dummy'",
        ),
        (
            GOOD + "hub: {database: {capacity: 2Gi}}\n",
            "hub.database.type: missing; write one of: 'sqlite', 'postgresql'",
        ),
    ],
    ids=["auth", "database"],
)
def test_a_missing_type_lists_the_real_choices(text, problem, tmp_path):
    assert problems_of(text, tmp_path) == [f"environments/test.yaml: {problem}"]
