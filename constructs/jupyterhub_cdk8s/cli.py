"""The command line: `jupyterhub-cdk8s COMMAND`, and `python main.py` (the cdk8s app) with the same options.

Exit codes (README, "What happens when"): see `Exit`. Only `run` (the
process's entry point) installs signal handlers; `main` can be called in
a process that has its own, such as a test.
"""

from __future__ import annotations

import argparse
import atexit
import difflib
import gc
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

# pydantic and cdk8s are imported where they are used: a fleet's helper
# process (helper_process.py) starts before either is loaded here.
from . import __version__
from .helper_process import helper_for
from .output import Contents, OutputError, OutputFolder, OutputLocked, Plan, plan, why_different
from .processes import (
    EXIT_SIGINT,
    EXIT_SIGTERM,
    exit_at_once_on_interrupt,
    interrupted_message,
    interrupts_end_the_run,
    prepare_jsii,
)

if TYPE_CHECKING:
    from .config.loader import Environment
    from .rendering import Manifest

PROG = "jupyterhub-cdk8s"
SCHEMA_FILE = "schema.json"
# What `cdk8s synth` writes unless told otherwise (cdk8s.yaml `output:`); never dist/, which its CLI would delete first.
CDK8S_CONFIG = "cdk8s.yaml"
LOCK_TIMEOUT = 60.0


class Exit(IntEnum):
    """What the process's exit code says (README, "What happens when")."""

    OK = 0
    DIFFERENT = 1  # check/diff: dist/ is not what a synth would write
    CONFIG = 2  # a problem in the environments: every one printed, nothing written
    USAGE = 64  # EX_USAGE: the command line itself is wrong
    UNAVAILABLE = 69  # EX_UNAVAILABLE: a prerequisite is missing (Node.js, the Python packages)
    SOFTWARE = 70  # EX_SOFTWARE: a bug; the traceback is printed
    CANNOT_WRITE = 73  # EX_CANTCREAT: the output cannot be written or is not the tool's own; one line per path
    LOCKED = 75  # EX_TEMPFAIL: another run is writing the same output
    SIGINT = EXIT_SIGINT
    SIGTERM = EXIT_SIGTERM


EXIT_HELP = """exit codes:
  0   done (check, diff: no differences)
  1   check, diff: dist/ differs from what synth would write
  2   a problem in the environment files: every problem printed, nothing written
  64  the command line is wrong
  69  a prerequisite is missing (Node.js, the Python packages)
  70  a bug: the traceback is printed
  73  the output folder cannot be written, or is not jupyterhub-cdk8s's own; it is unchanged
  75  another run is writing the same output folder
  130 interrupted (SIGINT), 143 terminated (SIGTERM): the output is the old tree, or the new one in full
      (the last line says which)
"""


class UsageError(Exception):
    """The command line asks for something that cannot be done (exit 64)."""


