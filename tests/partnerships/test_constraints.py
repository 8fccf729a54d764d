"""What must never be wrong is refused by the database, and by validation with a clear message."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.models import Membership, Organisation
from partnerships.models import Commitment, Concern, ConcernCheck, LevelAssessment, Party, Review
from tests.factories import (
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def refused_by_database(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def refused_by_validation(obj, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert message in str(error.value)


@pytest.mark.parametrize("level", [0, 8])
def test_level_outside_1_to_7_is_refused(partnership, level):
    refused_by_database(
        lambda: LevelAssessment.objects.create(partnership=partnership, kind="agreed", level=level)
    )
    refused_by_validation(
        LevelAssessment(partnership=partnership, kind="agreed", level=level),
        "n’est pas un choix valide",
    )


@pytest.mark.parametrize("intensity", [6, 9])
def test_intensity_above_5_is_refused(partnership, intensity):
    concern = ConcernFactory(raised_by=partnership.parties.first())
    refused_by_database(lambda: ConcernCheck.objects.create(concern=concern, intensity=intensity))
    refused_by_validation(
        ConcernCheck(concern=concern, intensity=intensity),
        "L'intensité est un nombre de 0 (disparue) à 5.",
    )


def test_intensity_0_and_5_are_accepted(partnership):
    concern = ConcernFactory(raised_by=partnership.parties.first())
    for intensity in (0, 5):
        check = ConcernCheck(concern=concern, intensity=intensity)
        check.full_clean()
        check.save()
    assert concern.checks.count() == 2


@pytest.mark.parametrize(
    ("kind", "category"),
    [("fear", "tradition"), ("resistance", "identity"), ("fear", "nonsense"), ("worry", "other")],
)
def test_category_must_belong_to_its_kind(partnership, kind, category):
    party = partnership.parties.first()
    fields = {
        "partnership": partnership,
        "raised_by": party,
        "kind": kind,
        "category": category,
        "description": "x",
    }
    refused_by_database(lambda: Concern.objects.create(**fields))
    with pytest.raises(ValidationError):
        Concern(**fields).full_clean()


def test_other_is_a_category_of_both_kinds(partnership):
    party = partnership.parties.first()
    for kind in ("fear", "resistance"):
        Concern.objects.create(
            partnership=partnership, raised_by=party, kind=kind, category="other", description="x"
        )
    assert sorted(c.category_label for c in Concern.objects.all()) == [
        "Autre crainte",
        "Autre résistance",
    ]


def test_an_organisation_is_a_party_once(partnership, org_a):
    refused_by_database(lambda: Party.objects.create(partnership=partnership, organisation=org_a))
    refused_by_validation(
        Party(partnership=partnership, organisation=org_a), "Cette organisation est déjà partie"
    )


def test_a_user_is_a_member_once(owner, org_a):
    refused_by_database(lambda: Membership.objects.create(user=owner, organisation=org_a))
    refused_by_validation(
        Membership(user=owner, organisation=org_a, role="viewer"),
        "Cette personne est déjà membre de l'organisation.",
    )


def test_partnership_cannot_end_before_it_starts():
    refused_by_database(
        lambda: PartnershipFactory(starts_on=TODAY, ends_on=TODAY - datetime.timedelta(days=1))
    )
    refused_by_validation(
        PartnershipFactory.build(starts_on=TODAY, ends_on=TODAY - datetime.timedelta(days=1)),
        "La date de fin ne peut pas précéder la date de début.",
    )


def test_party_cannot_leave_before_joining(partnership):
    refused_by_database(
        lambda: PartyFactory(
            partnership=partnership, joined_on=TODAY, left_on=TODAY - datetime.timedelta(days=1)
        )
    )


def test_perceived_level_always_names_its_party(partnership):
    refused_by_database(
        lambda: LevelAssessment.objects.create(partnership=partnership, kind="perceived", level=3)
    )
    refused_by_validation(
        LevelAssessment(partnership=partnership, kind="perceived", level=3),
        "Un niveau perçu désigne la partie qui le perçoit",
    )


def test_agreed_level_belongs_to_no_single_party(partnership):
    party = partnership.parties.first()
    refused_by_database(
        lambda: LevelAssessment.objects.create(
            partnership=partnership, kind="agreed", level=3, party=party
        )
    )


def test_perceived_level_names_a_party_of_the_same_partnership(partnership):
    stranger = PartyFactory()
    refused_by_validation(
        LevelAssessment(partnership=partnership, kind="perceived", level=3, party=stranger),
        "Cette partie appartient à un autre partenariat.",
    )


def test_unknown_choice_values_are_refused_by_the_database(partnership):
    refused_by_database(lambda: PartnershipFactory(status="archived"))
    refused_by_database(lambda: OrganisationFactory(kind="club"))
    refused_by_database(lambda: MembershipFactory(role="owner"))


def test_done_commitment_has_a_completion_date_and_only_then(partnership):
    party = partnership.parties.first()
    refused_by_database(
        lambda: Commitment.objects.create(
            partnership=partnership, party=party, title="x", status="done"
        )
    )
    refused_by_database(
        lambda: Commitment.objects.create(
            partnership=partnership, party=party, title="x", status="planned", completed_on=TODAY
        )
    )


def test_a_held_review_has_its_date(partnership):
    refused_by_database(
        lambda: Review.objects.create(partnership=partnership, scheduled_on=TODAY, status="held")
    )


def test_organisation_cannot_be_its_own_system(org_a):
    org_a.parent = org_a
    refused_by_database(lambda: org_a.save())


def test_organisation_cannot_be_part_of_its_own_unit(org_a):
    unit = OrganisationFactory(parent=org_a)
    org_a.parent = unit
    refused_by_validation(org_a, "Cela ferait de l'organisation une partie de son propre système.")


def test_history_entries_cannot_be_edited(partnership):
    assessment = LevelAssessmentFactory(partnership=partnership, level=3)
    assessment.level = 5
    with pytest.raises(ValidationError):
        assessment.save()
    check = ConcernCheckFactory(concern=ConcernFactory(raised_by=partnership.parties.first()))
    check.intensity = 0
    with pytest.raises(ValidationError):
        check.save()
    assert LevelAssessment.objects.get().level == 3


def test_organisation_slugs_are_unique(org_a):
    refused_by_database(
        lambda: Organisation.objects.create(name="Other", slug=org_a.slug, kind="school")
    )
