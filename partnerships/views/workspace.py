"""The partnership workspace: header, level ladder and the tabs, each its own URL and partial."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from organisations.access import member_required
from organisations.models import Membership
from partnerships import policy
from partnerships.forms import (
    BenefitForm,
    CommitmentForm,
    ConcernCheckForm,
    ConcernForm,
    LevelForm,
    ResponsibilityForm,
    ReviewForm,
)
from partnerships.reads import timeline
from partnerships.reads.agreements import agreement_tab
from partnerships.reads.health import health_signals, with_health
from partnerships.reads.proposals import pending_proposal, pending_proposal_pk
from partnerships.reports import charts

from ..choices import LEVEL_SUMMARIES, AssessmentKind, Level, intensity_choices
from ..models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
    Review,
)
from .common import Require, partnership_for, permissions, render_page_or_partial

TABS = {
    "commitments": _("Who does what"),
    "concerns": _("Fears and resistances"),
    "pleasures": _("Pleasures"),
    "reviews": _("Reviews"),
    "agreement": _("Agreement"),
    "timeline": _("Timeline"),
}


def workspace_queryset(membership: Membership):
    """The organisation's partnerships with their health annotations, their parties and the
    pk of their pending level proposal (``pending_proposal_id``, None without one)."""
    return (
        with_health(
            Partnership.objects.for_organisation(membership.organisation),
            membership.organisation,
        )
        .annotate(pending_proposal_id=pending_proposal_pk())
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
    )


def get_workspace_partnership_or_404(membership: Membership, partnership_id: int) -> Partnership:
    """The partnership with its health annotations and parties, if the organisation is a party."""
    return get_object_or_404(workspace_queryset(membership), pk=partnership_id)


def workspace_partnership_for(
    membership: Membership, partnership_id: int, require: Require = policy.require_writer
) -> tuple[Partnership, policy.Permissions]:
    """The workspace's partnership and ``may``, once the policy allowed ``require``."""
    return partnership_for(membership, partnership_id, require, workspace_queryset(membership))


def level_entries(partnership: Partnership, organisation) -> list[LevelAssessment]:
    """The partnership's level entries the organisation may see (revealed perceptions and its
    own blind ones), oldest first: the ladder and the chart of levels over time read them.

    The partnership is the workspace's, which the organisation reads: only the entries'
    own visibility is asked here, not the partnership's again."""
    return with_loaded_parties(
        partnership,
        LevelAssessment.objects.filter(
            policy.visible_levels(policy.as_viewer(organisation)), partnership=partnership
        )
        .select_related("review")
        .order_by("assessed_on", "pk"),
    )


def with_loaded_parties(partnership: Partnership, records) -> list:
    """The records, each given its party (and the party's organisation) from the partnership's
    parties loaded with it, rather than joined again in every query of the page."""
    parties = {party.pk: party for party in partnership.parties.all()}
    rows = list(records)
    for row in rows:
        party = parties.get(row.party_id)
        if party is not None:  # a record without a party keeps None
            row.party = party
    return rows


def ladder(partnership: Partnership, entries: list[LevelAssessment]) -> dict:
    """The seven levels, top down, with who sits where: agreed, target, and the latest
    perception of each party taking part among ``entries`` (those the viewer may see: every
    party's revealed ones, its own blind ones)."""
    latest = {}
    for entry in entries:  # oldest first: a later entry replaces an earlier one
        if entry.kind == AssessmentKind.PERCEIVED:
            latest[entry.party_id] = entry
    perceived = [
        latest[party.pk] for party in policy.nameable_party_list(partnership) if party.pk in latest
    ]
    rungs = [
        {
            "level": level,
            "label": Level(level).label,
            "summary": LEVEL_SUMMARIES[level],
            "agreed": partnership.agreed_level == level,
            "target": partnership.target_level == level,
            "perceived": [entry for entry in perceived if entry.level == level],
        }
        for level in reversed(Level.values)
    ]
    return {
        "rungs": rungs,
        "perceived": perceived,
        "agreed": next((rung for rung in rungs if rung["agreed"]), None),
        "target": next((rung for rung in rungs if rung["target"]), None),
    }


class Lazy:
    """Computed the first time a template reads it, so a partial pays only for what it shows."""

    def __init__(self, compute):
        self.compute = compute

    @cached_property
    def value(self):
        return self.compute()

    def __call__(self):
        return self.value


# The record just deleted on a page without JavaScript, for the page after the redirect.
UNDO_SESSION_KEY = "partnerships_undo"
UNDOABLE = {
    "responsibility": Responsibility,
    "commitment": Commitment,
    "benefit": Benefit,
}


def undo_offer(request: HttpRequest, membership, partnership, may, just_deleted=None):
    """The Undo button of the record just deleted (``just_deleted``: its name and pk, else
    what the session carries once): the record, its URL and until when; None when the policy
    would refuse (another party, too late)."""
    if just_deleted is None:
        just_deleted = request.session.pop(UNDO_SESSION_KEY, None)
    if not just_deleted:
        return None
    name, pk = just_deleted
    model = UNDOABLE.get(name)
    record = model and model.all_objects.filter(partnership=partnership, pk=pk).first()
    if record is None:
        return None
    record.partnership = partnership  # its parties are loaded: the policy asks no query
    if not policy.may_restore_record(may, record):
        return None
    return {
        "record": record,
        "until": policy.restorable_until(record),
        "url": reverse(
            f"partnerships:{name}-restore",
            kwargs={
                "org_slug": membership.organisation.slug,
                "partnership_id": partnership.pk,
                "pk": pk,
            },
        ),
    }


