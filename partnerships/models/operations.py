"""Bookkeeping of background work: the reminders sent, the export files built."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.choices import (
    ExportFormat,
    ExportKind,
    ExportStatus,
    ImportStatus,
    ReminderKind,
)
from partnerships.models.base import (
    choice_constraint,
)

from .querysets import (
    ExportJobQuerySet,
)


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
            choice_constraint("kind", ReminderKind, "reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} → {self.recipient} ({self.period})"


def export_path(job: ExportJob, filename: str) -> str:
    """Exports are kept apart by organisation, under a name nobody can guess."""
    import uuid

    extension = filename.rsplit(".", 1)[-1]
    return f"exports/{job.organisation_id}/{uuid.uuid4().hex}.{extension}"


# Why an export was failed by the check of stuck jobs: kept for the admin (in English); its page
# says it plainly in the reader's language.
WORKER_STOPPED = "The worker building it stopped: no sign of life for three minutes."
NEVER_STARTED = "No worker took it up within fifteen minutes."


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
    # Written by the running task every few seconds: a job silent for a few minutes lost its
    # worker (partnerships.services.exports.exports_fail_stuck).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            choice_constraint("kind", ExportKind, "export_job_kind_valid"),
            choice_constraint("file_format", ExportFormat, "export_job_format_valid"),
            choice_constraint("status", ExportStatus, "export_job_status_valid"),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_file_format_display()}), {self.created_at}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)

    @property
    def worker_lost(self) -> bool:
        """Failed because its worker stopped or never took it up (not because of its data)."""
        return self.error in (WORKER_STOPPED, NEVER_STARTED)

    @property
    def download_name(self) -> str:
        stamp = timezone.localtime(self.created_at).strftime("%Y-%m-%d-%H%M")
        return f"{self.kind}-{self.organisation.slug}-{stamp}.{self.file_format}"


class ImportJob(models.Model):
    """A spreadsheet of partnerships an organisation imports: read once, previewed, confirmed.

    The file's cells are kept as text (``headers``, ``rows``: dates as ISO strings) with the
    ``mapping`` of its columns to fields, so the preview and the confirmation read the same
    thing; ``preview`` is what each row would do, ``result`` the counts once confirmed.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file"), max_length=255, blank=True)
    headers = models.JSONField(_("column titles"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.ANALYSING
    )
    preview = models.JSONField(_("preview"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # A large import is confirmed by a worker: who confirmed it and with which options.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirm_options = models.JSONField(_("confirmation options"), default=dict, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [choice_constraint("status", ImportStatus, "import_job_status_valid")]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()}), {self.created_at}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.ANALYSING, ImportStatus.CONFIRMING)
