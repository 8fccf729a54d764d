"""What parties record in a partnership: levels, responsibilities, commitments, concerns and
their checks, benefits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date_in_range
from core.typography import punctuation
from partnerships.choices import (
    CONCERN_CATEGORY_CHOICES,
    INTENSITY_MAX,
    INTENSITY_MIN,
    AssessmentKind,
    CommitmentStatus,
    ConcernKind,
    ConcernStatus,
    FearCategory,
    Level,
    PleasureCategory,
    ResistanceCategory,
    Visibility,
    concern_category_label,
)
from partnerships.models.base import (
    AppendOnlyModel,
    LiveManager,
    SoftDeletable,
    author_field,
    check_same_partnership,
    choice_constraint,
    version_field,
)
from partnerships.models.partnerships import Partnership, Party

from .querysets import (
    CommitmentQuerySet,
    ConcernQuerySet,
    LevelAssessmentQuerySet,
)


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
    assessed_on = models.DateField(
        _("date"), default=timezone.localdate, validators=[validate_date_in_range]
    )
    rationale = models.TextField(_("rationale"), blank=True)
    review = models.ForeignKey(
        "Review",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="level_assessments",
    )
    author = author_field()
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LevelAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]
        verbose_name = _("level assessment")
        verbose_name_plural = _("level assessments")
        constraints = [
            choice_constraint("kind", AssessmentKind, "level_assessment_kind_valid"),
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
            # The levels report reads every partnership's agreed entries in order: PostgreSQL
            # reads them from this index alone instead of scanning the whole log.
            models.Index(
                fields=["partnership", "assessed_on", "id", "level"],
                condition=Q(kind=AssessmentKind.AGREED),
                name="level_agreed_in_order_idx",
            ),
        ]

    def __str__(self) -> str:
        kind, level = self.get_kind_display(), self.get_level_display()
        return f"{kind}{punctuation(':')} {level} ({self.assessed_on})"

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


class Responsibility(SoftDeletable):
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
        check_same_partnership(self, "party")


class Commitment(SoftDeletable):
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
    due_on = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PLANNED,
    )
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, validators=[validate_date_in_range]
    )
    review = models.ForeignKey(
        "Review",
        verbose_name=_("agreed at review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    version = version_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LiveManager.from_queryset(CommitmentQuerySet)()
    all_objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            choice_constraint("status", CommitmentStatus, "commitment_status_valid"),
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
        check_same_partnership(self, "party")


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
    version = version_field()
    author = author_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "kind", "category", "pk"]
        verbose_name = _("fear or resistance")
        verbose_name_plural = _("fears and resistances")
        constraints = [
            choice_constraint("kind", ConcernKind, "concern_kind_valid"),
            choice_constraint("visibility", Visibility, "concern_visibility_valid"),
            choice_constraint("status", ConcernStatus, "concern_status_valid"),
            models.CheckConstraint(
                condition=Q(kind=ConcernKind.FEAR, category__in=FearCategory.values)
                | Q(kind=ConcernKind.RESISTANCE, category__in=ResistanceCategory.values),
                name="concern_category_matches_kind",
                violation_error_message=_("This category does not belong to this kind of concern."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{punctuation(':')} {self.category_label}"

    @property
    def category_label(self) -> str:
        return concern_category_label(self.kind, self.category)

    @property
    def is_private(self) -> bool:
        """Seen only by the organisation that raised it (``policy.visible_concerns``)."""
        return self.visibility == Visibility.PRIVATE

    def clean(self) -> None:
        super().clean()
        check_same_partnership(self, "raised_by")


class ConcernCheck(AppendOnlyModel):
    """The intensity of a concern on a date (0 = gone): the series is the concern's history."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("concern"), on_delete=models.CASCADE, related_name="checks"
    )
    intensity = models.PositiveSmallIntegerField(_("intensity"))
    checked_on = models.DateField(
        _("date"), default=timezone.localdate, validators=[validate_date_in_range]
    )
    note = models.TextField(_("note"), blank=True)
    review = models.ForeignKey(
        "Review",
        verbose_name=_("review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concern_checks",
    )
    author = author_field()
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
        indexes = [
            models.Index(fields=["concern", "checked_on"]),
            # The reports read a few days of checks of every partnership by their date.
            models.Index(fields=["checked_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.concern}{punctuation(':')} {self.intensity}/5 ({self.checked_on})"


class Benefit(SoftDeletable):
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
    observed_on = models.DateField(
        _("observed on"), default=timezone.localdate, validators=[validate_date_in_range]
    )
    author = author_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_on", "-pk"]
        verbose_name = _("pleasure demonstrated")
        verbose_name_plural = _("pleasures demonstrated")
        constraints = [choice_constraint("category", PleasureCategory, "benefit_category_valid")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.observed_on})"

    def clean(self) -> None:
        super().clean()
        check_same_partnership(self, "party")
