"""An organisation's archive on demand: for its administrators, built in the background."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from privacy.models import LeaveRequest, OrganisationArchive
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def page(org) -> str:
    return reverse("organisation-archive", kwargs={"org_slug": org.slug})


def test_an_administrator_prepares_and_downloads_the_archive(
    client, owner, org_a, org_c, partnership, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ConcernFactory(
        raised_by=partnership.parties.get(organisation=org_c),
        visibility="private",
        description="Secret de la fondation",
    )
    client.force_login(owner)
    assert client.get(page(org_a)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(org_a))
    assert response.status_code == 302
    archive = OrganisationArchive.objects.get()
    assert archive.status == "done" and archive.requested_by == owner
    listing = client.get(page(org_a)).content.decode()
    download_url = reverse(
        "organisation-archive-download",
        kwargs={"org_slug": org_a.slug, "archive_id": archive.pk},
    )
    assert download_url in listing
    download = client.get(download_url)
    data = json.loads(b"".join(download.streaming_content))
    assert data["organisation"]["slug"] == org_a.slug
    assert "Secret de la fondation" not in json.dumps(data, ensure_ascii=False)


def test_the_archive_is_refused_to_those_who_do_not_administer(
    client, editor, viewer, outsider, org_a
):
    archive = OrganisationArchive.objects.create(organisation=org_a, status="done", file="x")
    download = reverse(
        "organisation-archive-download", kwargs={"org_slug": org_a.slug, "archive_id": archive.pk}
    )
    for user, status in ((editor, 403), (viewer, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(page(org_a)).status_code == status
        assert client.post(page(org_a)).status_code == status
        assert client.get(download).status_code == status
    assert OrganisationArchive.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "file"), [("pending", ""), ("failed", ""), ("done", "")], ids=str
)
def test_an_archive_not_ready_or_no_longer_kept_has_no_link_and_no_file(
    client, owner, org_a, status, file
):
    archive = OrganisationArchive.objects.create(organisation=org_a, status=status, file=file)
    assert not archive.is_downloadable
    download = reverse(
        "organisation-archive-download", kwargs={"org_slug": org_a.slug, "archive_id": archive.pk}
    )
    client.force_login(owner)
    assert download not in client.get(page(org_a)).content.decode()
    assert client.get(download).status_code == 404


def test_an_administrator_asks_to_leave_the_platform_and_staff_see_it(
    client, owner, editor, org_a, superuser
):
    url = reverse("organisation-leave-platform", kwargs={"org_slug": org_a.slug})
    client.force_login(editor)
    assert client.post(url, {"confirm": "on"}).status_code == 403
    client.force_login(owner)
    assert client.post(url, {"reason": "Fin du projet"}).status_code == 400  # no tick
    assert client.post(url, {"reason": "Fin du projet", "confirm": "on"}).status_code == 302
    client.post(url, {"reason": "Encore", "confirm": "on"})  # once pending, not twice
    assert LeaveRequest.objects.get().reason == "Fin du projet"
    assert "Fin du projet" not in client.get(url).content.decode()  # says it is pending
    client.force_login(superuser)
    admin_list = client.get(reverse("admin:privacy_leaverequest_changelist"))
    assert "Association A" in admin_list.content.decode()


def test_the_archive_page_takes_a_fixed_number_of_queries(
    client, owner, org_a, django_assert_max_num_queries
):
    for _ in range(5):
        OrganisationArchive.objects.create(organisation=org_a, requested_by=owner, status="done")
    client.force_login(owner)
    client.get(page(org_a))  # the session's first write is not the page's
    # session, user, membership (the gate), its session write, the archives with their
    # requesters, the header's memberships and unread notifications, and a few more
    with django_assert_max_num_queries(10):
        assert client.get(page(org_a)).status_code == 200
