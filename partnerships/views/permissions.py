"""Answers the pages need that ``partnerships.policy`` does not give yet.

The lead owns ``policy.py``: what is here is waiting to move there (the same rule, one home).
"""

from __future__ import annotations

from ..exceptions import StateConflict
from ..policy import Permissions, require_rating_open


def may_export(may: Permissions) -> bool:
    """Start a background export of the organisation's list: its editors and administrators
    (``export-start`` is ``member_required(WRITE)``). To become ``Permissions.export``."""
    return may.actor.writes


def may_rate(may: Permissions, review) -> bool:
    """Record the organisation's blind rating for a review: writers, while the review is only
    planned (``policy.require_rating_open``). To become ``policy.may_rate``."""
    if not may.write:
        return False
    try:
        require_rating_open(review)
    except StateConflict:
        return False
    return True
