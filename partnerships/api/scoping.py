"""Who an API request is about: the partnership the user may see, the organisation acted for.

Every partnership route starts here, so outsiders get 404 before anything else is looked at, and
members who only read get 403 before their body is validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Exists, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from organisations.models import Membership, Organisation
from organisations.permissions import memberships_that_administer, memberships_that_write
from partnerships import policy
from partnerships.choices import AssessmentKind, Invitation, PartyRole
from partnerships.exceptions import StateConflict
from partnerships.models import LevelAssessment, Partnership, Party
from partnerships.reads.health import with_health

if TYPE_CHECKING:
    from organisations.models import User


def slug_or_none(value: object, field: str) -> str | None:
    """A slug read from the query or a raw body, checked before it reaches the database."""
    if value is None or value == "":
        return None
    try:
        return serializers.SlugField().run_validation(value)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({field: error.detail}) from error


def partnerships_for_user(user: User):
    """The partnerships the user sees, with levels, gaps, health and parties for the API.

    A user acting for one organisation reads as that organisation (the same partnerships, the
    same counts): its read-model rows, and simpler plans than going through the memberships.
    """
    viewer = policy.sole_organisation(user) or user
    parties = Party.objects.select_related("organisation").order_by("organisation__name", "pk")
    return with_health(Partnership.objects.visible_to(viewer), viewer).prefetch_related(
        Prefetch("parties", queryset=parties)
    )


def partnership_for_user(user: User, partnership_id: int, *, detailed: bool = False) -> Partnership:
    """The partnership if one of the user's organisations is an accepted party; 404 otherwise.

    ``detailed`` reads it with its levels, gaps and parties, as the API shows it.
    """
    partnerships = partnerships_for_user(user) if detailed else Partnership.objects.visible_to(user)
    return get_object_or_404(partnerships, pk=partnership_id)


def perceived_levels_for(user: User, partnership: Partnership) -> dict[str, int]:
    """Each current party's latest perceived level the user may see, by organisation slug."""
    rows = (
        LevelAssessment.objects.visible_to(user)
        .filter(
            policy.taking_part("party__"),
            partnership=partnership,
            kind=AssessmentKind.PERCEIVED,
        )
        .order_by("party_id", "-assessed_on", "-pk")
        .values_list("party__organisation__slug", "level")
    )
    levels: dict[str, int] = {}
    for slug, level in rows:
        levels.setdefault(slug, level)
    return levels


def acting_organisation(
    request: Request,
    partnership: Partnership,
    *,
    chosen: str | None = None,
    require: Callable[[policy.Actor, Partnership], object] = policy.require_writer,
    prefer_lead: bool = False,
) -> Organisation:
    """The caller's organisation that acts on this partnership, as the policy allows.

    Among the caller's active organisations that read the partnership: the one named by
    ``?organisation=<slug>`` (or ``chosen``), else the first (the lead first with
    ``prefer_lead``, then by name) that ``require`` lets act. 400 for a slug that is not one
    of these; when none may act, the policy's refusal for the first of them (403, or 409).
    """
    chosen = slug_or_none(request.query_params.get("organisation"), "organisation") or chosen
    member_role = Membership.objects.filter(
        organisation=OuterRef("organisation"), user=request.user
    ).values("role")[:1]
    lead_first = Case(When(role=PartyRole.LEAD, then=Value(0)), default=Value(1))
    parties = list(
        Party.objects.filter(policy.joined(), partnership=partnership, organisation__active=True)
        .annotate(member_role=Subquery(member_role))
        .filter(member_role__isnull=False)
        .select_related("organisation")
        .order_by(*([lead_first] if prefer_lead else []), "organisation__name")
    )
    if chosen:
        parties = [party for party in parties if party.organisation.slug == chosen]
        if not parties:
            raise ValidationError(
                {
                    "organisation": _(
                        "Choose one of your organisations that is a party to this partnership."
                    )
                }
            )
    refusals = []
    for party in parties:
        actor = policy.Actor(request.user, party.organisation, party.member_role)
        try:
            require(actor, partnership)
        except (PermissionDenied, StateConflict, Http404) as refusal:
            refusals.append(refusal)
        else:
            return party.organisation
    if refusals:
        raise refusals[0]
    raise policy.NotVisible(_("No such partnership."))


def creating_organisation(user: User, slug: object) -> Organisation:
    """The organisation a new partnership is created for: the one named, or the first the
    user writes for."""
    slug = slug_or_none(slug, "organisation")
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    if slug:
        membership = memberships.filter(organisation__slug=slug).first()
        if membership is None:
            raise ValidationError({"organisation": _("You are not a member of this organisation.")})
        return membership.organisation  # the service refuses readers with 403
    membership = (
        memberships_that_write(user)
        .select_related("organisation")
        .order_by("organisation__name")
        .first()
    )
    if membership is None:
        raise PermissionDenied(
            _("Only editors and administrators of an organisation can create a partnership.")
        )
    return membership.organisation


def invitation_for_user(user: User, partnership_id: int, org_slug: str) -> Party:
    """An organisation's place in a partnership, if the user belongs to that organisation or
    to an accepted party; 404 otherwise."""
    member_of_invited = Exists(
        Membership.objects.filter(
            organisation=OuterRef("organisation"), user=user, organisation__active=True
        )
    )
    visible = Partnership.objects.visible_to(user).filter(pk=OuterRef("partnership"))
    parties = (
        Party.objects.filter(partnership_id=partnership_id, organisation__slug=org_slug)
        .filter(member_of_invited | Exists(visible))
        .select_related("organisation", "partnership")
    )
    return get_object_or_404(parties)


def pending_invitations_for(user: User):
    """Invitations waiting for an answer from the organisations the user administers, with the
    organisation that sent each (the inviter's own party, else the lead)."""
    administered = memberships_that_administer(user).values("organisation")
    accepted = Party.objects.accepted().filter(partnership=OuterRef("partnership"))
    inviters_party = accepted.filter(organisation__memberships__user=OuterRef("invited_by"))
    lead = accepted.filter(role=PartyRole.LEAD)

    def first(parties, field: str) -> Subquery:
        return Subquery(parties.order_by("organisation__name").values(field)[:1])

    return (
        Party.objects.filter(invitation=Invitation.INVITED, organisation__in=administered)
        .select_related("partnership", "organisation")
        .annotate(
            inviting_slug=Coalesce(
                first(inviters_party, "organisation__slug"), first(lead, "organisation__slug")
            ),
            inviting_name=Coalesce(
                first(inviters_party, "organisation__name"), first(lead, "organisation__name")
            ),
        )
        .order_by("-invited_at", "pk")
    )
