from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    CONCERN_CATEGORY_CHOICES,
    INTENSITY_MAX,
    INTENSITY_MIN,
    AssessmentKind,
    CommitmentStatus,
    ConcernKind,
    ConcernStatus,
    ExportFormat,
    ExportKind,
    ExportStatus,
    FearCategory,
    Invitation,
    Level,
    PartnershipStatus,
    PartyRole,
    PleasureCategory,
    ReminderKind,
    ResistanceCategory,
    ReviewCadence,
    ReviewStatus,
    Scope,
    Visibility,
    concern_category_label,
)
from .exceptions import ReviewFrozen
from .querysets import (
    CommitmentQuerySet,
    ConcernQuerySet,
    ExportJobQuerySet,
    LevelAssessmentQuerySet,
    PartnershipQuerySet,
    PartyQuerySet,
    ReviewQuerySet,
)


def _author_field() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


def _version_field() -> models.PositiveIntegerField:
    """Counts the saves: an edit echoes the version it read, and a stale one is refused."""
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


def _choice_constraint(field: str, choices: type[models.Choices], name: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=name,
        violation_error_message=_("Choose a value from the list."),
    )


class AppendOnlyModel(models.Model):
    """History rows: recorded once, never edited; a correction is a new row."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(
                _("This entry is part of the history and cannot be changed; record a new one.")
            )
        super().save(*args, **kwargs)


class Partnership(models.Model):
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.PROPOSED,
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    review_cadence = models.PositiveSmallIntegerField(
        _("review cadence"), choices=ReviewCadence.choices, default=ReviewCadence.QUARTERLY
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    scope = models.CharField(
        _("scope"),
        max_length=10,
        choices=Scope.choices,
        default=Scope.EXTERNAL,
        editable=False,
        help_text=_("Worked out from the parties: internal when they all belong to one system."),
    )
    version = _version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            _choice_constraint("status", PartnershipStatus, "partnership_status_valid"),
            _choice_constraint("scope", Scope, "partnership_scope_valid"),
            _choice_constraint("review_cadence", ReviewCadence, "partnership_cadence_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="partnership_ends_after_start",
                violation_error_message=_("The end date cannot come before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "next_review_on"])]

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    """An organisation's place in a partnership; it counts once the organisation accepted."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER
    )
    contribution = models.TextField(_("what it brings"), blank=True)
    invitation = models.CharField(
        _("invitation"), max_length=10, choices=Invitation.choices, default=Invitation.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = PartyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "organisation__name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="party_one_per_organisation",
                violation_error_message=_("This organisation is already a party."),
            ),
            _choice_constraint("role", PartyRole, "party_role_valid"),
            _choice_constraint("invitation", Invitation, "party_invitation_valid"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="party_leaves_after_joining",
                violation_error_message=_("A party cannot leave before it joined."),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "invitation"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.partnership}"


class LevelAssessment(AppendOnlyModel):
    """One entry of the level log: agreed together, perceived by one party, or the target.

    The current value of each kind is its latest entry; nothing is overwritten.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="level_assessments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="level_assessments",
        help_text=_("The party whose perception this is; only for perceived levels."),
    )
    wished_level = models.PositiveSmallIntegerField(
        _("level wished for"),
        choices=Level.choices,
        null=True,
        blank=True,
        help_text=_("With a perceived level: where this party would like the partnership to be."),
    )
    assessed_on = models.DateField(_("date"), default=timezone.localdate)
    rationale = models.TextField(_("rationale"), blank=True)
    review = models.ForeignKey(
        "Review",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="level_assessments",
    )
    author = _author_field()
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LevelAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]
        verbose_name = _("level assessment")
        verbose_name_plural = _("level assessments")
        constraints = [
            _choice_constraint("kind", AssessmentKind, "level_assessment_kind_valid"),
            models.CheckConstraint(
                condition=Q(level__gte=Level.SERVICE, level__lte=Level.FUSION),
                name="level_assessment_level_1_to_7",
                violation_error_message=_("A level is a number from 1 to 7."),
            ),
            models.CheckConstraint(
                condition=Q(wished_level__isnull=True)
                | Q(
                    kind=AssessmentKind.PERCEIVED,
                    wished_level__gte=Level.SERVICE,
                    wished_level__lte=Level.FUSION,
                ),
                name="level_assessment_wished_level_1_to_7_and_perceived",
                violation_error_message=_(
                    "A wished level goes with a perceived level, from 1 to 7."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind=AssessmentKind.PERCEIVED, party__isnull=False)
                | (~Q(kind=AssessmentKind.PERCEIVED) & Q(party__isnull=True)),
                name="level_assessment_perceived_names_its_party",
                violation_error_message=_(
                    "A perceived level names the party that perceives it; "
                    "agreed and target levels belong to no single party."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "kind", "assessed_on"]),
            models.Index(fields=["party", "kind", "assessed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_level_display()} ({self.assessed_on})"

    def clean(self) -> None:
        super().clean()
        if (
            self.party_id
            and self.partnership_id
            and self.party.partnership_id != self.partnership_id
        ):
            raise ValidationError({"party": _("This party belongs to another partnership.")})
        if (
            self.review_id
            and self.partnership_id
            and self.review.partnership_id != self.partnership_id
        ):
            raise ValidationError({"review": _("This review belongs to another partnership.")})


class Responsibility(models.Model):
    """Who does what."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="responsibilities"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "party__organisation__name", "title"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        _check_same_partnership(self, "party")


