"""The French catalog is complete and in step with the code; the third-party one is allauth's."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import allauth
import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

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
        "privacy",
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


# --- The hand-kept French for third-party messages (locale_thirdparty/) -----------------------
THIRD_PARTY = Path(settings.BASE_DIR) / "locale_thirdparty" / "fr" / "LC_MESSAGES" / "django.po"
# A mark in running text (not in a URL, an attribute or a placeholder) with anything but the
# narrow no-break space before it.
BADLY_SPACED = re.compile(r"(?:[^\s\u202f]|[ \u00a0])[:;?!](?=\s|$|<)")


def allauth_catalog() -> Path:
    return Path(allauth.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_third_party_catalog_comes_after_ours_and_before_the_apps():
    """Django merges LOCALE_PATHS, the first listed winning; both win over the apps' own."""
    ours, third_party = settings.LOCALE_PATHS
    assert (ours, third_party) == (CATALOG.parents[2], THIRD_PARTY.parents[2])
    with translation.override("fr"):
        assert gettext("Are you sure you want to sign out?") == (
            "Voulez-vous vraiment vous déconnecter\u202f?"
        )


def test_the_third_party_catalog_holds_only_allauths_messages_translated_and_spaced():
    """Its msgids are allauth's (one gone after an upgrade shows here); its French is complete,
    spaced with narrow no-break spaces, and says « e-mail»."""
    allauth_ids = set(messages(allauth_catalog()))
    problems = []
    for key, message in messages(THIRD_PARTY).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if key not in allauth_ids:
            problems.append(f"not one of allauth's msgids: {key!r}")
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {key!r}")
        for string in strings:
            if BADLY_SPACED.search(string) or re.search(r"(?<![-({\w])[Ee]mails?\b", string):
                problems.append(f"{key!r}: {string!r}")
    assert problems == []