class Unavailable(Exception):
    """A prerequisite is missing (exit 69)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 64 (EX_USAGE), not 2, which means a config problem here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(Exit.USAGE, f"{self.prog}: error: {message}\n")


class Console:
    """Where messages go: information to stdout, unless quiet (to stderr under `cdk8s synth`, which hides stdout)."""

    def __init__(self, quiet: bool, information: TextIO, written: list[Path] | None = None):
        self.quiet = quiet
        self._information = information
        self.written: list[Path] = written if written is not None else []
        """The output folders this run has replaced: an interrupt after that must not say nothing was written."""

    def info(self, line: str) -> None:
        if not self.quiet:
            print(line, file=self._information, flush=True)

    @staticmethod
    def problem(line: str) -> None:
        print(line, file=sys.stderr, flush=True)


# --- entry points ----------------------------------------------------------------


def run(root: Path | None = None, prog: str = PROG) -> NoReturn:
    """The process's entry point (console script `jupyterhub-cdk8s`, and main.py): exit with `main`'s code.

    The process ends without Python's own shutdown, which puts the default
    signal handlers back: SIGTERM then would kill the process with no word of
    the dist/ the run had just written. After a normal run the atexit
    functions run (jsii stops its Node process); after an interrupt not even
    they: the helper is stopped and nothing is half-written by then, jsii's
    Node processes end with their input (processes.py), and waiting for
    jsii's shutdown could take seconds, multiprocessing's for ever on the
    queues of a stopped helper.
    """
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    # pydantic looks for plugins in the entry points of every installed distribution; none is used here.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A run is a short process whose objects mostly live until it exits: the cyclic collector's
    # passes over them cost a tenth of a synth.
    gc.disable()
    # Once the run is over, an interrupt while the process exits says what the run wrote: dist/ may be new.
    written: list[Path] = []
    exit_at_once_on_interrupt(written)
    try:
        with interrupts_end_the_run():
            code = main(sys.argv[1:], root=root, prog=prog, written=written)
            sys.stdout.flush()
            sys.stderr.flush()
    except KeyboardInterrupt as interrupt:  # between main's return and the end of the run's handlers
        Console.problem(interrupted_message(written))
        code = getattr(interrupt, "exit_code", Exit.SIGINT)
    if code not in (Exit.SIGINT, Exit.SIGTERM):
        # What of Python's shutdown matters here: the atexit functions, jsii's among them, which waits for Node
        # to exit and remove its temporary folder. An interrupt meanwhile is still this process's to report.
        atexit._run_exitfuncs()
    os._exit(code)


def main(
    argv: list[str] | None = None, root: Path | None = None, prog: str = PROG, written: list[Path] | None = None
) -> int:
    """Run one command; the exit code (see `Exit`). `written` collects the output folders it replaces."""
    root = root or Path.cwd()
    written = [] if written is None else written
    try:
        try:
            args = _parser(prog).parse_args(sys.argv[1:] if argv is None else argv)
        except SystemExit as stop:  # --help, --version, or a usage error already printed
            return stop.code if isinstance(stop.code, int) else Exit.USAGE
        command = args.command or ("check" if getattr(args, "check", False) else "synth")
        # stdout is the diff's; under `cdk8s synth` its CLI hides what the app prints there.
        console = Console(
            getattr(args, "quiet", False),
            sys.stderr if command == "diff" or _cdk8s_outdir(command) else sys.stdout,
            written,
        )
        args.prog = prog
        return COMMANDS[command](args, root, console)
    except KeyboardInterrupt as interrupt:  # at any moment of the run, parsing the command line included
        Console.problem(interrupted_message(written))
        return getattr(interrupt, "exit_code", Exit.SIGINT)
    except BrokenPipeError:
        # The reader went away (`... | head`): nothing more to say, and nothing to flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return Exit.OK
    except Exception as error:
        return _report(error, prog)


def _report(error: Exception, prog: str) -> int:
    """Each kind of failure as its lines and exit code; a bug with its traceback."""
    from .config import ConfigError

    if isinstance(error, ConfigError):
        for line in str(error).splitlines():
            Console.problem(line)
        Console.problem(f"{len(error.problems)} problem(s); nothing was written.")
        return Exit.CONFIG
    if isinstance(error, UsageError):
        Console.problem(f"{prog}: error: {error}")
        return Exit.USAGE
    codes = {Unavailable: Exit.UNAVAILABLE, OutputError: Exit.CANNOT_WRITE, OutputLocked: Exit.LOCKED}
    for kind, code in codes.items():
        if isinstance(error, kind):
            for line in str(error).splitlines():
                Console.problem(line)
            return code
    traceback.print_exc()
    Console.problem(f"internal error: {error.__class__.__name__}; please report it with the traceback above")
    return Exit.SOFTWARE


# --- the command line --------------------------------------------------------------


def _parser(prog: str) -> argparse.ArgumentParser:
    quiet = _Parser(add_help=False)
    quiet.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only problems and warnings"
    )
    selection = _Parser(add_help=False)
    selection.add_argument(
        "--environments",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="folder of environment files (default: environments)",
    )
    selection.add_argument(
        "--dist", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="output folder (default: dist)"
    )
    selection.add_argument(
        "--env",
        dest="only",
        action="append",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="only this environment (repeatable): every other output, dist/argocd/ included, stays as it is",
    )
    writing = _Parser(add_help=False)
    writing.add_argument(
        "--lock-timeout",
        type=float,
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help=f"how long to wait for another run writing the same output (default {LOCK_TIMEOUT:g}), then exit 75",
    )

    top = _Parser(
        prog=prog,
        parents=[quiet, selection, writing],
        description="Synthesize a complete JupyterHub for Kubernetes from environments/*.yaml into dist/<env>/.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    top.add_argument("--check", action="store_true", default=argparse.SUPPRESS, help="the same as the check command")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", title="commands (without one: synth)")

    def command(name: str, summary: str, parents: list[_Parser]) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=parents,
            help=summary,
            description=summary,
            epilog=EXIT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    command(
        "synth", "write dist/<env>/ for every environment (or those chosen with --env)", [quiet, selection, writing]
    )
    command("check", "exit 1 if dist/ differs from what synth would write; write nothing", [quiet, selection])
    diff = command(
        "diff", "show what synth would change in dist/, as a unified diff; write nothing", [quiet, selection]
    )
    diff.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the diff (auto: on a terminal, unless NO_COLOR is set)",
    )
    schema = command("schema", "write environments/schema.json, the JSON Schema of environment files", [quiet])
    schema.add_argument(
        "--environments", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="folder of environment files"
    )
    z2jh = command(
        "import-z2jh",
        "print an environment file for a values file of the JupyterHub Helm chart (z2jh 4.x)",
        [],
    )
    z2jh.add_argument("values", type=Path, help="the chart's values file, e.g. config.yaml")
    z2jh.add_argument("--namespace", default="jupyterhub", help="namespace of the hub (helm's --namespace)")
    init = command(
        "init",
        "start a GitOps repository: a starter environment and its schema, .gitignore, a CI workflow running check",
        [quiet],
    )
    init.add_argument("folder", type=Path, nargs="?", default=Path("."), help="the repository (default: here)")
    init.add_argument(
        "--name",
        default="hub",
        help="the environment's name: environments/NAME.yaml; its Argo CD Application takes it (not 'jupyterhub', "
        "the release name every object carries)",
    )
    init.add_argument("--namespace", help="the hub's namespace (default: the name)")
    init.add_argument("--host", help="the hub's host name (default: NAME.example.com)")
    init.add_argument("--repo-url", help="this repository's URL, for ArgoCD (adds a gitops: section)")
    return top


# --- synth, check, diff -----------------------------------------------------------------


def synth(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Write the chosen environments' files into the output folder, replacing only its own files, atomically."""
    outdir = _cdk8s_outdir("synth")
    mode = _cdk8s_mode(outdir) if outdir is not None else None
    if outdir is not None and mode == "stream":  # `cdk8s synth --stdout`: its CLI prints what the app wrote
        selection, files = _synthesized(args, root, console, None)
        _write_stream(outdir, files + _fleet_for(selection, files, Contents()))
        return Exit.OK
    dist = getattr(args, "dist", None) or root / "dist"
    if outdir is not None and os.path.realpath(outdir) == os.path.realpath(dist):
        console.problem(
            f"WARNING: cdk8s synth deleted {dist} before it started this app, as it does with its output folder: "
            f"{dist} is written again, but files jupyterhub-cdk8s did not write are gone (`git checkout` restores "
            f"them); let cdk8s write elsewhere, e.g. `output: cdk8s.out` in {CDK8S_CONFIG}"
        )
        mode = None
    folder = OutputFolder(
        outdir if mode == "tree" and outdir is not None else dist, say=console.info, written=console.written
    )
    selection, files = _synthesized(args, root, console, folder)
    with folder.locked(getattr(args, "lock_timeout", LOCK_TIMEOUT)):
        folder.remove_debris()
        new = _plan(selection, files, folder.contents())
        if new.changes:
            folder.replace(new.files)
        if outdir is not None and mode == "mirror":  # plain `cdk8s synth`: dist/, and a copy where its CLI lists
            OutputFolder(outdir, say=console.info, written=console.written).replace(new.files)
    objects = sum(len(manifest.objects) for manifest in files)
    console.info(
        f"synthesized {len(selection.chosen)} environment(s), {objects} objects, into {folder.path}: "
        f"{len(new.changes.changed)} file(s) changed, {len(new.changes.added)} added, "
        f"{len(new.changes.removed)} removed"
    )
    for path in new.changes.changed:
        console.info(f"  changed: {path}")
    for path in new.changes.removed:
        console.info(f"  removed: {path}")
    return Exit.OK