class Commitment(models.Model):
    """What one party committed to, by when."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="commitments"
    )
    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PLANNED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    review = models.ForeignKey(
        "Review",
        verbose_name=_("agreed at review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    version = _version_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            _choice_constraint("status", CommitmentStatus, "commitment_status_valid"),
            models.CheckConstraint(
                condition=Q(status=CommitmentStatus.DONE, completed_on__isnull=False)
                | (~Q(status=CommitmentStatus.DONE) & Q(completed_on__isnull=True)),
                name="commitment_completed_on_iff_done",
                violation_error_message=_(
                    "A completion date is given when, and only when, the commitment is done."
                ),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        _check_same_partnership(self, "party")


class Concern(models.Model):
    """A fear to tame or a resistance to overcome, raised by one party."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="concerns",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ConcernKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=CONCERN_CATEGORY_CHOICES)
    description = models.TextField(_("description"))
    raised_by = models.ForeignKey(
        Party, verbose_name=_("raised by"), on_delete=models.CASCADE, related_name="concerns"
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    response = models.TextField(_("response plan"), blank=True)
    version = _version_field()
    author = _author_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "kind", "category", "pk"]
        verbose_name = _("fear or resistance")
        verbose_name_plural = _("fears and resistances")
        constraints = [
            _choice_constraint("kind", ConcernKind, "concern_kind_valid"),
            _choice_constraint("visibility", Visibility, "concern_visibility_valid"),
            _choice_constraint("status", ConcernStatus, "concern_status_valid"),
            models.CheckConstraint(
                condition=Q(kind=ConcernKind.FEAR, category__in=FearCategory.values)
                | Q(kind=ConcernKind.RESISTANCE, category__in=ResistanceCategory.values),
                name="concern_category_matches_kind",
                violation_error_message=_("This category does not belong to this kind of concern."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.category_label}"

    @property
    def category_label(self) -> str:
        return concern_category_label(self.kind, self.category)

    def clean(self) -> None:
        super().clean()
        _check_same_partnership(self, "raised_by")


class ConcernCheck(AppendOnlyModel):
    """The intensity of a concern on a date (0 = gone): the series is the concern's history."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("concern"), on_delete=models.CASCADE, related_name="checks"
    )
    intensity = models.PositiveSmallIntegerField(_("intensity"))
    checked_on = models.DateField(_("date"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)
    review = models.ForeignKey(
        "Review",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concern_checks",
    )
    author = _author_field()
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-checked_on", "-pk"]
        get_latest_by = ["checked_on", "pk"]
        verbose_name = _("concern check")
        verbose_name_plural = _("concern checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity__gte=INTENSITY_MIN, intensity__lte=INTENSITY_MAX),
                name="concern_check_intensity_0_to_5",
                violation_error_message=_("Intensity is a number from 0 (gone) to 5."),
            ),
        ]
        indexes = [models.Index(fields=["concern", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.concern}: {self.intensity}/5 ({self.checked_on})"


class Benefit(models.Model):
    """A pleasure the partnership demonstrated, with its evidence."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="benefits",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("noted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benefits",
    )
    category = models.CharField(_("pleasure"), max_length=20, choices=PleasureCategory.choices)
    description = models.TextField(_("description"))
    evidence = models.TextField(_("evidence"), blank=True)
    observed_on = models.DateField(_("observed on"), default=timezone.localdate)
    author = _author_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("pleasure demonstrated")
        verbose_name_plural = _("pleasures demonstrated")
        constraints = [_choice_constraint("category", PleasureCategory, "benefit_category_valid")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.observed_on})"

    def clean(self) -> None:
        super().clean()
        _check_same_partnership(self, "party")


