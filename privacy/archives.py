"""An organisation's archive on demand: asked by an administrator, built by a worker.

The content is ``partnerships.reads.archive.organisation_archive`` (what
``manage.py export_organisation`` writes): everything the organisation may see, nothing private
to another party. It lists the members, so only administrators ask for it and download it.
The file is kept ``ARCHIVE_KEEP_DAYS`` days, then the nightly retention deletes it.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.permissions import administers, role_of
from partnerships.reads.archive import organisation_archive

from .models import ArchiveStatus, LeaveRequest, OrganisationArchive

if TYPE_CHECKING:
    from organisations.models import Organisation, User

logger = logging.getLogger(__name__)
ARCHIVE_KEEP_DAYS = 7


def may_take_archive(user: User | None, organisation: Organisation) -> bool:
    """An organisation's archive is for its administrators (it lists its members)."""
    return organisation.active and administers(role_of(user, organisation))


def require_archive_taker(user: User | None, organisation: Organisation) -> None:
    if not may_take_archive(user, organisation):
        raise PermissionDenied(
            _("Only administrators of %(organisation)s can do this.")
            % {"organisation": organisation}
        )


@transaction.atomic
def archive_request(*, actor: User, organisation: Organisation) -> OrganisationArchive:
    """Record the request; a worker builds the file once this transaction commits."""
    require_archive_taker(actor, organisation)
    archive = OrganisationArchive.objects.create(organisation=organisation, requested_by=actor)
    from .tasks import build_organisation_archive  # the tasks module imports this one

    transaction.on_commit(
        functools.partial(build_organisation_archive.delay, archive.pk), robust=True
    )
    return archive


def archive_build(archive_id: int) -> OrganisationArchive | None:
    """Write the archive's file, checking again that its requester still administers."""
    archive = (
        OrganisationArchive.objects.select_related("organisation__parent", "requested_by")
        .filter(pk=archive_id, status=ArchiveStatus.PENDING)
        .first()
    )
    if archive is None:
        return None  # built already (a message delivered twice), or deleted meanwhile
    if not may_take_archive(archive.requested_by, archive.organisation):
        archive.status = ArchiveStatus.FAILED
        archive.finished_at = timezone.now()
        archive.save(update_fields=["status", "finished_at"])
        return archive
    text = json.dumps(
        organisation_archive(archive.organisation),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    archive.file.save("archive.json", ContentFile(text.encode("utf-8")), save=False)
    archive.status = ArchiveStatus.DONE
    archive.finished_at = timezone.now()
    archive.save(update_fields=["file", "status", "finished_at"])
    return archive


def archives_delete_old(now=None) -> int:
    """Delete archives older than ``ARCHIVE_KEEP_DAYS``, files first; answer how many."""
    import datetime

    now = now or timezone.now()
    limit = now - datetime.timedelta(days=ARCHIVE_KEEP_DAYS)
    deleted = 0
    for archive in OrganisationArchive.objects.filter(created_at__lt=limit):
        if archive.file:
            archive.file.delete(save=False)  # the storage is not transactional: file first
        archive.delete()
        deleted += 1
    return deleted


@transaction.atomic
def leave_request(*, actor: User, organisation: Organisation, reason: str) -> LeaveRequest:
    """An administrator asks, for their organisation, to leave the platform (once pending)."""
    require_archive_taker(actor, organisation)
    pending = LeaveRequest.objects.filter(organisation=organisation, handled_at__isnull=True)
    return pending.first() or LeaveRequest.objects.create(
        organisation=organisation, requested_by=actor, reason=reason.strip()
    )
