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

from partnerships.choices import AssessmentKind, CommitmentStatus, ConcernStatus, ReviewStatus
from partnerships.policy import (
    REVEALED,
    Viewer,
    as_viewer,
    counted,
    joined,
    taking_part,
    visible_concerns,
    visible_levels,
    visible_partnerships,
)

if TYPE_CHECKING:
    from organisations.models import Organisation, User


def _model(name: str) -> type[models.Model]:
    return apps.get_model("partnerships", name)


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
        taking_part("party__"),
        kind=AssessmentKind.PERCEIVED,
    )


def visible_to(viewer: Viewer | Organisation | User) -> Q:
    """Level entries a viewer may see: every revealed one, and its own blind ratings."""
    return visible_levels(as_viewer(viewer))


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


def perceived_subquery(value, visible: Q = REVEALED) -> Subquery:
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


def logged_levels(as_of: datetime.date | None = None) -> dict:
    """The expressions of ``with_levels``'s four values, recomputed from the level log (as
    they stood on ``as_of`` when given)."""
    visible = REVEALED if as_of is None else REVEALED & Q(assessed_on__lte=as_of)
    return {
        "agreed_level": latest_level(AssessmentKind.AGREED, as_of),
        "target_level": latest_level(AssessmentKind.TARGET, as_of),
        "perception_gap": perceived_subquery(
            Case(
                When(GreaterThanOrEqual(Count("pk"), 2), then=Max("level") - Min("level")),
                default=None,
                output_field=IntegerField(),
            ),
            visible,
        ),
        # The largest distance to the agreed level, read inside for each perceived row: one
        # subquery, where Greatest(max - agreed, agreed - min) needed five.
        "agreement_gap": perceived_subquery(
            Max(Abs(F("level") - latest_level(AssessmentKind.AGREED, as_of, "partnership"))),
            visible,
        ),
    }


class PartnershipQuerySet(models.QuerySet):
    # --- Scoping --------------------------------------------------------------------------
    def for_organisation(self, organisation: Organisation) -> PartnershipQuerySet:
        """Partnerships the organisation reads: an accepted party (one that left included).

        Written as ``pk IN (its accepted parties)`` rather than a correlated EXISTS: SQLite then
        starts from the organisation's parties (index on organisation, invitation) instead of
        scanning every partnership; PostgreSQL plans both as the same semi-join.
        """
        return self.visible_to(organisation)

    def visible_to(self, viewer: Viewer | Organisation | User) -> PartnershipQuerySet:
        """Partnerships the viewer reads (see ``policy.visible_partnerships``); a user reads
        through their active organisations."""
        return self.filter(visible_partnerships(as_viewer(viewer)))

    # --- Levels and gaps ------------------------------------------------------------------
    def with_levels(self, as_of: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate the current agreed and target levels, and the perception and agreement gaps.

        ``perception_gap`` is the spread between the parties' current perceived levels (None
        until two parties rated); ``agreement_gap`` is the largest distance between a perceived
        level and the agreed one (None without both). Today's values are read from the read
        model (``PartnershipState``, one joined row). With ``as_of``, the levels as they stood
        that day: still from the read model for a partnership whose latest level entry is dated
        that day or before, recomputed from the log (entries recorded after it left out) for
        the others only.
        """
        _read_model_current()
        if as_of is None:
            return self.annotate(
                agreed_level=F("state__agreed_level"),
                target_level=F("state__target_level"),
                perception_gap=F("state__perception_gap"),
                agreement_gap=F("state__agreement_gap"),
            )
        logged = logged_levels(as_of)
        return self.annotate(
            **{
                name: _state_or_log(f"state__{name}", logged[name], as_of)
                for name in ("agreed_level", "target_level", "perception_gap", "agreement_gap")
            }
        )

    def with_logged_levels(self, as_of: datetime.date | None = None) -> PartnershipQuerySet:
        """``with_levels`` recomputed from the level log (what the read model stores for today)."""
        return self.annotate(**logged_levels(as_of))

    def with_perceived_range(
        self, as_of: datetime.date | None = None, *, from_logs: bool = False
    ) -> PartnershipQuerySet:
        """Annotate the lowest and highest current perceived levels (for the gap report): from
        the read model, as ``with_levels`` does (from the log alone with ``from_logs``)."""
        if as_of is None and not from_logs:
            return self.annotate(
                perceived_min=F("state__perceived_min"), perceived_max=F("state__perceived_max")
            )
        visible = REVEALED if as_of is None else REVEALED & Q(assessed_on__lte=as_of)
        logged = {
            "perceived_min": perceived_subquery(Min("level"), visible),
            "perceived_max": perceived_subquery(Max("level"), visible),
        }
        if from_logs:
            return self.annotate(**logged)
        return self.annotate(
            **{
                name: _state_or_log(f"state__{name}", value, as_of)
                for name, value in logged.items()
            }
        )


def _read_model_current() -> None:
    """Before a read of the read model: refresh what a ``deferred()`` block of this transaction
    has gathered (nothing to do outside one)."""
    from partnerships.services import state

    state.flush()


def _state_or_log(field: str, logged, as_of: datetime.date) -> Case:
    """The read model's ``field`` for a partnership with no level entry dated after ``as_of``
    (its state then is its state that day), else ``logged``, the log's value that day (only
    evaluated for those rows)."""
    return Case(
        When(state__levels_dated_until__lte=as_of, then=F(field)),
        default=logged,
        output_field=IntegerField(),
    )


class PartyQuerySet(models.QuerySet):
    def accepted(self) -> PartyQuerySet:
        """Parties that joined: taking part, or gone (they still read)."""
        return self.filter(joined())

    def taking_part(self) -> PartyQuerySet:
        """Parties that act in the partnership today: accepted and not gone."""
        return self.filter(taking_part())

    def current(self) -> PartyQuerySet:
        """Parties that count: not declined and not gone."""
        return self.filter(counted())


class LevelAssessmentQuerySet(models.QuerySet):
    def revealed(self) -> LevelAssessmentQuerySet:
        """Entries every party may see (blind ratings only once their review is held)."""
        return self.filter(REVEALED)

    def visible_to_organisation(self, organisation: Organisation) -> LevelAssessmentQuerySet:
        return self.visible_to(organisation)

    def visible_to(self, viewer: Viewer | Organisation | User) -> LevelAssessmentQuerySet:
        """Entries of the viewer's partnerships that it may see: every revealed entry, and its
        own organisations' blind ratings."""
        viewer = as_viewer(viewer)
        partnerships = _model("Partnership").objects.visible_to(viewer)
        return self.filter(partnership__in=partnerships).filter(visible_levels(viewer))


