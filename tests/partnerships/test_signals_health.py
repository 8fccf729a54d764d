"""Health signals: each annotated value becomes a signal explained in one sentence."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import translation

from partnerships.signals_health import partnership_signals

TODAY = datetime.date(2025, 6, 1)


def partnership(**values) -> SimpleNamespace:
    defaults = {
        "perception_gap": None,
        "agreement_gap": None,
        "agreed_level": None,
        "next_review_on": None,
        "status": "active",
    }
    return SimpleNamespace(**{**defaults, **values})


def codes(**values) -> list[str]:
    return [signal.code for signal in partnership_signals(partnership(**values), today=TODAY)]


def test_a_quiet_partnership_has_no_signal():
    assert codes(perception_gap=1, agreement_gap=1, agreed_level=5) == []


def test_gaps_of_two_levels_or_more_are_signalled():
    assert codes(perception_gap=2, agreement_gap=3) == ["perception_gap", "agreement_gap"]


def test_an_agreed_fusion_is_a_warning():
    assert codes(agreed_level=7) == ["fusion"]


def test_a_past_review_date_is_overdue_unless_the_partnership_ended():
    yesterday = TODAY - datetime.timedelta(days=1)
    assert codes(next_review_on=yesterday) == ["review_overdue"]
    assert codes(next_review_on=yesterday, status="ended") == []
    assert codes(next_review_on=TODAY) == []


def test_messages_follow_the_active_language():
    with translation.override("en"):
        [signal] = partnership_signals(partnership(perception_gap=3), today=TODAY)
    assert "3 levels apart" in signal.message
