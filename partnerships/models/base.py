"""What the models share: the author and version fields, choice constraints, append-only rows,
records deleted for a while (undoable) before they are purged."""

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


# The change reasons of the history rows that mark a record deleted and undo that.
DELETED_REASON = "deleted"
RESTORED_REASON = "restored"


class LiveManager(models.Manager):
    """The records nobody deleted: every read goes through it (pages, API, exports, reports,
    reminders, health), so a record deleted for a while is gone everywhere at once."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeletable(models.Model):
    """A record people may delete: it is first marked deleted (``deleted_at``), so the party
    that deleted it can undo for a while (``settings.RECORD_UNDO_WINDOW``); a periodic task
    then purges it for good. ``objects`` sees only live records; ``all_objects`` sees all."""

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    deleted_by_party = models.ForeignKey(
        "partnerships.Party",
        verbose_name=_("deleted by the party"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = LiveManager()
    all_objects = models.Manager()  # noqa: DJ012 (a manager, read as a field by the rule)

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
