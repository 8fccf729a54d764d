"""The route table of the matrix: every route that takes a ``partnership_id`` (pages and API),
and the organisation pages about one partnership, each method mapped to an *action*, the
object it needs (in which state) and a valid body, and paired with the route of the other door
that does the same thing.

``variant`` names the object's state when it matters; ``conflict`` says that this state refuses
the change (409 once the actor passes the 404 and 403 gates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from .world import ACTING_SLUG, NEWCOMER_SLUG, OTHER_SLUG

READ = "read"
WRITE_RECORD = "write_record"
RATE = "rate"
EDIT_PARTNERSHIP = "edit_partnership"
INVITE = "invite"
DELETE_PARTNERSHIP = "delete_partnership"
DELETE_RECORD = "delete_record"
DRAFT_AGREEMENT = "draft_agreement"
DECIDE_AGREEMENT = "decide_agreement"
ANSWER_INVITATION = "answer_invitation"
LEAVE = "leave"
NAME_LEAD = "name_lead"
# Answering a review's questionnaire: every member of a party taking part, viewers too.
ANSWER_QUESTIONNAIRE = "answer_questionnaire"

ACTIONS = {
    READ,
    WRITE_RECORD,
    RATE,
    EDIT_PARTNERSHIP,
    INVITE,
    DELETE_PARTNERSHIP,
    DELETE_RECORD,
    DRAFT_AGREEMENT,
    DECIDE_AGREEMENT,
    ANSWER_INVITATION,
    LEAVE,
    NAME_LEAD,
    ANSWER_QUESTIONNAIRE,
}


@dataclass(frozen=True)
class Op:
    """One route and method, with the object state of the cell and how to fill it."""

    route: str
    method: str
    action: str
    args: dict = field(default_factory=dict)  # URL kwarg -> world object name
    body: Callable | None = None  # world -> page form data / API JSON
    variant: str = ""
    conflict: bool = False
    foreign: bool = False  # another party's own act (undoing its deletion): 403 for writers
    lead: bool = False  # the acting organisation is the lead party
    pair: str | None = None
    needs: tuple = ()

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api:")

    @property
    def all_needs(self) -> frozenset[str]:
        return frozenset({*self.args.values(), *self.needs})

    @property
    def id(self) -> str:
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.route} {self.method}{variant}"


def today() -> str:
    return timezone.localdate().isoformat()


# --- Bodies ------------------------------------------------------------------------------------
# The irreversible steps of the pages ask first: only a POST with ``confirmed=1`` acts (and
# holding a review before its planned date needs the box ticked as well).
CONFIRMED = {"confirmed": "1"}


def confirmed(w):
    return dict(CONFIRMED)


def confirmed_hold(w):
    return {**CONFIRMED, "meeting_today": "1"}


def o(w, name):
    return w.obj[name]


def page_partnership(w):
    p = w.partnership
    return {
        "title": "Renamed",
        "purpose": p.purpose,
        "status": p.status,
        "starts_on": "",
        "ends_on": "",
        "review_cadence": p.review_cadence,
        "next_review_on": "",
        "version": p.version,
    }


def api_partnership_put(w):
    p = w.partnership
    return {
        "title": "Renamed",
        "purpose": p.purpose,
        "status": p.status,
        "starts_on": None,
        "ends_on": None,
        "review_cadence": p.review_cadence,
        "next_review_on": None,
        "version": p.version,
    }


def page_responsibility(w):
    return {"party": w.other_party.pk, "title": "Coordination", "description": ""}


def api_responsibility(w):
    return {"party": OTHER_SLUG, "title": "Coordination", "description": ""}


def page_commitment(w, name=None):
    data = {"party": w.other_party.pk, "title": "Send it", "status": "planned", "due_on": ""}
    if name:
        data["version"] = o(w, name).version
        data["title"] = o(w, name).title
    return data


def api_commitment(w, review=None):
    data = {"party": OTHER_SLUG, "title": "Send it", "status": "planned"}
    if review:
        data["review"] = o(w, review).pk
    return data


def page_concern(w):
    return {
        "kind": "fear",
        "category": "investment",
        "raised_by": (w.own or w.other_party).pk,
        "visibility": "shared",
        "description": "Too many evenings",
        "intensity": 2,
        "response": "",
    }


def api_concern(w):
    return {
        "kind": "fear",
        "category": "investment",
        "raised_by": ACTING_SLUG,
        "visibility": "shared",
        "description": "Too many evenings",
    }


def page_concern_edit(w):
    return {
        "status": "easing",
        "description": "Fewer evenings",
        "response": "",
        "version": o(w, "concern").version,
    }


def api_concern_put(w):
    return {
        "kind": "fear",
        "category": "investment",
        "visibility": "shared",
        "status": "easing",
        "description": "Fewer evenings",
        "response": "",
        "version": o(w, "concern").version,
    }


def page_benefit(w):
    return {
        "category": "learning",
        "party": w.other_party.pk,
        "description": "We learnt",
        "evidence": "",
        "observed_on": today(),
    }


def api_benefit(w):
    return {
        "category": "learning",
        "party": OTHER_SLUG,
        "description": "We learnt",
        "evidence": "",
        "observed_on": today(),
    }


def page_review_plan(w, name):
    review = o(w, name)
    return {
        "scheduled_on": review.scheduled_on.isoformat(),
        "location": "Room 2",
        "guests": "",
        "agenda": "",
        "version": review.version,
    }


def page_minutes(w, name):
    return {
        "minutes": "We met",
        "decisions": "",
        "open_items": "",
        "next_review_on": "",
        "version": o(w, name).version,
    }


def api_review_put(w, name):
    review = o(w, name)
    return {
        "scheduled_on": review.scheduled_on.isoformat(),
        "location": "Room 2",
        "version": review.version,
    }


def page_agreement(w, name):
    agreement = o(w, name)
    return {
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "review_cadence": agreement.review_cadence or "",
        "purpose": "Lire chaque semaine",
        "governance": "",
        "resources": "",
        "communication": "",
        "confidentiality": "",
        "conflict_resolution": "",
        "exit": "",
        "revision": agreement.revision,
    }


def page_representative(w):
    return {"name": "Claire Martin", "capacity": "Directrice"}


def page_scan(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"scan": SimpleUploadedFile("signed.pdf", b"%PDF-1.4 new", "application/pdf")}


# --- The table -----------------------------------------------------------------------------------
P = {"partnership_id": "partnership"}


def page(name, method, action, extra=None, **kw) -> Op:
    return Op(f"partnerships:{name}", method, action, {**P, **(extra or {})}, **kw)


def api(name, method, action, extra=None, **kw) -> Op:
    return Op(f"api:{name}", method, action, {**P, **(extra or {})}, **kw)


R = "review_id"
A = "agreement_id"
CLOSED = "review=closed"

PAGE_OPS = [
    # reads
    page("workspace", "GET", READ, pair="read-partnership"),
    *[
        page(f"tab-{tab}", "GET", READ, pair=pair)
        for tab, pair in (
            ("commitments", "read-commitments"),
            ("concerns", "read-concerns"),
            ("pleasures", "read-benefits"),
            ("reviews", "read-reviews"),
            ("agreement", "read-agreements"),
            ("timeline", None),
        )
    ],
    page("chart-partnership-levels", "GET", READ, pair="read-levels"),
    page("chart-partnership-concerns", "GET", READ),
    page("review-history", "GET", READ),
    page("review", "GET", READ, {R: "review_planned"}, pair="read-review"),
    page("review-agenda", "GET", READ, {R: "review_planned"}),
    page("review-agenda-pdf", "GET", READ, {R: "review_planned"}, pair="agenda-pdf"),
    page("review-ics", "GET", READ, {R: "review_planned"}),
    page("agreement-diff", "GET", READ, needs=("agreement_in_force",)),
    page("agreement-print", "GET", READ, {A: "agreement_in_force"}, pair="read-agreement"),
    page("agreement-pdf", "GET", READ, {A: "agreement_in_force"}, pair="agreement-pdf"),
    page("agreement-scan-download", "GET", READ, {A: "agreement_in_force"}),
    # the partnership
    page("edit", "GET", EDIT_PARTNERSHIP),
    page("edit", "POST", EDIT_PARTNERSHIP, body=page_partnership, pair="edit-partnership"),
    page("invite", "GET", INVITE),
    page(
        "invite",
        "POST",
        INVITE,
        body=lambda w: {"organisation": o(w, "newcomer").pk, "role": "partner"},
        needs=("newcomer",),
        pair="invite",
    ),
    page(
        "invite",
        "POST",
        INVITE,
        body=lambda w: {
            "organisation_name": "Not on the platform",
            "email": "contact@example.org",
            "role": "partner",
        },
        variant="by e-mail",
        pair="invite-by-email",
    ),
    page("partner-invitations", "GET", READ, pair="read-partner-invitations"),
    page(
        "partner-invitation-resend",
        "POST",
        INVITE,
        {"pk": "partner_invitation_pending"},
        body=confirmed,
    ),
    page(
        "partner-invitation-withdraw",
        "POST",
        INVITE,
        {"pk": "partner_invitation_pending"},
        body=confirmed,
        pair="partner-invitation-withdraw",
    ),
    page(
        "partner-invitation-withdraw",
        "POST",
        INVITE,
        {"pk": "partner_invitation_withdrawn"},
        body=confirmed,
        variant="invitation=withdrawn",
        conflict=True,
        pair="partner-invitation-withdraw-withdrawn",
    ),
    page("delete", "GET", DELETE_PARTNERSHIP, lead=True, variant="acting=lead"),
    page(
        "delete", "POST", DELETE_PARTNERSHIP, lead=True, variant="acting=lead", pair="delete-lead"
    ),
    page("delete", "POST", DELETE_PARTNERSHIP, variant="acting=partner", pair="delete-partner"),
    page(
        "delete",
        "POST",
        DELETE_PARTNERSHIP,
        lead=True,
        variant="acting=lead agreement=in_force",
        needs=("agreement_in_force",),
        conflict=True,
        pair="delete-approved",
    ),
    # leaving, and naming a new lead once the lead left (the other party takes part: the
    # acting organisation is never the last one)
    page("leave", "GET", LEAVE),
    page(
        "leave", "POST", LEAVE, body=lambda w: {"reason": "No more time", **CONFIRMED}, pair="leave"
    ),
    page("name-lead", "GET", NAME_LEAD, variant="lead=left", needs=("lead_gone",)),
    page(
        "name-lead",
        "POST",
        NAME_LEAD,
        body=lambda w: {"lead": w.other_party.pk},
        variant="lead=left",
        needs=("lead_gone",),
        pair="name-lead",
    ),
    page(
        "name-lead",
        "POST",
        NAME_LEAD,
        body=lambda w: {"lead": w.other_party.pk},
        variant="lead=present",
        conflict=True,
        pair="name-lead-present",
    ),
    # records
    page(
        "level-add",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"kind": "target", "level": 5, "rationale": ""},
        pair="level-add",
    ),
    page(
        "level-add",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"kind": "agreed", "level": 5, "rationale": ""},
        variant="agreed, outside a review",
        pair="level-propose",
    ),
    *[
        page(
            f"level-proposal-{step}",
            "POST",
            WRITE_RECORD,
            {"pk": name},
            body=lambda w: {"reason": "Not yet", **CONFIRMED},
            variant="proposal=pending" if name == "level_proposal" else "proposal=refused",
            conflict=name != "level_proposal",
            pair=f"level-proposal-{step}" + ("" if name == "level_proposal" else "-decided"),
        )
        for step in ("confirm", "refuse")
        for name in ("level_proposal", "level_proposal_refused")
    ],
    page(
        "responsibility-add",
        "POST",
        WRITE_RECORD,
        body=page_responsibility,
        pair="responsibility-add",
    ),
    page("responsibility-edit", "GET", WRITE_RECORD, {"pk": "responsibility"}),
    page(
        "responsibility-edit",
        "POST",
        WRITE_RECORD,
        {"pk": "responsibility"},
        body=page_responsibility,
        pair="responsibility-edit",
    ),
    page(
        "responsibility-delete",
        "POST",
        DELETE_RECORD,
        {"pk": "responsibility"},
        pair="responsibility-delete",
    ),
    page("commitment-delete", "GET", DELETE_RECORD, {"pk": "commitment"}),
    page(
        "commitment-delete",
        "POST",
        DELETE_RECORD,
        {"pk": "commitment"},
        pair="commitment-delete",
    ),
    page(
        "commitment-delete",
        "POST",
        DELETE_RECORD,
        {"pk": "commitment_closed"},
        variant="agreed at the closed review",
        conflict=True,
        pair="commitment-delete-closed",
    ),
    page("commitment-add", "POST", WRITE_RECORD, body=page_commitment, pair="commitment-add"),
    page("commitment-edit", "GET", WRITE_RECORD, {"pk": "commitment"}),
    page(
        "commitment-edit",
        "POST",
        WRITE_RECORD,
        {"pk": "commitment"},
        body=lambda w: page_commitment(w, "commitment"),
        pair="commitment-edit",
    ),
    page("commitment-done", "POST", WRITE_RECORD, {"pk": "commitment"}, pair="commitment-done"),
    page("concern-add", "POST", WRITE_RECORD, body=page_concern, pair="concern-add"),
    page("concern-edit", "GET", WRITE_RECORD, {"pk": "concern"}),
    page(
        "concern-edit",
        "POST",
        WRITE_RECORD,
        {"pk": "concern"},
        body=page_concern_edit,
        pair="concern-edit",
    ),
    page(
        "concern-check",
        "POST",
        WRITE_RECORD,
        {"pk": "concern"},
        body=lambda w: {"intensity": 2, "note": ""},
        pair="concern-check",
    ),
    page(
        "concern-resolve",
        "POST",
        WRITE_RECORD,
        {"pk": "concern"},
        body=confirmed,
        pair="concern-resolve",
    ),
    page("benefit-add", "POST", WRITE_RECORD, body=page_benefit, pair="benefit-add"),
    page("benefit-edit", "GET", WRITE_RECORD, {"pk": "benefit"}),
    page(
        "benefit-edit",
        "POST",
        WRITE_RECORD,
        {"pk": "benefit"},
        body=page_benefit,
        pair="benefit-edit",
    ),
    page("benefit-delete", "POST", DELETE_RECORD, {"pk": "benefit"}, pair="benefit-delete"),
    # undoing a deletion: the party that deleted, within the window
    *[
        page(
            f"{name}-restore",
            "POST",
            WRITE_RECORD,
            {"pk": f"{name}_deleted"},
            pair=f"{name}-restore",
        )
        for name in ("responsibility", "commitment", "benefit")
    ],
    page(
        "commitment-restore",
        "POST",
        WRITE_RECORD,
        {"pk": "commitment_deleted_by_other"},
        variant="deleted by the other party",
        foreign=True,
        pair="commitment-restore-other",
    ),
    page(
        "commitment-restore",
        "POST",
        WRITE_RECORD,
        {"pk": "commitment_deleted_long_ago"},
        variant="undo window over",
        conflict=True,
        pair="commitment-restore-late",
    ),
    # reviews
    page(
        "review-add",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"scheduled_on": today(), "location": "", "guests": ""},
        pair="review-add",
    ),
    page(
        "review-plan",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=lambda w: page_review_plan(w, "review_planned"),
        pair="review-change",
    ),
    page(
        "review-plan",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=lambda w: page_review_plan(w, "review_closed"),
        variant=CLOSED,
        conflict=True,
        pair="review-change-closed",
    ),
    page(
        "review-rate",
        "POST",
        RATE,
        {R: "review_planned"},
        body=lambda w: {"level": 4, "wished_level": ""},
        pair="rate",
    ),
    page(
        "review-rate",
        "POST",
        RATE,
        {R: "review_held"},
        body=lambda w: {"level": 4, "wished_level": ""},
        variant="review=held",
        conflict=True,
        pair="rate-held",
    ),
    page(
        "review-rate",
        "POST",
        RATE,
        {R: "review_closed"},
        body=lambda w: {"level": 4, "wished_level": ""},
        variant=CLOSED,
        conflict=True,
        pair="rate-closed",
    ),
    page(
        "review-hold",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=confirmed_hold,
        pair="review-hold",
    ),
    page(
        "review-hold",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=confirmed_hold,
        variant=CLOSED,
        conflict=True,
        pair="review-hold-closed",
    ),
    page(
        "review-agreed-level",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=lambda w: {"level": 4, "rationale": ""},
        pair="agreed-level",
    ),
    page(
        "review-agreed-level",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=lambda w: {"level": 4, "rationale": ""},
        variant=CLOSED,
        conflict=True,
        pair="agreed-level-closed",
    ),
    page(
        "review-checks",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=lambda w: {f"concern_{o(w, 'concern').pk}": 2},
        needs=("concern",),
        pair="review-check",
    ),
    page(
        "review-checks",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=lambda w: {f"concern_{o(w, 'concern').pk}": 2},
        needs=("concern",),
        variant=CLOSED,
        conflict=True,
        pair="review-check-closed",
    ),
    page(
        "review-minutes",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=lambda w: page_minutes(w, "review_held"),
    ),
    page(
        "review-minutes",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=lambda w: page_minutes(w, "review_closed"),
        variant=CLOSED,
        conflict=True,
    ),
    page(
        "review-minutes-autosave",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=lambda w: page_minutes(w, "review_closed"),
        variant=CLOSED,
        conflict=True,
    ),
    page(
        "review-minutes-autosave",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=lambda w: page_minutes(w, "review_held"),
    ),
    page(
        "review-commitment-add",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=page_commitment,
        pair="review-commitment-add",
    ),
    page(
        "review-commitment-add",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=page_commitment,
        variant=CLOSED,
        conflict=True,
        pair="review-commitment-add-closed",
    ),
    page("review-benefit-add", "POST", WRITE_RECORD, {R: "review_held"}, body=page_benefit),
    page(
        "review-benefit-add",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=page_benefit,
        variant=CLOSED,
        conflict=True,
    ),
    page(
        "review-close",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=confirmed,
        pair="review-close",
    ),
    page(
        "review-close",
        "POST",
        WRITE_RECORD,
        {R: "review_closed"},
        body=confirmed,
        variant=CLOSED,
        conflict=True,
        pair="review-close-closed",
    ),
    page(
        "review-cancel",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=lambda w: {**CONFIRMED, "reason": "Strike"},
        pair="review-cancel",
    ),
    page(
        "review-cancel",
        "POST",
        WRITE_RECORD,
        {R: "review_held"},
        body=lambda w: {**CONFIRMED, "reason": "Strike"},
        variant="review=held",
        conflict=True,
        pair="review-cancel-held",
    ),
    # the agreement
    page("agreement-add", "POST", DRAFT_AGREEMENT, pair="agreement-add"),
    page(
        "agreement-edit",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_draft"},
        body=lambda w: page_agreement(w, "agreement_draft"),
        variant="agreement=draft",
        pair="agreement-edit",
    ),
    page(
        "agreement-edit",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_in_force"},
        body=lambda w: page_agreement(w, "agreement_in_force"),
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-edit-approved",
    ),
    page(
        "agreement-representative",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_draft"},
        body=page_representative,
        variant="agreement=draft",
        pair="agreement-representative",
    ),
    page(
        "agreement-representative",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_in_force"},
        body=page_representative,
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-representative-approved",
    ),
    page(
        "agreement-submit",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_draft"},
        body=confirmed,
        variant="agreement=draft",
        pair="agreement-submit",
    ),
    page(
        "agreement-submit",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_in_force"},
        body=confirmed,
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-submit-approved",
    ),
    page(
        "agreement-approve",
        "POST",
        DECIDE_AGREEMENT,
        {A: "agreement_pending"},
        body=confirmed,
        variant="agreement=pending",
        pair="agreement-approve",
    ),
    page(
        "agreement-approve",
        "POST",
        DECIDE_AGREEMENT,
        {A: "agreement_in_force"},
        body=confirmed,
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-approve-approved",
    ),
    page(
        "agreement-refuse",
        "POST",
        DECIDE_AGREEMENT,
        {A: "agreement_pending"},
        body=lambda w: {"reason": "Not yet", **CONFIRMED},
        variant="agreement=pending",
        pair="agreement-refuse",
    ),
    page(
        "agreement-refuse",
        "POST",
        DECIDE_AGREEMENT,
        {A: "agreement_in_force"},
        body=lambda w: {"reason": "Not yet", **CONFIRMED},
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-refuse-approved",
    ),
    # Attaching the signed scan is a step after the approval, on the version in force; once
    # attached, the approved version's scan never changes.
    page(
        "agreement-scan",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_unsigned"},
        body=page_scan,
        variant="agreement=in_force, no scan",
    ),
    page(
        "agreement-scan",
        "POST",
        DRAFT_AGREEMENT,
        {A: "agreement_in_force"},
        body=page_scan,
        variant="agreement=in_force, signed",
        conflict=True,
    ),
    # The invitation: the organisation's own pages, by the invited party's id.
    Op(
        "partnerships:invitation-accept",
        "POST",
        ANSWER_INVITATION,
        {"pk": "own_or_other_party"},
        pair="invitation-accept",
    ),
    Op(
        "partnerships:invitation-decline",
        "POST",
        ANSWER_INVITATION,
        {"pk": "own_or_other_party"},
        body=confirmed,
        pair="invitation-decline",
    ),
]

# A record type's delete route on the pages, by the API collection it pairs with. A type the
# pages cannot delete the API cannot either (and the reverse): see test_parity_of_deleting.
DELETE_PAGES = {
    "responsibilities": "partnerships:responsibility-delete",
    "commitments": "partnerships:commitment-delete",
    "benefits": "partnerships:benefit-delete",
    "concerns": "partnerships:concern-delete",
    "levels": "partnerships:level-delete",
    "concern-checks": "partnerships:concern-check-delete",
    "reviews": "partnerships:review-delete",
    "agreements": "partnerships:agreement-delete",
}
DELETABLE = {"responsibilities", "commitments", "benefits"}

C = {"concern_id": "concern"}

API_OPS = [
    # the partnership
    api("partnership-detail", "GET", READ, pair="read-partnership"),
    api("partnership-detail", "PUT", EDIT_PARTNERSHIP, body=api_partnership_put),
    api(
        "partnership-detail",
        "PATCH",
        EDIT_PARTNERSHIP,
        body=lambda w: {"title": "Renamed", "version": w.partnership.version},
        pair="edit-partnership",
    ),
    api(
        "partnership-detail",
        "DELETE",
        DELETE_PARTNERSHIP,
        lead=True,
        variant="acting=lead",
        pair="delete-lead",
    ),
    api(
        "partnership-detail",
        "DELETE",
        DELETE_PARTNERSHIP,
        variant="acting=partner",
        pair="delete-partner",
    ),
    api(
        "partnership-detail",
        "DELETE",
        DELETE_PARTNERSHIP,
        lead=True,
        variant="acting=lead agreement=in_force",
        needs=("agreement_in_force",),
        conflict=True,
        pair="delete-approved",
    ),
    api(
        "partnership-leave", "POST", LEAVE, body=lambda w: {"reason": "No more time"}, pair="leave"
    ),
    api(
        "partnership-lead",
        "POST",
        NAME_LEAD,
        body=lambda w: {"organisation": OTHER_SLUG},
        variant="lead=left",
        needs=("lead_gone",),
        pair="name-lead",
    ),
    api(
        "partnership-lead",
        "POST",
        NAME_LEAD,
        body=lambda w: {"organisation": OTHER_SLUG},
        variant="lead=present",
        conflict=True,
        pair="name-lead-present",
    ),
    api("partnership-parties", "GET", READ),
    api(
        "partnership-parties",
        "POST",
        INVITE,
        body=lambda w: {"organisation": NEWCOMER_SLUG, "role": "partner"},
        needs=("newcomer",),
        pair="invite",
    ),
    api(
        "partnership-parties",
        "POST",
        INVITE,
        body=lambda w: {
            "organisation_name": "Not on the platform",
            "email": "contact@example.org",
            "role": "partner",
        },
        variant="by e-mail",
        pair="invite-by-email",
    ),
    api("partnership-partner-invitations", "GET", READ, pair="read-partner-invitations"),
    # Withdrawing an invitation by e-mail: the API names it by its id alone.
    Op(
        "api:partner-invitation-detail",
        "DELETE",
        INVITE,
        {"pk": "partner_invitation_pending"},
        pair="partner-invitation-withdraw",
    ),
    Op(
        "api:partner-invitation-detail",
        "DELETE",
        INVITE,
        {"pk": "partner_invitation_withdrawn"},
        variant="invitation=withdrawn",
        conflict=True,
        pair="partner-invitation-withdraw-withdrawn",
    ),
    api(
        "invitation-accept",
        "POST",
        ANSWER_INVITATION,
        {"org_slug": "acting_slug"},
        pair="invitation-accept",
    ),
    api(
        "invitation-decline",
        "POST",
        ANSWER_INVITATION,
        {"org_slug": "acting_slug"},
        pair="invitation-decline",
    ),
    # levels: history, append-only
    api("partnership-levels", "GET", READ, pair="read-levels"),
    api("partnership-levels-detail", "GET", READ, {"pk": "level"}),
    api(
        "partnership-levels",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"kind": "target", "level": 5},
        pair="level-add",
    ),
    *[
        api(
            "partnership-levels",
            "POST",
            RATE,
            body=(
                lambda name: (
                    lambda w: {
                        "kind": "perceived",
                        "level": 4,
                        "party": ACTING_SLUG,
                        "review": o(w, name).pk,
                    }
                )
            )(f"review_{status}"),
            needs=(f"review_{status}",),
            variant=f"perceived, review={status}",
            conflict=status != "planned",
            pair="rate" if status == "planned" else f"rate-{status}",
        )
        for status in ("planned", "held", "closed")
    ],
    *[
        api(
            "partnership-levels",
            "POST",
            WRITE_RECORD,
            body=(lambda name: lambda w: {"kind": "agreed", "level": 4, "review": o(w, name).pk})(
                f"review_{status}"
            ),
            needs=(f"review_{status}",),
            variant=f"agreed, review={status}",
            conflict=status == "closed",
            pair="agreed-level" if status == "held" else "agreed-level-closed",
        )
        for status in ("held", "closed")
    ],
    # the agreed level proposed outside a review, and the other parties' answers
    api(
        "partnership-levels",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"kind": "agreed", "level": 5},
        variant="agreed, outside a review",
        pair="level-propose",
    ),
    api("partnership-level-proposals", "GET", READ, needs=("level_proposal",)),
    api("partnership-level-proposals-detail", "GET", READ, {"pk": "level_proposal"}),
    *[
        api(
            f"partnership-level-proposals-{step}",
            "POST",
            WRITE_RECORD,
            {"pk": name},
            body=lambda w: {"reason": "Not yet"},
            variant="proposal=pending" if name == "level_proposal" else "proposal=refused",
            conflict=name != "level_proposal",
            pair=f"level-proposal-{step}" + ("" if name == "level_proposal" else "-decided"),
        )
        for step in ("confirm", "refuse")
        for name in ("level_proposal", "level_proposal_refused")
    ],
    # responsibilities
    api("partnership-responsibilities", "GET", READ),
    api(
        "partnership-responsibilities",
        "POST",
        WRITE_RECORD,
        body=api_responsibility,
        pair="responsibility-add",
    ),
    api("partnership-responsibilities-detail", "GET", READ, {"pk": "responsibility"}),
    api(
        "partnership-responsibilities-detail",
        "PUT",
        WRITE_RECORD,
        {"pk": "responsibility"},
        body=api_responsibility,
        pair="responsibility-edit",
    ),
    api(
        "partnership-responsibilities-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "responsibility"},
        body=lambda w: {"title": "Hosting"},
    ),
    api(
        "partnership-responsibilities-detail",
        "DELETE",
        DELETE_RECORD,
        {"pk": "responsibility"},
        pair="responsibility-delete",
    ),
    # commitments
    api("partnership-commitments", "GET", READ, pair="read-commitments"),
    api(
        "partnership-commitments", "POST", WRITE_RECORD, body=api_commitment, pair="commitment-add"
    ),
    api(
        "partnership-commitments",
        "POST",
        WRITE_RECORD,
        body=lambda w: api_commitment(w, "review_planned"),
        needs=("review_planned",),
        variant="review=planned",
        pair="review-commitment-add",
    ),
    api(
        "partnership-commitments",
        "POST",
        WRITE_RECORD,
        body=lambda w: api_commitment(w, "review_closed"),
        needs=("review_closed",),
        variant=CLOSED,
        conflict=True,
        pair="review-commitment-add-closed",
    ),
    api("partnership-commitments-detail", "GET", READ, {"pk": "commitment"}),
    api(
        "partnership-commitments-detail",
        "PUT",
        WRITE_RECORD,
        {"pk": "commitment"},
        body=lambda w: {**api_commitment(w), "version": o(w, "commitment").version},
        pair="commitment-edit",
    ),
    api(
        "partnership-commitments-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "commitment"},
        body=lambda w: {"status": "done", "version": o(w, "commitment").version},
        pair="commitment-done",
    ),
    api(
        "partnership-commitments-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "commitment"},
        body=lambda w: {
            "review": o(w, "review_closed").pk,
            "version": o(w, "commitment").version,
        },
        needs=("review_closed",),
        variant="re-point to the closed review",
        conflict=True,
    ),
    api(
        "partnership-commitments-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "commitment_closed"},
        body=lambda w: {"review": None, "version": o(w, "commitment_closed").version},
        variant="re-point away from the closed review",
        conflict=True,
    ),
    api(
        "partnership-commitments-detail",
        "DELETE",
        DELETE_RECORD,
        {"pk": "commitment"},
        pair="commitment-delete",
    ),
    api(
        "partnership-commitments-detail",
        "DELETE",
        DELETE_RECORD,
        {"pk": "commitment_closed"},
        variant="agreed at the closed review",
        conflict=True,
        pair="commitment-delete-closed",
    ),
    # undoing a deletion
    *[
        api(
            f"partnership-{collection}-restore",
            "POST",
            WRITE_RECORD,
            {"pk": f"{name}_deleted"},
            pair=f"{name}-restore",
        )
        for name, collection in (
            ("responsibility", "responsibilities"),
            ("commitment", "commitments"),
            ("benefit", "benefits"),
        )
    ],
    api(
        "partnership-commitments-restore",
        "POST",
        WRITE_RECORD,
        {"pk": "commitment_deleted_by_other"},
        variant="deleted by the other party",
        foreign=True,
        pair="commitment-restore-other",
    ),
    api(
        "partnership-commitments-restore",
        "POST",
        WRITE_RECORD,
        {"pk": "commitment_deleted_long_ago"},
        variant="undo window over",
        conflict=True,
        pair="commitment-restore-late",
    ),
    # concerns and their checks
    api("partnership-concerns", "GET", READ, pair="read-concerns"),
    api("partnership-concerns", "POST", WRITE_RECORD, body=api_concern, pair="concern-add"),
    api("partnership-concerns-detail", "GET", READ, {"pk": "concern"}),
    api(
        "partnership-concerns-detail",
        "PUT",
        WRITE_RECORD,
        {"pk": "concern"},
        body=api_concern_put,
        pair="concern-edit",
    ),
    api(
        "partnership-concerns-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "concern"},
        body=lambda w: {"status": "resolved", "version": o(w, "concern").version},
        pair="concern-resolve",
    ),
    api("partnership-concern-checks", "GET", READ, C),
    api(
        "partnership-concern-checks",
        "POST",
        WRITE_RECORD,
        C,
        body=lambda w: {"intensity": 2},
        pair="concern-check",
    ),
    api(
        "partnership-concern-checks",
        "POST",
        WRITE_RECORD,
        C,
        body=lambda w: {"intensity": 2, "review": o(w, "review_held").pk},
        needs=("review_held",),
        variant="review=held",
        pair="review-check",
    ),
    api(
        "partnership-concern-checks",
        "POST",
        WRITE_RECORD,
        C,
        body=lambda w: {"intensity": 2, "review": o(w, "review_closed").pk},
        needs=("review_closed",),
        variant=CLOSED,
        conflict=True,
        pair="review-check-closed",
    ),
    api("partnership-concern-checks-detail", "GET", READ, {**C, "pk": "check"}),
    # benefits
    api("partnership-benefits", "GET", READ, pair="read-benefits"),
    api("partnership-benefits", "POST", WRITE_RECORD, body=api_benefit, pair="benefit-add"),
    api("partnership-benefits-detail", "GET", READ, {"pk": "benefit"}),
    api(
        "partnership-benefits-detail",
        "PUT",
        WRITE_RECORD,
        {"pk": "benefit"},
        body=api_benefit,
        pair="benefit-edit",
    ),
    api(
        "partnership-benefits-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "benefit"},
        body=lambda w: {"evidence": "Photos"},
    ),
    api(
        "partnership-benefits-detail",
        "DELETE",
        DELETE_RECORD,
        {"pk": "benefit"},
        pair="benefit-delete",
    ),
    # reviews
    api("partnership-reviews", "GET", READ, pair="read-reviews"),
    api(
        "partnership-reviews",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"scheduled_on": today()},
        pair="review-add",
    ),
    api("partnership-reviews-detail", "GET", READ, {"pk": "review_planned"}, pair="read-review"),
    api(
        "partnership-reviews-agenda-pdf",
        "GET",
        READ,
        {"pk": "review_planned"},
        pair="agenda-pdf",
    ),
    api(
        "partnership-reviews-detail",
        "PUT",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: api_review_put(w, "review_planned"),
    ),
    api(
        "partnership-reviews-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: {"location": "Room 2", "version": o(w, "review_planned").version},
        pair="review-change",
    ),
    api(
        "partnership-reviews-detail",
        "PATCH",
        WRITE_RECORD,
        {"pk": "review_closed"},
        body=lambda w: {"location": "Room 2", "version": o(w, "review_closed").version},
        variant=CLOSED,
        conflict=True,
        pair="review-change-closed",
    ),
    api(
        "partnership-reviews-hold",
        "POST",
        WRITE_RECORD,
        {"pk": "review_planned"},
        pair="review-hold",
    ),
    api(
        "partnership-reviews-hold",
        "POST",
        WRITE_RECORD,
        {"pk": "review_closed"},
        variant=CLOSED,
        conflict=True,
        pair="review-hold-closed",
    ),
    api(
        "partnership-reviews-close",
        "POST",
        WRITE_RECORD,
        {"pk": "review_held"},
        pair="review-close",
    ),
    api(
        "partnership-reviews-close",
        "POST",
        WRITE_RECORD,
        {"pk": "review_closed"},
        variant=CLOSED,
        conflict=True,
        pair="review-close-closed",
    ),
    api(
        "partnership-reviews-cancel",
        "POST",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: {"reason": "Strike"},
        pair="review-cancel",
    ),
    api(
        "partnership-reviews-cancel",
        "POST",
        WRITE_RECORD,
        {"pk": "review_held"},
        body=lambda w: {"reason": "Strike"},
        variant="review=held",
        conflict=True,
        pair="review-cancel-held",
    ),
    # the agreement
    api("partnership-agreements", "GET", READ, pair="read-agreements"),
    api("partnership-agreements", "POST", DRAFT_AGREEMENT, body=lambda w: {}, pair="agreement-add"),
    api(
        "partnership-agreements-detail",
        "GET",
        READ,
        {"pk": "agreement_in_force"},
        pair="read-agreement",
    ),
    api(
        "partnership-agreements-detail",
        "PATCH",
        DRAFT_AGREEMENT,
        {"pk": "agreement_draft"},
        body=lambda w: {"purpose": "Lire chaque semaine"},
        variant="agreement=draft",
        pair="agreement-edit",
    ),
    api(
        "partnership-agreements-detail",
        "PATCH",
        DRAFT_AGREEMENT,
        {"pk": "agreement_in_force"},
        body=lambda w: {"purpose": "Lire chaque semaine"},
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-edit-approved",
    ),
    api(
        "partnership-agreements-pdf",
        "GET",
        READ,
        {"pk": "agreement_in_force"},
        pair="agreement-pdf",
    ),
    api(
        "partnership-agreements-representative",
        "POST",
        DRAFT_AGREEMENT,
        {"pk": "agreement_draft"},
        body=page_representative,
        variant="agreement=draft",
        pair="agreement-representative",
    ),
    api(
        "partnership-agreements-representative",
        "POST",
        DRAFT_AGREEMENT,
        {"pk": "agreement_in_force"},
        body=page_representative,
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-representative-approved",
    ),
    api(
        "partnership-agreements-submit",
        "POST",
        DRAFT_AGREEMENT,
        {"pk": "agreement_draft"},
        variant="agreement=draft",
        pair="agreement-submit",
    ),
    api(
        "partnership-agreements-submit",
        "POST",
        DRAFT_AGREEMENT,
        {"pk": "agreement_in_force"},
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-submit-approved",
    ),
    api(
        "partnership-agreements-approve",
        "POST",
        DECIDE_AGREEMENT,
        {"pk": "agreement_pending"},
        variant="agreement=pending",
        pair="agreement-approve",
    ),
    api(
        "partnership-agreements-approve",
        "POST",
        DECIDE_AGREEMENT,
        {"pk": "agreement_in_force"},
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-approve-approved",
    ),
    api(
        "partnership-agreements-refuse",
        "POST",
        DECIDE_AGREEMENT,
        {"pk": "agreement_pending"},
        body=lambda w: {"reason": "Not yet", **CONFIRMED},
        variant="agreement=pending",
        pair="agreement-refuse",
    ),
    api(
        "partnership-agreements-refuse",
        "POST",
        DECIDE_AGREEMENT,
        {"pk": "agreement_in_force"},
        body=lambda w: {"reason": "Not yet", **CONFIRMED},
        variant="agreement=in_force",
        conflict=True,
        pair="agreement-refuse-approved",
    ),
]

# The questionnaire before a review (issue 19).
Q = ("questionnaire",)
QUESTIONNAIRE_OPS = [
    page(
        "questionnaire-open",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=lambda w: {"closes_on": today()},
        pair="questionnaire-open",
    ),
    page(
        "questionnaire-close",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=confirmed,
        needs=Q,
        pair="questionnaire-close",
    ),
    page("questionnaire-answer", "GET", ANSWER_QUESTIONNAIRE, {R: "review_planned"}, needs=Q),
    page(
        "questionnaire-answer",
        "POST",
        ANSWER_QUESTIONNAIRE,
        {R: "review_planned"},
        body=lambda w: {"level": "3"},
        needs=Q,
        pair="questionnaire-answer",
    ),
    page(
        "questionnaire-members",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=lambda w: {"members": [w.user.pk]},
        needs=Q,
        pair="questionnaire-members",
    ),
    page(
        "questionnaire-question-add",
        "POST",
        WRITE_RECORD,
        {R: "review_planned"},
        body=lambda w: {"kind": "text", "text": "Et vous ?", "options": ""},
        pair="custom-question-add",
    ),
    page(
        "questionnaire-question-delete",
        "POST",
        WRITE_RECORD,
        {R: "review_planned", "pk": "custom_question"},
        body=confirmed,
        pair="custom-question-delete",
    ),
    api("partnership-reviews-questionnaire", "GET", READ, {"pk": "review_planned"}, needs=Q),
    api(
        "partnership-reviews-questionnaire",
        "POST",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: {},
        pair="questionnaire-open",
    ),
    api(
        "partnership-reviews-questionnaire",
        "POST",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: {},
        needs=Q,
        variant="questionnaire=open",
        conflict=True,
    ),
    api(
        "partnership-reviews-questionnaire-close",
        "POST",
        WRITE_RECORD,
        {"pk": "review_planned"},
        needs=Q,
        pair="questionnaire-close",
    ),
    api(
        "partnership-reviews-questionnaire-answers",
        "PUT",
        ANSWER_QUESTIONNAIRE,
        {"pk": "review_planned"},
        body=lambda w: {"answers": [{"question": "level", "value": 3}]},
        needs=Q,
        pair="questionnaire-answer",
    ),
    api(
        "partnership-reviews-questionnaire-members",
        "GET",
        READ,
        {"pk": "review_planned"},
        needs=Q,
    ),
    api(
        "partnership-reviews-questionnaire-members",
        "PUT",
        WRITE_RECORD,
        {"pk": "review_planned"},
        body=lambda w: {"members": [w.user.username]},
        needs=Q,
        pair="questionnaire-members",
    ),
    api(
        "partnership-reviews-questionnaire-results",
        "GET",
        READ,
        {"pk": "review_planned"},
        needs=Q,
    ),
    api("partnership-questionnaire-questions", "GET", READ),
    api(
        "partnership-questionnaire-questions",
        "POST",
        WRITE_RECORD,
        body=lambda w: {"kind": "text", "text": "Et vous ?"},
        pair="custom-question-add",
    ),
    api("partnership-questionnaire-questions-detail", "GET", READ, {"pk": "custom_question"}),
    api(
        "partnership-questionnaire-questions-detail",
        "DELETE",
        WRITE_RECORD,
        {"pk": "custom_question"},
        pair="custom-question-delete",
    ),
]

OPS = [*PAGE_OPS, *API_OPS, *QUESTIONNAIRE_OPS]

# Pages of an organisation that are about no single partnership: the organisation's own lists,
# reports and members (tests/test_isolation.py walks them for outsiders and viewers). Every
# other page of an organisation must be in the table above.
NOT_ABOUT_ONE_PARTNERSHIP = {
    "partnerships:dashboard": "the organisation's home",
    "partnerships:todo": "the person's whole to-do for the organisation",
    "partnerships:chart-levels": "chart over all the organisation's partnerships",
    "partnerships:chart-concerns": "chart over all the organisation's partnerships",
    "partnerships:invitations": "the list of invitations waiting for the organisation",
    "partnerships:list": "the organisation's partnership list",
    "partnerships:export": "the list as CSV",
    "partnerships:export-xlsx": "the list as XLSX",
    "partnerships:export-commitments": "the organisation's commitments as CSV",
    "partnerships:export-commitments-xlsx": "the organisation's commitments as XLSX",
    "partnerships:export-concerns": "the fears and resistances it sees, as CSV",
    "partnerships:export-concerns-xlsx": "the fears and resistances it sees, as XLSX",
    "partnerships:export-list": "background exports of the list",
    "partnerships:export-start": "starting a background export",
    "partnerships:export-detail": "one background export",
    "partnerships:export-download": "one background export's file",
    "partnerships:new": "creating a partnership (no party state yet)",
    "partnerships:reports": "reports over the organisation's partnerships",
    "partnerships:network": "the map of the organisation's partnerships (tests/partnerships)",
    "members": "the organisation's members",
    "member-add": "the organisation's members",
    "member-role": "the organisation's members",
    "member-remove": "the organisation's members",
    "member-invitation-cancel": "the organisation's members",
    "join-request-approve": "the organisation's members",
    "join-request-refuse": "the organisation's members",
    "organisation-join-request": "asking to join an organisation (the person's own request)",
    "partnerships:import": "importing a spreadsheet of partnerships (tests/partnerships)",
    "partnerships:import-detail": "one import's preview (tests/partnerships)",
    "partnerships:import-confirm": "confirming one import (tests/partnerships)",
    "partnerships:import-template": "the import's template as CSV",
    "partnerships:import-template-xlsx": "the import's template as XLSX",
    "organisation-archive": "the organisation's archive, for its administrators (tests/privacy)",
    "organisation-archive-download": "the organisation's archive file (tests/privacy)",
    "organisation-leave-platform": "the organisation's request to leave (tests/privacy)",
}
NOT_ABOUT_ONE_PARTNERSHIP_PREFIXES = ("partnerships:report-",)
