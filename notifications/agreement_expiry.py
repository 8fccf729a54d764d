"""E-mails to each party's coordinators 90 and 30 days before the agreement in force ends.

Each run first ends the versions whose end date has passed, then sends. The ``Reminder`` rows
(kind ``agreement``, one per version, recipient and period) make it idempotent like the other
reminders: the period names the end date and the step (``2027-06-30:90`` or ``…:30``), so a
run missed one day still sends the next, a second run sends nothing more, and an amendment with
a new end date is reminded afresh.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notifications.emails import absolute_url, send_to_user
from notifications.reminders import coordinators_of_parties, deliver
from partnerships.choices import AgreementState, PartnershipStatus, ReminderKind
from partnerships.models.agreements import Agreement
from partnerships.services.agreements import agreements_end_expired

if TYPE_CHECKING:
    from organisations.models import User

FIRST_NOTICE_DAYS = 90
LAST_NOTICE_DAYS = 30


@dataclass(frozen=True)
class Ending:
    """One agreement coming to its end, as one recipient's e-mail shows it."""

    object_id: int
    period: str
    partnership: str
    organisation: str
    version: int
    ends_on: datetime.date
    days_left: int
    url: str


def agreements_ending(today: datetime.date):
    """Versions in force that end within ``FIRST_NOTICE_DAYS``, of partnerships not ended."""
    return (
        Agreement.objects.filter(
            state=AgreementState.IN_FORCE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=FIRST_NOTICE_DAYS),
        )
        .exclude(partnership__status=PartnershipStatus.ENDED)
        .select_related("partnership")
        .order_by("ends_on", "pk")
    )


def notice_period(ends_on: datetime.date, today: datetime.date) -> str:
    days_left = (ends_on - today).days
    step = LAST_NOTICE_DAYS if days_left <= LAST_NOTICE_DAYS else FIRST_NOTICE_DAYS
    return f"{ends_on.isoformat()}:{step}"


def send_agreement_expiry_reminders(today: datetime.date) -> int:
    """End the versions past their end date, then e-mail the coordinators (administrators and
    editors) of every current party about the versions in force ending within 90 days (once at
    90, once at 30)."""
    agreements_end_expired(today)
    agreements = {a.partnership_id: a for a in agreements_ending(today)}
    by_recipient: dict[User, list[Ending]] = defaultdict(list)
    for user, party in coordinators_of_parties(agreements):
        agreement = agreements[party.partnership_id]
        by_recipient[user].append(
            Ending(
                object_id=agreement.pk,
                period=notice_period(agreement.ends_on, today),
                partnership=agreement.partnership.title,
                organisation=party.organisation.name,
                version=agreement.version,
                ends_on=agreement.ends_on,
                days_left=(agreement.ends_on - today).days,
                url=absolute_url(
                    "partnerships:tab-agreement",
                    org_slug=party.organisation.slug,
                    partnership_id=agreement.partnership_id,
                ),
            )
        )
    return deliver(
        ReminderKind.AGREEMENT,
        by_recipient,
        lambda user, items: send_to_user(
            user=user, template="agreement_expiry", context={"items": items, "today": today}
        ),
    )
