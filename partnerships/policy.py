"""Who may do what in a partnership, and what each viewer may see: the one home of these rules.

Four things decide, and nothing else (see "Who may do what" in the design):

- the acting person's **role** in the organisation they act for (viewer, editor, administrator);
- whether that **organisation is active**;
- the organisation's **party state** in the partnership (invited, accepted, declined, left);
- the **state of the object** (a review planned, held or closed; an agreement version approved).

Every refusal comes in one order, on pages and API alike:

1. ``NotVisible`` (404): an outsider, an organisation only invited (or that declined), an
   inactive organisation. Nothing about the partnership is revealed.
2. ``PermissionDenied`` (403): a party that has left (it still reads), a role too low.
3. ``StateConflict`` (409): the object's state refuses the change (closed review, held review
   for a rating, approved agreement, a commitment agreed at a closed review).

Services call the ``require_*`` functions before they write; views, forms, serializers and
templates ask the ``may_*`` answers and the choice lists (``nameable_parties``,
``attendee_candidates``) instead of spelling a rule again. Visibility (private concerns, sealed
ratings, which partnerships) is expressed once, as ``Q`` objects built on a ``Viewer``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _

from organisations.models import Membership, Organisation
from organisations.permissions import administers, writes

from .choices import (
    APPROVED_STATES,
    Invitation,
    PartnerInvitationState,
    PartyRole,
    ProposalAnswer,
    ProposalState,
    ReviewStatus,
    Visibility,
)
from .exceptions import NotVisible, ReviewFrozen, StateConflict

if TYPE_CHECKING:
    from organisations.models import User

    from .models import LevelProposal, LevelProposalAnswer, Partnership, Party, Review


def _model(name: str) -> type[models.Model]:
    return apps.get_model("partnerships", name)


# --- Party states ---------------------------------------------------------------------------
INVITED, ACCEPTED, DECLINED, LEFT = "invited", "accepted", "declined", "left"
READING_STATES = (ACCEPTED, LEFT)  # see the partnership's record
WRITING_STATES = (ACCEPTED,)  # change it


def party_state(party: Party | None) -> str | None:
    """invited, accepted, declined or left; None for an organisation that is no party."""
    if party is None:
        return None
    if party.invitation == Invitation.ACCEPTED:
        return LEFT if party.left_on is not None else ACCEPTED
    return party.invitation


def taking_part(prefix: str = "") -> Q:
    """Parties that act in the partnership today: accepted and not gone (``prefix`` reaches
    the party through a relation, e.g. ``"party__"``)."""
    return Q(**{f"{prefix}invitation": Invitation.ACCEPTED, f"{prefix}left_on__isnull": True})


def joined(prefix: str = "") -> Q:
    """Parties that joined (accepted the invitation): taking part, or gone and still reading
    the record as it was."""
    return Q(**{f"{prefix}invitation": Invitation.ACCEPTED})


def counted(prefix: str = "") -> Q:
    """Parties that count for the partnership's scope: not declined and not gone."""
    return ~Q(**{f"{prefix}invitation": Invitation.DECLINED}) & Q(
        **{f"{prefix}left_on__isnull": True}
    )


def has_joined(party: Party) -> bool:
    return party_state(party) in READING_STATES


def took_part_on(
    joined_on: datetime.date | None, left_on: datetime.date | None, day: datetime.date
) -> bool:
    """Whether an accepted party took part on ``day`` (for the network as it stood then): it had
    joined (no date: from the partnership's start) and had not left yet (gone from ``left_on``)."""
    return took_part_between(joined_on, left_on, day, day)


def took_part_between(
    joined_on: datetime.date | None,
    left_on: datetime.date | None,
    start: datetime.date,
    end: datetime.date,
) -> bool:
    """Whether an accepted party took part on at least one day from ``start`` to ``end``."""
    return (joined_on is None or joined_on <= end) and (left_on is None or left_on > start)


def took_part_between_q(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    """``took_part_between`` as a filter on parties, for the database to apply."""
    return (Q(**{f"{prefix}joined_on__isnull": True}) | Q(**{f"{prefix}joined_on__lte": end})) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": start})
    )