def _compared(args: argparse.Namespace, root: Path, console: Console) -> tuple[OutputFolder, _Selection, Plan]:
    """The output folder, the environments chosen, and what synth would make of the folder (for check and diff)."""
    folder = OutputFolder(getattr(args, "dist", None) or root / "dist", say=console.info)
    selection, files = _synthesized(args, root, console, folder)
    return folder, selection, _plan(selection, files, folder.contents())


def check(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Compare, byte for byte, what synth would write with the output folder; write nothing."""
    folder, selection, new = _compared(args, root, console)
    for path in new.changes.added:
        console.problem(f"missing: {path}")
    for path in new.changes.changed:
        console.problem(f"changed: {path}{why_different(new.before[path], new.files[path])}")
    for path in new.changes.removed:
        console.problem(f"not synthesized: {path}")
    if new.changes:
        command = "python main.py" if args.prog != PROG else f"{PROG} synth"
        console.problem(f"{folder.path} is stale: run `{command}` and commit the result.")
        return Exit.DIFFERENT
    console.info(f"{folder.path} is up to date ({len(new.files)} files, {len(selection.chosen)} environments).")
    return Exit.OK


def diff(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Print what synth would change as a unified diff (coloured on a terminal); write nothing."""
    folder, selection, new = _compared(args, root, console)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    for path in sorted({*new.changes.added, *new.changes.changed, *new.changes.removed}):
        sys.stdout.writelines(_unified(path, new.before.get(path, b""), new.files.get(path, b""), color))
    return Exit.DIFFERENT if new.changes else Exit.OK


_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}


