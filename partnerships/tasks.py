"""Background jobs of the partnerships app.

Each task is thin: it takes ids, never model instances (they would be stale by the time a
worker runs them), calls a service that checks access again, and says how it is retried.

The reminder tasks and the clean-up are idempotent (a second run does nothing more), so they
are acknowledged late: if a worker dies mid-run, the broker hands the message to another one.
``export_report`` is not idempotent (a second run would build a second file), so its message is
acknowledged on receipt, and the nightly clean-up fails the exports a lost worker left behind.
"""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from . import exports, reminders
from .agreements import reminders as agreement_reminders

# Exponential backoff: random waits of up to 1, 2, 4, 8 then 16 minutes (random, so that
# many failed tasks do not all come back at once); then the task fails for good, logged.
RETRY = {
    "autoretry_for": (reminders.DeliveryError, *exports.TRANSIENT_ERRORS),
    "retry_backoff": 60,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="partnerships.tasks.send_review_reminders", acks_late=True, **RETRY)
def send_review_reminders() -> int:
    """Daily: e-mail each party's coordinators about reviews due within 7 days or overdue."""
    return reminders.send_review_reminders(timezone.localdate())


@shared_task(name="partnerships.tasks.send_commitment_reminders", acks_late=True, **RETRY)
def send_commitment_reminders() -> int:
    """Daily: e-mail the owning party's coordinators about commitments coming due or overdue."""
    return reminders.send_commitment_reminders(timezone.localdate())


@shared_task(name="partnerships.tasks.send_agreement_expiry_reminders", acks_late=True, **RETRY)
def send_agreement_expiry_reminders() -> int:
    """Daily: end the agreements past their end date, then e-mail each party's administrators
    90 and 30 days before the agreement in force ends."""
    return agreement_reminders.send_agreement_expiry_reminders(timezone.localdate())


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
    """Nightly: delete exports older than 7 days and fail the ones that never finished."""
    return exports.exports_delete_old()