# --- Who reads: the Viewer -------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    """Whose eyes a read is for: the organisations a request acts for, or platform staff.

    Pages act for one organisation; the API for the one named by ``?organisation=``, else for
    every active organisation the person belongs to. Inactive organisations see nothing.
    ``organisation_ids`` is a set of ids, or a subquery of them (read inside the query that
    uses it, so a viewer costs no query of its own).
    """

    organisation_ids: frozenset[int] | models.QuerySet
    staff: bool = False

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> Viewer:
        return cls(frozenset([organisation.pk]) if organisation.active else frozenset())

    @classmethod
    def of_user(cls, user: User | None, slug: str | None = None) -> Viewer:
        """The active organisations ``user`` belongs to (only the one named ``slug``, if any)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(frozenset())
        memberships = Membership.objects.filter(user=user, organisation__active=True)
        if slug:
            memberships = memberships.filter(organisation__slug=slug)
        return cls(memberships.values("organisation_id"))

    @classmethod
    def platform_staff(cls) -> Viewer:
        return cls(frozenset(), staff=True)


def as_viewer(subject: Viewer | Organisation | User | None) -> Viewer:
    """The viewer a read is for, from what the caller has at hand."""
    if isinstance(subject, Viewer):
        return subject
    if isinstance(subject, Organisation):
        return Viewer.of_organisation(subject)
    return Viewer.of_user(subject)


def sole_organisation(subject: Viewer | Organisation | User | None) -> Organisation | None:
    """The organisation a user (or a viewer) acts for when it is the only one: what they see
    is then exactly what it sees. None for platform staff, and for a user of several
    organisations, who sees the union of what they see."""
    if isinstance(subject, Organisation):
        return subject if subject.active else None
    viewer = as_viewer(subject)
    if viewer.staff:
        return None
    found = list(Organisation.objects.filter(pk__in=viewer.organisation_ids, active=True)[:2])
    return found[0] if len(found) == 1 else None


def visible_partnerships(viewer: Viewer, field: str = "pk") -> Q:
    """Partnerships the viewer reads: its organisations are accepted parties (left ones too:
    they keep reading the record as it was)."""
    if viewer.staff:
        return Q()
    parties = _model("Party").objects.filter(joined(), organisation_id__in=viewer.organisation_ids)
    return Q(**{f"{field}__in": parties.values("partnership_id")})


def partnerships_taking_part(organisation: Organisation, field: str = "pk") -> Q:
    """Partnerships the organisation takes part in today (it writes there: a party that left
    only reads, an invited one does not yet)."""
    parties = _model("Party").objects.filter(taking_part(), organisation=organisation)
    return Q(**{f"{field}__in": parties.values("partnership_id")})


def visible_concerns(viewer: Viewer, prefix: str = "") -> Q:
    """A shared concern is seen by every party; a private one only by the organisation that
    raised it (platform staff see every concern, in the admin)."""
    if viewer.staff:
        return Q()
    return Q(**{f"{prefix}visibility": Visibility.SHARED}) | Q(
        **{f"{prefix}raised_by__organisation_id__in": viewer.organisation_ids}
    )


# A perceived level is revealed to every party when it was recorded outside any review, or for a
# review that has been held (the blind rule): gaps are computed from these values only, so every
# party sees the same gap.
REVEALED = Q(review__isnull=True) | Q(review__status__in=[ReviewStatus.HELD, ReviewStatus.CLOSED])


def sees_concern(organisation_id: int, visibility: str, raised_by_organisation_id: int) -> bool:
    """Whether an organisation taking part reads a concern, from the concern's visibility and
    the organisation that raised it (``visible_concerns`` in Python, for rows already read)."""
    return visibility == Visibility.SHARED or raised_by_organisation_id == organisation_id


def visible_in_record(check: dict, own_slugs: set[str]) -> bool:
    """A concern's check in a closed review's frozen record (JSON): shared ones, and the private
    ones of the viewer's own organisations (named by slug)."""
    return check["visibility"] == Visibility.SHARED or check["raised_by"] in own_slugs


def visible_levels(viewer: Viewer) -> Q:
    """Level entries the viewer may see: every revealed one, and its own sealed ratings."""
    if viewer.staff:
        return REVEALED
    return REVEALED | Q(party__organisation_id__in=viewer.organisation_ids)


