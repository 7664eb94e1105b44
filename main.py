"""Entry point of `cdk8s synth` (cdk8s.yaml `app:`) and `python main.py`: the command line, run from this repository.

cdk8s.yaml runs `python3 main.py`, so `cdk8s synth` works with or without an
activated venv: when this interpreter lacks the project's packages, the
repository's `.venv` (made by `make install`) runs instead, else one line
says what to do. Nothing is written before that.
"""

import gc
import importlib.util
import os
import sys
from pathlib import Path

# A synth is a short process whose objects mostly live until it exits; see cli.run.
gc.disable()

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "constructs"))

# Python's standard library only: an interrupt from here on is one line, not a traceback. Not in a
# fleet's helper process, which multiprocessing starts by importing this file as __mp_main__.
from jupyterhub_cdk8s.processes import exit_at_once_on_interrupt  # noqa: E402

if __name__ == "__main__":
    exit_at_once_on_interrupt()

VENV = ROOT / ".venv"
REQUIRED = ("cdk8s", "cdk8s_plus_27", "pydantic", "yaml")
EX_UNAVAILABLE = 69

missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
if missing:
    python = VENV / "bin" / "python"
    if python.exists() and Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(python, [str(python), __file__, *sys.argv[1:]])
    print(
        f"{__file__}: {sys.executable} lacks {', '.join(missing)} and there is no {VENV}: "
        "run `make install` here first (or activate a venv where `pip install .` installed this project)",
        file=sys.stderr,
    )
    sys.exit(EX_UNAVAILABLE)

sys.path.insert(1, str(ROOT))  # imports/, the generated custom resource bindings

from jupyterhub_cdk8s.cli import run  # noqa: E402

if __name__ == "__main__":
    run(root=ROOT, prog="python main.py")
