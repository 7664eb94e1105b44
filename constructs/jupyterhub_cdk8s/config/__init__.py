"""Typed environment config: the single input of the synthesizer."""

from .environment import HubConfig
from .loader import ConfigError, Problem, config_schema, load_environments

__all__ = ["HubConfig", "ConfigError", "Problem", "config_schema", "load_environments"]
