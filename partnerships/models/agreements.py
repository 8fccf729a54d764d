"""An agreement version per partnership, and each party's decision on it.

Imported by ``partnerships.models`` (the app's models module); models refer to the others by
their "app.Model" name so that this module never imports that one back.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date_in_range
from partnerships.choices import APPROVED_STATES, AgreementState, ApprovalDecision, ReviewCadence
from partnerships.exceptions import AgreementFrozen, AgreementStateError

AGREEMENT_FROZEN = _(
    "This version of the agreement was approved by every party and can no longer be changed; "
    "draft a new version instead."
)
AGREEMENT_NOT_DRAFT = _(
    "This version of the agreement has been submitted: it cannot be changed unless a party "
    "refuses it, which sends it back to draft."
)

# The written clauses, under the headings partners expect, in the order a document shows them.
CLAUSES = [
    ("purpose", _("Purpose")),
    ("governance", _("Governance and decisions")),
    ("resources", _("Resources each party brings")),
    ("communication", _("Communication and use of names and logos")),
    ("confidentiality", _("Confidentiality")),
    ("conflict_resolution", _("Conflict resolution")),
    ("exit", _("Exit and ending")),
]
CLAUSE_FIELDS = [name for name, _label in CLAUSES]

# What may still change on a version that is no longer a draft: its state moving on (pending →
# in force, in force → superseded or ended, pending → draft on a refusal), and the signed scan
# being attached once (the signature comes after the approval; replacing it is refused).
MOVING_FIELDS = {"state", "submission_round", "submitted_at", "in_force_at"}
ALLOWED_MOVES = {
    AgreementState.DRAFT: {AgreementState.PENDING},
    AgreementState.PENDING: {AgreementState.DRAFT, AgreementState.IN_FORCE},
    AgreementState.IN_FORCE: {AgreementState.SUPERSEDED, AgreementState.ENDED},
}
AGREEMENT_SKIPS_APPROVAL = _(
    "A draft is first submitted, then approved by every party: it cannot come into force or "
    "end directly."
)


class AgreementQuerySet(models.QuerySet):
    """``update()`` and ``bulk_update()`` skip ``save()``: they keep the same rule. On a version
    that left the draft only its state may move on (as ``supersede`` and ``end`` do), along the
    allowed moves; an approved version's other fields never change."""

    def update(self, **kwargs):
        new_state = kwargs.get("state")  # an expression is not a move this can check
        new_state = new_state if isinstance(new_state, str) else None
        stored = self.exclude(state=AgreementState.DRAFT).values_list("state", flat=True)
        for state in set(stored):
            _refuse_bulk_change(state, set(kwargs), new_state)
        return super().update(**kwargs)

    def delete(self):
        """Like ``Agreement.delete()``: an approved version is never deleted (the admin's bulk
        action and the shell go through here, not through the instance's method)."""
        if self.filter(state__in=APPROVED_STATES).exists():
            raise AgreementFrozen(AGREEMENT_FROZEN)
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        stored = dict(
            Agreement._base_manager.filter(pk__in=[obj.pk for obj in objs])
            .exclude(state=AgreementState.DRAFT)
            .values_list("pk", "state")
        )
        for obj in objs:
            if obj.pk in stored:
                _refuse_bulk_change(stored[obj.pk], set(fields), obj.state)
        return super().bulk_update(objs, fields, batch_size=batch_size)


def _refuse_bulk_change(stored_state: str, fields: set[str], new_state: str | None) -> None:
    """A version stored in ``stored_state`` (not a draft) may only see its state move on."""
    approved = stored_state in APPROVED_STATES
    message = AGREEMENT_FROZEN if approved else AGREEMENT_NOT_DRAFT
    if fields - ({"state"} if approved else MOVING_FIELDS):
        raise AgreementFrozen(message)
    moving = "state" in fields and new_state != stored_state
    if moving and new_state not in ALLOWED_MOVES.get(stored_state, ()):
        raise AgreementFrozen(message)


def _without_parties(snapshot: dict) -> dict:
    return {key: value for key, value in (snapshot or {}).items() if key != "parties"}


