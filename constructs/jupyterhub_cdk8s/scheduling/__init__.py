"""Where and when user pods run: priorities, the user scheduler, placeholders and the image pullers."""

from .image_pullers import ImagePullersComponent
from .placeholders import UserPlaceholdersComponent
from .priorities import PrioritiesComponent
from .user_scheduler import UserSchedulerComponent

__all__ = [
    "ImagePullersComponent",
    "PrioritiesComponent",
    "UserPlaceholdersComponent",
    "UserSchedulerComponent",
]
