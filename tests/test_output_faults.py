"""Faults of the output folder through the command line: one line naming the path, an exit code, dist/ unchanged.

Issue 19, classes 2 and 7: a read-only or full filesystem, an immutable
folder, `--dist .`, `schema` into a missing folder used to end in a traceback
with exit 1 (the code `check` uses for "stale"); two overlapping synths made
one crash; a swap could leave no dist/ at all. The filesystem faults are made
for real: a small tmpfs in a mount namespace of the test's own (`unshare`),
and `chattr +i`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.commands import ENV, MAIN, run_main, tree
from support.synthesis import MINIMAL

from jupyterhub_cdk8s.output import MARKER, OutputFolder, plan
from jupyterhub_cdk8s.rendering import GENERATED_HEADER

pytestmark = pytest.mark.output

EXIT_CANNOT_WRITE = 73
EXIT_LOCKED = 75


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "lab.yaml").write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
    return tmp_path


def change(project: Path) -> None:
    """Give the environment another host, so a synth has something to write."""
    path = project / "environments" / "lab.yaml"
    path.write_text(path.read_text().replace("hub.example.com", "other.example.com"), encoding="utf-8")


def one_line_fault(result: subprocess.CompletedProcess, where: str) -> str:
    assert result.returncode == EXIT_CANNOT_WRITE, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(where), lines[0]
    return lines[0]


def mount_namespaces_work() -> bool:
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True, check=False)
    return shutil.which("unshare") is not None and probe.returncode == 0


needs_mount_namespace = pytest.mark.skipif(
    not mount_namespaces_work(), reason="needs `unshare --mount --map-root-user` (user namespaces)"
)


def in_small_filesystem(project: Path, script: str, size: str = "4m") -> subprocess.CompletedProcess:
    """Run `script` (sh) with a tmpfs of `size` mounted on project/fs, in a mount namespace that ends with it.

    `$SYNTH` in the script is `python main.py --environments ... --dist fs/dist`.
    """
    (project / "fs").mkdir()
    synth = " ".join([*MAIN, "-q", "--environments", str(project / "environments"), "--dist", str(project / "fs/dist")])
    wrapped = f'mount -t tmpfs -o size={size} tmpfs "{project}/fs" || exit 99\nSYNTH="{synth}"\n{script}'
    return subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", wrapped],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@needs_mount_namespace
def test_a_read_only_filesystem_is_one_line_and_exit_73(project):
    result = in_small_filesystem(
        project,
        f"""$SYNTH || exit 98
        (cd fs && find . -type f | sort | xargs sha256sum) > before
        sed -i 's/hub.example.com/other.example.com/' environments/lab.yaml
        mount -o remount,ro "{project}/fs"
        $SYNTH; echo "exit $?" >&2
        (cd fs && find . -type f | sort | xargs sha256sum) > after
        """,
    )
    lines = result.stderr.splitlines()
    assert lines[-1] == f"exit {EXIT_CANNOT_WRITE}", result.stderr
    assert lines[:-1] == [f"{project}/fs/dist: cannot be written: Read-only file system; it is unchanged"]
    assert (project / "before").read_text() == (project / "after").read_text()


@needs_mount_namespace
def test_a_full_disk_is_one_line_and_exit_73_and_the_old_tree_stays(project):
    # Room for one tree of the environment (about 60 KB) but not for a second one beside it.
    result = in_small_filesystem(
        project,
        """$SYNTH || exit 98
        (cd fs && find . -type f | sort | xargs sha256sum) > before
        sed -i 's/hub.example.com/other.example.com/' environments/lab.yaml
        $SYNTH; echo "exit $?" >&2
        (cd fs && find . -type f | sort | xargs sha256sum) > after
        ls -a fs >&2
        """,
        size="100k",
    )
    lines = result.stderr.splitlines()
    assert f"exit {EXIT_CANNOT_WRITE}" in lines, result.stderr
    fault = lines[lines.index(f"exit {EXIT_CANNOT_WRITE}") - 1]
    assert fault.startswith(f"{project}/fs/dist: cannot be written: No space left on device"), fault
    assert (project / "before").read_text() == (project / "after").read_text()
    assert lines[-3:] == [".", "..", "dist"]  # no staging folder left behind


def immutable(path: Path) -> bool:
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("frozen", ["dist", "."], ids=["dist/ itself", "its parent"])
def test_an_immutable_output_folder_or_parent_is_one_line_and_exit_73(project, frozen):
    assert run_main("-q", "--environments", "environments", "--dist", "dist", cwd=project).returncode == 0
    before = tree(project / "dist")
    change(project)
    if not immutable(project / frozen):
        pytest.skip("chattr +i is not permitted here")
    try:
        result = run_main("-q", "--environments", "environments", "--dist", "dist", cwd=project)
    finally:
        subprocess.run(["chattr", "-i", str(project / frozen)], check=True)
    assert one_line_fault(result, "dist: cannot be written: Operation not permitted")
    assert tree(project / "dist") == before
    assert sorted(os.listdir(project)) == ["dist", "environments"]


def test_schema_into_a_read_only_folder_is_one_line_and_exit_73(project):
    if not immutable(project / "environments"):
        pytest.skip("chattr +i is not permitted here")
    try:
        result = run_main("schema", "--environments", "environments", cwd=project)
    finally:
        subprocess.run(["chattr", "-i", str(project / "environments")], check=True)
    one_line_fault(result, "environments/schema.json: cannot be written: Operation not permitted")
    assert sorted(os.listdir(project / "environments")) == ["lab.yaml"]


def test_dist_pointed_at_the_working_folder_is_refused_and_nothing_is_deleted(project):
    (project / "notes.md").write_text("mine\n")
    before = tree(project)
    result = run_main("--environments", "environments", "--dist", ".", cwd=project)
    line = one_line_fault(result, ".: not a jupyterhub-cdk8s output folder")
    assert "nothing was changed" in line
    assert tree(project) == before


def test_schema_into_a_missing_folder_is_one_line_and_exit_73(project):
    result = run_main("schema", "--environments", "nowhere", cwd=project)
    one_line_fault(result, "nowhere/schema.json: cannot be written: No such file or directory")
    assert not (project / "nowhere").exists()


def test_a_held_lock_makes_a_second_run_wait_then_give_up_with_exit_75(project):
    assert run_main("-q", "--environments", "environments", "--dist", "dist", cwd=project).returncode == 0
    before = tree(project / "dist")
    change(project)
    lock = os.open(project, os.O_RDONLY)  # what a running synth holds: its output's parent folder
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        result = run_main("--environments", "environments", "--dist", "dist", "--lock-timeout", "0.5", cwd=project)
    finally:
        os.close(lock)
    assert result.returncode == EXIT_LOCKED, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "dist: another jupyterhub-cdk8s run is writing it (waited 0.5 s); "
        "nothing was written: run again when it is done"
    )
    assert tree(project / "dist") == before


def test_two_overlapping_synths_both_finish_and_dist_is_whole(project):
    command = [*MAIN, "-q", "--environments", "environments", "--dist", "dist"]
    runs = [subprocess.Popen(command, cwd=project, env=ENV, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert "Traceback" not in "".join(errors)
    again = run_main("check", "--environments", "environments", "--dist", "dist", cwd=project)
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(project)) == ["dist", "environments"]


# A reader in its own process, as git or ArgoCD's repo server is: it opens the folder once, then reads
# every file through that handle; it counts what it saw until told to stop. (A reader still in the old
# tree once it is swapped out sees its files go when it is removed: it reads again, as after any change.)
READER = """
import collections, json, os, sys
target, stop = sys.argv[1], sys.argv[2]
seen = collections.Counter()
while not os.path.exists(stop):
    try:
        folder = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        seen["missing"] += 1
        continue
    try:
        versions = set()
        for env in "abcdef":
            descriptor = os.open(env + "/hub.yaml", os.O_RDONLY, dir_fd=folder)
            versions.add(os.read(descriptor, 4096)[-2:-1])
            os.close(descriptor)
        seen["whole" if len(versions) == 1 else "mixed"] += 1
    except FileNotFoundError:
        seen["removed while read"] += 1
    os.close(folder)
print(json.dumps(seen))
"""


def test_a_reader_sees_the_old_tree_or_the_new_one_never_none_or_a_mix(tmp_path):
    """The swap is one renameat2(RENAME_EXCHANGE): two renames would leave a moment with no tree (this test saw it)."""
    target, stop = tmp_path / "dist", tmp_path / "stop"
    trees = [
        {f"{env}/hub.yaml": (GENERATED_HEADER + f"# {version}\n").encode() for env in "abcdef"} for version in "12"
    ]

    def swap(files: dict[str, bytes]) -> None:
        folder = OutputFolder(target)
        with folder.locked(timeout=10):
            folder.replace(plan(folder.contents(), files).files)

    swap(trees[0])
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), str(stop)], stdout=subprocess.PIPE, text=True)
    for index in range(120):
        swap(trees[index % 2])
    stop.touch()
    seen = json.loads(reader.communicate(timeout=30)[0])
    assert seen.get("whole", 0) > 30
    assert (seen.get("missing", 0), seen.get("mixed", 0)) == (0, 0)
    assert sorted(os.listdir(tmp_path)) == ["dist", "stop"]
    assert (target / MARKER).is_file()
