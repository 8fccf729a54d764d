"""An approved agreement version stays frozen whatever writes to it (save, bulk and audited
updates); a draft cannot skip its approvals; an ended agreement stays signalled until a new
version is in force."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.exceptions import AgreementFrozen, AgreementStateError
from partnerships.models import Agreement, Partnership
from partnerships.reads.health import health_signals, with_health
from partnerships.services import agreements as services
from partnerships.services.audit import audited_update, recorded_bulk_write
from tests.partnerships.test_agreements import draft, in_force

pytestmark = pytest.mark.django_db


def delete_url(partnership):
    return reverse(
        "partnerships:delete",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


# --- Bulk writes keep the approved versions frozen; a draft does not skip its approvals ------
def test_update_refuses_to_change_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    versions = Agreement.objects.filter(pk=agreement.pk)
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        versions.update(purpose="Rewritten")
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        versions.update(state="draft")
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        Agreement.objects.all().update(ends_on=datetime.date(2030, 1, 1))
    agreement.refresh_from_db()
    assert (agreement.purpose, agreement.state, agreement.ends_on) == ("Agreed", "in_force", None)


def test_bulk_update_refuses_to_change_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    agreement.purpose = "Rewritten"
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        Agreement.objects.bulk_update([agreement], ["purpose"])
    assert Agreement.objects.get(pk=agreement.pk).purpose == "Agreed"


def test_a_state_move_of_versions_in_force_still_goes_through(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with recorded_bulk_write():
        assert Agreement.objects.filter(pk=agreement.pk).update(state="ended") == 1
    with pytest.raises(AgreementFrozen), recorded_bulk_write():  # ended is final
        Agreement.objects.filter(pk=agreement.pk).update(state="in_force")
    assert Agreement.objects.get(pk=agreement.pk).state == "ended"


def test_a_stored_draft_cannot_jump_into_force_or_to_ended(editor, org_a, partnership):
    agreement = draft(editor, org_a, partnership)
    for state in ("in_force", "ended", "superseded"):
        agreement.state, agreement.in_force_at = state, timezone.now()
        with pytest.raises(AgreementStateError):
            agreement.save()
    assert Agreement.objects.get(pk=agreement.pk).state == "draft"


def test_a_submitted_version_keeps_the_rest_of_its_snapshot(editor, org_a, partnership):
    agreement = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    agreement.snapshot = {**agreement.snapshot, "agreed_level": 6}
    with pytest.raises(AgreementStateError):
        agreement.save()


def test_audited_update_keeps_an_approved_version_frozen_too(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    with pytest.raises(AgreementFrozen):
        audited_update(
            Agreement.objects.filter(pk=agreement.pk), actor=owner, reason="test", purpose="x"
        )
    assert Agreement.objects.get(pk=agreement.pk).purpose == "Agreed"


# --- The dashboard keeps saying an agreement ended while nothing replaced it ---------------
def test_an_ended_agreement_stays_signalled_until_a_new_version_is_in_force(
    editor, owner, carla, org_a, org_c, partnership
):
    def ending_signals():
        annotated = with_health(Partnership.objects.filter(pk=partnership.pk), org_a).get()
        return [s.message for s in health_signals(annotated) if s.code == "agreement_ending"]

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    starts_on = yesterday - datetime.timedelta(days=365)
    in_force(
        editor, owner, carla, org_a, org_c, partnership, starts_on=starts_on, ends_on=yesterday
    )
    assert len(ending_signals()) == 1
    assert services.agreements_end_expired(timezone.localdate()) == 1  # the daily task
    assert len(ending_signals()) == 1  # still there once the version is marked ended
    in_force(editor, owner, carla, org_a, org_c, partnership, ends_on=None)  # a renewal
    assert ending_signals() == []
