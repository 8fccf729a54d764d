from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from core import dates
from core.typography import punctuation
from partnerships.choices import (
    INTENSITY_MAX,
    LEVEL_SUMMARIES,
    CommitmentStatus,
    Level,
    PartyRole,
)
from partnerships.choices import intensity_label as label_of_intensity

register = template.Library()

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 30, 3


@register.simple_tag
def colon() -> str:
    """A colon after a label or a value written in the template: ``{% colon %}``."""
    return punctuation(":")


@register.simple_tag
def semicolon() -> str:
    """A semicolon between items of a list written in the template: ``{% semicolon %}``."""
    return punctuation(";")


@register.filter
def level_label(value: int | None) -> str:
    """ "3 · Consultation" for a level number, a dash when there is none."""
    if not value:
        return "—"
    return f"{value} · {Level(value).label}"


@register.filter
def level_summary(value: int | None) -> str:
    """What a level means, in one line (empty when there is no level)."""
    if not value or value not in Level.values:
        return ""
    return str(LEVEL_SUMMARIES[Level(value)])


@register.filter
def intensity_label(value: int | None) -> str:
    """ "3 · noticeable" for a concern's intensity, a dash when there is none."""
    return label_of_intensity(value)


@register.filter
def party_role(value: str) -> str:
    """The label of a party's role key, as recorded in an agreement's snapshot."""
    return str(PartyRole(value).label) if value in PartyRole.values else value


@register.filter
def commitment_status(value: str) -> str:
    """The label of a commitment's status key, as frozen in a closed review's record."""
    return str(CommitmentStatus(value).label) if value in CommitmentStatus.values else value


@register.filter
def long_date(value: datetime.date | None) -> str:
    """``|date:"DATE_FORMAT"`` with the French « 1er » for the first of a month."""
    return dates.long_date(value)


@register.filter
def is_future(value: datetime.date | None) -> bool:
    """Whether a date is after today (« depuis le » only fits a day already past)."""
    return value is not None and value > timezone.localdate()


@register.filter
def iso_date(value: str | None) -> datetime.date | None:
    """A date recorded as ISO text (in a snapshot), for the ``date`` filter."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def sparkline_points(checks) -> str:
    """SVG polyline points for a series of concern checks, oldest first, 0 at the bottom."""
    values = [check.intensity for check in checks]
    if not values:
        return ""
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    usable = SPARK_HEIGHT - 2 * SPARK_PAD
    return " ".join(
        f"{SPARK_PAD + index * step:.1f},{SPARK_PAD + usable * (1 - value / INTENSITY_MAX):.1f}"
        for index, value in enumerate(values)
    )
