"""Schemathesis fuzzes every operation of the schema, in-process through the WSGI app, as the
administrator of a party with data: no server error, no answer outside the schema.

25 examples per operation; ``SCHEMATHESIS_MAX_EXAMPLES`` for more, and ``SCHEMATHESIS_COVERAGE=1``
for the coverage phase (boundary values of every parameter). CI sets both, once, on PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from notifications.models import Notification
from organisations.models import MemberInvitation
from partnerships.models import CustomQuestion, ImportJob, PartnerInvitation, Questionnaire
from tests.factories import (
    AgreementFactory,
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    LevelProposalFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ResponsibilityFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The coverage phase (boundary values of every parameter) multiplies the requests: CI turns it on
# with SCHEMATHESIS_COVERAGE=1 (and runs the fuzzing once, in its PostgreSQL pass).
DEEP = os.environ.get("SCHEMATHESIS_COVERAGE") == "1"
config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": DEEP}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=config)


@pytest.fixture
def open_connection():
    """Keep the test's database connection across requests, as Django's test client does.

    The WSGI handler closes connections it deems old around each request; inside the test's
    transaction that would close it (and end the test's data) on PostgreSQL.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(open_connection, owner, editor, org_a, org_c, partnership):
    """Alice administers Association A (lead of the partnership) and Maison D (invited to it);
    one object of each kind exists, so generated requests reach real rows."""
    org_d = OrganisationFactory(name="Maison D", slug="maison-d")
    MembershipFactory(user=owner, organisation=org_d, role="admin")
    PartyFactory(partnership=partnership, organisation=org_d, invitation="invited")
    party = partnership.parties.get(organisation=org_a)
    concern = ConcernFactory(raised_by=party)
    ids = {
        "members": editor.memberships.get().pk,
        "levels": LevelAssessmentFactory(partnership=partnership).pk,
        "responsibilities": ResponsibilityFactory(party=party).pk,
        "commitments": CommitmentFactory(party=party).pk,
        "concerns": concern.pk,
        "checks": ConcernCheckFactory(concern=concern).pk,
        "benefits": BenefitFactory(party=party).pk,
        "reviews": ReviewFactory(partnership=partnership).pk,
        "questionnaire-questions": CustomQuestion.objects.create(
            partnership=partnership, kind="scale", text="Et vous ?"
        ).pk,
        "agreements": AgreementFactory(partnership=partnership).pk,
        # An invitation sent by e-mail to an organisation not on the platform, to withdraw.
        "partner-invitations": PartnerInvitation.objects.create(
            partnership=partnership,
            organisation_name="Maison des jeunes",
            email="mj@example.org",
            expires_at=timezone.now() + timedelta(days=30),
        ).pk,
        # A proposal of C's that Alice's organisation is asked to confirm or refuse.
        "level-proposals": LevelProposalFactory(
            proposed_by=partnership.parties.get(organisation=org_c), asking=[party]
        ).pk,
        # One of Alice's notifications, to mark read.
        "notifications": Notification.objects.create(
            recipient=owner, organisation=org_a, kind="review_held", url="/", event_key="fuzz"
        ).pk,
        # A spreadsheet of Alice's organisation read and waiting to be confirmed.
        "imports": ImportJob.objects.create(
            organisation=org_a,
            requested_by=owner,
            status="ready",
            headers=["Titre"],
            rows=[["2", "Importé"]],
            mapping={"Titre": "title"},
        ).pk,
        # Alice answers an invitation addressed to her account.
        "member-invitations": MemberInvitation.objects.create(
            organisation=org_c, invitee=owner, invited_as="alice"
        ).pk,
    }
    # The review's questionnaire is open: answers generated at random reach its validation.
    Questionnaire.objects.create(review_id=ids["reviews"], closes_on=timezone.localdate())
    return {
        "token": Token.objects.create(user=owner).key,
        "partnership_id": partnership.pk,
        "concern_id": concern.pk,
        "ids": ids,
    }


def real_path_parameters(path: str, world: dict) -> dict:
    """Point the generated path at the world's rows (random ids would only ever meet 404)."""
    segments = path.strip("/").split("/")
    values = {}
    if "{partnership_id}" in segments:
        values["partnership_id"] = world["partnership_id"]
    if "{concern_id}" in segments:
        values["concern_id"] = world["concern_id"]
    if "{org_slug}" in segments:
        values["org_slug"] = "maison-d" if "invitations" in segments else "association-a"
    for index, segment in enumerate(segments):
        if segment == "{id}":  # the id of the collection named just before it
            values["id"] = world["ids"][segments[index - 1]]
    return values


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_within_its_schema(case, world):
    case.path_parameters = {
        **(case.path_parameters or {}),
        **real_path_parameters(case.operation.path, world),
    }
    case.call_and_validate(headers={"Authorization": f"Token {world['token']}"}, checks=CHECKS)
