"""A hub's settings for someone else's cdk8s app: from a mapping or a YAML file, checked as environment files are."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .config import ConfigError, HubConfig
from .config.loader import _problems_from, load_file


def config_from_dict(data: Mapping[str, Any], *, source: str = "config") -> HubConfig:
    """The settings `data` holds (the keys of an environment file), or ConfigError naming `source` in each problem."""
    try:
        return HubConfig.model_validate(dict(data))
    except ValidationError as error:
        # The loader's wording, so a mapping gets the same `source: field: message` lines as a file.
        raise ConfigError(_problems_from(error, source)) from None


def load_config(path: str | os.PathLike[str]) -> HubConfig:
    """The settings of one environment file, or ConfigError listing every problem."""
    return load_file(Path(path), str(path)).config
