"""Punctuation as the active language writes it (the templates' ``{% colon %}`` and the models'
names use it alike)."""

from __future__ import annotations

from django.utils.translation import get_language

NARROW_NO_BREAK_SPACE = "\u202f"


def punctuation(mark: str) -> str:
    """``mark`` as the active language writes it: French puts a narrow no-break space before
    ``: ; ? !``, English nothing."""
    language = get_language() or ""
    return NARROW_NO_BREAK_SPACE + mark if language.split("-")[0] == "fr" else mark