def _unified(path: str, before: bytes, after: bytes, color: bool) -> list[str]:
    try:
        old = before.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return [f"Binary files a/{path} and b/{path} differ (not UTF-8)\n"]
    lines = list(difflib.unified_diff(old, after.decode("utf-8").splitlines(keepends=True), f"a/{path}", f"b/{path}"))
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    if not color:
        return lines
    return [
        f"\033[1m{line.rstrip(chr(10))}\033[0m\n"
        if line.startswith(("---", "+++"))
        else f"{_COLORS[line[0]]}{line.rstrip(chr(10))}\033[0m\n"
        if line[:1] in _COLORS
        else line
        for line in lines
    ]


@dataclass(frozen=True)
class _Selection:
    """The environments a synth, check or diff works on (all, or those of --env), and their own manifests."""

    chosen: list[Environment]
    only: frozenset[str] | None
    extra: dict[str, list[Manifest]]

    def in_scope(self, path: str) -> bool:
        """Whether this run decides `path` of the output folder (with --env, only the chosen environments' files)."""
        from .synth import ARGOCD_DIR, FLEET_FILE

        if self.only is None or path == FLEET_FILE:
            return True
        top, _, rest = path.partition("/")
        return top in self.only or (top == ARGOCD_DIR and rest.removesuffix(".yaml") in self.only)


