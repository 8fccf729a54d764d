"""Celery application.

With ``CELERY_BROKER_URL`` unset (the embedded default), tasks run in-process when they are
called, so a first run needs no broker; see ``config.settings.base``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("partenariats")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
