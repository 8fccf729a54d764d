from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()


def _load_then_freeze() -> None:
    """Load the URL patterns (the views and their modules) before the first request, then
    keep what is loaded out of the collector's full passes (``core.heap``)."""
    from django.urls import get_resolver

    from core.heap import freeze_loaded_objects

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    freeze_loaded_objects()


_load_then_freeze()
