"""Reminders by e-mail, each sent once: reviews and commitments coming due, and the digest.

A due date earns at most two reminders per person: one when it comes within
``REMIND_DAYS`` ("soon"), one once it is past ("overdue"); that pair is the reminder's
*period*. Before sending, the task claims a ``Reminder`` row per item in the same transaction
as the send. A second run finds the rows and sends nothing; a send that fails rolls its rows
back, so the retry sends it again. On PostgreSQL a second worker claiming the same row waits
for the first one's transaction, then finds it taken; SQLite's IMMEDIATE transactions
serialise them.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from core.retry import DeliveryError
from notifications.emails import absolute_url, send_to_user
from organisations.models import Membership
from partnerships.choices import PartnershipStatus, ReminderKind
from partnerships.models import Commitment, Partnership, Party, Reminder

if TYPE_CHECKING:
    from organisations.models import User

logger = logging.getLogger(__name__)

REMIND_DAYS = 7
RUNNING = [PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED]


class Remindable(Protocol):
    """What one reminder is about (``object_id``) and which occurrence (``period``)."""

    object_id: int
    period: str


Item = TypeVar("Item", bound=Remindable)


def claim(*, kind: str, object_id: int, recipient: User, period: str) -> bool:
    """Record that ``recipient`` gets this reminder; False if it was already recorded."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                kind=kind, object_id=object_id, recipient=recipient, period=period
            )
    except IntegrityError:
        return False
    return True


def send_once(
    *,
    kind: str,
    recipient: User,
    items: Sequence[Item],
    send: Callable[[list[Item]], None],
) -> int:
    """Send ``recipient`` one e-mail about the items not yet sent to them; how many were new.

    The claims and the send share one transaction: if ``send`` raises, nothing is recorded.
    """
    with transaction.atomic():
        new = [
            item
            for item in items
            if claim(kind=kind, object_id=item.object_id, recipient=recipient, period=item.period)
        ]
        if new:
            send(new)
    return len(new)


def deliver(
    kind: str, by_recipient: dict[User, list[Item]], send: Callable[[User, list[Item]], None]
) -> int:
    """``send_once`` to each recipient; a failure does not stop the others.

    Raises ``DeliveryError`` at the end when any failed, so the task retries: the retry sends
    only what is still missing.
    """
    sent, failed = 0, []
    for recipient, items in by_recipient.items():
        try:
            sent += send_once(
                kind=kind,
                recipient=recipient,
                items=items,
                send=lambda new, recipient=recipient: send(recipient, new),
            )
        except OSError as error:  # smtplib's errors are OSErrors
            logger.warning("%s e-mail to user %s failed: %s", kind, recipient.pk, error)
            failed.append(recipient.pk)
    if failed:
        raise DeliveryError(f"{len(failed)} {kind} e-mail(s) could not be sent: users {failed}")
    return sent


@dataclass(frozen=True)
class Due:
    """One thing coming due, as one recipient's e-mail shows it."""

    object_id: int
    period: str
    title: str
    partnership: str
    organisation: str
    due_on: datetime.date
    overdue: bool
    url: str


def due_period(due_on: datetime.date, today: datetime.date) -> str:
    return f"{due_on.isoformat()}:{'overdue' if due_on < today else 'soon'}"


