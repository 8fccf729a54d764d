"""A person's own data, in the background when it is large.

``personal_data_rows`` counts what the export would hold (a count per model, not the rows);
above ``PERSONAL_EXPORT_BACKGROUND_ROWS`` the JSON is built by a worker, stored privately
(the default storage; MEDIA_ROOT is never served) and its link e-mailed. The link goes through
``may_download_personal_export``: only that person, while the file is kept (the retention of
export files).
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from notifications.emails import absolute_url, send_to_user

from .export import SKIPPED_MODELS, _links_to_user, personal_data
from .models import ArchiveStatus, PersonalExport

if TYPE_CHECKING:
    from organisations.models import User


def personal_export_keep_days() -> int:
    from .retention import retention_days

    return retention_days()["export_files"]


def personal_data_rows(user: User) -> int:
    """About how many rows the person's export holds: records naming them, their changes and
    notifications (a few counting queries per model)."""
    from notifications.models import Notification

    total = Notification.objects.for_user(user).count()
    for model in apps.get_models():
        label = model._meta.label_lower
        if hasattr(model._meta, "simple_history_manager_attribute"):
            history = getattr(model, model._meta.simple_history_manager_attribute)
            total += history.filter(history_user=user).count()
        if label in SKIPPED_MODELS or label.split(".")[1].startswith("historical"):
            continue
        for name in _links_to_user(model):
            total += model._default_manager.filter(**{name: user}).count()
    return total


def is_large(user: User) -> bool:
    return personal_data_rows(user) > settings.PERSONAL_EXPORT_BACKGROUND_ROWS


@transaction.atomic
def personal_export_request(*, user: User) -> PersonalExport:
    """Record the request (one at a time); a worker builds the file once it is committed."""
    pending = PersonalExport.objects.filter(user=user, status=ArchiveStatus.PENDING).first()
    if pending is not None:
        return pending
    export = PersonalExport.objects.create(user=user)
    from .tasks import build_personal_export  # the tasks module imports this one

    transaction.on_commit(functools.partial(build_personal_export.delay, export.pk), robust=True)
    return export


def personal_export_build(export_id: int) -> PersonalExport | None:
    """Write the file and e-mail its link to the person."""
    export = (
        PersonalExport.objects.select_related("user")
        .filter(pk=export_id, status=ArchiveStatus.PENDING)
        .first()
    )
    if export is None:
        return None  # built already (a message delivered twice), or deleted meanwhile
    text = json.dumps(
        personal_data(export.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    export.file.save("my-data.json", ContentFile(text.encode("utf-8")), save=False)
    export.status = ArchiveStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])
    if export.user.email and export.user.is_active:
        send_to_user(
            user=export.user,
            template="personal_export_ready",
            context={
                "url": absolute_url("my-data-export", export_id=export.pk),
                "keep_days": personal_export_keep_days(),
            },
        )
    return export


def may_download_personal_export(user: User | None, export: PersonalExport) -> bool:
    """Only the person it is about, once built, while it is kept."""
    limit = timezone.now() - datetime.timedelta(days=personal_export_keep_days())
    return bool(
        user is not None
        and user.is_authenticated
        and export.user_id == user.pk
        and export.status == ArchiveStatus.DONE
        and export.file
        and export.created_at >= limit
    )


def personal_exports_delete_old(now: datetime.datetime | None = None) -> int:
    """Delete exports older than the retention of export files, files first."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=personal_export_keep_days())
    deleted = 0
    for export in PersonalExport.objects.filter(created_at__lt=limit):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    return deleted
