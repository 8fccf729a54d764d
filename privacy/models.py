"""An organisation's archive on demand: built in the background, kept a few days."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


def archive_path(archive: OrganisationArchive, filename: str) -> str:
    """Kept apart by organisation, under a name nobody can guess (MEDIA_ROOT is never served)."""
    return f"archives/{archive.organisation_id}/{uuid.uuid4().hex}.json"


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class OrganisationArchiveQuerySet(models.QuerySet):
    def downloadable(self) -> OrganisationArchiveQuerySet:
        """Prepared, with its file still kept (the same rule as ``is_downloadable``)."""
        return self.filter(status=ArchiveStatus.DONE).exclude(file="")


class OrganisationArchive(models.Model):
    """What ``export_organisation`` writes, asked for by one of the organisation's
    administrators and downloaded by its administrators only (it lists the members)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="archives",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to=archive_path, blank=True, max_length=200)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = OrganisationArchiveQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organisation archive")
        verbose_name_plural = _("organisation archives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ArchiveStatus.values),
                name="organisation_archive_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_downloadable(self) -> bool:
        """Prepared, with its file still kept (the page offers the link; the download view
        reads ``objects.downloadable()``)."""
        return self.status == ArchiveStatus.DONE and bool(self.file)


class LeaveRequest(models.Model):
    """An organisation asks to leave the platform: its administrators confirm, staff act.

    Staff see the requests in the admin (*Requests to leave the platform*) and carry them out
    (deactivating the organisation; its people may erase their accounts themselves)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request to leave the platform")
        verbose_name_plural = _("requests to leave the platform")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(handled_at__isnull=True),
                name="leave_request_one_pending_per_organisation",
                violation_error_message=_("This organisation has already asked to leave."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.created_at:%Y-%m-%d}"


class DormantOrganisation(Organisation):
    """The admin's report of organisations left unused (``privacy.dormant``): a view on the
    organisations, no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("dormant organisation")
        verbose_name_plural = _("dormant organisations")


def personal_export_path(export: PersonalExport, filename: str) -> str:
    """Under a name nobody can guess (MEDIA_ROOT is never served: the app's view checks)."""
    return f"personal-exports/{uuid.uuid4().hex}.json"


class PersonalExport(models.Model):
    """A person's own data, built in the background when it is large (``privacy.export``);
    only that person downloads it, until the retention of export files deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="personal_exports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to=personal_export_path, blank=True, max_length=200)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export of one's own data")
        verbose_name_plural = _("exports of one's own data")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ArchiveStatus.values),
                name="personal_export_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"