# --- Who acts: the Actor --------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """A person acting for one organisation, with their role in it (None: not a member)."""

    user: User
    organisation: Organisation
    role: str | None

    @classmethod
    def of(cls, user: User | None, organisation: Organisation) -> Actor:
        role = None
        if user is not None and user.is_authenticated and user.is_active:
            role = (
                Membership.objects.filter(user=user, organisation=organisation)
                .values_list("role", flat=True)
                .first()
            )
        return cls(user, organisation, role)

    @classmethod
    def from_membership(cls, membership: Membership) -> Actor:
        """The actor of a page's membership; its user is loaded only if something reads it
        (the page gate loads the membership with its organisation only)."""
        user = (
            membership.user
            if Membership.user.is_cached(membership)
            else SimpleLazyObject(lambda: membership.user)
        )
        return cls(user, membership.organisation, membership.role)

    @property
    def is_member(self) -> bool:
        """A member of an active organisation: anything less is an outsider."""
        return self.role is not None and self.organisation.active

    @property
    def writes(self) -> bool:
        return self.is_member and writes(self.role)

    @property
    def administers(self) -> bool:
        return self.is_member and administers(self.role)


def party_of(organisation: Organisation, partnership: Partnership) -> Party | None:
    """The organisation's place in the partnership; from the prefetched parties when loaded."""
    cache = getattr(partnership, "_prefetched_objects_cache", {})
    if "parties" in cache:
        return next((p for p in cache["parties"] if p.organisation_id == organisation.pk), None)
    return (
        _model("Party")
        .objects.filter(partnership=partnership, organisation=organisation)
        .select_related("organisation")
        .first()
    )


def _not_visible() -> NotVisible:
    return NotVisible(_("No such partnership."))


def _left() -> PermissionDenied:
    return PermissionDenied(
        _("Your organisation has left this partnership: it can read its record, not change it.")
    )


def require_member(actor: Actor) -> None:
    """An outsider of the organisation, or an inactive organisation, sees nothing (404)."""
    if not actor.is_member:
        raise NotVisible(_("No such organisation."))


def require_organisation_writer(actor: Actor) -> None:
    """Editors and administrators write for their organisation (creating a partnership)."""
    require_member(actor)
    if not actor.writes:
        raise PermissionDenied(
            _("Only editors and administrators of %(organisation)s can do this.")
            % {"organisation": actor.organisation}
        )


def require_reader(actor: Actor, partnership: Partnership) -> Party:
    """The actor's organisation reads the partnership: an accepted party, or one that left."""
    require_member(actor)
    party = party_of(actor.organisation, partnership)
    if party_state(party) not in READING_STATES:
        raise _not_visible()
    return party


def require_writer(actor: Actor, partnership: Partnership) -> Party:
    """Editors and administrators of a party taking part write records, plan reviews, rate,
    draft agreements, edit the partnership and invite others."""
    party = require_reader(actor, partnership)
    if party_state(party) not in WRITING_STATES:
        raise _left()
    if not actor.writes:
        raise PermissionDenied(_("Only editors and administrators of a party can do this."))
    return party


def require_party_admin(actor: Actor, partnership: Partnership) -> Party:
    """Administrators of a party taking part decide for their organisation (agreements,
    leaving)."""
    party = require_reader(actor, partnership)
    if party_state(party) not in WRITING_STATES:
        raise _left()
    if not actor.administers:
        raise PermissionDenied(_("Only administrators of a party can do this."))
    return party


def ever_approved(partnership: Partnership) -> bool:
    """Whether every party once approved a version of its agreement."""
    return (
        _model("Agreement")
        .objects.filter(partnership=partnership, state__in=APPROVED_STATES)
        .exists()
    )


def parties_taking_part(partnership: Partnership) -> list[Party]:
    """The parties taking part today; from the prefetched parties when loaded."""
    cache = getattr(partnership, "_prefetched_objects_cache", {})
    if "parties" in cache:
        return [p for p in cache["parties"] if party_state(p) in WRITING_STATES]
    return list(
        _model("Party")
        .objects.filter(taking_part(), partnership=partnership)
        .select_related("organisation")
    )


def has_lead(partnership: Partnership) -> bool:
    """Whether a party taking part is the lead (after the lead left, none is until the
    remaining parties name one)."""
    return any(p.role == PartyRole.LEAD for p in parties_taking_part(partnership))


def without_lead(prefix: str = "") -> Q:
    """Partnerships (reached through ``prefix``) whose lead has left and none was named yet."""
    parties = _model("Party").objects.filter(taking_part(), role=PartyRole.LEAD)
    return ~Q(**{f"{prefix}pk__in": parties.values("partnership_id")})


