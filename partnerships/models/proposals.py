"""A level proposed by one party outside a review, and each other party's answer to it.

The level agreed together is recorded at a held review, or proposed here: it becomes the agreed
level (a new entry of the level log) once every other party taking part has confirmed it; a
refusal ends it and the agreed level stays what it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.choices import Level, ProposalAnswer, ProposalState
from partnerships.models.base import author_field, check_same_partnership, choice_constraint
from partnerships.models.partnerships import Partnership, Party


class LevelProposal(models.Model):
    """An agreed level proposed by one party; at most one is pending per partnership."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="level_proposals",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    proposed_by = models.ForeignKey(
        Party,
        verbose_name=_("proposed by"),
        on_delete=models.CASCADE,
        related_name="level_proposals",
    )
    author = author_field()
    state = models.CharField(
        _("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    assessment = models.OneToOneField(
        "LevelAssessment",
        verbose_name=_("entry of the level log"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        help_text=_("The agreed level recorded once every party confirmed."),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("level proposal")
        verbose_name_plural = _("level proposals")
        constraints = [
            choice_constraint("state", ProposalState, "level_proposal_state_valid"),
            models.CheckConstraint(
                condition=Q(level__gte=Level.SERVICE, level__lte=Level.FUSION),
                name="level_proposal_level_1_to_7",
                violation_error_message=_("A level is a number from 1 to 7."),
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(state=ProposalState.PENDING),
                name="level_proposal_one_pending",
                violation_error_message=_("This partnership already has a level proposal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.get_state_display()} ({self.partnership})"

    def clean(self) -> None:
        super().clean()
        check_same_partnership(self, "proposed_by")

    @property
    def is_pending(self) -> bool:
        return self.state == ProposalState.PENDING


class LevelProposalAnswer(models.Model):
    """One other party's answer to a proposal: asked (pending), confirmed or refused."""

    proposal = models.ForeignKey(
        LevelProposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.CASCADE,
        related_name="level_proposal_answers",
    )
    state = models.CharField(
        _("answer"), max_length=10, choices=ProposalAnswer.choices, default=ProposalAnswer.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "party__organisation__name", "pk"]
        verbose_name = _("answer to a level proposal")
        verbose_name_plural = _("answers to level proposals")
        constraints = [
            choice_constraint("state", ProposalAnswer, "level_proposal_answer_state_valid"),
            models.UniqueConstraint(
                fields=["proposal", "party"],
                name="level_proposal_answer_once_per_party",
                violation_error_message=_("This party has already been asked."),
            ),
            models.CheckConstraint(
                condition=Q(state=ProposalAnswer.PENDING, answered_at__isnull=True)
                | (~Q(state=ProposalAnswer.PENDING) & Q(answered_at__isnull=False)),
                name="level_proposal_answer_dated",
                violation_error_message=_("An answer carries its date; a question does not."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} · {self.get_state_display()}"
