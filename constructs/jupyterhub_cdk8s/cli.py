"""Command line: `python main.py [--check]`, `python main.py schema` and `python main.py import-z2jh values.yaml`.

Exit codes: 0 done; 1 `--check` found dist/ stale; 2 a config problem (every
problem printed, dist/ untouched) or a values file that cannot be imported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# pydantic and cdk8s are imported where they are used: a fleet's helper
# process (helper_process.py) starts before either is loaded here.
from .helper_process import Helper, helper_for

if TYPE_CHECKING:
    from .config import ConfigError

SCHEMA_FILE = "schema.json"
SCHEMA = "schema"
IMPORT_Z2JH = "import-z2jh"


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = root or Path.cwd()
    if argv[:1] == [IMPORT_Z2JH]:
        return import_z2jh(argv[1:])
    if argv[:1] == [SCHEMA]:
        return export_schema(argv[1:], root)
    parser = argparse.ArgumentParser(
        prog="python main.py", description="Synthesize environments/*.yaml into dist/<env>/."
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if dist/ differs from a fresh synth; write nothing"
    )
    parser.add_argument("--environments", type=Path, default=root / "environments", help="folder of environment files")
    parser.add_argument("--dist", type=Path, default=root / "dist", help="output folder")
    args = parser.parse_args(argv)
    # A fleet's second process starts first, so it loads jsii and the config while this one does.
    with helper_for(len(list(args.environments.glob("*.yaml")))) as helper:
        return synthesize(args, helper)


def synthesize(args: argparse.Namespace, helper: Helper | None) -> int:
    """Load, check and synthesize the environments of `args` into `args.dist` (or only compare, with --check)."""
    from .config import ConfigError, load_environments
    from .naming import Names

    try:
        environments = load_environments(args.environments, display_root=args.environments.parent)
    except ConfigError as error:
        return _refused(error)
    for env in environments:
        for warning in env.warnings:
            print(f"WARNING: {warning}", file=sys.stderr)

    # Imported once the environments are valid: loading jsii is most of a synth's start-up.
    from .platform_services import platform_notices
    from .singleuser import user_pod_notices
    from .synth import differences, manifests, write_tree

    for env in environments:
        names = Names(release=env.config.name, namespace=env.config.namespace)
        for line in user_pod_notices(env.config.singleuser) + platform_notices(env.config.platform_services, names):
            print(f"notice: {env.file}: {line}")
    try:
        files = manifests(environments, helper.share if helper is not None else None)
    except ConfigError as error:
        return _refused(error)
    if args.check:
        stale = differences(files, args.dist)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print("dist/ is stale: run `python main.py` and commit the result.", file=sys.stderr)
            return 1
        print(f"dist/ is up to date ({len(files)} files, {len(environments)} environments).")
        return 0

    write_tree(files, args.dist)
    objects = sum(len(m.objects) for m in files)
    print(f"synthesized {len(environments)} environment(s), {objects} objects, into {args.dist}")
    return 0


def _refused(error: ConfigError) -> int:
    """Every config problem, one line each; exit 2 with dist/ untouched."""
    print(error, file=sys.stderr)
    print(f"{len(error.problems)} problem(s); nothing was written.", file=sys.stderr)
    return 2


def export_schema(argv: list[str], root: Path) -> int:
    """Write the JSON Schema of environment files beside them, for editors.

    Only the config models change it, so it is its own command (the test suite
    fails while the committed one is stale) rather than a cost of every synth.
    """
    parser = argparse.ArgumentParser(
        prog=f"python main.py {SCHEMA}",
        description="Write environments/schema.json, the JSON Schema of environment files.",
    )
    parser.add_argument("--environments", type=Path, default=root / "environments", help="folder of environment files")
    args = parser.parse_args(argv)
    from .config import config_schema

    path = args.environments / SCHEMA_FILE
    path.write_text(config_schema(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def import_z2jh(argv: list[str]) -> int:
    """Print an environment file for a JupyterHub Helm chart values file; report every key not carried over."""
    from .z2jh_import.command import import_values

    parser = argparse.ArgumentParser(
        prog=f"python main.py {IMPORT_Z2JH}",
        description="Turn a values file of the JupyterHub Helm chart (z2jh 4.x) into an environment file on stdout.",
    )
    parser.add_argument("values", type=Path, help="the chart's values file, e.g. config.yaml")
    parser.add_argument("--namespace", default="jupyterhub", help="namespace of the hub (helm's --namespace)")
    args = parser.parse_args(argv)
    return import_values(args.values, args.namespace, sys.stdout, sys.stderr)
