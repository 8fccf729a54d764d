"""``manage.py export_organisation``: everything one organisation may see, nothing more."""

from __future__ import annotations

import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.utils import timezone

from partnerships.models import AgreementApproval
from partnerships.reads.archive import organisation_archive
from tests.factories import (
    AgreementFactory,
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ResponsibilityFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(partnership, org_a, org_b, org_c, owner, editor, viewer, outsider):
    """A's partnership with C holding A's and C's records, shared and private, blind and
    revealed; and a partnership of B with C that A is not part of."""
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    planned = ReviewFactory(partnership=partnership, location="Salle des fêtes")
    LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_a, level=4, review=planned
    )
    LevelAssessmentFactory(
        partnership=partnership,
        kind="perceived",
        party=party_c,
        level=6,
        review=planned,
        rationale="Note scellée de C",
    )
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=3)
    ResponsibilityFactory(party=party_c, title="Prêter les livres")
    CommitmentFactory(party=party_a, title="Envoyer le calendrier")
    BenefitFactory(party=party_c, description="Des élèves lecteurs")
    ours = ConcernFactory(raised_by=party_a, visibility="private", description="Notre doute")
    ConcernCheckFactory(concern=ours, intensity=4, note="Ça pèse")
    ConcernFactory(raised_by=party_c, visibility="shared", description="Crainte partagée de C")
    theirs = ConcernFactory(raised_by=party_c, visibility="private", description="Secret de C")
    ConcernCheckFactory(concern=theirs, intensity=5, note="Note privée de C")
    ReviewFactory(
        partnership=partnership,
        status="closed",
        held_on="2025-06-01",
        closed_at=timezone.now(),
        record={
            "minutes": "Revue de juin",
            "checks": [
                {"concern": ours.pk, "visibility": "private", "raised_by": "association-a"},
                {"concern": theirs.pk, "visibility": "private", "raised_by": "fondation-c"},
            ],
        },
    )
    elsewhere = PartnershipFactory(title="Partenariat de B et C")
    PartyFactory(partnership=elsewhere, organisation=org_b)
    PartyFactory(partnership=elsewhere, organisation=org_c)
    CommitmentFactory(party=elsewhere.parties.get(organisation=org_b), title="Engagement de B")
    OrganisationFactory(name="Antenne Nord", slug="antenne-nord", parent=org_a)
    return partnership


def decided(agreement, organisation, decision="approve", reason=""):
    return AgreementApproval.objects.create(
        agreement=agreement,
        organisation=organisation,
        round=agreement.submission_round,
        decision=decision,
        reason=reason,
        name=f"Admin de {organisation.name}",
    )


def export(slug: str, tmp_path) -> tuple[dict, str]:
    path = tmp_path / "archive.json"
    call_command("export_organisation", slug, output=str(path))
    text = path.read_text(encoding="utf-8")
    return json.loads(text), text


def test_the_archive_holds_the_organisation_its_units_members_and_partnerships(recorded, tmp_path):
    archive, _text = export("association-a", tmp_path)
    assert archive["organisation"]["slug"] == "association-a"
    assert [unit["slug"] for unit in archive["units"]] == ["antenne-nord"]
    assert [m["username"] for m in archive["members"]] == ["alice", "bob", "victor"]
    [partnership] = archive["partnerships"]
    assert partnership["title"] == "Lecture au collège"
    assert {p["organisation"] for p in partnership["parties"]} == {"association-a", "fondation-c"}
    assert [r["title"] for r in partnership["responsibilities"]] == ["Prêter les livres"]
    assert [c["title"] for c in partnership["commitments"]] == ["Envoyer le calendrier"]
    assert [b["description"] for b in partnership["benefits"]] == ["Des élèves lecteurs"]
    assert {r["location"] for r in partnership["reviews"]} >= {"Salle des fêtes"}
    concerns = {c["description"]: c for c in partnership["concerns"]}
    assert set(concerns) == {"Notre doute", "Crainte partagée de C"}
    assert [check["note"] for check in concerns["Notre doute"]["checks"]] == ["Ça pèse"]


