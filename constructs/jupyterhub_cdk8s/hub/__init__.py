"""The hub component: its construct and its part of jupyterhub_config.py."""

from .component import HubComponent
from .construct import Hub

__all__ = ["Hub", "HubComponent"]
