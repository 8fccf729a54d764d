"""Staff carry out an organisation's request to leave the platform, from the admin."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from organisations.models import MemberInvitation
from partnerships.models import Party
from privacy.models import LeaveRequest
from tests.factories import PartnershipFactory, PartyFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


CHANGELIST = "admin:privacy_leaverequest_changelist"


def carry_out(client, leave, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": "carry_out_leave", "_selected_action": [leave.pk], **extra},
    )


def test_staff_confirm_and_the_organisation_leaves_the_platform(
    client,
    superuser,
    owner,
    editor,
    org_a,
    org_c,
    partnership,
    django_capture_on_commit_callbacks,
):
    alone = PartnershipFactory(title="Seuls")
    PartyFactory(partnership=alone, organisation=org_a, role="lead")
    invited = PartnershipFactory(title="Invités")
    PartyFactory(partnership=invited, organisation=org_c, role="lead")
    PartyFactory(partnership=invited, organisation=org_a, invitation="invited", joined_on=None)
    MemberInvitation.objects.create(organisation=org_a, email="new@example.org")
    leave = LeaveRequest.objects.create(organisation=org_a, requested_by=owner, reason="Fin")
    page = reverse("partnerships:tab-commitments", args=[org_a.slug, partnership.pk])
    api_url = f"/api/v1/partnerships/{partnership.pk}/"
    client.force_login(owner)
    assert client.get(page).status_code == 200
    assert api(owner).get(api_url).status_code == 200

    client.force_login(superuser)
    confirmation = carry_out(client, leave)
    assert confirmation.status_code == 200  # asks first, changes nothing
    assert "Lecture au collège" in confirmation.content.decode()
    org_a.refresh_from_db()
    assert org_a.active
    with django_capture_on_commit_callbacks(execute=True):
        assert carry_out(client, leave, confirm="yes").status_code == 302

    org_a.refresh_from_db()
    leave.refresh_from_db()
    assert not org_a.active and leave.handled_at is not None
    left = Party.objects.get(partnership=partnership, organisation=org_a)
    assert left.left_on is not None
    assert left.history.latest().history_user == superuser  # recorded, history kept
    assert Party.objects.get(partnership=alone).left_on is None  # the last party stays
    assert Party.objects.get(partnership=invited, organisation=org_a).invitation == "declined"
    assert not MemberInvitation.objects.pending().filter(organisation=org_a).exists()
    assert Party.objects.filter(organisation=org_a).count() == 3
    # Its administrators are told, in their language.
    assert [message.to for message in mail.outbox if "Association A" in message.subject] == [
        [owner.email]
    ]
    # Its members lose access: pages and API answer 404.
    client.force_login(owner)
    assert client.get(page).status_code == 404
    assert api(owner).get(api_url).status_code == 404
    assert api(editor).get(api_url).status_code == 404


def test_only_staff_carry_it_out_and_only_once(client, owner, superuser, org_a, org_c, partnership):
    leave = LeaveRequest.objects.create(organisation=org_a, requested_by=owner)
    client.force_login(owner)
    assert carry_out(client, leave, confirm="yes").status_code in (302, 403)
    org_a.refresh_from_db()
    assert org_a.active
    client.force_login(superuser)
    carry_out(client, leave, confirm="yes")
    leave.refresh_from_db()
    handled = leave.handled_at
    carry_out(client, leave, confirm="yes")  # handled: nothing more happens
    leave.refresh_from_db()
    assert leave.handled_at == handled


def test_the_confirmation_lists_each_organisations_parties_at_a_fixed_cost(client, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    def requests(count: int) -> list[LeaveRequest]:
        made = []
        for _ in range(count):
            party = PartyFactory()
            PartyFactory(organisation=party.organisation)
            admin = MembershipFactory(organisation=party.organisation, role="admin").user
            made.append(
                LeaveRequest.objects.create(organisation=party.organisation, requested_by=admin)
            )
        return made

    def queries(selected: list[LeaveRequest]) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse(CHANGELIST),
                {"action": "carry_out_leave", "_selected_action": [r.pk for r in selected]},
            )
        assert response.status_code == 200
        for leave in selected:  # each organisation with the partnerships it would leave
            assert leave.organisation.name in response.content.decode()
        return len(captured.captured_queries)

    client.force_login(superuser)
    one, four = requests(1), requests(4)
    assert queries(four) == queries(one)
