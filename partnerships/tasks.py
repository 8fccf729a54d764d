"""Background jobs of the partnerships app: the exports and the purge of deleted records
(reminders and the digest are sent by ``notifications.tasks``).

Each task is thin: it takes ids, never model instances (they would be stale by the time a
worker runs them), calls a service that checks access again, and says how it is retried.

The clean-ups are idempotent (a second run does nothing more), so they are acknowledged late: if a
worker dies mid-run, the broker hands the message to another one. ``export_report`` is not
idempotent (a second run would build a second file), so its message is acknowledged on receipt;
it writes a heartbeat as it goes, and a check every minute fails the exports a lost worker left
behind.
"""

from __future__ import annotations

from celery import Task, shared_task

from core.retry import RETRY
from partnerships.services import exports, imports, records, state


class ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Retries used up: mark the export failed so its page stops waiting."""
        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            exports.export_fail(job_id, f"{type(exc).__name__}: {exc}")


@shared_task(name="partnerships.tasks.export_report", base=ExportTask, **RETRY)
def export_report(job_id: int) -> None:
    """Build the file of one export job (enqueued once the job is committed)."""
    exports.export_build(job_id)


@shared_task(name="partnerships.tasks.delete_old_exports", acks_late=True, **RETRY)
def delete_old_exports() -> int:
    """Nightly: delete exports older than 7 days and fail the ones that never finished; forget
    the cells of imports older than 30 days."""
    imports.imports_clear_old()
    return exports.exports_delete_old()


@shared_task(name="partnerships.tasks.fail_stuck_exports", acks_late=True, **RETRY)
def fail_stuck_exports() -> int:
    """Every minute: fail the exports whose worker stopped, so their page stops waiting."""
    return exports.exports_fail_stuck()


@shared_task(name="partnerships.tasks.purge_deleted_records", acks_late=True, **RETRY)
def purge_deleted_records() -> int:
    """Every ten minutes: delete for good the records deleted longer ago than the undo window."""
    return records.records_purge()


@shared_task(name="partnerships.tasks.check_read_model", acks_late=True, **RETRY)
def check_read_model() -> int:
    """Nightly: recompute a sample of partnerships from their logs and log any difference with
    the stored read model (it is kept in the transaction of each write; this only watches)."""
    return len(state.check_sample())


class ImportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Retries used up: mark the import failed so its page stops waiting."""
        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            imports.import_fail(job_id, f"{type(exc).__name__}: {exc}")


@shared_task(name="partnerships.tasks.import_analyse", base=ImportTask, acks_late=True, **RETRY)
def import_analyse(job_id: int) -> None:
    """Read a large import's rows and keep its preview (idempotent: a job already read is
    left alone)."""
    imports.import_analyse_job(job_id)


class ImportConfirmTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Retries used up: nothing was written; the import may be confirmed again."""
        job_id = kwargs.get("job_id", args[0] if args else None)
        if job_id is not None:
            imports.import_confirm_fail(job_id)


@shared_task(
    name="partnerships.tasks.import_confirm", base=ImportConfirmTask, acks_late=True, **RETRY
)
def import_confirm(job_id: int) -> None:
    """Write a large import, all of it or nothing, in one transaction (idempotent: a job no
    longer waiting for its confirmation is left alone)."""
    imports.import_confirm_job(job_id)


@shared_task(name="partnerships.tasks.requeue_waiting_exports", acks_late=True, **RETRY)
def requeue_waiting_exports() -> int:
    """Every minute: ask again for the exports whose task never reached the broker."""
    waiting = exports.exports_waiting()
    for job_id in waiting:
        export_report.delay(job_id)
    return len(waiting)
