"""jupyterhub-cdk8s: a complete multi-user JupyterHub on Kubernetes, as cdk8s constructs.

The public API, for using the constructs from your own cdk8s app (README,
"Use the constructs in your own cdk8s app"):

- `HubConfig`: the typed settings of one hub (what an environment file holds);
- `config_from_dict`, `load_config`: a `HubConfig` from a mapping or a YAML
  file, or `ConfigError` listing every `Problem`;
- `JupyterHubChart`: the chart of one hub, to add to your `cdk8s.App`.

Names are loaded when first used: importing the package loads neither
pydantic nor cdk8s (and so no Node process), which the command line relies on.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .chart import JupyterHubChart
    from .config import ConfigError, HubConfig, Problem
    from .library import config_from_dict, load_config

__all__ = ["ConfigError", "HubConfig", "JupyterHubChart", "Problem", "__version__", "config_from_dict", "load_config"]

_HOMES = {
    "ConfigError": ".config",
    "HubConfig": ".config",
    "Problem": ".config",
    "JupyterHubChart": ".chart",
    "config_from_dict": ".library",
    "load_config": ".library",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name], __name__), name)
