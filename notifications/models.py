"""What each person was told (``Notification``) and how they want to be told of each kind
(``NotificationPreference``).

A notification is stored once per event and recipient (``event_key``): telling the same event
twice, or running the e-mail task again, adds nothing. Its text is not stored: the kind and its
``params`` are, and the text is written at reading time in the reader's language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel
from .querysets import NotificationQuerySet


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The organisation the recipient is told as (None: about the person, e.g. an invitation to
    # join one). Its members only see it while they still belong to it.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500)
    event_key = models.CharField(_("event"), max_length=200)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"

    @property
    def text(self) -> str:
        """What happened, in the active language."""
        from .kinds import render_text

        return render_text(self.kind, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice for one kind; without one, the kind's default channel applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="notification_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.channel}"
