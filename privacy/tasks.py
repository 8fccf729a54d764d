"""The nightly retention: thin, idempotent (a second run deletes nothing more), so acked late."""

from __future__ import annotations

from celery import shared_task

from core.retry import RETRY

from .retention import retention_purge


@shared_task(name="privacy.tasks.delete_past_retention", acks_late=True, **RETRY)
def delete_past_retention() -> dict[str, int]:
    """Every night: delete what is kept longer than ``RETENTION_DAYS``; log and answer counts."""
    return retention_purge()


@shared_task(name="privacy.tasks.build_organisation_archive", **RETRY)
def build_organisation_archive(archive_id: int) -> None:
    """Build one organisation's archive (enqueued once the request is committed)."""
    from .archives import archive_build

    archive_build(archive_id)


@shared_task(name="privacy.tasks.build_personal_export", **RETRY)
def build_personal_export(export_id: int) -> None:
    """Build a person's large own-data export and e-mail its link."""
    from .own_exports import personal_export_build

    personal_export_build(export_id)
