"""Reads of the partnerships app: scoping first, then the signals, all computed in the database.

Every read of tenant data starts from ``Partnership.objects.visible_to(user)`` or
``for_organisation(organisation)``; nested objects are reached through a partnership that passed
that gate, or through the matching method on their own queryset.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Abs
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
    Invitation,
    ReviewStatus,
    Visibility,
)

if TYPE_CHECKING:
    from organisations.models import Organisation, User


def _model(name: str) -> type[models.Model]:
    return apps.get_model("partnerships", name)


def _accepted_parties() -> models.QuerySet:
    return _model("Party").objects.filter(invitation=Invitation.ACCEPTED)


# A perceived level is visible to every party when it was recorded outside any review, or for a
# review that has been held (the blind rule). Gaps are computed from these values only, so every
# party sees the same gap.
REVEALED = Q(review__isnull=True) | Q(review__status__in=[ReviewStatus.HELD, ReviewStatus.CLOSED])


def current_perceived_levels(visible: Q = REVEALED) -> models.QuerySet:
    """Each current party's latest perceived level among the ``visible`` ones (one row a party).

    By default only what every party may see; pass ``visible_to(organisation)`` for one
    organisation's view, where its own blind ratings count too.
    """
    assessments = _model("LevelAssessment").objects
    later = assessments.filter(
        visible,
        kind=AssessmentKind.PERCEIVED,
        party=OuterRef("party"),
    ).filter(
        Q(assessed_on__gt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk"))
    )
    return assessments.filter(
        visible,
        ~Exists(later),
        kind=AssessmentKind.PERCEIVED,
        party__invitation=Invitation.ACCEPTED,
        party__left_on__isnull=True,
    )


def visible_to(organisation: Organisation) -> Q:
    """Level entries an organisation may see: every revealed one, and its own blind ratings."""
    return REVEALED | Q(party__organisation=organisation)


def latest_level(
    kind: str, as_of: datetime.date | None = None, partnership: str = "pk"
) -> Subquery:
    """The level of the latest entry of ``kind`` (on or before ``as_of``) of the partnership
    named by the outer query's ``partnership`` field."""
    entries = _model("LevelAssessment").objects.filter(partnership=OuterRef(partnership), kind=kind)
    if as_of is not None:
        entries = entries.filter(assessed_on__lte=as_of)
    return Subquery(
        entries.order_by("-assessed_on", "-pk").values("level")[:1],
        output_field=IntegerField(),
    )


def _perceived_subquery(value, visible: Q = REVEALED) -> Subquery:
    """One figure over the current perceived levels of the outer query's partnership.

    ``value`` is an aggregate expression over those rows (they are grouped by partnership), so
    a gap is one subquery: writing it as ``Max - Min`` of separate annotations would repeat
    each subquery wherever the gap is selected, filtered or sorted on.
    """
    return Subquery(
        current_perceived_levels(visible)
        .filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(value=value)
        .values("value"),
        output_field=IntegerField(),
    )