def acts_as_lead(party: Party | None, partnership: Partnership) -> bool:
    """The lead, or, while the partnership has none (its lead left), every party taking part."""
    if party is None or party_state(party) not in WRITING_STATES:
        return False
    return party.role == PartyRole.LEAD or not has_lead(partnership)


def require_may_leave(actor: Actor, partnership: Partnership) -> Party:
    """Administrators of a party taking part make it leave; the last party cannot (the
    partnership would have nobody left to keep it): it is ended or deleted instead."""
    party = require_party_admin(actor, partnership)
    if not any(p.pk != party.pk for p in parties_taking_part(partnership)):
        raise StateConflict(
            _(
                "Your organisation is the last party of this partnership: it cannot leave it. "
                "Set its status to ended, or delete it, instead."
            )
        )
    return party


def may_leave_platform(party: Party, partnership: Partnership) -> bool:
    """When its organisation leaves the platform (staff carry it out), a party taking part
    leaves unless it is the last one: the partnership keeps it to hold its record."""
    if party_state(party) not in WRITING_STATES:
        return False
    return any(p.pk != party.pk for p in parties_taking_part(partnership))


def require_lead_namer(actor: Actor, partnership: Partnership) -> Party:
    """While the lead has left and no other was named, administrators of any party taking
    part name the new lead."""
    party = require_party_admin(actor, partnership)
    if has_lead(partnership):
        raise StateConflict(_("This partnership has a lead: there is none to name."))
    return party


def require_may_delete_partnership(actor: Actor, partnership: Partnership) -> Party:
    """The lead's administrators delete a partnership while no agreement was ever approved."""
    party = require_party_admin(actor, partnership)
    if not acts_as_lead(party, partnership):
        raise PermissionDenied(_("Only administrators of the lead organisation can delete it."))
    if ever_approved(partnership):
        raise StateConflict(
            _(
                "This partnership has an agreement approved by every party: it cannot be "
                "deleted. Set its status to ended instead: its record stays."
            )
        )
    return party


def require_invitation_answerer(actor: Actor, party: Party) -> None:
    """Administrators of the invited organisation answer its invitation, once."""
    require_member(actor)
    if actor.organisation.pk != party.organisation_id:
        raise _not_visible()
    if not actor.administers:
        raise PermissionDenied(
            _("Only administrators of %(organisation)s can do this.")
            % {"organisation": actor.organisation}
        )
    if party_state(party) == LEFT:
        raise _left()
    if party.invitation != Invitation.INVITED:
        raise StateConflict(_("This invitation has already been answered."))


# --- Objects' states ------------------------------------------------------------------------
def require_partner_invitation_pending(invitation) -> None:
    """An invitation by e-mail is re-sent or withdrawn while nobody answered it (expired
    included: re-sending gives it a new date)."""
    if invitation.state != PartnerInvitationState.PENDING:
        raise StateConflict(_("This invitation has already been answered or withdrawn."))


def require_partner_invitation_open(invitation) -> None:
    """The contact answers an invitation by e-mail while it waits and has not expired."""
    state = invitation.current_state
    if state == PartnerInvitationState.EXPIRED:
        raise StateConflict(
            _("This invitation has expired: ask the person who invited you to send it again.")
        )
    if state != PartnerInvitationState.PENDING:
        raise StateConflict(_("This invitation has already been answered or withdrawn."))


def may_answer_partner_invitation(invitation) -> bool:
    try:
        require_partner_invitation_open(invitation)
    except StateConflict:
        return False
    return True


def require_review_open(review: Review | None) -> None:
    """A closed review takes nothing new and changes nothing it recorded."""
    if review is not None and (review.closed_at is not None or review.is_closed):
        from .models import REVIEW_FROZEN

        raise ReviewFrozen(REVIEW_FROZEN)


def require_review_active(review: Review | None) -> None:
    """A closed review is frozen; a cancelled one is read-only: neither takes anything new."""
    require_review_open(review)
    if review is not None and review.status == ReviewStatus.CANCELLED:
        raise StateConflict(_("This review was cancelled; it can no longer change."))


def require_review_cancellable(review: Review) -> None:
    """Only a planned review is cancelled: one held or closed took place."""
    require_review_active(review)
    if review.status != ReviewStatus.PLANNED:
        raise StateConflict(_("This review has been held: it can no longer be cancelled."))


