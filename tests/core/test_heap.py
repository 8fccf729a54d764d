"""The web process keeps what it loaded out of the garbage collector's full passes."""

from __future__ import annotations

import gc
import importlib

from core.heap import freeze_loaded_objects


def test_what_is_loaded_is_frozen_and_what_comes_later_is_not():
    gc.unfreeze()
    try:
        freeze_loaded_objects()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # Django, the apps, the test run's own objects
        later = [[index] for index in range(100)]
        assert gc.get_freeze_count() == frozen
        assert gc.is_tracked(later[0])
    finally:
        gc.unfreeze()


def test_the_wsgi_module_loads_the_urls_then_freezes():
    gc.unfreeze()
    try:
        import config.wsgi

        importlib.reload(config.wsgi)
        assert gc.get_freeze_count() > 10_000
        assert callable(config.wsgi.application)
    finally:
        gc.unfreeze()
