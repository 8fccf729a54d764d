"""The French catalog is complete and in step with the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def messages(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(handle) if m.id}


def test_every_french_message_is_translated():
    untranslated = [
        key
        for key, m in messages(CATALOG).items()
        if not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy
    ]
    assert untranslated == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not settings.CI,
    reason="GNU gettext (xgettext) is not installed; CI installs it",
)
def test_catalog_holds_every_message_of_the_code(tmp_path):
    """Extract the messages afresh and check none is missing from the committed catalog."""
    root = Path(settings.BASE_DIR)
    for item in (
        "config",
        "core",
        "notifications",
        "organisations",
        "partnerships",
        "templates",
        "manage.py",
    ):
        source = root / item
        target = tmp_path / item
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    fresh = messages(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = sorted(set(fresh) - set(messages(CATALOG)))
    assert missing == [], "run `make messages` and translate these"