def workspace_context(request: HttpRequest, membership: Membership, partnership, tab: str, **extra):
    organisation = membership.organisation
    # The parties are prefetched: what the organisation may do costs no query here.
    may = extra.pop("may", None) or permissions(membership, partnership)
    entries = Lazy(lambda: level_entries(partnership, organisation))
    context = {
        "may": may,
        "refusal": extra.pop("refusal", None),  # why the state refused a change (409)
        "undo": undo_offer(request, membership, partnership, may, extra.pop("undo", None)),
        "membership": membership,
        "organisation": organisation,
        "partnership": partnership,
        "signals": health_signals(partnership),
        "ladder": Lazy(lambda: ladder(partnership, entries())),
        "level_proposal": Lazy(lambda: pending_proposal(partnership, may)),
        "ladder_notice": extra.pop("notice", None),  # what the last level change did
        "ladder_refusal": extra.pop("ladder_refusal", None),  # why a proposal refused (409)
        "levels_chart": Lazy(lambda: charts.levels_over_time(partnership, organisation, entries())),
        "tab_label": TABS[tab],
        "level_form": extra.pop("level_form", None) or LevelForm(),
        "tabs": TABS,
        "tab": tab,
        "own_party": next(
            (p for p in partnership.parties.all() if p.organisation_id == organisation.pk), None
        ),
    }
    context.update(TAB_CONTEXTS[tab](partnership, membership, may=may, **extra))
    return context


def _commitments(partnership, membership, **forms) -> dict:
    responsibility_form = forms.get("responsibility_form") or ResponsibilityForm()
    commitment_form = forms.get("commitment_form") or CommitmentForm()
    responsibility_form.limit_parties(partnership)
    commitment_form.limit_parties(partnership)
    may = forms["may"]
    return {
        "responsibilities": with_deletable(
            may,
            with_loaded_parties(
                partnership,
                Responsibility.objects.filter(partnership=partnership).order_by(
                    "party__organisation__name", "title"
                ),
            ),
        ),
        "commitments": with_deletable(
            may,
            with_loaded_parties(
                partnership,
                Commitment.objects.filter(partnership=partnership)
                .select_related("review")
                .order_by("status", "due_on", "pk"),
            ),
        ),
        "responsibility_form": responsibility_form,
        "commitment_form": commitment_form,
    }


def _concerns(partnership, membership, **forms) -> dict:
    concern_form = forms.get("concern_form") or ConcernForm()  # raised by the acting party
    concerns = (
        Concern.objects.visible_to_organisation(membership.organisation)
        .filter(partnership=partnership)
        .select_related("raised_by__organisation")
        .prefetch_related(
            Prefetch("checks", queryset=ConcernCheck.objects.order_by("checked_on", "pk"))
        )
        .with_latest_intensity()
        .order_by("status", "-latest_intensity", "pk")
    )
    return {
        "concerns": concerns,
        "concern_form": concern_form,
        "check_form": ConcernCheckForm(),
        "intensity_scale": intensity_choices(),
        "check_errors": forms.get("check_errors", {}),
    }


def _pleasures(partnership, membership, **forms) -> dict:
    benefit_form = forms.get("benefit_form") or BenefitForm(
        initial={"party": _own_party_id(partnership, membership)}
    )
    benefit_form.limit_parties(partnership)
    return {
        "benefits": with_deletable(
            forms["may"],
            Benefit.objects.filter(partnership=partnership)
            .select_related("party__organisation")
            .order_by("-observed_on", "-pk"),
        ),
        "benefit_form": benefit_form,
    }


def _reviews(partnership, membership, **forms) -> dict:
    return {
        "reviews": Review.objects.filter(partnership=partnership).order_by("-scheduled_on", "-pk"),
        "review_form": forms.get("review_form") or ReviewForm(),
    }


def _timeline(partnership, membership, **forms) -> dict:
    return {"events": timeline.events(partnership, membership.organisation)}


def with_deletable(may: policy.Permissions, records) -> list:
    """The rows, each with ``deletable``: whether its delete button shows (the policy's answer,
    from what is loaded already: the review is select_related where a record has one)."""
    rows = list(records)
    for row in rows:
        row.deletable = policy.may_delete_record(may, row)
    return rows


def _own_party_id(partnership, membership) -> int | None:
    own = [
        p.pk for p in partnership.parties.all() if p.organisation_id == membership.organisation_id
    ]
    return own[0] if own else None


TAB_CONTEXTS = {
    "commitments": _commitments,
    "concerns": _concerns,
    "pleasures": _pleasures,
    "reviews": _reviews,
    "agreement": agreement_tab,
    "timeline": _timeline,
}


def render_workspace(
    request, membership, partnership, tab: str, partial="tab-panel", status=200, **forms
) -> HttpResponse:
    return render_page_or_partial(
        request,
        "partnerships/workspace.html",
        partial,
        workspace_context(request, membership, partnership, tab, **forms),
        status=status,
    )


@member_required()
def workspace(request: HttpRequest, membership, partnership_id: int, tab: str = "commitments"):
    partnership = get_workspace_partnership_or_404(membership, partnership_id)
    return render_workspace(request, membership, partnership, tab)


def tab_view(tab: str):
    @member_required()
    def view(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
        partnership = get_workspace_partnership_or_404(membership, partnership_id)
        return render_workspace(request, membership, partnership, tab)

    view.__name__ = f"{tab}_tab"
    return view
