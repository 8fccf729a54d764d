"""A large own-data export is built in the background, its link e-mailed, for that person only."""

from __future__ import annotations

import datetime
import json
import os

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from partnerships.services.audit import recorded_bulk_write
from privacy.models import PersonalExport
from privacy.own_exports import personal_data_rows, personal_exports_delete_old

pytestmark = pytest.mark.django_db

JSON = reverse("my-data") + "?format=json"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_small_export_stays_immediate(client, owner, media, settings):
    settings.PERSONAL_EXPORT_BACKGROUND_ROWS = 10_000
    client.force_login(owner)
    response = client.get(JSON)
    assert response.status_code == 200
    assert json.loads(response.content)["account"]["username"] == owner.username
    assert not PersonalExport.objects.exists()


def test_a_large_one_is_built_in_the_background_and_its_link_emailed(
    client,
    owner,
    editor,
    outsider,
    partnership,
    media,
    settings,
    django_capture_on_commit_callbacks,
):
    assert personal_data_rows(owner) >= 1  # the membership names her
    settings.PERSONAL_EXPORT_BACKGROUND_ROWS = 0
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(JSON)
    assert response.status_code == 302 and response["Location"] == reverse("my-data")
    export = PersonalExport.objects.get()
    assert export.user == owner and export.status == "done"
    assert export.file.name.startswith("personal-exports/")
    link = reverse("my-data-export", kwargs={"export_id": export.pk})
    [message] = [m for m in mail.outbox if m.to == [owner.email]]
    assert link in message.body
    download = client.get(link)
    assert download.status_code == 200
    data = json.loads(b"".join(download.streaming_content))
    assert data["account"]["username"] == owner.username
    # Nobody else downloads it, not even a member of her organisation.
    for other in (editor, outsider):
        client.force_login(other)
        assert client.get(link).status_code == 404
    client.logout()
    assert client.get(link).status_code == 302  # to sign in


def test_the_link_expires_with_the_retention_of_export_files(client, owner, media):
    export = PersonalExport.objects.create(user=owner, status="done")
    export.file.save("my-data.json", ContentFile(b"{}"), save=True)
    link = reverse("my-data-export", kwargs={"export_id": export.pk})
    long_ago = timezone.now() - datetime.timedelta(days=30)
    with recorded_bulk_write():
        PersonalExport.objects.filter(pk=export.pk).update(created_at=long_ago)
    client.force_login(owner)
    assert client.get(link).status_code == 404
    path = export.file.path
    assert personal_exports_delete_old() == 1
    assert not PersonalExport.objects.exists()
    assert not os.path.exists(path)


def test_erasure_deletes_the_persons_own_export_files(
    editor, media, django_capture_on_commit_callbacks
):
    from privacy.erasure import person_erase

    export = PersonalExport.objects.create(user=editor, status="done")
    export.file.save("my-data.json", ContentFile(b'{"name": "Eve"}'), save=True)
    storage, name = export.file.storage, export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(actor=editor, user=editor)
    assert not PersonalExport.objects.exists()
    assert not storage.exists(name)
