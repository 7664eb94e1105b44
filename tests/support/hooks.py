"""Run a hook Job's container (secrets bootstrap, image awaiter) as its pod would: its own command and args."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .synthesis import ROOT

HOOKS = ROOT / "constructs" / "jupyterhub_cdk8s" / "hooks"


def hook_sources(container: dict) -> tuple[str, str]:
    """The kube_api module and the script a hook container runs, as its command carries them."""
    program, flag, _launcher, kube_api, script = container["command"]
    assert (program, flag) == ("python3", "-c"), "the hooks run the hub image's own Python"
    return kube_api, script


def run_hook(
    container: dict, env: dict[str, str], args: list[str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess:
    """The container's command with this interpreter for python3, and its args (or `args`)."""
    return subprocess.run(
        [sys.executable, *container["command"][1:], *(container["args"] if args is None else args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def hook_file(name: str) -> Path:
    return HOOKS / name


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by openssl."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "1", "-subj", "/CN=kubernetes", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
