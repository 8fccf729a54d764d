"""Background exports: the filtered partnership list as CSV or XLSX, built by a worker.

A background export is an ``ExportJob`` of one organisation: the file is kept ``KEEP_DAYS``
days, served to that organisation's members only, then deleted by the nightly clean-up. The
columns and file formats are in ``partnerships.reads.tables``.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.retry import TRANSIENT_ERRORS
from partnerships import policy
from partnerships.choices import ExportFormat, ExportKind, ExportStatus
from partnerships.models import ExportJob
from partnerships.models.operations import NEVER_STARTED, WORKER_STOPPED
from partnerships.reads.tables import FILTER_PARAMS, csv_file, partnership_table, xlsx_file

if TYPE_CHECKING:
    from organisations.models import Organisation, User

logger = logging.getLogger(__name__)

KEEP_DAYS = 7
# An export still unfinished after this long was lost (worker stopped mid-way): say so, so the
# page stops waiting and the person can ask again.
STUCK_AFTER = datetime.timedelta(hours=1)
# A running export writes its heartbeat at least this often (between rows and before saving)...
HEARTBEAT_EVERY = datetime.timedelta(seconds=15)
# ...so one silent for this long lost its worker. Checked every minute (beat) and on each poll of
# its page: a killed export says it failed within about four minutes.
SILENT_AFTER = datetime.timedelta(minutes=3)
# A job no worker took up within this long waits for a worker that is not running, or its
# message was lost with the broker.
UNSTARTED_AFTER = datetime.timedelta(minutes=15)


BUILDERS = {ExportKind.PARTNERSHIPS: partnership_table}
WRITERS = {ExportFormat.CSV: csv_file, ExportFormat.XLSX: xlsx_file}


# --- Background jobs ----------------------------------------------------------------------
def clean_params(params) -> dict[str, str]:
    """Only the list's own filters, as plain strings (kept as JSON with the job).

    A NUL character is refused before anything is stored: PostgreSQL's JSON cannot hold it.
    """
    cleaned = {key: str(params.get(key)).strip() for key in FILTER_PARAMS if params.get(key)}
    if any("\x00" in value for value in cleaned.values()):
        raise ValidationError(_("The list's filters hold a character that is not allowed."))
    return cleaned


@transaction.atomic
def export_request(
    *,
    actor: User,
    organisation: Organisation,
    file_format: str,
    params,
    language: str,
    kind: str = ExportKind.PARTNERSHIPS,
) -> ExportJob:
    """Record an export for the organisation; it is built once this transaction commits.

    Enqueued after the commit so the worker never looks for a job that is not saved yet.
    """
    policy.require_organisation_writer(policy.Actor.of(actor, organisation))
    job = ExportJob.objects.create(
        organisation=organisation,
        requested_by=actor,
        kind=kind,
        file_format=file_format,
        params=clean_params(params),
        language=language,
    )
    from partnerships.tasks import export_report  # the tasks module imports this one

    # robust: a broker that is down must not turn the saved request into an error page; the
    # job then stays pending until the outbox sweep asks for it again (exports_waiting).
    # (A lambda, not functools.partial: Django names the callback in the log of a robust
    # failure by its __qualname__, which a partial lacks; the page then failed with a 500.)
    job_id = job.pk
    transaction.on_commit(lambda: export_report.delay(job_id), robust=True)
    return job


def may_read(user: User | None, organisation: Organisation) -> bool:
    """Whether the person who asked may still read the organisation's partnerships."""
    return policy.Actor.of(user, organisation).is_member


def export_fail(job_id: int, error: str) -> None:
    """Mark an unfinished export as failed, with the reason for the admin."""
    ExportJob.objects.filter(
        pk=job_id, status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]
    ).update(status=ExportStatus.FAILED, error=error, finished_at=timezone.now())