def _synthesized(
    args: argparse.Namespace, root: Path, console: Console, folder: OutputFolder | None
) -> tuple[_Selection, list[Manifest]]:
    """The chosen environments and their files (no fleet file yet: `_plan` adds it from the output folder).

    The environments are checked first (exit 2), then `folder` (exit 73), both before the long part.
    """
    environments: Path = getattr(args, "environments", root / "environments")
    only: list[str] | None = getattr(args, "only", None)
    # A fleet's second process starts first, so it loads jsii and the config while this one does.
    with helper_for(len(only) if only else len(list(environments.glob("*.yaml")))) as helper:
        selection = _select(environments, only)
        if folder is not None:
            folder.contents()
        for env in selection.chosen:
            for warning in env.warnings:
                console.problem(f"WARNING: {warning}")
        _require_node()
        # Imported once the environments are valid: loading jsii is most of a synth's start-up.
        prepare_jsii()
        from .naming import Names
        from .platform_services import platform_notices
        from .singleuser import user_pod_notices
        from .synth import synthesize

        for env in selection.chosen:
            names = Names(release=env.config.name, namespace=env.config.namespace)
            for line in user_pod_notices(env.config.singleuser) + platform_notices(env.config.platform_services, names):
                console.info(f"notice: {env.file}: {line}")
        files = synthesize(selection.chosen, helper.share if helper is not None else None, extra=selection.extra)
    _refuse_collisions(selection, files)
    return selection, files


def _select(environments: Path, only: list[str] | None) -> _Selection:
    """Every environment is loaded and checked (rules across environments need all); `only` chooses among them."""
    from .config import ConfigError, load_environments
    from .extra_manifests import load_extra

    everything = load_environments(environments, display_root=environments.parent)
    unknown = sorted(set(only or ()) - {env.name for env in everything})
    if unknown:
        raise UsageError(
            f"--env {unknown[0]}: there is no {environments / unknown[0]}.yaml; "
            f"the environments are: {', '.join(env.name for env in everything)}"
        )
    chosen = [env for env in everything if not only or env.name in only]
    extra, problems = {}, []
    for env in chosen:
        try:
            extra[env.name] = load_extra(environments, env, environments.parent)
        except ConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    return _Selection(chosen, frozenset(only) if only else None, extra)


def _refuse_collisions(selection: _Selection, files: list[Manifest]) -> None:
    from .config import ConfigError
    from .extra_manifests import collisions

    problems = []
    for env in selection.chosen:
        extra = selection.extra[env.name]
        if extra:
            own = {manifest.path for manifest in extra}
            hub = [m for m in files if m.path.startswith(f"{env.name}/") and m.path not in own]
            problems.extend(collisions(env, extra, hub))
    if problems:
        raise ConfigError(problems)


def _fleet_for(selection: _Selection, files: list[Manifest], current: Contents) -> list[Manifest]:
    """The fleet file over the chosen environments' argocd/ files and, with --env, the others' as dist/ holds them."""
    from .synth import ARGOCD_DIR, FLEET_FILE, argocd_manifest, fleet

    ours = [manifest for manifest in files if manifest.path.startswith(f"{ARGOCD_DIR}/")]
    others = [
        argocd_manifest(path, data)
        for path, data in current.generated.items()
        if path.startswith(f"{ARGOCD_DIR}/") and path != FLEET_FILE and not selection.in_scope(path)
    ]
    return fleet([*ours, *others])


def _plan(selection: _Selection, files: list[Manifest], current: Contents) -> Plan:
    """The output folder's new tree from what it holds now (read holding the lock, when writing)."""
    generated = {m.path: m.text.encode("utf-8") for m in files + _fleet_for(selection, files, current)}
    return plan(current, generated, selection.in_scope)


