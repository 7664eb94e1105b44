"""The command line as a tool: commands, --help everywhere, --version, --quiet, --env, diff, exact check, exit codes.

Issue 16 ("the command line", "one environment at a time") and issue 19 class 7
(`--check` compared decoded text, so Windows line endings passed and
non-UTF-8 bytes were a traceback). Exit codes are the README's ("What happens
when").
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from support.commands import ENV, run_main, tree
from support.synthesis import MINIMAL

from jupyterhub_cdk8s import __version__
from jupyterhub_cdk8s.cli import COMMANDS, Exit, main

pytestmark = pytest.mark.output


def environment(name: str, host: str = "hub.example.com", revision: str = "main") -> str:
    gitops = f"gitops: {{repo_url: 'https://git.example.com/hubs.git', target_revision: {revision}}}\n"
    return textwrap.dedent(MINIMAL).replace("hub-test", f"hub-{name}").replace("hub.example.com", host) + gitops


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    for name in ("alpha", "beta"):
        (tmp_path / "environments" / f"{name}.yaml").write_text(environment(name), encoding="utf-8")
    return tmp_path


def synth(project: Path, *args: str) -> int:
    return main(["--environments", str(project / "environments"), "--dist", str(project / "dist"), *args])


def rehost(project: Path, name: str, host: str, revision: str = "main") -> None:
    (project / "environments" / f"{name}.yaml").write_text(environment(name, host, revision), encoding="utf-8")


# --- help, version, usage -----------------------------------------------------------


def test_help_lists_every_command_and_the_exit_codes_and_each_command_has_its_own(tmp_path):
    top = run_main("--help", cwd=tmp_path)
    assert top.returncode == 0
    for command in COMMANDS:
        assert f"    {command} " in top.stdout, command
    assert "exit codes:" in top.stdout and "64  the command line is wrong" in top.stdout
    for command, option in [
        ("synth", "--env NAME"),
        ("check", "--dist DIR"),
        ("diff", "--color"),
        ("init", "--repo-url"),
    ]:
        sub = run_main(command, "--help", cwd=tmp_path)
        assert sub.returncode == 0 and option in sub.stdout, sub.stdout
    assert "--namespace" in run_main("import-z2jh", "--help", cwd=tmp_path).stdout
    assert "--environments DIR" in run_main("schema", "--help", cwd=tmp_path).stdout


def test_version(tmp_path):
    result = run_main("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"jupyterhub-cdk8s {__version__}\n")


@pytest.mark.parametrize(
    "args",
    [["--no-such-option"], ["deploy"], ["import-z2jh"], ["diff", "--color", "sometimes"], ["synth", "--dist"]],
    ids=["unknown option", "unknown command", "missing argument", "bad choice", "option without value"],
)
def test_a_usage_error_exits_64_not_2_which_means_a_config_problem(tmp_path, args):
    result = run_main(*args, cwd=tmp_path)
    assert result.returncode == Exit.USAGE == 64, result.stderr
    assert result.stderr.startswith("usage: python main.py")
    assert "Traceback" not in result.stderr


def test_an_unknown_environment_is_a_usage_error_that_lists_the_known_ones(project, capsys):
    assert synth(project, "--env", "gamma") == Exit.USAGE
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(f"--env gamma: there is no {project}/environments/gamma.yaml; the environments are: alpha, beta")
    )
    assert not (project / "dist").exists()


def test_quiet_prints_nothing_but_problems(project, capsys):
    assert synth(project, "--quiet") == 0
    assert capsys.readouterr().out == ""
    assert main(["-q", "check", "--environments", str(project / "environments"), "--dist", str(project / "dist")]) == 0
    assert capsys.readouterr().out == ""


def test_synth_says_what_it_changed_and_names_every_file_it_removed(project, capsys):
    assert synth(project) == 0
    rehost(project, "alpha", "new.example.com")
    (project / "environments" / "beta.yaml").unlink()
    capsys.readouterr()
    assert synth(project) == 0
    out = capsys.readouterr().out
    assert "  changed: alpha/ingress.yaml" in out
    assert "  removed: beta/hub.yaml" in out and "  removed: argocd/beta.yaml" in out
    assert not (project / "dist" / "beta").exists()


# --- one environment at a time ----------------------------------------------------------


def test_env_synthesizes_only_those_and_leaves_every_other_file_as_it_was(project):
    assert synth(project) == 0
    before = tree(project / "dist")
    rehost(project, "alpha", "alpha.example.com", revision="v2")
    rehost(project, "beta", "beta.example.com", revision="v2")

    assert synth(project, "--env", "alpha") == 0
    after = tree(project / "dist")
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert changed == ["alpha/ingress.yaml", "argocd/alpha.yaml", "argocd/fleet/applicationset.yaml"]
    # check says beta is stale; check --env alpha looks at alpha only.
    args = ["--environments", str(project / "environments"), "--dist", str(project / "dist")]
    assert main(["check", *args]) == 1
    assert main(["check", *args, "--env", "alpha"]) == 0

    # What --env wrote, the fleet file included, is what a synth of everything writes.
    rehost(project, "beta", "hub.example.com")
    assert synth(project) == 0
    assert tree(project / "dist") == after


def test_env_leaves_the_outputs_of_environments_it_does_not_know(project):
    """A folder of environments with one file does not wipe the others' outputs, dist/argocd/ included."""
    assert synth(project) == 0
    before = tree(project / "dist")
    alone = project / "alone"
    alone.mkdir()
    shutil.copy(project / "environments" / "alpha.yaml", alone / "alpha.yaml")
    assert main(["--environments", str(alone), "--dist", str(project / "dist"), "--env", "alpha"]) == 0
    assert tree(project / "dist") == before


