"""The typology's vocabulary: stable keys in code, translatable labels on screen.

Levels are an ordered scale stored and exchanged as the integers 1 to 7.
"""

from __future__ import annotations

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.IntegerChoices):
    SERVICE = 1, _("Service partnership")
    INFORMATION = 2, _("Mutual information")
    CONSULTATION = 3, _("Consultation")
    CONCERTATION = 4, _("Concertation")
    COOPERATION = 5, _("Cooperation")
    RECIPROCITY = 6, _("Reciprocity")
    FUSION = 7, _("Fusion")


LEVEL_SUMMARIES = {
    Level.SERVICE: _("One party works for the other more than with it."),
    Level.INFORMATION: _("Each party keeps the other informed of what it does."),
    Level.CONSULTATION: _("One party asks for the other's opinion, approval or validation."),
    Level.CONCERTATION: _("Ideas are harmonised before acting; each is ready to adapt its work."),
    Level.COOPERATION: _("Committed together; each feels responsible for the success."),
    Level.RECIPROCITY: _(
        "A shared project between equals that involves the people it is meant for."
    ),
    Level.FUSION: _("Identities have dissolved and nobody knows who does what: a warning sign."),
}


class AssessmentKind(models.TextChoices):
    AGREED = "agreed", _("Agreed together")
    PERCEIVED = "perceived", _("Perceived by a party")
    TARGET = "target", _("Target")


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Scope(models.TextChoices):
    INTERNAL = "internal", _("Internal (within one system)")
    EXTERNAL = "external", _("External (between systems)")


class ReviewCadence(models.IntegerChoices):
    MONTHLY = 1, _("Every month")
    QUARTERLY = 3, _("Every three months")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Every year")


class PartyRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    FACILITATOR = "facilitator", _("Facilitator")
    BENEFICIARY_REP = "beneficiary_rep", _("Beneficiaries' representative")