REVIEW_FROZEN = _(
    "This review is closed and its record is frozen; link corrections to the next one."
)


class Review(models.Model):
    """A periodic review meeting of the parties; frozen once closed."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="reviews"
    )
    scheduled_on = models.DateField(_("planned for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="reviews"
    )
    guests = models.TextField(_("other guests"), blank=True)
    agenda = models.TextField(
        _("other agenda items"),
        blank=True,
        help_text=_("Added to the agenda the tool builds from what changed since the last review."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    open_items = models.TextField(
        _("questions left open"),
        blank=True,
        help_text=_("They come back on the agenda of the next review."),
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    record = models.JSONField(
        _("record as closed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Levels, checks and commitments as they stood when the review was closed."),
    )
    version = _version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_on", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            _choice_constraint("status", ReviewStatus, "review_status_valid"),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.PLANNED) | Q(held_on__isnull=False),
                name="review_held_has_date",
                violation_error_message=_("A review that was held needs the date it was held."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.CLOSED) | Q(closed_at__isnull=False),
                name="review_closed_has_time",
                violation_error_message=_("A closed review records when it was closed."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "scheduled_on"])]

    def __str__(self) -> str:
        return f"{self.partnership} · {self.scheduled_on}"

    def save(self, *args, **kwargs) -> None:
        """A closed review is frozen, whatever path tries to change it (UI, API, admin, shell)."""
        if self.pk and Review.objects.filter(pk=self.pk, closed_at__isnull=False).exists():
            raise ReviewFrozen(REVIEW_FROZEN)
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED

    @property
    def is_revealed(self) -> bool:
        """Blind ratings recorded for this review are visible to every party once it is held."""
        return self.status in (ReviewStatus.HELD, ReviewStatus.CLOSED)


class Reminder(models.Model):
    """One e-mail that was sent: a reminder or a digest, to one person, for one period.

    The unique constraint is what makes the reminder tasks idempotent: a task claims a row
    before it sends, so a second run (or a retry, or a second worker) for the same period finds
    the row taken and sends nothing. ``object_id`` names the review's partnership, the
    commitment, or the recipient for a digest; ``period`` says which occurrence it was.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    object_id = models.PositiveBigIntegerField(_("about"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    period = models.CharField(_("period"), max_length=40)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "recipient", "period"],
                name="reminder_once_per_recipient_and_period",
            ),
            _choice_constraint("kind", ReminderKind, "reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} → {self.recipient} ({self.period})"


def export_path(job: ExportJob, filename: str) -> str:
    """Exports are kept apart by organisation, under a name nobody can guess."""
    import uuid

    extension = filename.rsplit(".", 1)[-1]
    return f"exports/{job.organisation_id}/{uuid.uuid4().hex}.{extension}"


class ExportJob(models.Model):
    """A file built in the background for one organisation, downloaded by its members only.

    ``params`` are the list's filters as they were when it was asked for; ``language`` is the
    one the column titles and labels are written in.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(
        _("content"), max_length=20, choices=ExportKind.choices, default=ExportKind.PARTNERSHIPS
    )
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to=export_path, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            _choice_constraint("kind", ExportKind, "export_job_kind_valid"),
            _choice_constraint("file_format", ExportFormat, "export_job_format_valid"),
            _choice_constraint("status", ExportStatus, "export_job_status_valid"),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_file_format_display()}), {self.created_at}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)

    @property
    def download_name(self) -> str:
        stamp = timezone.localtime(self.created_at).strftime("%Y-%m-%d-%H%M")
        return f"{self.kind}-{self.organisation.slug}-{stamp}.{self.file_format}"


def _check_same_partnership(obj: models.Model, party_field: str) -> None:
    party = getattr(obj, party_field, None)
    if party is not None and obj.partnership_id and party.partnership_id != obj.partnership_id:
        raise ValidationError({party_field: _("This party belongs to another partnership.")})


# Agreements live in their own module (this one is long enough); importing them here is what
# makes them models of this app.
from .agreements.models import Agreement, AgreementApproval  # noqa: E402, F401
