"""Entry point of `cdk8s synth` and `python main.py`: synthesize environments/*.yaml into dist/."""

import gc
import os
import sys
from pathlib import Path

# A synth is a short process whose objects mostly live until it exits: the
# cyclic collector's passes over them, while it runs and again at interpreter
# shutdown (hence the freeze below), find little to free and cost a tenth of a synth.
gc.disable()

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT / "constructs"), str(ROOT)]
# jsii warns on every start that Node 20 is past end-of-life; the warning is not actionable here.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# pydantic looks for plugins in the entry points of every installed distribution; none is used here.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from jupyterhub_cdk8s.cli import main  # noqa: E402

if __name__ == "__main__":
    code = main(root=ROOT)
    gc.freeze()
    sys.exit(code)