def _require_node() -> None:
    """cdk8s runs in jsii's Node.js process; without `node` jsii fails with a traceback deep in its start-up."""
    node = os.environ.get("JSII_NODE", "node")
    if shutil.which(node) is None:
        raise Unavailable(
            f"{PROG} needs Node.js (cdk8s runs in it): `{node}` is not on PATH; install Node.js 20 or later "
            "(Debian: sudo apt-get install nodejs)"
        )


# --- running as the app of `cdk8s synth` -----------------------------------------------


def _cdk8s_outdir(command: str) -> Path | None:
    """The folder `cdk8s synth` asks its app to write (CDK8S_OUTDIR), when it runs this one."""
    value = os.environ.get("CDK8S_OUTDIR")
    return Path(value) if value and command == "synth" else None


def _cdk8s_mode(outdir: Path) -> str:
    """What `cdk8s synth` (cdk8s-cli 2.x, lib/cli/cmds/synth.js) asked for, from the folder it gave the app.

    Its CLI deletes its output folder before it starts the app, which is why
    cdk8s.yaml names `cdk8s.out`, never dist/, as that folder:

    - "mirror": plain `cdk8s synth`, CDK8S_OUTDIR is cdk8s.yaml's `output`:
      write dist/ as `synth` does, and a copy into that folder for its CLI to
      list (and for its validation plugins);
    - "stream": `cdk8s synth --stdout`: it made CDK8S_OUTDIR an empty
      temporary folder (util.js `mkdtemp`) and prints every file in it: one
      file, a valid stream of YAML documents, so that files do not interleave;
    - "tree": `cdk8s synth -o DIR`: write the tree there, not into dist/.
    """
    import yaml

    configured = None
    config = Path(CDK8S_CONFIG)
    if config.is_file():
        configured = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("output")
    if configured and os.path.realpath(configured) == os.path.realpath(outdir):
        return "mirror"
    if outdir.is_dir() and not any(outdir.iterdir()):
        return "stream"
    return "tree"


def _write_stream(outdir: Path, files: list[Manifest]) -> None:
    """Every document, each after its `---`, the file it belongs to in a comment."""
    stream = "".join(f"# {m.path}\n---\n{m.text.split(chr(10), 1)[1]}" for m in files)
    try:
        (outdir / "manifests.yaml").write_text(stream, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"{outdir}: cannot be written: {error.strerror}") from None


# --- schema, import-z2jh, init ----------------------------------------------------------


def schema(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Write the JSON Schema of environment files beside them, for editors.

    Only the config models change it, so it is its own command (the test suite
    fails while the committed one is stale) rather than a cost of every synth.
    """
    from .config import config_schema
    from .scaffold import write_file

    path = getattr(args, "environments", root / "environments") / SCHEMA_FILE
    write_file(path, config_schema(), make_folder=False)  # beside the environment files, which must exist
    console.info(f"wrote {path}")
    return Exit.OK


def import_z2jh(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Print an environment file for a JupyterHub Helm chart values file; report every key not carried over."""
    from .z2jh_import.command import import_values

    return import_values(args.values, args.namespace, sys.stdout, sys.stderr)


def init(args: argparse.Namespace, root: Path, console: Console) -> int:
    """Start a GitOps repository (scaffold.py)."""
    from .scaffold import Starter, scaffold, valid_name

    if not valid_name(args.name):
        raise UsageError(f"--name {args.name!r}: becomes dist/{args.name}/; use lower-case letters, digits and '-'")
    folder = args.folder if args.folder.is_absolute() else root / args.folder
    starter = Starter(
        name=args.name,
        namespace=args.namespace or args.name,
        host=args.host or f"{args.name}.example.com",
        repo_url=args.repo_url,
    )
    for line in scaffold(folder, starter):
        console.info(line)
    return Exit.OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Path, Console], int]] = {
    "synth": synth,
    "check": check,
    "diff": diff,
    "schema": schema,
    "import-z2jh": import_z2jh,
    "init": init,
}