class PartnershipQuerySet(models.QuerySet):
    # --- Scoping --------------------------------------------------------------------------
    def for_organisation(self, organisation: Organisation) -> PartnershipQuerySet:
        """Partnerships the organisation is an accepted party of.

        Written as ``pk IN (its accepted parties)`` rather than a correlated EXISTS: SQLite then
        starts from the organisation's parties (index on organisation, invitation) instead of
        scanning every partnership; PostgreSQL plans both as the same semi-join.
        """
        return self.filter(
            pk__in=_accepted_parties().filter(organisation=organisation).values("partnership")
        )

    def visible_to(self, user: User) -> PartnershipQuerySet:
        """Partnerships one of the user's organisations is an accepted party of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            pk__in=_accepted_parties()
            .filter(organisation__memberships__user=user)
            .values("partnership")
        )

    # --- Levels and gaps ------------------------------------------------------------------
    def with_levels(self, as_of: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate the current agreed and target levels, and the perception and agreement gaps.

        ``perception_gap`` is the spread between the parties' current perceived levels (None
        until two parties rated); ``agreement_gap`` is the largest distance between a perceived
        level and the agreed one (None without both). With ``as_of``, the levels as they stood
        that day (entries recorded after it are left out).
        """
        visible = REVEALED if as_of is None else REVEALED & Q(assessed_on__lte=as_of)
        return self.annotate(
            agreed_level=latest_level(AssessmentKind.AGREED, as_of),
            target_level=latest_level(AssessmentKind.TARGET, as_of),
            perception_gap=_perceived_subquery(
                Case(
                    When(GreaterThanOrEqual(Count("pk"), 2), then=Max("level") - Min("level")),
                    default=None,
                    output_field=IntegerField(),
                ),
                visible,
            ),
            # The largest distance to the agreed level, read inside for each perceived row:
            # one subquery, where Greatest(max - agreed, agreed - min) needed five.
            agreement_gap=_perceived_subquery(
                Max(Abs(F("level") - latest_level(AssessmentKind.AGREED, as_of, "partnership"))),
                visible,
            ),
        )

    def with_perceived_range(self, as_of: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate the lowest and highest current perceived levels (for the gap report)."""
        visible = REVEALED if as_of is None else REVEALED & Q(assessed_on__lte=as_of)
        return self.annotate(
            perceived_min=_perceived_subquery(Min("level"), visible),
            perceived_max=_perceived_subquery(Max("level"), visible),
        )


class PartyQuerySet(models.QuerySet):
    def accepted(self) -> PartyQuerySet:
        return self.filter(invitation=Invitation.ACCEPTED)

    def taking_part(self) -> PartyQuerySet:
        """Parties that act in the partnership today: accepted and not gone."""
        return self.accepted().filter(left_on__isnull=True)

    def current(self) -> PartyQuerySet:
        """Parties that count: not declined and not gone."""
        return self.exclude(invitation=Invitation.DECLINED).filter(left_on__isnull=True)


class LevelAssessmentQuerySet(models.QuerySet):
    def revealed(self) -> LevelAssessmentQuerySet:
        """Entries every party may see (blind ratings only once their review is held)."""
        return self.filter(REVEALED)

    def visible_to_organisation(self, organisation: Organisation) -> LevelAssessmentQuerySet:
        """What the organisation may see: every revealed entry, and its own blind ratings."""
        return self.filter(visible_to(organisation))

    def visible_to(self, user: User) -> LevelAssessmentQuerySet:
        """Entries of the user's partnerships that they may see through any of their
        organisations: every revealed entry, and their own organisations' blind ratings."""
        if not user.is_authenticated:
            return self.none()
        partnerships = _model("Partnership").objects.visible_to(user)
        rated_by_own_organisation = Exists(
            apps.get_model("organisations", "Membership").objects.filter(
                organisation=OuterRef("party__organisation"), user=user
            )
        )
        return self.filter(partnership__in=partnerships).filter(
            REVEALED | rated_by_own_organisation
        )


class ConcernQuerySet(models.QuerySet):
    def visible_to_organisation(self, organisation: Organisation) -> ConcernQuerySet:
        """Concerns of the organisation's partnerships that it may see.

        A private concern is seen only by the organisation that raised it.
        """
        partnerships = _model("Partnership").objects.for_organisation(organisation)
        return self.filter(partnership__in=partnerships).filter(
            Q(visibility=Visibility.SHARED) | Q(raised_by__organisation=organisation)
        )

    def visible_to(self, user: User) -> ConcernQuerySet:
        """Concerns the user may see through any of their organisations."""
        if not user.is_authenticated:
            return self.none()
        partnerships = _model("Partnership").objects.visible_to(user)
        raised_by_own_organisation = Exists(
            apps.get_model("organisations", "Membership").objects.filter(
                organisation=OuterRef("raised_by__organisation"), user=user
            )
        )
        return self.filter(partnership__in=partnerships).filter(
            Q(visibility=Visibility.SHARED) | raised_by_own_organisation
        )

    def open(self) -> ConcernQuerySet:
        return self.exclude(status=ConcernStatus.RESOLVED)

    def with_latest_intensity(self, as_of: datetime.date | None = None) -> ConcernQuerySet:
        """Annotate the intensity and date of each concern's latest check (None if unchecked).

        With ``as_of``, the latest check on or before that day.
        """
        checks = _model("ConcernCheck").objects.filter(concern=OuterRef("pk"))
        if as_of is not None:
            checks = checks.filter(checked_on__lte=as_of)
        latest = checks.order_by("-checked_on", "-pk")
        return self.annotate(
            latest_intensity=Subquery(latest.values("intensity")[:1], output_field=IntegerField()),
            latest_checked_on=Subquery(latest.values("checked_on")[:1]),
        )


PENDING_COMMITMENT = Q(status__in=[CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS])


def overdue_commitment(today: datetime.date | None = None) -> Q:
    """A commitment still to do whose due date has passed (also usable inside aggregates)."""
    return PENDING_COMMITMENT & Q(due_on__lt=today or timezone.localdate())


class CommitmentQuerySet(models.QuerySet):
    def pending(self) -> CommitmentQuerySet:
        return self.filter(PENDING_COMMITMENT)

    def overdue(self, today=None) -> CommitmentQuerySet:
        return self.filter(overdue_commitment(today))


class ReviewQuerySet(models.QuerySet):
    def held(self) -> ReviewQuerySet:
        return self.filter(status__in=[ReviewStatus.HELD, ReviewStatus.CLOSED])


class ExportJobQuerySet(models.QuerySet):
    def for_organisation(self, organisation: Organisation) -> ExportJobQuerySet:
        """Exports asked for by the organisation: only its members may see or download them."""
        return self.filter(organisation=organisation)
