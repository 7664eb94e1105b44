"""The ports the hub's processes listen on: the wire contract between components and their policies."""

HUB_PORT = 8081
PROXY_PUBLIC_PORT = 8000
PROXY_API_PORT = 8001
PROXY_METRICS_PORT = 8002
SERVER_PORT = 8888
"""jupyterhub-singleuser in every user pod (KubeSpawner's `port`)."""
