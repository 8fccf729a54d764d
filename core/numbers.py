"""Whole numbers typed by people: ``str.isdigit`` lets "²" through, which ``int`` refuses, and a
number of thousands of digits makes ``int`` raise too. Both would be a server error."""

from __future__ import annotations


def whole_number(text: str, max_digits: int = 18) -> int | None:
    """The number ``text`` writes in decimal digits, or None for anything else."""
    text = text.strip()
    if not text.isdecimal() or len(text) > max_digits:
        return None
    return int(text)
