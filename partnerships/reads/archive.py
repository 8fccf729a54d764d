"""An organisation's archive: everything it may see, as JSON, for its records or to leave.

Built only from the scoping reads the pages use: the partnerships it is an accepted party of
(``for_organisation``), the level entries it may see (another party's blind rating stays out
until its review is held), the concerns it may see (``visible_concerns``: another party's
private ones stay out, with their checks), and closed review records without the other
parties' private concerns. Its members are listed without passwords or tokens. A fixed number
of queries, whatever the number of partnerships.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from organisations.models import Membership, Organisation
from partnerships.models import (
    Agreement,
    AgreementApproval,
    Benefit,
    Commitment,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
    Review,
)
from partnerships.models.agreements import CLAUSE_FIELDS
from partnerships.reads.agenda import visible_record
from partnerships.reads.health import visible_concerns

ARCHIVE_FORMAT = "partenariats.organisation-archive"
ARCHIVE_VERSION = 1


def _username(user) -> str | None:
    return user.username if user is not None else None


def _by_partnership(rows: Iterable, key: str = "partnership_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _values(obj: models.Model, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}


def _organisation(organisation: Organisation) -> dict:
    return {
        **_values(organisation, "slug", "name", "kind", "size_band", "description", "active"),
        "parent": organisation.parent.slug if organisation.parent_id else None,
        "created_at": organisation.created_at,
    }


def _units(organisation: Organisation) -> list[dict]:
    """Every organisation below it in its system (units, units of units…)."""
    units, frontier = [], [organisation.pk]
    while frontier:
        children = list(
            Organisation.objects.filter(parent_id__in=frontier)
            .select_related("parent")
            .order_by("name", "pk")
        )
        units += children
        frontier = [child.pk for child in children]
    return [_organisation(unit) for unit in units]


def _members(organisation: Organisation) -> list[dict]:
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )
    return [
        {
            **_values(m.user, "username", "first_name", "last_name", "email", "language"),
            "role": m.role,
            "member_since": m.created_at,
        }
        for m in memberships
    ]


def _party(party: Party) -> dict:
    return {
        "organisation": party.organisation.slug,
        "organisation_name": party.organisation.name,
        **_values(
            party, "role", "contribution", "invitation", "invited_at", "responded_at", "joined_on"
        ),
        "left_on": party.left_on,
    }


def _level(entry: LevelAssessment) -> dict:
    return {
        **_values(entry, "id", "kind", "level", "wished_level", "assessed_on", "rationale"),
        "party": entry.party.organisation.slug if entry.party_id else None,
        "review": entry.review_id,
        "author": _username(entry.author),
        "created_at": entry.created_at,
    }


def _responsibility(item: Responsibility) -> dict:
    return {
        **_values(item, "id", "title", "description", "created_at"),
        "party": item.party.organisation.slug,
    }


def _commitment(item: Commitment) -> dict:
    return {
        **_values(item, "id", "title", "description", "due_on", "status", "completed_on"),
        "party": item.party.organisation.slug,
        "review": item.review_id,
        **_values(item, "version", "created_at", "updated_at"),
    }


def _check(check: ConcernCheck) -> dict:
    return {
        **_values(check, "id", "intensity", "checked_on", "note"),
        "review": check.review_id,
        "author": _username(check.author),
        "created_at": check.created_at,
    }


def _concern(concern, checks: list[ConcernCheck]) -> dict:
    return {
        **_values(concern, "id", "kind", "category", "description", "visibility", "status"),
        "response": concern.response,
        "raised_by": concern.raised_by.organisation.slug,
        "author": _username(concern.author),
        **_values(concern, "version", "created_at", "updated_at"),
        "checks": [_check(check) for check in checks],
    }


def _benefit(item: Benefit) -> dict:
    return {
        **_values(item, "id", "category", "description", "evidence", "observed_on"),
        "party": item.party.organisation.slug if item.party_id else None,
        "author": _username(item.author),
        "created_at": item.created_at,
    }


def _approval(approval: AgreementApproval) -> dict:
    return {
        "organisation": approval.organisation.slug,
        **_values(approval, "round", "decision", "reason", "name", "at"),
        "user": _username(approval.user),
    }


def _agreement(agreement: Agreement) -> dict:
    """A version with every party's decisions (the signed scan itself stays in the files)."""
    return {
        **_values(agreement, "id", "version", "state", "starts_on", "ends_on", "review_cadence"),
        **_values(agreement, *CLAUSE_FIELDS, "snapshot", "submission_round"),
        "has_signed_scan": bool(agreement.signed_scan),
        "created_by": _username(agreement.created_by),
        **_values(agreement, "created_at", "submitted_at", "in_force_at"),
        "approvals": [_approval(approval) for approval in agreement.approvals.all()],
    }


