"""Settings an operator sets in the environment: the e-mail backends' and the writable folders."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings.base as base


@pytest.fixture
def reload_with(monkeypatch):
    """The base settings read again with these environment variables."""

    def reload(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(base)

    yield reload
    monkeypatch.undo()
    importlib.reload(base)


def test_the_file_backend_and_smtp_options_come_from_the_environment(reload_with, tmp_path):
    settings = reload_with(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
        EMAIL_USE_SSL="true",
        EMAIL_TIMEOUT="10",
    )
    assert str(tmp_path) == settings.EMAIL_FILE_PATH
    assert (settings.EMAIL_USE_SSL, settings.EMAIL_TIMEOUT) == (True, 10)


def test_tls_and_ssl_together_are_refused(reload_with):
    with pytest.raises(ImproperlyConfigured):
        reload_with(EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")


def test_static_and_media_roots_come_from_the_environment(reload_with, tmp_path):
    settings = reload_with(STATIC_ROOT=str(tmp_path / "s"), MEDIA_ROOT=str(tmp_path / "m"))
    assert (tmp_path / "s", tmp_path / "m") == (settings.STATIC_ROOT, settings.MEDIA_ROOT)


def test_from_the_source_folder_files_and_data_stay_there():
    source = Path(base.__file__).resolve().parents[2]
    assert base.FILES_DIR == base.DATA_DIR == source
    assert source / "staticfiles" == base.STATIC_ROOT


def test_an_unknown_log_format_is_refused(reload_with):
    with pytest.raises(ImproperlyConfigured):
        reload_with(LOG_FORMAT="xml")
