"""Deleting never takes an approved agreement version with it: not the partnership's delete
(page or API), not a bulk delete, not deleting the user who drafted it; a draft goes with its
partnership."""

from __future__ import annotations

import html

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.exceptions import AgreementFrozen, StateConflict
from partnerships.models import Agreement, AgreementApproval, Partnership
from partnerships.services.partnerships import partnership_delete
from tests.partnerships.test_agreements import draft, in_force

pytestmark = pytest.mark.django_db


def delete_url(partnership):
    return reverse(
        "partnerships:delete",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


# --- Deleting a partnership never takes an approved agreement with it ------------------------
def test_a_partnership_with_an_approved_agreement_is_not_deleted(
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with pytest.raises(StateConflict):
        partnership_delete(actor=owner, organisation=org_a, partnership=partnership)
    assert Agreement.objects.filter(pk=agreement.pk, state="in_force").exists()
    assert AgreementApproval.objects.filter(agreement=agreement).count() == 2


def test_the_delete_page_says_why_and_deletes_nothing(
    client,
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    in_force(editor, owner, carla, org_a, org_c, partnership)
    client.force_login(owner)
    response = client.post(delete_url(partnership))
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "Passez plutôt son statut à «\u202fTerminé\u202f»" in page
    assert Partnership.objects.filter(pk=partnership.pk).exists()
    assert Agreement.objects.filter(partnership=partnership).count() == 1


def test_the_api_answers_409_and_deletes_nothing(
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    in_force(editor, owner, carla, org_a, org_c, partnership)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.delete(f"/api/v1/partnerships/{partnership.pk}/")
    assert response.status_code == 409
    assert Agreement.objects.filter(partnership=partnership).count() == 1


def test_a_partnership_with_only_a_draft_is_deleted_with_it(
    client, editor, owner, org_a, partnership
):
    draft(editor, org_a, partnership)
    client.force_login(owner)
    assert client.post(delete_url(partnership)).status_code == 302
    assert not Partnership.objects.filter(pk=partnership.pk).exists()
    assert not Agreement.objects.exists()


def test_no_other_path_cascades_to_agreement_versions(editor, org_a, partnership):
    """The foreign key protects them: the admin or the shell cannot delete them by the way."""
    draft(editor, org_a, partnership)
    with pytest.raises(ProtectedError):
        Partnership.objects.filter(pk=partnership.pk).delete()


def test_a_bulk_delete_never_takes_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with pytest.raises(AgreementFrozen):
        Agreement.objects.filter(partnership=partnership).delete()
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_deleting_the_user_who_drafted_an_approved_version_still_works(
    editor, owner, carla, org_a, org_c, partnership
):
    """Django empties ``created_by`` with an update on the base manager: not a change of the
    agreement's content, and not refused."""
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    editor.delete()
    assert Agreement.objects.get(pk=agreement.pk).created_by is None
