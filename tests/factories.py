from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from organisations.models import Membership, Organisation, User
from organisations.services import email_address_confirm
from partnerships.choices import Invitation
from partnerships.models import (
    Agreement,
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    ExportJob,
    LevelAssessment,
    LevelProposal,
    LevelProposalAnswer,
    Partnership,
    Party,
    Responsibility,
    Review,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """Accounts made for tests have their address verified, as the data migration and
        invitations leave existing ones; ``verified_email=False`` leaves it unverified."""
        if create and extracted is not False:
            email_address_confirm(user=user)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = "association"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "viewer"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"Partnership {n}")
    status = "active"


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "partner"
    invitation = Invitation.ACCEPTED
    joined_on = factory.LazyFunction(timezone.localdate)


class LevelAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelAssessment

    partnership = factory.SubFactory(PartnershipFactory)
    kind = "agreed"
    level = 4


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    party = factory.SubFactory(PartyFactory)
    partnership = factory.SelfAttribute("party.partnership")
    title = "Coordination"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    party = factory.SubFactory(PartyFactory)
    partnership = factory.SelfAttribute("party.partnership")
    title = "Send the calendar"


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    raised_by = factory.SubFactory(PartyFactory)
    partnership = factory.SelfAttribute("raised_by.partnership")
    kind = "fear"
    category = "investment"
    description = "Too many evenings taken"


class ConcernCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernCheck

    concern = factory.SubFactory(ConcernFactory)
    intensity = 3


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    party = factory.SubFactory(PartyFactory)
    partnership = factory.SelfAttribute("party.partnership")
    category = "learning"
    description = "Each team learnt the other's methods"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    partnership = factory.SubFactory(PartnershipFactory)
    scheduled_on = factory.LazyFunction(timezone.localdate)


class ExportJobFactory(factory.django.DjangoModelFactory):
    """A finished CSV export of the partnership list, with its file."""

    class Meta:
        model = ExportJob

    organisation = factory.SubFactory(OrganisationFactory)
    file_format = "csv"
    status = "done"
    row_count = 1
    file = factory.django.FileField(filename="partnerships.csv", data=b"Title\nLecture\n")
    finished_at = factory.LazyFunction(timezone.now)


class AgreementFactory(factory.django.DjangoModelFactory):
    """A draft version of a partnership's agreement (the services move it on)."""

    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    version = factory.Sequence(lambda n: n + 1)
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2027, 12, 31)
    purpose = "Faire lire les élèves chaque semaine."


class LevelProposalFactory(factory.django.DjangoModelFactory):
    """A pending proposal of an agreed level by ``proposed_by``; ``asking`` lists the parties
    asked to confirm it (each gets a pending answer)."""

    class Meta:
        model = LevelProposal
        skip_postgeneration_save = True

    proposed_by = factory.SubFactory(PartyFactory)
    partnership = factory.SelfAttribute("proposed_by.partnership")
    level = 5

    @factory.post_generation
    def asking(self, create, parties, **kwargs):
        for party in parties or ():
            LevelProposalAnswer.objects.create(proposal=self, party=party)