class ConcernQuerySet(models.QuerySet):
    def visible_to_organisation(self, organisation: Organisation) -> ConcernQuerySet:
        return self.visible_to(organisation)

    def visible_to(self, viewer: Viewer | Organisation | User) -> ConcernQuerySet:
        """Concerns of the viewer's partnerships that it may see: a private concern is seen
        only by the organisation that raised it."""
        viewer = as_viewer(viewer)
        partnerships = _model("Partnership").objects.visible_to(viewer)
        return self.filter(partnership__in=partnerships).filter(visible_concerns(viewer))

    def open(self) -> ConcernQuerySet:
        return self.exclude(status=ConcernStatus.RESOLVED)

    def with_latest_intensity(self, as_of: datetime.date | None = None) -> ConcernQuerySet:
        """Annotate the intensity and date of each concern's latest check (None if unchecked).

        Today's values are read from the read model (``ConcernState``). With ``as_of``, the
        latest check on or before that day: the read model's too when that check is dated that
        day or before (or the concern was never checked), looked for in the checks otherwise.
        """
        _read_model_current()
        if as_of is None:
            return self.annotate(
                latest_intensity=F("state__latest_intensity"),
                latest_checked_on=F("state__latest_checked_on"),
            )
        latest = (
            _model("ConcernCheck")
            .objects.filter(concern=OuterRef("pk"), checked_on__lte=as_of)
            .order_by("-checked_on", "-pk")
        )
        # A state row always has ``rated_on``: without a check yet, its latest is None.
        stored = Q(state__latest_checked_on__lte=as_of) | Q(
            state__rated_on__isnull=False, state__latest_checked_on__isnull=True
        )
        return self.annotate(
            latest_intensity=Case(
                When(stored, then=F("state__latest_intensity")),
                default=Subquery(latest.values("intensity")[:1]),
                output_field=IntegerField(),
            ),
            latest_checked_on=Case(
                When(stored, then=F("state__latest_checked_on")),
                default=Subquery(latest.values("checked_on")[:1]),
                output_field=models.DateField(),
            ),
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
