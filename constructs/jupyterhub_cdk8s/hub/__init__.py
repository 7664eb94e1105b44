"""The hub component: its construct and its part of jupyterhub_config.py."""

from .config_file import ConfigFile, SecretEnv
from .construct import Hub
from .settings import configure_extra, configure_hub

__all__ = ["ConfigFile", "SecretEnv", "Hub", "configure_extra", "configure_hub"]