def signed_scan_path(agreement: Agreement, filename: str) -> str:
    """Kept apart by partnership, under a name nobody can guess (MEDIA_ROOT is never served)."""
    return f"agreements/{agreement.partnership_id}/{uuid.uuid4().hex}.pdf"


class Agreement(models.Model):
    """One version of a partnership's agreement (1 = the original, 2+ = amendments).

    ``snapshot`` records what the partnership stood at when the version was drafted (refreshed
    while it is a draft): agreed and target levels, parties and their roles, responsibilities,
    commitments. Once approved by every party, nothing of it changes (``save`` refuses).
    """

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.PROTECT,  # approved versions are part of the record: never cascaded
        related_name="agreements",
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    state = models.CharField(
        _("state"), max_length=12, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    starts_on = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    ends_on = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    review_cadence = models.PositiveSmallIntegerField(
        _("review cadence"), choices=ReviewCadence.choices, default=ReviewCadence.QUARTERLY
    )
    purpose = models.TextField(_("purpose"), blank=True)
    governance = models.TextField(_("governance and decisions"), blank=True)
    resources = models.TextField(_("resources each party brings"), blank=True)
    communication = models.TextField(_("communication and use of names and logos"), blank=True)
    confidentiality = models.TextField(_("confidentiality"), blank=True)
    conflict_resolution = models.TextField(_("conflict resolution"), blank=True)
    exit = models.TextField(_("exit and ending"), blank=True)
    snapshot = models.JSONField(
        _("partnership as drafted"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Levels, parties, responsibilities and commitments this version records."),
    )
    signed_scan = models.FileField(
        _("signed scan"), upload_to=signed_scan_path, blank=True, max_length=200
    )
    submission_round = models.PositiveSmallIntegerField(
        _("submission round"), default=0, editable=False
    )
    # Moves on each change of the draft: two people drafting at once cannot overwrite each
    # other (the second save, made from the revision the first one replaced, is refused).
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)

    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-version"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"],
                name="agreement_version_unique_per_partnership",
                violation_error_message=_(
                    "This partnership already has a version with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=AgreementState.values),
                name="agreement_state_valid",
                violation_error_message=_("Choose a value from the list."),
            ),
            models.CheckConstraint(
                condition=Q(review_cadence__in=ReviewCadence.values),
                name="agreement_cadence_valid",
                violation_error_message=_("Choose a value from the list."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="agreement_ends_after_start",
                violation_error_message=_("The end date cannot come before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=APPROVED_STATES) | Q(in_force_at__isnull=False),
                name="agreement_approved_has_time",
                violation_error_message=_("An approved version records when it came into force."),
            ),
        ]
        indexes = [models.Index(fields=["state", "ends_on"])]

    def __str__(self) -> str:
        return _("%(partnership)s · agreement v%(version)s") % {
            "partnership": self.partnership,
            "version": self.version,
        }

    def save(self, *args, **kwargs) -> None:
        """Whatever path writes (UI, API, admin, shell), a version that left the draft keeps
        its content: only its state moves on, and an approved one may receive its signed scan."""
        if self.pk:
            stored = Agreement.objects.filter(pk=self.pk).first()
            if stored is not None and stored.state != AgreementState.DRAFT:
                self._refuse_frozen_change(stored)
            elif stored is not None and self.state not in (
                AgreementState.DRAFT,
                *ALLOWED_MOVES[AgreementState.DRAFT],
            ):
                raise AgreementStateError(AGREEMENT_SKIPS_APPROVAL)
        super().save(*args, **kwargs)

    def _refuse_frozen_change(self, stored: Agreement) -> None:
        message = AGREEMENT_FROZEN if stored.is_approved else AGREEMENT_NOT_DRAFT
        for field in self._meta.concrete_fields:
            if field.name in MOVING_FIELDS or field.name == "signed_scan":
                continue
            # The parties who approve a submitted version are the current ones: its list of
            # parties follows them (agreement_parties_changed); nothing else of it changes.
            if (
                field.name == "snapshot"
                and stored.state == AgreementState.PENDING
                and _without_parties(self.snapshot) == _without_parties(stored.snapshot)
            ):
                continue
            if field.value_from_object(self) != field.value_from_object(stored):
                raise AgreementFrozen(message)
        if self.state != stored.state and self.state not in ALLOWED_MOVES.get(stored.state, ()):
            raise AgreementFrozen(message)
        if stored.signed_scan and self.signed_scan.name != stored.signed_scan.name:
            raise AgreementFrozen(message)
        if stored.is_approved and (
            self.submission_round != stored.submission_round
            or self.submitted_at != stored.submitted_at
            or self.in_force_at != stored.in_force_at
        ):
            raise AgreementFrozen(message)

    def delete(self, *args, **kwargs):
        if self.pk and Agreement.objects.filter(pk=self.pk, state__in=APPROVED_STATES).exists():
            raise AgreementFrozen(AGREEMENT_FROZEN)
        return super().delete(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.state in APPROVED_STATES

    @property
    def clauses(self) -> list[tuple[str, str, str]]:
        """(field, heading, text) of every clause, in the document's order."""
        return [(name, label, getattr(self, name)) for name, label in CLAUSES]


class AgreementApproval(models.Model):
    """One party's decision on a submitted version, for one submission round.

    A refusal sends the version back to draft; its decisions stay as history, and the next
    submission is a new round where every party decides again.
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="approvals"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreement_approvals",
    )
    round = models.PositiveSmallIntegerField(_("submission round"))
    decision = models.CharField(_("decision"), max_length=10, choices=ApprovalDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(
        _("name"),
        max_length=300,
        help_text=_("The name of the person who decided, as it was then."),
    )
    at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "round", "at", "pk"]
        verbose_name = _("agreement decision")
        verbose_name_plural = _("agreement decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation", "round"],
                name="agreement_approval_once_per_round",
                violation_error_message=_("This organisation has already decided on this version."),
            ),
            models.CheckConstraint(
                condition=Q(decision__in=ApprovalDecision.values),
                name="agreement_approval_decision_valid",
                violation_error_message=_("Choose a value from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(decision=ApprovalDecision.REFUSE) | ~Q(reason=""),
                name="agreement_refusal_has_reason",
                violation_error_message=_("A refusal gives its reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_decision_display()} ({self.agreement})"


REPRESENTATIVE_FROZEN = _(
    "This version has left the draft: the representatives it names can no longer change."
)


class AgreementRepresentativeQuerySet(models.QuerySet):
    """``update()`` and ``delete()`` keep the rule of ``save()``: only a draft's change."""

    def _refuse_unless_drafts(self) -> None:
        if self.exclude(agreement__state=AgreementState.DRAFT).exists():
            raise AgreementStateError(REPRESENTATIVE_FROZEN)

    def update(self, **kwargs):
        self._refuse_unless_drafts()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_unless_drafts()
        return super().delete()


class AgreementRepresentative(models.Model):
    """Who signs a version for one party, and in what capacity ("Directrice", "Président").

    Stored with the version, not with the organisation: the signed document keeps the names it
    was signed with. Each party names its own while the version is a draft; then it is frozen.
    """

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="representatives",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreement_representatives",
    )
    name = models.CharField(_("representative's name"), max_length=200)
    capacity = models.CharField(
        _("capacity"),
        max_length=200,
        help_text=_("The representative's position, as the signature shows it, e.g. Director."),
    )

    history = HistoricalRecords()

    objects = AgreementRepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "organisation__name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="agreement_representative_once_per_party",
                violation_error_message=_("This party already names its representative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.capacity} ({self.organisation})"

    def save(self, *args, **kwargs) -> None:
        self._refuse_unless_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_unless_draft()
        return super().delete(*args, **kwargs)

    def _refuse_unless_draft(self) -> None:
        versions = Agreement.objects.filter(pk=self.agreement_id)
        if versions.exclude(state=AgreementState.DRAFT).exists():
            raise AgreementStateError(REPRESENTATIVE_FROZEN)