def _review(review: Review, organisation: Organisation) -> dict:
    return {
        **_values(review, "id", "scheduled_on", "held_on", "status", "location", "guests"),
        **_values(review, "agenda", "minutes", "decisions", "open_items", "next_review_on"),
        "attendees": sorted(user.username for user in review.attendees.all()),
        "closed_at": review.closed_at,
        "record": visible_record(review.record, {organisation.slug}),
        "created_by": _username(review.created_by),
        **_values(review, "version", "created_at"),
    }


def _partnership(partnership: Partnership, records: dict[str, dict[int, list]]) -> dict:
    def of(name: str) -> list:
        return records[name].get(partnership.pk, [])

    return {
        **_values(partnership, "id", "title", "purpose", "status", "scope"),
        **_values(partnership, "starts_on", "ends_on", "review_cadence", "next_review_on"),
        **_values(partnership, "version", "created_at", "updated_at"),
        "parties": of("parties"),
        "levels": of("levels"),
        "responsibilities": of("responsibilities"),
        "commitments": of("commitments"),
        "concerns": of("concerns"),
        "benefits": of("benefits"),
        "reviews": of("reviews"),
        "agreements": of("agreements"),
    }


def _records(organisation: Organisation, partnerships: models.QuerySet) -> dict:
    """Each kind of record of the partnerships, as the organisation may see it, by partnership."""
    within = {"partnership__in": partnerships}
    concerns = list(
        visible_concerns(organisation)
        .filter(**within)
        .select_related("raised_by__organisation", "author")
        .order_by("pk")
    )
    checks = _by_partnership(
        ConcernCheck.objects.filter(concern__in=[c.pk for c in concerns])
        .select_related("author")
        .order_by("checked_on", "pk"),
        key="concern_id",
    )
    reviews = (
        Review.objects.filter(**within)
        .select_related("created_by")
        .prefetch_related("attendees")
        .order_by("scheduled_on", "pk")
    )
    return {
        "parties": Party.objects.filter(**within)
        .select_related("organisation")
        .order_by("organisation__name", "pk"),
        "levels": LevelAssessment.objects.visible_to_organisation(organisation)
        .filter(**within)
        .select_related("party__organisation", "author")
        .order_by("assessed_on", "pk"),
        "responsibilities": Responsibility.objects.filter(**within)
        .select_related("party__organisation")
        .order_by("pk"),
        "commitments": Commitment.objects.filter(**within)
        .select_related("party__organisation")
        .order_by("due_on", "pk"),
        "concerns": [(c, checks.get(c.pk, [])) for c in concerns],
        "benefits": Benefit.objects.filter(**within)
        .select_related("party__organisation", "author")
        .order_by("observed_on", "pk"),
        "reviews": reviews,
        "agreements": Agreement.objects.filter(**within)
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "approvals",
                AgreementApproval.objects.select_related("organisation", "user").order_by(
                    "round", "at", "pk"
                ),
            )
        )
        .order_by("version"),
    }


SERIALISERS = {
    "parties": _party,
    "levels": _level,
    "responsibilities": _responsibility,
    "commitments": _commitment,
    "benefits": _benefit,
    "agreements": _agreement,
}


def organisation_archive(organisation: Organisation) -> dict:
    """Everything ``organisation`` may see, ready for ``json.dumps(cls=DjangoJSONEncoder)``."""
    partnerships = Partnership.objects.for_organisation(organisation)
    rows = _records(organisation, partnerships)
    records: dict[str, dict[int, list]] = {
        name: {
            pk: [serialise(item) for item in items]
            for pk, items in _by_partnership(rows[name]).items()
        }
        for name, serialise in SERIALISERS.items()
    }
    records["concerns"] = {}
    for concern, checks in rows["concerns"]:
        records["concerns"].setdefault(concern.partnership_id, []).append(_concern(concern, checks))
    records["reviews"] = {
        pk: [_review(review, organisation) for review in items]
        for pk, items in _by_partnership(rows["reviews"]).items()
    }
    return {
        "format": ARCHIVE_FORMAT,
        "format_version": ARCHIVE_VERSION,
        "exported_at": timezone.now(),
        "organisation": _organisation(organisation),
        "units": _units(organisation),
        "members": _members(organisation),
        "partnerships": [
            _partnership(partnership, records) for partnership in partnerships.order_by("pk")
        ],
    }
