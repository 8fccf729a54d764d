"""What the models share: the author and version fields, choice constraints, append-only rows."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def author_field() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


def version_field() -> models.PositiveIntegerField:
    """Counts the saves: an edit echoes the version it read, and a stale one is refused."""
    return models.PositiveIntegerField(_("version"), default=1, editable=False)


def choice_constraint(field: str, choices: type[models.Choices], name: str):
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


def check_same_partnership(obj: models.Model, party_field: str) -> None:
    party = getattr(obj, party_field, None)
    if party is not None and obj.partnership_id and party.partnership_id != obj.partnership_id:
        raise ValidationError({party_field: _("This party belongs to another partnership.")})