class Invitation(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class PartnerInvitationState(models.TextChoices):
    """An invitation sent by e-mail to an organisation not on the platform yet. ``expired`` is
    read from ``expires_at`` (a pending one past it), never stored by a clock."""

    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CommitmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ConcernKind(models.TextChoices):
    FEAR = "fear", _("Fear to tame")
    RESISTANCE = "resistance", _("Resistance to overcome")


class FearCategory(models.TextChoices):
    IDENTITY = "identity", _("Loss of identity")
    STATUS = "status", _("Loss of status or recognition")
    INVESTMENT = "investment", _("Too much time or work")
    POWER = "power", _("Sharing power")
    CONCESSIONS = "concessions", _("Concessions too heavy")
    ETHICS = "ethics", _("Losing one's soul")
    OTHER = "other", _("Other fear")


class ResistanceCategory(models.TextChoices):
    INSTITUTIONAL = "institutional", _("Institutions guarding their borders")
    ACTORS = "actors", _("People attached to their habits and comfort")
    TRADITION = "tradition", _("Weight of traditions")
    EXPERTISE = "expertise", _("Experts who feel questioned")
    OTHER = "other", _("Other resistance")


CONCERN_CATEGORIES = {
    ConcernKind.FEAR: FearCategory,
    ConcernKind.RESISTANCE: ResistanceCategory,
}

# Grouped for forms; "other" exists under both kinds, so show labels with concern_category_label.
CONCERN_CATEGORY_CHOICES = [
    (_("Fears to tame"), FearCategory.choices),
    (_("Resistances to overcome"), ResistanceCategory.choices),
]


def concern_category_label(kind: str, category: str) -> str:
    """The label of a category within its kind ("other" reads differently for each)."""
    categories = CONCERN_CATEGORIES.get(kind)
    if categories and category in categories.values:
        return str(categories(category).label)
    return category


class Visibility(models.TextChoices):
    SHARED = "shared", _("Shared with every party")
    PRIVATE = "private", _("Private to the raising organisation")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EASING = "easing", _("Easing")
    RESOLVED = "resolved", _("Resolved")


class PleasureCategory(models.TextChoices):
    PARTICIPATION = "participation", _("Participating and sharing")
    NOVELTY = "novelty", _("The new and unexpected")
    COLLECTIVE = "collective", _("Building together with peers")
    LEARNING = "learning", _("Learning together (1 + 1 = 3)")
    OTHER = "other", _("Other pleasure")


class ReviewStatus(models.TextChoices):
    # A context of their own: French agrees these with « la revue » (« Prévue »), while the
    # same English words describe masculine nouns elsewhere (« engagement prévu »).
    PLANNED = "planned", pgettext_lazy("review status", "Planned")
    HELD = "held", pgettext_lazy("review status", "Held")
    CLOSED = "closed", pgettext_lazy("review status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("review status", "Cancelled")


INTENSITY_MIN = 0
INTENSITY_MAX = 5

# What each step of a concern's 0-5 intensity means: the one place the scale is worded.
INTENSITY_LABELS = {
    0: _("gone"),
    1: _("faint"),
    2: _("present"),
    3: _("noticeable"),
    4: _("strong"),
    5: _("blocking"),
}


def intensity_label(value: int | None) -> str:
    """ "3 · noticeable" for an intensity, a dash when there is none."""
    if value is None or value not in INTENSITY_LABELS:
        return "—"
    return f"{value} · {INTENSITY_LABELS[value]}"


def intensity_choices() -> list[tuple[int, str]]:
    """The scale as form choices, each step with its label (in the active language)."""
    return [
        (value, format_lazy("{} · {}", value, INTENSITY_LABELS[value]))
        for value in range(INTENSITY_MIN, INTENSITY_MAX + 1)
    ]


class ReminderKind(models.TextChoices):
    REVIEW = "review", _("Review due")
    COMMITMENT = "commitment", _("Commitment due")
    DIGEST = "digest", _("Weekly digest")
    AGREEMENT = "agreement", _("Agreement ending")


class ExportKind(models.TextChoices):
    PARTNERSHIPS = "partnerships", _("Partnership list")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ImportStatus(models.TextChoices):
    ANALYSING = "analysing", _("Being read")
    READY = "ready", _("Ready to confirm")
    CONFIRMING = "confirming", _("Being imported")
    CONFIRMED = "confirmed", _("Imported")
    FAILED = "failed", _("Failed")


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approvals")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    ENDED = "ended", pgettext_lazy("agreement state", "Ended")  # « convention terminée »


# Once every party approved a version, its content never changes again.
APPROVED_STATES = (AgreementState.IN_FORCE, AgreementState.SUPERSEDED, AgreementState.ENDED)


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REFUSE = "refuse", _("Refused")


class TodoKind(models.TextChoices):
    """What the dashboard's to-do asks a person to do (stable keys, exchanged by the API)."""

    ANSWER_INVITATION = "answer_invitation", _("Answer an invitation")
    APPROVE_AGREEMENT = "approve_agreement", _("Approve or refuse an agreement version")
    ANSWER_LEVEL_PROPOSAL = "answer_level_proposal", _("Confirm or refuse a proposed agreed level")
    GIVE_RATING = "give_rating", _("Give your rating for a planned review")
    PLAN_REVIEW = "plan_review", _("Plan an overdue review")
    CLOSE_REVIEW = "close_review", _("Close a held review")
    OVERDUE_COMMITMENT = "overdue_commitment", _("An overdue commitment of yours")
    RERATE_CONCERN = "rerate_concern", _("Re-rate a fear or resistance")
    NAME_LEAD = "name_lead", _("Name a new lead")


class ProposalState(models.TextChoices):
    """A level proposed outside a review: pending until every other current party answers."""

    PENDING = "pending", pgettext_lazy("level proposal", "Waiting for the partners")
    AGREED = "agreed", pgettext_lazy("level proposal", "Agreed")
    REFUSED = "refused", pgettext_lazy("level proposal", "Refused")
    SUPERSEDED = "superseded", pgettext_lazy("level proposal", "Replaced")


class ProposalAnswer(models.TextChoices):
    """One party's answer to a level proposal."""

    PENDING = "pending", pgettext_lazy("level proposal answer", "Not answered yet")
    CONFIRMED = "confirmed", pgettext_lazy("level proposal answer", "Confirmed")
    REFUSED = "refused", pgettext_lazy("level proposal answer", "Refused")
