"""Health signals of a partnership, each explained in one sentence.

The values come from the database (``Partnership.objects.with_levels()`` annotates the levels and
gaps); this only turns them into signals, so the API and the dashboard say the same thing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .choices import Level, PartnershipStatus

# Two steps or more between levels is a misunderstanding risk: the partners should talk.
GAP_WARNING = 2


@dataclass(frozen=True)
class Signal:
    code: str
    message: str


def partnership_signals(partnership: Any, today: datetime.date | None = None) -> list[Signal]:
    """The signals of a partnership read with ``with_levels()``, in a stable order."""
    today = today or timezone.localdate()
    signals = []
    perception_gap = getattr(partnership, "perception_gap", None)
    agreement_gap = getattr(partnership, "agreement_gap", None)
    if perception_gap is not None and perception_gap >= GAP_WARNING:
        signals.append(
            Signal(
                "perception_gap",
                _(
                    "The parties perceive the partnership %(gap)s levels apart: "
                    "clarify together which kind of partnership you are in."
                )
                % {"gap": perception_gap},
            )
        )
    if agreement_gap is not None and agreement_gap >= GAP_WARNING:
        signals.append(
            Signal(
                "agreement_gap",
                _(
                    "A party perceives the partnership %(gap)s levels away from the level "
                    "agreed together: revisit the agreement."
                )
                % {"gap": agreement_gap},
            )
        )
    if getattr(partnership, "agreed_level", None) == Level.FUSION:
        signals.append(
            Signal(
                "fusion",
                _("The agreed level is fusion: check that each party still knows who does what."),
            )
        )
    next_review_on = partnership.next_review_on
    if (
        next_review_on is not None
        and next_review_on < today
        and partnership.status != PartnershipStatus.ENDED
    ):
        signals.append(
            Signal(
                "review_overdue",
                _("The review planned for %(date)s has not taken place yet.")
                % {"date": formats.date_format(next_review_on, "SHORT_DATE_FORMAT")},
            )
        )
    return signals