def test_another_partys_sealed_rating_and_private_concerns_stay_out(recorded, tmp_path):
    archive, text = export("association-a", tmp_path)
    [partnership] = archive["partnerships"]
    levels = {(entry["kind"], entry["party"], entry["level"]) for entry in partnership["levels"]}
    assert levels == {("perceived", "association-a", 4), ("agreed", None, 3)}
    closed = next(r for r in partnership["reviews"] if r["status"] == "closed")
    assert [check["raised_by"] for check in closed["record"]["checks"]] == ["association-a"]
    for private in ("Note scellée de C", "Secret de C", "Note privée de C"):
        assert private not in text


def test_nothing_of_partnerships_the_organisation_is_not_part_of(recorded, tmp_path):
    _archive, text = export("association-a", tmp_path)
    assert "Partenariat de B et C" not in text
    assert "Engagement de B" not in text
    assert "charlie" not in text


def test_the_partner_sees_its_own_sealed_rating_but_not_the_others_private_concerns(
    recorded, tmp_path
):
    archive, text = export("fondation-c", tmp_path)
    assert {p["title"] for p in archive["partnerships"]} == {
        "Lecture au collège",
        "Partenariat de B et C",
    }
    assert "Note scellée de C" in text and "Secret de C" in text
    assert "Notre doute" not in text and "Ça pèse" not in text
    assert archive["members"] == []


def test_members_are_listed_without_passwords(recorded, tmp_path, owner):
    archive, text = export("association-a", tmp_path)
    assert all("password" not in member for member in archive["members"])
    assert owner.password not in text
    assert "password" not in text


def test_the_archive_goes_to_the_standard_output_without_a_file(recorded, capsys):
    call_command("export_organisation", "association-a")
    archive = json.loads(capsys.readouterr().out)
    assert archive["format"] == "partenariats.organisation-archive"


def test_an_unknown_organisation_is_a_clear_error_with_exit_code_1(db, capsys):
    with pytest.raises(CommandError, match="personne"):
        call_command("export_organisation", "personne")
    with pytest.raises(SystemExit) as exit:
        ManagementUtility(["manage.py", "export_organisation", "personne"]).execute()
    assert exit.value.code == 1
    assert "No organisation is called “personne”" in capsys.readouterr().err


def test_the_archive_reads_a_fixed_number_of_queries(
    recorded, org_a, org_c, django_assert_num_queries
):
    # units (one query per level: Antenne Nord, then none below it), members, partnerships,
    # concerns, their checks, parties, levels, responsibilities, commitments, benefits,
    # reviews and their attendees, agreement versions (and their decisions, once there are
    # versions: the prefetch is skipped without any)
    with django_assert_num_queries(14):
        organisation_archive(org_a)
    for title in ("Deuxième", "Troisième"):
        more = PartnershipFactory(title=title)
        PartyFactory(partnership=more, organisation=org_a)
        CommitmentFactory(party=PartyFactory(partnership=more, organisation=org_c))
        ReviewFactory(partnership=more)
        decided(AgreementFactory(partnership=more, state="pending", submission_round=1), org_c)
    with django_assert_num_queries(15):
        organisation_archive(org_a)


def test_the_archive_holds_the_agreement_versions_and_every_partys_decisions(
    recorded, org_a, org_b, org_c, tmp_path
):
    common = {"partnership": recorded, "submission_round": 1, "submitted_at": timezone.now()}
    first = AgreementFactory(version=1, state="pending", governance="Un comité", **common)
    decided(first, org_c, "refuse", "Trop vague")
    second = AgreementFactory(version=2, state="pending", **common)
    decided(second, org_a)
    decided(second, org_c)
    elsewhere = recorded.__class__.objects.get(title="Partenariat de B et C")
    AgreementFactory(partnership=elsewhere, purpose="Convention de B et C")
    archive, text = export("association-a", tmp_path)
    [partnership] = archive["partnerships"]
    versions = {v["version"]: v for v in partnership["agreements"]}
    assert sorted(versions) == [1, 2]
    assert versions[1]["governance"] == "Un comité"
    assert [(d["organisation"], d["decision"], d["reason"]) for d in versions[1]["approvals"]] == [
        ("fondation-c", "refuse", "Trop vague")
    ]
    assert {d["organisation"] for d in versions[2]["approvals"]} == {"association-a", "fondation-c"}
    assert "Convention de B et C" not in text