def require_rating_open(review: Review | None) -> None:
    """A rating for a review is sealed until it is held; once held, it no longer changes."""
    require_review_active(review)
    if review is not None and review.status != ReviewStatus.PLANNED:
        raise StateConflict(
            _("This review has been held: its ratings are revealed and can no longer change.")
        )


def require_review_link(stored: Review | None, wanted: Review | None) -> None:
    """A record's link to a review: a closed review takes no new record, and a record agreed
    at a closed review stays linked to it (the record moves on; the frozen review keeps what
    was agreed)."""
    if (stored.pk if stored else None) == (wanted.pk if wanted else None):
        return
    require_review_active(wanted)
    require_review_open(stored)


def require_concern_visible(actor: Actor, concern) -> None:
    """A private concern does not exist for the other parties (404)."""
    if concern.visibility == Visibility.PRIVATE and (
        concern.raised_by.organisation_id != actor.organisation.pk
    ):
        raise NotVisible(_("No such fear or resistance."))


# Deleting, per record type, in one place. Levels and concern checks are history (append-only);
# a concern is resolved, never deleted; a review is part of the record once planned. What a
# closed review agreed on is never deleted: its frozen record refers to it.
DELETABLE = {"responsibility", "commitment", "benefit"}


def is_deletable_type(model: type[models.Model]) -> bool:
    return model._meta.model_name in DELETABLE


def require_deletable(record: models.Model) -> None:
    """Refuse deleting a record type that is never deleted, or a record a closed review
    agreed on."""
    if not is_deletable_type(type(record)):
        raise PermissionDenied(
            _("This kind of record is never deleted: it is part of the history.")
        )
    review = getattr(record, "review", None)
    if review is not None and review.closed_at is not None:
        raise StateConflict(
            _(
                "This was agreed at a closed review: it cannot be deleted. "
                "Change its status instead."
            )
        )


def undo_window() -> datetime.timedelta:
    """How long a deleted record can be brought back (then the purge deletes it for good)."""
    return datetime.timedelta(minutes=settings.RECORD_UNDO_MINUTES)


def restorable_until(record: models.Model) -> datetime.datetime | None:
    """Until when the deletion of ``record`` can be undone (None: it is not deleted)."""
    return record.deleted_at + undo_window() if record.deleted_at is not None else None


def require_restorable(actor: Actor, record: models.Model) -> Party:
    """Undo a deletion: writers of the party that deleted the record, within the undo window,
    unless a closed review has frozen what the record was linked to meanwhile."""
    party = require_writer(actor, record.partnership)
    if record.deleted_at is None:
        raise StateConflict(_("This was not deleted: there is nothing to undo."))
    if record.deleted_by_party_id != party.pk:
        raise PermissionDenied(_("Only the organisation that deleted it can undo the deletion."))
    if timezone.now() > restorable_until(record):
        raise StateConflict(
            _("It is too late to undo: a deletion can be undone for %(minutes)s minutes.")
            % {"minutes": settings.RECORD_UNDO_MINUTES}
        )
    review = getattr(record, "review", None)
    if review is not None:
        require_review_active(review)
    return party


# --- The level agreed together ------------------------------------------------------------
def agreed_by_proposal(review: Review | None) -> bool:
    """The level agreed together is recorded at a held review; anywhere else one party
    proposes it and it is agreed once every other party taking part confirms."""
    return review is None


def require_agreed_at_held_review(review: Review | None) -> None:
    """An agreed level recorded for a review is recorded once the review is held (the parties
    are together); a closed review takes nothing new, a planned one has not taken place."""
    if review is None:
        raise StateConflict(
            _(
                "Outside a review, the agreed level is proposed to the partners: it becomes "
                "the agreed level when every partner confirms."
            )
        )
    require_review_active(review)
    if review.status != ReviewStatus.HELD:
        raise StateConflict(
            _("The level is agreed together during the review, once the review is held.")
        )


def require_level_proposer(actor: Actor, partnership: Partnership) -> Party:
    """Editors and administrators of a party taking part propose an agreed level."""
    return require_writer(actor, partnership)


def proposal_answerers(partnership: Partnership, proposal: LevelProposal) -> models.QuerySet:
    """The parties whose confirmation a proposal waits for: every party taking part today,
    except the one that proposed (its own proposal counts as its confirmation)."""
    return (
        _model("Party")
        .objects.filter(taking_part(), partnership=partnership)
        .exclude(pk=proposal.proposed_by_id)
    )


