"""Typed environment config: the single input of the synthesizer."""

from .environment import HubConfig
from .loader import ConfigError, Problem, load_environments

__all__ = ["HubConfig", "ConfigError", "Problem", "load_environments"]
