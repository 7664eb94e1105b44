"""`init`: the files a GitOps repository of hubs starts with, and writing one file whole.

The templates live in scaffold_files/: a starter environment (valid as it is:
it is checked before anything is written), a .gitignore, and a GitHub
Actions workflow that runs `jupyterhub-cdk8s check` with the version of the
tool that ran `init`, so CI and the person who synthesized dist/ agree on
every byte. `init` writes no file that exists (a .gitignore gets the lines
it lacks).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from string import Template

import yaml

from . import __version__
from .config import config_schema
from .library import config_from_dict
from .output import OutputError, umask

DISTRIBUTION = "jupyterhub-cdk8s"
WORKFLOW = Path(".github/workflows/jupyterhub-cdk8s.yml")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class Starter:
    """What the starter environment is made from."""

    name: str
    namespace: str
    host: str
    repo_url: str | None = None


def valid_name(name: str) -> bool:
    """Whether `name` can be an environment's: it becomes environments/NAME.yaml and dist/NAME/."""
    return bool(_NAME.match(name)) and name != "argocd"


def scaffold(folder: Path, starter: Starter) -> list[str]:
    """Write the starter files into `folder`; the lines that say what was done. Nothing when a file exists."""
    environment = folder / "environments" / f"{starter.name}.yaml"
    text = _template("environment.yaml").safe_substitute(
        name=starter.name,
        namespace=starter.namespace,
        host=starter.host,
        gitops=_gitops(starter),
    )
    config_from_dict(yaml.safe_load(text), source=str(environment.relative_to(folder)))  # ConfigError: nothing written
    files = {
        environment: text,
        folder / "environments" / "schema.json": config_schema(),
        folder / WORKFLOW: _template("workflow.yml").safe_substitute(install=install_requirement()),
    }
    existing = [path for path in files if path.exists()]
    if existing:
        raise OutputError(
            "\n".join(
                f"{path}: exists; init never overwrites a file: move it away, or write it yourself" for path in existing
            )
        )
    done = []
    for path, content in files.items():
        write_file(path, content)
        done.append(f"created {path.relative_to(folder)}")
    if _complete_gitignore(folder / ".gitignore"):
        done.append("added jupyterhub-cdk8s's lines to .gitignore")
    done.append(f"next: edit {environment.relative_to(folder)}, run `jupyterhub-cdk8s synth`, commit it and dist/")
    return done


def install_requirement() -> str:
    """What `pip install` needs for the version running now: where it was installed from, else its version."""
    try:
        direct = json.loads(metadata.distribution(DISTRIBUTION).read_text("direct_url.json") or "null")
    except metadata.PackageNotFoundError:
        direct = None
    # PEP 610: an install from a VCS URL records the URL and the commit.
    vcs = (direct or {}).get("vcs_info")
    if vcs and vcs.get("vcs") == "git" and not direct["url"].startswith("file:"):
        return f"{DISTRIBUTION} @ git+{direct['url']}@{vcs['commit_id']}"
    return f"{DISTRIBUTION}=={__version__}"


def write_file(path: Path, content: str, *, make_folder: bool = True) -> None:
    """Write a whole file, or leave the old one: a temporary file beside it, renamed over it."""
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(content)
            os.chmod(temporary, 0o666 & ~umask())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise OutputError(f"{path}: cannot be written: {error.strerror or error}") from None


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("scaffold_files", name).read_text(encoding="utf-8"))


def _gitops(starter: Starter) -> str:
    if starter.repo_url:
        return f"gitops:\n  repo_url: {json.dumps(starter.repo_url)}\n  target_revision: main\n"
    return (
        f"# For ArgoCD, say where this repository is; synth then writes dist/argocd/{starter.name}.yaml:\n"
        "# gitops:\n#   repo_url: https://github.com/<org>/<repository>.git\n"
    )


def _complete_gitignore(path: Path) -> bool:
    wanted = _template("gitignore").template
    present = path.read_text(encoding="utf-8") if path.exists() else ""
    missing = [line for line in wanted.splitlines() if line and not line.startswith("#") and line not in present]
    if not missing:
        return False
    separator = "" if not present or present.endswith("\n") else "\n"
    write_file(path, present + separator + wanted)
    return True
