"""The weekly digest: what changed in a member's partnerships over the last seven days.

One e-mail per person, not per membership: a section for each organisation they belong to,
each read through that organisation's eyes, so another organisation's private concerns and
blind ratings never show. A section depends only on its organisation, so it is computed once
and shared by all its members; only the rendering is per person, in their language.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from notifications.emails import send_to_user
from notifications.reminders import RUNNING, deliver
from organisations.models import Membership
from partnerships.choices import CommitmentStatus, ReminderKind
from partnerships.models import Commitment, Concern, LevelAssessment, Partnership

if TYPE_CHECKING:
    from organisations.models import Organisation, User

DIGEST_DAYS = 7
UPCOMING_REVIEW_DAYS = 14


@dataclass
class Section:
    """The week of one organisation's partnerships, as that organisation may see it."""

    organisation: Organisation
    levels: list = field(default_factory=list)
    concerns: list = field(default_factory=list)
    commitments_done: list = field(default_factory=list)
    commitments_overdue: list = field(default_factory=list)
    reviews: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (
                self.levels,
                self.concerns,
                self.commitments_done,
                self.commitments_overdue,
                self.reviews,
            )
        )


@dataclass(frozen=True)
class Digest:
    object_id: int  # the recipient: one digest per person and week
    period: str
    sections: list[Section]
    since: datetime.date


def digest_period(today: datetime.date) -> str:
    """The ISO week of the run, e.g. ``2025-W07``: two runs in one week send one digest."""
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def organisation_section(
    organisation: Organisation, today: datetime.date, since: datetime.date
) -> Section:
    """What changed since ``since`` in the organisation's partnerships, and what is due."""
    partnerships = Partnership.objects.for_organisation(organisation)
    since_moment = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    return Section(
        organisation=organisation,
        # The blind rule: another party's rating for a review not yet held stays hidden.
        levels=list(
            LevelAssessment.objects.visible_to_organisation(organisation)
            .filter(partnership__in=partnerships, created_at__gte=since_moment)
            .select_related("partnership", "party__organisation")
            .order_by("partnership__title", "created_at", "pk")
        ),
        # Another organisation's private concerns are not visible to this one.
        concerns=list(
            Concern.objects.visible_to_organisation(organisation)
            .filter(created_at__gte=since_moment)
            .select_related("partnership", "raised_by__organisation")
            .order_by("partnership__title", "created_at", "pk")
        ),
        commitments_done=list(
            Commitment.objects.filter(
                partnership__in=partnerships,
                status=CommitmentStatus.DONE,
                completed_on__gte=since,
            )
            .select_related("partnership", "party__organisation")
            .order_by("completed_on", "pk")
        ),
        commitments_overdue=list(
            Commitment.objects.overdue(today)
            .filter(partnership__in=partnerships)
            .select_related("partnership", "party__organisation")
            .order_by("due_on", "pk")
        ),
        reviews=list(
            partnerships.filter(
                status__in=RUNNING,
                next_review_on__lte=today + datetime.timedelta(days=UPCOMING_REVIEW_DAYS),
            ).order_by("next_review_on", "title")
        ),
    )


def digests_due(today: datetime.date) -> dict[User, list[Digest]]:
    """Each member who wants the digest, with the sections that have something to say."""
    since = today - datetime.timedelta(days=DIGEST_DAYS)
    memberships = (
        Membership.objects.filter(
            organisation__active=True,
            user__is_active=True,
            user__weekly_digest=True,
        )
        .exclude(user__email="")
        .select_related("user", "organisation")
        .order_by("user_id", "organisation__name")
    )
    sections: dict[int, Section] = {}
    by_user: dict[User, list[Section]] = defaultdict(list)
    for membership in memberships:
        organisation = membership.organisation
        if organisation.pk not in sections:
            sections[organisation.pk] = organisation_section(organisation, today, since)
        if sections[organisation.pk]:
            by_user[membership.user].append(sections[organisation.pk])
    period = digest_period(today)
    return {
        user: [Digest(object_id=user.pk, period=period, sections=found, since=since)]
        for user, found in by_user.items()
    }


def send_weekly_digests(today: datetime.date) -> int:
    """One digest per member and week; members with nothing new get no e-mail."""
    return deliver(
        ReminderKind.DIGEST,
        digests_due(today),
        lambda user, digests: send_to_user(
            user=user, template="weekly_digest", context={"digest": digests[0], "today": today}
        ),
    )
