"""The embedded default for a first try: SQLite, tasks in-process, e-mail to the console."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-do-not-use-in-production"  # noqa: F405
