"""The questionnaire every party's members answer before a review, anonymously.

Three tables, kept apart on purpose:

- ``Questionnaire``: one per planned review, with its closing date and the questions asked
  (the concerns and the partnership's own questions, copied when it opens);
- ``Respondent``: who has answered, for which party (counts and reminders) — never what;
- ``Answer``: what was answered, for which party, under a keyed hash of the person and the
  questionnaire (``QUESTIONNAIRE_SECRET``) so that a person finds their answers again to change
  them until closing. No person column, no timestamps, random ids (nothing to line up with
  the respondents' order) and no change history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_date_in_range
from partnerships.models.base import choice_constraint
from partnerships.models.partnerships import Partnership, Party
from partnerships.models.reviews import Review

MAX_CUSTOM_QUESTIONS = 5


class CustomQuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale from 1 to 5")
    CHOICE = "choice", _("Choice among options")
    TEXT = "text", _("Free text")


class CustomQuestion(models.Model):
    """A question a partnership's coordinators add to the built-in ones (five at most)."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="custom_questions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CustomQuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_("For a choice: the options, one per line."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("questionnaire question")
        verbose_name_plural = _("questionnaire questions")
        constraints = [choice_constraint("kind", CustomQuestionKind, "custom_question_kind_valid")]

    def __str__(self) -> str:
        return self.text


class Questionnaire(models.Model):
    """The questionnaire of one review: open until its closing date, closed early by a
    coordinator, or closed when the review is held."""

    review = models.OneToOneField(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="questionnaire"
    )
    closes_on = models.DateField(
        _("closes on"),
        validators=[validate_date_in_range],
        help_text=_("Answers are taken until the end of this day."),
    )
    questions = models.JSONField(
        _("questions asked"),
        default=dict,
        editable=False,
        help_text=_("The concerns and the partnership's own questions as they were at opening."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return str(self.review)

    @property
    def is_closed(self) -> bool:
        """Closed by a coordinator or the review being held, or past its closing date."""
        return self.closed_at is not None or self.closes_on < timezone.localdate()

    @property
    def is_open(self) -> bool:
        return not self.is_closed


class Respondent(models.Model):
    """Who has answered, and for which party: for counts and reminders, never linked to the
    answers."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="respondents",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "user"], name="respondent_once_per_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.party}"


class Answer(models.Model):
    """One answer to one question, for one party. No person column: the keyed hash of the
    person and the questionnaire finds a person's answers again, and only with the secret."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="+"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("keyed hash"), max_length=64, editable=False)
    question = models.CharField(_("question"), max_length=40)
    value = models.JSONField(_("value"), validators=[MaxLengthValidator(4000)])

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "key", "question"], name="answer_once_per_question"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="answer_has_key"),
        ]
        indexes = [models.Index(fields=["questionnaire", "party", "question"])]

    def __str__(self) -> str:
        return self.question


class AskedMember(models.Model):
    """The members a party's coordinators chose to ask (a party without any row asks all its
    members). Stored apart from the answers, like ``Respondent``: it says who may answer,
    never what was answered."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="asked_members",
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("member asked")
        verbose_name_plural = _("members asked")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "party", "user"], name="asked_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.party}"
