"""Refusals that are about the state of a record, not about the input: the API answers 409."""

from __future__ import annotations

from django.http import Http404

from core.exceptions import Conflict


class StateConflict(Conflict):
    """The record is not in a state that allows this (a closed review, a review not held)."""


class ReviewFrozen(StateConflict):
    """A closed review, or an entry pointing at one, cannot be changed."""


class AgreementStateError(StateConflict):
    """The agreement version is not in the state this step needs (e.g. editing one submitted)."""


class AgreementFrozen(AgreementStateError):
    """A version approved by every party (in force, superseded or ended) never changes."""


class NotVisible(Http404):
    """The object does not exist for this actor: an outsider, an organisation only invited,
    an inactive organisation, a private concern of another party. Pages and API answer 404."""