def export_build(job_id: int) -> ExportJob | None:
    """Build the file of an export job, checking again that its requester may read the data.

    A job already finished (a message delivered twice) or deleted meanwhile is left alone.
    Transient errors are raised for the task to retry; any other error fails the job.
    """
    job = ExportJob.objects.select_related("organisation", "requested_by").filter(pk=job_id).first()
    if job is None or not job.in_progress:
        return job
    if not may_read(job.requested_by, job.organisation):
        export_fail(job.pk, "The person who asked is no longer a member of the organisation.")
        return job
    if not ExportJob.objects.filter(pk=job.pk, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    ):
        # Claimed by another delivery of the same request (asked again by the sweep below):
        # that one builds it.
        return job
    try:
        with translation.override(job.language):
            header, rows = BUILDERS[job.kind](job.organisation, job.params)
            content, count = WRITERS[job.file_format](header, beating(rows, job.pk))
        heartbeat(job.pk)
        job.file.save(f"{job.kind}.{job.file_format}", ContentFile(content), save=False)
    except TRANSIENT_ERRORS:
        # Given back, for the retry (or the sweep) to claim it again.
        ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.PENDING
        )
        raise
    except Exception as error:
        logger.exception("Export %s could not be built", job.pk)
        export_fail(job.pk, f"{type(error).__name__}: {error}")
        return job
    job.status = ExportStatus.DONE
    job.row_count = count
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "row_count", "finished_at"])
    return job


def heartbeat(job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def beating(rows, job_id: int, every: datetime.timedelta = HEARTBEAT_EVERY):
    """The rows, with a heartbeat of the job written at most every ``every`` while they go."""
    last = time.monotonic()
    for row in rows:
        if time.monotonic() - last >= every.total_seconds():
            heartbeat(job_id)
            last = time.monotonic()
        yield row


def exports_fail_stuck(now: datetime.datetime | None = None, jobs=None) -> int:
    """Fail the exports whose worker stopped (silent for ``SILENT_AFTER``) or that no worker
    took up (pending for ``UNSTARTED_AFTER``), so their page stops waiting and offers to try
    again. ``jobs`` narrows the check (one job, from its page). Returns how many were failed."""
    now = now or timezone.now()
    jobs = ExportJob.objects.all() if jobs is None else jobs
    silent = Q(heartbeat_at__lt=now - SILENT_AFTER) | Q(
        heartbeat_at__isnull=True, created_at__lt=now - SILENT_AFTER
    )
    stopped = jobs.filter(silent, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=WORKER_STOPPED, finished_at=now
    )
    unstarted = jobs.filter(
        status=ExportStatus.PENDING, created_at__lt=now - UNSTARTED_AFTER
    ).update(status=ExportStatus.FAILED, error=NEVER_STARTED, finished_at=now)
    if stopped or unstarted:
        logger.warning("Exports failed as stuck: %s stopped, %s never started", stopped, unstarted)
    return stopped + unstarted


def exports_waiting(now: datetime.datetime | None = None) -> list[int]:
    """The exports still pending ``OUTBOX_WAITING_SECONDS`` after they were asked for: their
    task never reached the broker (down at the time) or was lost. Asking again is safe: a build
    first claims the job (pending → running), so a second delivery does nothing."""
    now = now or timezone.now()
    return list(
        ExportJob.objects.filter(
            status=ExportStatus.PENDING, created_at__lt=now - waiting_after()
        ).values_list("pk", flat=True)[:100]
    )


def exports_delete_old(now: datetime.datetime | None = None) -> int:
    """Delete exports older than ``KEEP_DAYS`` with their files; fail the ones stuck.

    Returns how many exports were deleted. Running it twice deletes nothing more.
    """
    now = now or timezone.now()
    ExportJob.objects.filter(
        status__in=[ExportStatus.PENDING, ExportStatus.RUNNING], created_at__lt=now - STUCK_AFTER
    ).update(
        status=ExportStatus.FAILED,
        error="Not finished after an hour: the worker probably stopped.",
        finished_at=now,
    )
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=KEEP_DAYS)):
        if job.file:
            job.file.delete(save=False)  # the storage is not transactional: file first
        job.delete()
        deleted += 1
    return deleted


def waiting_after() -> datetime.timedelta:
    """A task not come this long after it was asked for never reached the broker."""
    from django.conf import settings

    return datetime.timedelta(seconds=settings.OUTBOX_WAITING_SECONDS)
