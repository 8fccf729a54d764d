"""Files in an S3-compatible object store (django-storages), against moto's in-process S3.

The store is named by the environment (config/storage.py); the bucket stays private and every
download goes through the app's permission check; a store that does not answer is an error
the page tells, with nothing half-recorded.
"""

from __future__ import annotations

import datetime
import html

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from moto import mock_aws

from config.storage import FILESYSTEM, S3, default_storage
from partnerships.models import Agreement
from partnerships.services import agreements as services
from partnerships.services.exports import export_build
from tests.factories import ExportJobFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BUCKET = "partenariats-test"
ENV = {
    "STORAGE_URL": f"s3://{BUCKET}/files?region=eu-west-3",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


# --- Configuration from the environment ---------------------------------------------------
def test_local_disk_is_the_default():
    assert default_storage({}) == FILESYSTEM


def test_storage_url_names_bucket_prefix_endpoint_region_and_keys():
    storage = default_storage(
        {
            "STORAGE_URL": "s3://KEY:S%2FECRET@bucket/some/prefix?endpoint_url=http://s3:9000&region=fr"
        }
    )
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == S3
    assert (options["bucket_name"], options["location"]) == ("bucket", "some/prefix")
    assert (options["access_key"], options["secret_key"]) == ("KEY", "S/ECRET")
    assert (options["endpoint_url"], options["region_name"]) == ("http://s3:9000", "fr")
    # Private objects, short-lived signed addresses only, no overwrite, short time-outs.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 60
    assert options["file_overwrite"] is False
    assert options["client_config"].connect_timeout <= 5


def test_explicit_aws_variables_work_too():
    storage = default_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "bucket",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
            "AWS_S3_REGION_NAME": "eu-west-3",
            "AWS_LOCATION": "/media/",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )["OPTIONS"]
    assert storage["bucket_name"] == "bucket" and storage["location"] == "media"
    assert storage["endpoint_url"] == "https://s3.example.net"
    assert (storage["access_key"], storage["secret_key"]) == ("id", "secret")


def test_a_storage_url_of_another_kind_is_refused():
    with pytest.raises(ImproperlyConfigured):
        default_storage({"STORAGE_URL": "ftp://bucket/"})


# --- Against moto's S3 -----------------------------------------------------------------------
@pytest.fixture
def s3(settings, monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-3")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        settings.STORAGES = {**settings.STORAGES, "default": default_storage(ENV)}
        yield client


@pytest.fixture
def store_down(settings):
    """A store that refuses connections (nothing listens on the discard port)."""
    unreachable = {**ENV, "STORAGE_URL": ENV["STORAGE_URL"] + "&endpoint_url=http://127.0.0.1:9"}
    settings.STORAGES = {**settings.STORAGES, "default": default_storage(unreachable)}


@pytest.fixture
def in_force(editor, owner, carla, org_a, org_c, partnership):
    agreement = services.agreement_draft(
        actor=editor,
        organisation=org_a,
        partnership=partnership,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        purpose="Faire lire les élèves du collège chaque semaine.",
    )
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    services.agreement_approve(actor=owner, organisation=org_a, agreement=agreement)
    return services.agreement_approve(actor=carla, organisation=org_c, agreement=agreement)


def agreement_url(name, partnership, agreement, org_slug="association-a"):
    return reverse(
        f"partnerships:{name}",
        kwargs={
            "org_slug": org_slug,
            "partnership_id": partnership.pk,
            "agreement_id": agreement.pk,
        },
    )


def french(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


@pytest.mark.django_db
def test_a_scan_is_a_private_object_served_only_through_the_app(
    s3, client, editor, viewer, outsider, in_force, partnership
):
    client.force_login(editor)
    scan = SimpleUploadedFile("convention.pdf", PDF, content_type="application/pdf")
    client.post(agreement_url("agreement-scan", partnership, in_force), {"scan": scan})
    name = Agreement.objects.get().signed_scan.name
    key = f"files/{name}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    assert not any("AllUsers" in str(grant["Grantee"]) for grant in grants)

    client.force_login(viewer)
    response = client.get(agreement_url("agreement-scan-download", partnership, in_force))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert BUCKET not in response.get("Location", "")  # streamed, never a redirect to the store

    client.force_login(outsider)
    response = client.get(
        agreement_url("agreement-scan-download", partnership, in_force, "association-b")
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_export_is_built_into_the_store_and_downloaded_by_members(s3, client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="pending", file="", requested_by=viewer)
    export_build(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.file.name
    assert s3.head_object(Bucket=BUCKET, Key=f"files/{job.file.name}")["ContentLength"] > 0
    client.force_login(viewer)
    response = client.get(
        reverse("partnerships:export-download", kwargs={"org_slug": org_a.slug, "pk": job.pk})
    )
    assert response.status_code == 200 and b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_upload_while_the_store_is_down_says_so_and_records_nothing(
    store_down, client, editor, in_force, partnership
):
    history_before = Agreement.history.count()
    client.force_login(editor)
    scan = SimpleUploadedFile("convention.pdf", PDF, content_type="application/pdf")
    response = client.post(agreement_url("agreement-scan", partnership, in_force), {"scan": scan})
    assert response.status_code == 200  # the form again, with the reason
    message = (
        "The file store is unavailable, so the scan was not attached. Try again in a few minutes."
    )
    assert french(message) in html.unescape(response.content.decode())
    assert not Agreement.objects.get().signed_scan
    assert Agreement.history.count() == history_before


@pytest.mark.django_db
def test_a_download_while_the_store_is_down_says_the_file_is_unavailable(
    s3, settings, client, viewer, in_force, partnership
):
    in_force.signed_scan.save("signed.pdf", SimpleUploadedFile("s.pdf", PDF), save=True)
    unreachable = {**ENV, "STORAGE_URL": ENV["STORAGE_URL"] + "&endpoint_url=http://127.0.0.1:9"}
    settings.STORAGES = {**settings.STORAGES, "default": default_storage(unreachable)}
    client.force_login(viewer)
    response = client.get(agreement_url("agreement-scan-download", partnership, in_force))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = html.unescape(response.content.decode())
    assert french("This file is unavailable for now. Try again in a few minutes.") in page


@pytest.mark.django_db
def test_an_export_retries_while_the_store_is_down(store_down, viewer, org_a):
    from core.retry import TRANSIENT_ERRORS

    job = ExportJobFactory(organisation=org_a, status="pending", file="", requested_by=viewer)
    with pytest.raises(TRANSIENT_ERRORS):
        export_build(job.pk)  # raised for the task to retry later, the job left unfinished
    job.refresh_from_db()
    assert job.status == "pending" and not job.file