def _answer_of(party: Party, proposal: LevelProposal) -> LevelProposalAnswer | None:
    cache = getattr(proposal, "_prefetched_objects_cache", {})
    if "answers" in cache:
        return next((a for a in cache["answers"] if a.party_id == party.pk), None)
    return _model("LevelProposalAnswer").objects.filter(proposal=proposal, party=party).first()


def require_level_answerer(actor: Actor, proposal: LevelProposal) -> LevelProposalAnswer:
    """Editors and administrators of another party taking part confirm or refuse a pending
    proposal, once: the proposer's party does not answer its own, and an answer given (or a
    proposal decided) is not given again (409)."""
    party = require_writer(actor, proposal.partnership)
    if proposal.state != ProposalState.PENDING:
        raise StateConflict(_("This proposal has been decided already: it no longer changes."))
    if party.pk == proposal.proposed_by_id:
        raise StateConflict(
            _("Your organisation made this proposal: the other partners confirm it.")
        )
    answer = _answer_of(party, proposal)
    if answer is None or answer.state != ProposalAnswer.PENDING:
        raise StateConflict(_("Your organisation has already answered this proposal."))
    return answer


def may_answer_proposal(permissions: Permissions, proposal: LevelProposal | None) -> bool:
    """Whether the Confirm and Refuse buttons show to the acting organisation."""
    if proposal is None or not permissions.write:
        return False
    try:
        require_level_answerer(permissions.actor, proposal)
    except (NotVisible, PermissionDenied, StateConflict):
        return False
    return True


