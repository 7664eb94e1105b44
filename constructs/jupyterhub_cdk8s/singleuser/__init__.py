"""User servers: KubeSpawner's settings for every user's pod, and the shared volumes they mount."""

from .component import UserServersComponent
from .profiles import profile_list, user_images
from .security import user_pod_notices, user_pod_security_level
from .spawner import kubespawner_bytes, user_pod_labels

__all__ = [
    "UserServersComponent",
    "kubespawner_bytes",
    "profile_list",
    "user_images",
    "user_pod_labels",
    "user_pod_notices",
    "user_pod_security_level",
]