def coordinators_by_organisation(organisation_ids) -> dict[int, list[User]]:
    """Admins and editors who can receive e-mail, for each active organisation."""
    found: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.coordinators()
        .filter(
            organisation_id__in=organisation_ids,
            organisation__active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        found[membership.organisation_id].append(membership.user)
    return found


# --- Reviews ------------------------------------------------------------------------------
def reviews_due(today: datetime.date) -> QuerySet:
    """Running partnerships whose next review is within ``REMIND_DAYS`` or already past."""
    return Partnership.objects.filter(
        status__in=RUNNING,
        next_review_on__lte=today + datetime.timedelta(days=REMIND_DAYS),
    ).order_by("next_review_on", "title")


def coordinators_of_parties(partnership_ids) -> Iterator[tuple[User, Party]]:
    """Each coordinator of each current party of these partnerships, with the party.

    A coordinator of two parties of one partnership comes once (with the first party by name):
    one e-mail per person, never two copies of the same news.
    """
    parties = list(
        Party.objects.taking_part()
        .filter(partnership_id__in=partnership_ids)
        .select_related("organisation")
        .order_by("partnership_id", "organisation__name")
    )
    coordinators = coordinators_by_organisation({party.organisation_id for party in parties})
    told: set[tuple[int, int]] = set()
    for party in parties:
        for user in coordinators.get(party.organisation_id, []):
            if (user.pk, party.partnership_id) not in told:
                told.add((user.pk, party.partnership_id))
                yield user, party


def send_review_reminders(today: datetime.date) -> int:
    """E-mail the coordinators of every current party about reviews coming due or overdue."""
    partnerships = {p.pk: p for p in reviews_due(today)}
    by_recipient: dict[User, list[Due]] = defaultdict(list)
    for user, party in coordinators_of_parties(partnerships):
        partnership = partnerships[party.partnership_id]
        by_recipient[user].append(
            Due(
                object_id=partnership.pk,
                period=due_period(partnership.next_review_on, today),
                title=partnership.title,
                partnership=partnership.title,
                organisation=party.organisation.name,
                due_on=partnership.next_review_on,
                overdue=partnership.next_review_on < today,
                url=absolute_url(
                    "partnerships:tab-reviews",
                    org_slug=party.organisation.slug,
                    partnership_id=partnership.pk,
                ),
            )
        )
    return deliver(
        ReminderKind.REVIEW,
        by_recipient,
        lambda user, items: send_to_user(
            user=user, template="review_reminder", context={"items": items, "today": today}
        ),
    )


# --- Commitments --------------------------------------------------------------------------
def commitments_due(today: datetime.date) -> QuerySet:
    """Pending commitments of current parties, due within ``REMIND_DAYS`` or already past."""
    return (
        Commitment.objects.pending()
        .filter(
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS),
            partnership__status__in=RUNNING,
            party__in=Party.objects.taking_part(),
        )
        .select_related("partnership", "party__organisation")
        .order_by("due_on", "pk")
    )


def send_commitment_reminders(today: datetime.date) -> int:
    """E-mail the owning party's coordinators about its commitments coming due or overdue."""
    commitments = list(commitments_due(today))
    coordinators = coordinators_by_organisation({c.party.organisation_id for c in commitments})
    by_recipient: dict[User, list[Due]] = defaultdict(list)
    for commitment in commitments:
        organisation = commitment.party.organisation
        for user in coordinators.get(organisation.pk, []):
            by_recipient[user].append(
                Due(
                    object_id=commitment.pk,
                    period=due_period(commitment.due_on, today),
                    title=commitment.title,
                    partnership=commitment.partnership.title,
                    organisation=organisation.name,
                    due_on=commitment.due_on,
                    overdue=commitment.due_on < today,
                    url=absolute_url(
                        "partnerships:tab-commitments",
                        org_slug=organisation.slug,
                        partnership_id=commitment.partnership_id,
                    ),
                )
            )
    return deliver(
        ReminderKind.COMMITMENT,
        by_recipient,
        lambda user, items: send_to_user(
            user=user, template="commitment_reminder", context={"items": items, "today": today}
        ),
    )


QUESTIONNAIRE_REMIND_DAYS = 2


def send_questionnaire_reminders(today: datetime.date) -> int:
    """Two days before a questionnaire closes (or later, if a run was missed, until it
    closes), remind once the members who have not answered yet. Who has answered is read from
    the respondents, never from the answers."""
    from notifications import events
    from partnerships.choices import ReviewStatus
    from partnerships.models import Questionnaire, Respondent

    told = 0
    due = Questionnaire.objects.filter(
        closed_at__isnull=True,
        closes_on__gte=today,
        closes_on__lte=today + datetime.timedelta(days=QUESTIONNAIRE_REMIND_DAYS),
        review__status=ReviewStatus.PLANNED,
        review__partnership__status__in=RUNNING,
    ).select_related("review__partnership")
    for questionnaire in due:
        answered = Respondent.objects.filter(questionnaire=questionnaire).values_list(
            "user_id", flat=True
        )
        with transaction.atomic():
            told += events.questionnaire_reminder(questionnaire, list(answered))
    return told
