"""The cast of the notification tests: partnership A (lead) + C (partner); B only invited."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.factories import MembershipFactory, PartyFactory, UserFactory


@pytest.fixture
def cora(org_c):
    """Editor of the partner organisation C; reads her e-mail in English."""
    user = UserFactory(username="cora", language="en")
    MembershipFactory(user=user, organisation=org_c, role="editor")
    return user


@pytest.fixture
def invited_b(partnership, org_b, outsider):
    """Organisation B is invited to the partnership and has not answered: it sees nothing."""
    return PartyFactory(partnership=partnership, organisation=org_b, invitation="invited")


@pytest.fixture
def cast(owner, editor, viewer, carla, cora, outsider):
    return {"alice": owner, "bob": editor, "victor": viewer, "carla": carla, "cora": cora}


@pytest.fixture
def told():
    """``told(kind)``: the usernames told of ``kind`` in-app."""

    def usernames(kind: str) -> set[str]:
        return set(
            Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
        )

    return usernames


@pytest.fixture
def mailed(mailoutbox):
    """``mailed()``: the usernames e-mailed (addresses are username@example.org)."""

    def usernames() -> set[str]:
        return {address.split("@")[0] for message in mailoutbox for address in message.to}

    return usernames
