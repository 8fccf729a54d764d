"""Exports: the filtered partnership list as CSV or XLSX, directly or built in the background.

``partnership_table`` is the one definition of the columns, used by the list's direct CSV
download and by the background jobs. A background export is an ``ExportJob`` of one
organisation: the file is kept ``KEEP_DAYS`` days, served to that organisation's members only,
then deleted by the nightly clean-up.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from organisations.models import Membership
from organisations.permissions import require_writer

from . import policy
from .choices import ExportFormat, ExportKind, ExportStatus, Level
from .models import ExportJob

if TYPE_CHECKING:
    from organisations.models import Organisation, User

logger = logging.getLogger(__name__)

KEEP_DAYS = 7
# An export still unfinished after this long was lost (worker stopped mid-way): say so, so the
# page stops waiting and the person can ask again.
STUCK_AFTER = datetime.timedelta(hours=1)
FILTER_PARAMS = ("q", "status", "level", "scope", "partner", "sort")
# Worth a retry: the database or the file storage may answer next time. Anything else is a bug
# that a retry would only repeat.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


# --- The table ----------------------------------------------------------------------------
def partnership_table(organisation: Organisation, params) -> tuple[list[str], Iterable[list]]:
    """Column titles and rows of the organisation's list narrowed by ``params`` (its filters).

    Levels are numbers 1 to 7 with their labels beside them; dates stay dates.
    """
    # Imported here: the list view imports this module for its direct CSV download.
    from .views.listing import filtered_partnerships

    _form, partnerships = filtered_partnerships(organisation, params)
    header = [
        _("Title"),
        _("Status"),
        _("Scope"),
        _("Agreed level"),
        _("Agreed level (label)"),
        _("Target level"),
        _("Perception gap"),
        _("Agreement gap"),
        _("Parties"),
        _("Start date"),
        _("End date"),
        _("Next review"),
    ]
    rows = (
        [
            partnership.title,
            partnership.get_status_display(),
            partnership.get_scope_display(),
            partnership.agreed_level or "",
            str(Level(partnership.agreed_level).label) if partnership.agreed_level else "",
            partnership.target_level or "",
            "" if partnership.perception_gap is None else partnership.perception_gap,
            "" if partnership.agreement_gap is None else partnership.agreement_gap,
            " ; ".join(
                party.organisation.name
                for party in partnership.parties.all()
                if policy.has_joined(party)
            ),
            partnership.starts_on or "",
            partnership.ends_on or "",
            partnership.next_review_on or "",
        ]
        for partnership in partnerships.prefetch_related("parties__organisation")
    )
    return header, rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """A cell value that spreadsheet software shows as typed, never runs as a formula.

    A title such as ``=HYPERLINK(...)`` typed by a partner would otherwise become a live
    formula in whoever opens the CSV; a leading apostrophe keeps it text (OWASP's advice).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[list], stream) -> int:
    """Write the table as CSV to a text stream; the number of rows written."""
    stream.write("\ufeff")  # lets spreadsheet software read the accents right
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])
        count += 1
    return count


def csv_file(header: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    count = write_csv(header, rows, buffer)
    return buffer.getvalue().encode("utf-8"), count


def xlsx_file(header: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    """The table as one worksheet; text is stored as text, never read as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Partnerships")[:31])
    sheet.append(header)

    def cell(value):
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a title starting with "=" stays a title
        return text

    count = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


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
    require_writer(actor, organisation)
    job = ExportJob.objects.create(
        organisation=organisation,
        requested_by=actor,
        kind=kind,
        file_format=file_format,
        params=clean_params(params),
        language=language,
    )
    from .tasks import export_report  # the tasks module imports this one

    # robust: a broker that is down must not turn the saved request into an error page; the
    # job then stays pending until the clean-up marks it failed.
    transaction.on_commit(functools.partial(export_report.delay, job.pk), robust=True)
    return job


def may_read(user: User | None, organisation: Organisation) -> bool:
    """Whether the person who asked may still read the organisation's partnerships."""
    return bool(
        user is not None
        and user.is_active
        and Membership.objects.filter(
            user=user, organisation=organisation, organisation__active=True
        ).exists()
    )


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
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    try:
        with translation.override(job.language):
            header, rows = BUILDERS[job.kind](job.organisation, job.params)
            content, count = WRITERS[job.file_format](header, rows)
        job.file.save(f"{job.kind}.{job.file_format}", ContentFile(content), save=False)
    except TRANSIENT_ERRORS:
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
