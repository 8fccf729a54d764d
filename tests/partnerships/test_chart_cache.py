"""A chart is revalidated on every view: 304 while nothing changed, the new drawing at once
after a change (no more "max-age=60" hiding a level just recorded)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import LevelAssessmentFactory

pytestmark = pytest.mark.django_db


def test_the_chart_answers_304_until_the_data_changes(client, owner, org_a, partnership):
    client.force_login(owner)
    url = reverse("partnerships:chart-partnership-levels", args=[org_a.slug, partnership.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=5)
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