# --- check is byte-exact, diff shows it ----------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: data.replace(b"\n", b"\r\n"), " (Windows line endings)"),
        (lambda data: data.replace(b"hub-alpha", b"hub-\xe9lpha", 1), " (not UTF-8)"),
    ],
    ids=["CRLF", "latin-1"],
)
def test_check_compares_bytes(project, capsys, damage, reason):
    assert synth(project) == 0
    path = project / "dist" / "alpha" / "hub.yaml"
    path.write_bytes(damage(path.read_bytes()))
    capsys.readouterr()
    assert main(["check", "--environments", str(project / "environments"), "--dist", str(project / "dist")]) == 1
    err = capsys.readouterr().err
    assert f"changed: alpha/hub.yaml{reason}" in err
    assert "Traceback" not in err


def test_diff_is_a_unified_diff_of_what_synth_would_change_and_writes_nothing(project, capsys):
    assert synth(project) == 0
    rehost(project, "alpha", "new.example.com")
    before = tree(project / "dist")
    capsys.readouterr()
    args = ["--environments", str(project / "environments"), "--dist", str(project / "dist")]
    assert main(["diff", *args]) == 1
    out = capsys.readouterr().out
    assert "--- a/alpha/ingress.yaml\n+++ b/alpha/ingress.yaml\n@@ " in out
    assert "-  - host: hub.example.com\n" in out and "+  - host: new.example.com\n" in out
    assert "\033[" not in out  # not a terminal
    assert tree(project / "dist") == before

    assert main(["diff", "--color", "always", *args]) == 1
    assert "\033[31m-  - host: hub.example.com\033[0m\n" in capsys.readouterr().out

    assert synth(project) == 0
    capsys.readouterr()
    assert main(["diff", *args]) == 0
    assert capsys.readouterr().out == ""


# --- prerequisites ----------------------------------------------------------------------


def test_without_node_a_synth_says_so_in_one_line_and_exits_69(project):
    result = run_main(
        "--environments", "environments", "--dist", "dist", cwd=project, env={**ENV, "JSII_NODE": "/nowhere/node"}
    )
    assert result.returncode == Exit.UNAVAILABLE == 69
    assert result.stderr.splitlines() == [
        "jupyterhub-cdk8s needs Node.js (cdk8s runs in it): `/nowhere/node` is not on PATH; "
        "install Node.js 20 or later (Debian: sudo apt-get install nodejs)"
    ]
    assert not (project / "dist").exists()