# --- Choice lists: what a record may name ----------------------------------------------------
def nameable_parties(partnership: Partnership) -> models.QuerySet:
    """The parties a record may name (owner, responsible, noted by): those taking part."""
    return (
        _model("Party")
        .objects.filter(taking_part(), partnership=partnership)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def nameable_party_list(partnership: Partnership) -> list[Party]:
    """``nameable_parties`` as a list, by organisation name: from the prefetched parties when
    they are loaded (no query), else read once."""
    return sorted(parties_taking_part(partnership), key=lambda party: party.organisation.name)


def attendee_candidates(partnership: Partnership) -> models.QuerySet:
    """The people who may attend a review: members of the parties taking part."""
    from organisations.models import User

    parties = _model("Party").objects.filter(taking_part(), partnership=partnership)
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation__in=parties.values("organisation"),
            memberships__organisation__active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def require_nameable(party: Party | None, field: str) -> None:
    """A record names a party taking part (a bad choice is an input error: 400)."""
    if party is not None and party_state(party) not in WRITING_STATES:
        raise ValidationError(
            {field: _("This organisation does not take part in the partnership (any more).")}
        )


def require_raised_by_own(concern, party: Party) -> None:
    """A fear or resistance is raised by the organisation that records it."""
    if concern.raised_by_id is not None and concern.raised_by_id != party.pk:
        raise ValidationError(
            {
                "raised_by": _(
                    "A fear or resistance is raised by the organisation that records it: "
                    "name your own organisation, or leave this out."
                )
            }
        )


def require_attendees(partnership: Partnership, attendees) -> None:
    """Attendees are members of the parties taking part."""
    allowed = set(attendee_candidates(partnership).values_list("pk", flat=True))
    if any(person.pk not in allowed for person in attendees):
        raise ValidationError(
            {"attendees": _("Choose attendees among the members of the parties taking part.")}
        )


# --- Who is told: notifications never say what an organisation may not see -------------------
def told_parties(partnership: Partnership) -> models.QuerySet:
    """The parties told of what happens in a partnership: those taking part. An organisation
    only invited hears of nothing but its invitation; one that declined or left, of nothing
    more."""
    return nameable_parties(partnership)


def concern_readers(concern, parties) -> list[Party]:
    """Of ``parties``, those whose organisation reads the concern: every party for a shared
    one, only the raising organisation for a private one."""
    if concern.visibility == Visibility.SHARED:
        return list(parties)
    return [party for party in parties if party.pk == concern.raised_by_id]


# --- The answers templates and views ask -------------------------------------------------------
@dataclass
class Permissions:
    """What one actor may do in one partnership, computed once per request for the templates.

    Templates read ``may.write``, ``may.invite``… and never compare a role or a party state.
    """

    actor: Actor
    partnership: Partnership | None = None
    party: Party | None = None

    @cached_property
    def state(self) -> str | None:
        return party_state(self.party)

    @property
    def read(self) -> bool:
        return self.actor.is_member and self.state in READING_STATES

    @property
    def taking_part(self) -> bool:
        return self.actor.is_member and self.state in WRITING_STATES

    @property
    def has_left(self) -> bool:
        return self.state == LEFT

    @property
    def write(self) -> bool:
        """Record, plan reviews, rate, draft agreements, edit the partnership, invite."""
        return self.taking_part and self.actor.writes

    edit = write
    invite = write

    @property
    def decide(self) -> bool:
        """Approve or refuse an agreement version, leave: administrators of a party."""
        return self.taking_part and self.actor.administers

    @property
    def leave(self) -> bool:
        """Make the organisation leave: administrators of a party taking part (the last
        party is refused on the leaving page, which says why)."""
        return self.decide

    @cached_property
    def name_lead(self) -> bool:
        """Name a new lead, after the lead left: administrators of any party taking part."""
        return self.decide and not has_lead(self.partnership)

    @cached_property
    def delete(self) -> bool:
        """Delete the partnership: the lead's administrators, while nothing was approved."""
        return (
            self.decide
            and acts_as_lead(self.party, self.partnership)
            and not ever_approved(self.partnership)
        )

    @property
    def create(self) -> bool:
        """Start a new partnership for the organisation (no partnership needed)."""
        return self.actor.writes

    @property
    def export(self) -> bool:
        """Start a background export of the organisation's list: its editors and admins."""
        return self.actor.writes

    @property
    def answer_invitations(self) -> bool:
        return self.actor.administers

    @property
    def decide_for_organisation(self) -> bool:
        """Decide for the organisation in the partnerships it takes part in (agreements,
        leaving, naming a new lead): its administrators."""
        return self.actor.administers

    @property
    def write_for_organisation(self) -> bool:
        """Record, rate and plan in the partnerships it takes part in: editors and
        administrators."""
        return self.actor.writes


def permissions_for(actor: Actor, partnership: Partnership | None = None) -> Permissions:
    party = party_of(actor.organisation, partnership) if partnership is not None else None
    return Permissions(actor, partnership, party)


def may_rate(permissions: Permissions, review: Review) -> bool:
    """Whether the rating form shows: writers, while the review is only planned."""
    if not permissions.write:
        return False
    try:
        require_rating_open(review)
    except StateConflict:
        return False
    return True


def may_cancel_review(permissions: Permissions, review: Review) -> bool:
    """Whether the cancel form shows: writers, while the review is only planned."""
    if not permissions.write:
        return False
    try:
        require_review_cancellable(review)
    except StateConflict:
        return False
    return True


def may_restore_record(permissions: Permissions, record: models.Model) -> bool:
    """Whether the undo button shows for this deleted record."""
    try:
        require_restorable(permissions.actor, record)
    except (NotVisible, PermissionDenied, StateConflict):
        return False
    return True


def may_delete_record(permissions: Permissions, record: models.Model) -> bool:
    """Whether the delete button shows for this record."""
    if not permissions.write or not is_deletable_type(type(record)):
        return False
    review = getattr(record, "review", None)
    return review is None or review.closed_at is None


# --- The questionnaire before a review -------------------------------------------------------
# A party's answers show only when at least this many of its members answered.
QUESTIONNAIRE_THRESHOLD = 3


def require_questionnaire_coordinator(actor: Actor, review: Review) -> Party:
    """Coordinators (editors and administrators) of any party taking part open and close the
    questionnaire of a review, while the review is only planned."""
    party = require_writer(actor, review.partnership)
    require_review_active(review)
    if review.status != ReviewStatus.PLANNED:
        raise StateConflict(
            _("This review has been held: its questionnaire can no longer be opened or closed.")
        )
    return party


def require_questionnaire_answerer(actor: Actor, partnership: Partnership) -> Party:
    """Every member (viewers too) of a party taking part answers, for the organisation they
    act for; a party that left does not."""
    party = require_reader(actor, partnership)
    if party_state(party) not in WRITING_STATES:
        raise _left()
    return party


def require_questionnaire_open(questionnaire) -> None:
    """Answers are taken, and changed, until the questionnaire closes (409 afterwards): on its
    date, when a coordinator closes it, or when its review is held (or cancelled)."""
    if questionnaire is None:
        raise StateConflict(_("No questionnaire is open for this review."))
    if questionnaire.is_closed or questionnaire.review.status != ReviewStatus.PLANNED:
        raise StateConflict(_("This questionnaire is closed: its answers no longer change."))


def questionnaire_asked_ids(questionnaire, party_id: int) -> set[int]:
    """The people a party's coordinators chose to ask; empty when they did not choose (then
    every member of the party is asked)."""
    return set(
        _model("AskedMember")
        .objects.filter(questionnaire=questionnaire, party_id=party_id)
        .values_list("user_id", flat=True)
    )


def questionnaire_asks(questionnaire, party_id: int, user_id: int) -> bool:
    """Whether this member of the party is asked: all members unless its coordinators chose."""
    chosen = questionnaire_asked_ids(questionnaire, party_id)
    return not chosen or user_id in chosen


def require_questionnaire_asked(questionnaire, party: Party, user: User) -> None:
    """Only the members their party's coordinators chose answer (403 for the others)."""
    if questionnaire is not None and not questionnaire_asks(questionnaire, party.pk, user.pk):
        raise PermissionDenied(
            _("Your organisation's coordinators did not ask you to answer this questionnaire.")
        )


def questionnaire_accepts_answers(questionnaire) -> bool:
    try:
        require_questionnaire_open(questionnaire)
    except StateConflict:
        return False
    return True


def question_asked_to(question: dict, party_id: int) -> bool:
    """A question about a private concern is asked only to the members of the party that
    raised it; every other question to every party."""
    private_to = question.get("private_to")
    return private_to is None or private_to == party_id


def question_visible_to(question: dict, own_party_ids: set[int]) -> bool:
    """Only the raising party ever sees anything of a question about its private concern."""
    private_to = question.get("private_to")
    return private_to is None or private_to in own_party_ids


def questionnaire_results_shown(
    questionnaire, review: Review, party_id: int, respondents: int, own_party_ids: set[int]
) -> bool:
    """A party's distributions show once the questionnaire is closed (nothing computed while
    it is open), when at least ``QUESTIONNAIRE_THRESHOLD`` of its members answered, and, until
    the review is held, only to that party's own members (the blind rule)."""
    if questionnaire is None or not questionnaire.is_closed:
        return False
    if respondents < QUESTIONNAIRE_THRESHOLD:
        return False
    return party_id in own_party_ids or review.is_revealed


def may_open_questionnaire(permissions: Permissions, review: Review, questionnaire) -> bool:
    if questionnaire is not None or not permissions.write:
        return False
    try:
        require_questionnaire_coordinator(permissions.actor, review)
    except (NotVisible, PermissionDenied, StateConflict):
        return False
    return True


def may_close_questionnaire(permissions: Permissions, review: Review, questionnaire) -> bool:
    if questionnaire is None or questionnaire.is_closed or not permissions.write:
        return False
    try:
        require_questionnaire_coordinator(permissions.actor, review)
    except (NotVisible, PermissionDenied, StateConflict):
        return False
    return True


def room_for_custom_question(question_count: int) -> bool:
    """A partnership asks at most ``MAX_CUSTOM_QUESTIONS`` questions of its own."""
    from .models.questionnaires import MAX_CUSTOM_QUESTIONS

    return question_count < MAX_CUSTOM_QUESTIONS


def require_room_for_custom_question(question_count: int) -> None:
    from .models.questionnaires import MAX_CUSTOM_QUESTIONS

    if not room_for_custom_question(question_count):
        raise StateConflict(
            _("A partnership asks at most %(max)s questions of its own.")
            % {"max": MAX_CUSTOM_QUESTIONS}
        )


def may_add_custom_question(permissions: Permissions, question_count: int) -> bool:
    """Whether the page offers to add a question of the partnership's own (the service checks
    the writer and the room again)."""
    return permissions.write and room_for_custom_question(question_count)


def may_answer_questionnaire(permissions: Permissions, questionnaire, asked: bool = True) -> bool:
    return questionnaire is not None and questionnaire.is_open and permissions.taking_part and asked


def may_choose_questionnaire_members(
    permissions: Permissions, review: Review, questionnaire
) -> bool:
    """A party's coordinators choose who of its members are asked, while it is open."""
    return may_close_questionnaire(permissions, review, questionnaire)
