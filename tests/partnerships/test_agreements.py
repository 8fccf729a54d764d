"""Agreement versions: the state machine, who may take each step, and immutability once approved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from partnerships.exceptions import AgreementFrozen, AgreementStateError
from partnerships.models import Agreement, AgreementApproval
from partnerships.services import agreements as services
from tests.factories import (
    CommitmentFactory,
    LevelAssessmentFactory,
    ResponsibilityFactory,
)

pytestmark = pytest.mark.django_db


def draft(user, org, partnership, **fields):
    return services.agreement_draft(actor=user, organisation=org, partnership=partnership, **fields)


def submitted(editor, org_a, partnership, **fields):
    agreement = draft(editor, org_a, partnership, **fields)
    return services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)


def approve(user, org, agreement):
    return services.agreement_approve(actor=user, organisation=org, agreement=agreement)


def in_force(editor, owner, carla, org_a, org_c, partnership, **fields):
    agreement = submitted(editor, org_a, partnership, **fields)
    approve(owner, org_a, agreement)
    return approve(carla, org_c, agreement)


def test_a_draft_records_the_partnership_as_it_stands(editor, org_a, org_c, partnership):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    LevelAssessmentFactory(partnership=partnership, kind="target", level=5)
    party_a = partnership.parties.get(organisation=org_a)
    ResponsibilityFactory(party=party_a, title="Animer les ateliers")
    CommitmentFactory(party=party_a, title="Prêter la salle", due_on=datetime.date(2026, 3, 1))
    agreement = draft(editor, org_a, partnership, governance="Un comité mensuel.")
    assert (agreement.version, agreement.state) == (1, "draft")
    assert agreement.snapshot["agreed_level"] == 4 and agreement.snapshot["target_level"] == 5
    assert [p["organisation"] for p in agreement.snapshot["parties"]] == [org_a.slug, org_c.slug]
    assert agreement.snapshot["responsibilities"][0]["title"] == "Animer les ateliers"
    assert agreement.snapshot["commitments"][0]["due_on"] == "2026-03-01"
    assert agreement.created_by == editor and agreement.history.latest().history_user == editor


def test_changing_a_draft_refreshes_its_snapshot(editor, org_a, partnership):
    agreement = draft(editor, org_a, partnership)
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=6)
    agreement = services.agreement_update(
        actor=editor, organisation=org_a, agreement=agreement, exit="Trois mois de préavis."
    )
    assert agreement.snapshot["agreed_level"] == 6 and agreement.exit == "Trois mois de préavis."


def test_viewers_and_outsiders_cannot_draft(viewer, outsider, org_a, org_b, partnership):
    with pytest.raises(PermissionDenied):
        draft(viewer, org_a, partnership)
    with pytest.raises(Http404):  # not a party: the partnership does not exist for it
        draft(outsider, org_b, partnership)
    assert not Agreement.objects.exists()


def test_only_one_version_is_open_at_a_time(editor, org_a, partnership):
    draft(editor, org_a, partnership)
    with pytest.raises(AgreementStateError):
        draft(editor, org_a, partnership)


def test_a_submitted_version_cannot_be_changed_or_submitted_again(editor, org_a, partnership):
    agreement = submitted(editor, org_a, partnership)
    assert (agreement.state, agreement.submission_round) == ("pending", 1)
    with pytest.raises(AgreementStateError):
        services.agreement_update(actor=editor, organisation=org_a, agreement=agreement, exit="x")
    with pytest.raises(AgreementStateError):
        services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)


def test_every_party_approving_brings_the_version_into_force(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = submitted(editor, org_a, partnership)
    approve(owner, org_a, agreement)
    assert Agreement.objects.get(pk=agreement.pk).state == "pending"  # C has not approved yet
    agreement = approve(carla, org_c, agreement)
    assert agreement.state == "in_force" and agreement.in_force_at is not None
    names = list(agreement.approvals.values_list("organisation__slug", "name", "decision"))
    assert names == [(org_a.slug, "alice", "approve"), (org_c.slug, "Carla Costa", "approve")]


def test_an_amendment_supersedes_the_version_in_force(
    editor, owner, carla, org_a, org_c, partnership
):
    first = in_force(editor, owner, carla, org_a, org_c, partnership, governance="Comité")
    second = draft(editor, org_a, partnership)
    assert second.version == 2 and second.governance == "Comité"  # starts from the one in force
    services.agreement_update(actor=editor, organisation=org_a, agreement=second, exit="Préavis")
    services.agreement_submit(actor=editor, organisation=org_a, agreement=second)
    approve(owner, org_a, second)
    approve(carla, org_c, second)
    states = dict(Agreement.objects.values_list("version", "state"))
    assert states == {first.version: "superseded", 2: "in_force"}


def test_a_refusal_sends_the_version_back_to_draft_and_keeps_the_round(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = submitted(editor, org_a, partnership)
    approve(owner, org_a, agreement)
    with pytest.raises(ValidationError):
        services.agreement_refuse(actor=carla, organisation=org_c, agreement=agreement, reason=" ")
    agreement = services.agreement_refuse(
        actor=carla, organisation=org_c, agreement=agreement, reason="La clause de sortie manque."
    )
    assert agreement.state == "draft"
    # The second round asks every party again; the first round stays as history.
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    approve(owner, org_a, agreement)
    assert Agreement.objects.get(pk=agreement.pk).state == "pending"
    rounds = list(AgreementApproval.objects.values_list("round", "organisation__slug", "decision"))
    assert rounds == [
        (1, org_a.slug, "approve"),
        (1, org_c.slug, "refuse"),
        (2, org_a.slug, "approve"),
    ]


def test_editors_and_viewers_cannot_approve_or_refuse(editor, viewer, org_a, partnership):
    agreement = submitted(editor, org_a, partnership)
    for user in (editor, viewer):
        with pytest.raises(PermissionDenied):
            approve(user, org_a, agreement)
        with pytest.raises(PermissionDenied):
            services.agreement_refuse(
                actor=user, organisation=org_a, agreement=agreement, reason="Non"
            )
    assert not AgreementApproval.objects.exists()


def test_an_admin_of_one_party_cannot_approve_for_another(editor, owner, org_a, org_c, partnership):
    agreement = submitted(editor, org_a, partnership)
    with pytest.raises(Http404):  # alice is no member of C: C does not exist for her
        approve(owner, org_c, agreement)
    assert not AgreementApproval.objects.exists()


def test_an_organisation_decides_once_per_round_and_only_on_a_submitted_version(
    editor, owner, org_a, partnership
):
    agreement = draft(editor, org_a, partnership)
    with pytest.raises(AgreementStateError):
        approve(owner, org_a, agreement)
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    approve(owner, org_a, agreement)
    with pytest.raises(AgreementStateError):
        approve(owner, org_a, agreement)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementApproval.objects.create(
            agreement=agreement, organisation=org_a, round=1, decision="approve", name="x"
        )


def test_an_approved_version_refuses_every_change(editor, owner, carla, org_a, org_c, partnership):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement.purpose = "Réécrit après coup"
    with pytest.raises(AgreementFrozen):
        agreement.save()
    agreement.refresh_from_db()
    agreement.state = "draft"
    with pytest.raises(AgreementFrozen):
        agreement.save()
    with pytest.raises(AgreementFrozen):
        Agreement.objects.get(pk=agreement.pk).delete()
    with pytest.raises(AgreementStateError):
        services.agreement_update(actor=editor, organisation=org_a, agreement=agreement, exit="x")
    assert Agreement.objects.get(pk=agreement.pk).purpose == agreement.partnership.purpose


def test_a_pending_version_keeps_its_text_even_through_save(editor, org_a, partnership):
    agreement = submitted(editor, org_a, partnership)
    agreement.governance = "Changé en douce"
    with pytest.raises(AgreementFrozen):
        agreement.save()


def test_the_end_date_ends_the_version_in_force(editor, owner, carla, org_a, org_c, partnership):
    agreement = in_force(
        editor,
        owner,
        carla,
        org_a,
        org_c,
        partnership,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    assert services.agreements_end_expired(datetime.date(2025, 12, 31)) == 0
    assert services.agreements_end_expired(datetime.date(2026, 1, 1)) == 1
    assert Agreement.objects.get(pk=agreement.pk).state == "ended"


def test_dates_must_be_in_order(editor, org_a, partnership):
    with pytest.raises(ValidationError):
        draft(
            editor,
            org_a,
            partnership,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 1, 1),
        )


def test_a_renewal_starts_from_the_version_that_ended(
    editor, owner, carla, org_a, org_c, partnership
):
    in_force(
        editor,
        owner,
        carla,
        org_a,
        org_c,
        partnership,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        exit="Préavis d'un mois",
    )
    services.agreements_end_expired(datetime.date(2026, 1, 1))
    renewal = draft(editor, org_a, partnership)
    assert (renewal.version, renewal.exit) == (2, "Préavis d'un mois")
    assert Agreement.objects.get(version=1).state == "ended"
