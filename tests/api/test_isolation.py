"""Every API route, walked from the URL configuration, so a new route cannot escape the checks.

Outsiders get 404 on every object route (whatever the method), readers 403 on every write,
anonymous callers 401. Patterns are filled by kwarg name: ``org_slug``, ``partnership_id``,
``concern_id``, and ``pk`` for the nested object of each route.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

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
    ResponsibilityFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
# Routes anyone signed in may use without a role: nothing of another organisation is in them.
# The invitations to join an organisation are answered by the person invited only (404 for
# anybody else, outsiders included, checked below); one's own notifications likewise.
OPEN_TO_EVERY_USER = {
    "api:auth-token",
    "api:organisation-list",
    "api:member-invitation-list",
    "api:member-invitation-accept",
    "api:member-invitation-decline",
    "api:notification-list",
    "api:notification-read",
    "api:me",
    "api:me-export",
}
# Every member of a party taking part answers the questionnaire before a review, viewers too
# (issue 19; tests/api/test_questionnaire.py covers who may).
MEMBERS_WRITE = {"api:partnership-reviews-questionnaire-answers"}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace == "api":
            yield pattern


def api_routes() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(url name, kwarg names, methods) of every route of the API."""
    routes = []
    for pattern in _walk(get_resolver().url_patterns):
        view = pattern.callback.cls
        methods = tuple(
            m for m in ("get", *WRITES) if m in view.http_method_names and hasattr(view, m)
        )
        routes.append((f"api:{pattern.name}", tuple(pattern.pattern.converters), methods))
    return routes


ROUTES = api_routes()
OBJECT_ROUTES = [route for route in ROUTES if route[1]]


@pytest.fixture
def objects(owner, org_a, org_c, partnership):
    """One object of each kind in Association A's partnership, by the name of its route."""
    party = partnership.parties.get(organisation=org_a)
    concern = ConcernFactory(raised_by=party)
    review = ReviewFactory(partnership=partnership).pk
    Questionnaire.objects.create(review_id=review, closes_on=timezone.localdate())
    membership = owner.memberships.get()
    agreement = AgreementFactory(partnership=partnership).pk
    # A pending proposal of the partner's, which A's writers could answer.
    proposal = LevelProposalFactory(
        proposed_by=partnership.parties.exclude(organisation=org_a).get(), asking=[party]
    ).pk
    member_invitation = MemberInvitation.objects.create(
        organisation=org_a, invitee=UserFactory(username="dora"), invited_as="dora"
    ).pk
    responsibility = ResponsibilityFactory(party=party).pk
    commitment = CommitmentFactory(party=party).pk
    benefit = BenefitFactory(party=party).pk
    partner_invitation = PartnerInvitation.objects.create(
        partnership=partnership,
        organisation_name="Maison des jeunes",
        email="mj@example.org",
        expires_at=timezone.now() + timedelta(days=30),
    ).pk
    import_job = ImportJob.objects.create(organisation=org_a, requested_by=owner, status="ready").pk
    return {
        "api:import-detail": import_job,
        "api:import-confirm": import_job,
        "api:partner-invitation-detail": partner_invitation,
        "api:member-invitation-accept": member_invitation,
        "api:member-invitation-decline": member_invitation,
        "api:member-detail": membership.pk,
        "api:partnership-levels-detail": LevelAssessmentFactory(partnership=partnership).pk,
        "api:partnership-responsibilities-detail": responsibility,
        "api:partnership-responsibilities-restore": responsibility,
        "api:partnership-commitments-detail": commitment,
        "api:partnership-commitments-restore": commitment,
        "api:partnership-concerns-detail": concern.pk,
        "api:partnership-concern-checks-detail": ConcernCheckFactory(concern=concern).pk,
        "api:partnership-benefits-detail": benefit,
        "api:partnership-benefits-restore": benefit,
        "api:partnership-reviews-detail": review,
        "api:partnership-reviews-hold": review,
        "api:partnership-reviews-close": review,
        "api:partnership-reviews-cancel": review,
        "api:partnership-reviews-agenda-pdf": review,
        "api:partnership-questionnaire-questions-detail": CustomQuestion.objects.create(
            partnership=partnership, kind="text", text="Et vous ?"
        ).pk,
        "api:partnership-reviews-questionnaire": review,
        "api:partnership-reviews-questionnaire-close": review,
        "api:partnership-reviews-questionnaire-answers": review,
        "api:partnership-reviews-questionnaire-results": review,
        "api:partnership-reviews-questionnaire-members": review,
        "api:partnership-agreements-detail": agreement,
        "api:partnership-agreements-submit": agreement,
        "api:partnership-agreements-approve": agreement,
        "api:partnership-agreements-refuse": agreement,
        "api:partnership-agreements-representative": agreement,
        "api:partnership-agreements-pdf": agreement,
        "api:partnership-level-proposals-detail": proposal,
        "api:partnership-level-proposals-confirm": proposal,
        "api:partnership-level-proposals-refuse": proposal,
        "concern_id": concern.pk,
        "api:notification-read": Notification.objects.create(
            recipient=owner, organisation=org_a, kind="review_held", url="/", event_key="walk"
        ).pk,
    }


def fill(name: str, kwarg_names: tuple[str, ...], partnership, objects) -> str:
    values = {
        "org_slug": "association-a",
        "partnership_id": partnership.pk,
        "concern_id": objects["concern_id"],
    }
    kwargs = {}
    for kwarg in kwarg_names:
        kwargs[kwarg] = objects[name] if kwarg == "pk" else values[kwarg]
    return reverse(name, kwargs=kwargs)


def test_the_walk_finds_the_routes_of_the_contract():
    names = {name for name, _kwargs, _methods in ROUTES}
    assert {"api:partnership-detail", "api:invitation-accept", "api:member-detail"} <= names
    assert len(OBJECT_ROUTES) >= 20


@pytest.mark.parametrize(("name", "kwarg_names", "methods"), OBJECT_ROUTES)
def test_outsiders_get_404_on_every_object_route(
    api, outsider, partnership, objects, name, kwarg_names, methods
):
    path = fill(name, kwarg_names, partnership, objects)
    client = api(outsider)
    statuses = {method: getattr(client, method)(path, {}).status_code for method in methods}
    assert statuses == dict.fromkeys(methods, 404)


@pytest.mark.parametrize(
    ("name", "kwarg_names", "methods"),
    [
        route
        for route in ROUTES
        if route[0] not in OPEN_TO_EVERY_USER | MEMBERS_WRITE and set(route[2]) - {"get"}
    ],
)
def test_readers_get_403_on_every_write(
    api, viewer, partnership, objects, name, kwarg_names, methods
):
    path = fill(name, kwarg_names, partnership, objects)
    client = api(viewer)
    writes = [method for method in methods if method in WRITES]
    statuses = {method: getattr(client, method)(path, {}).status_code for method in writes}
    assert statuses == dict.fromkeys(writes, 403)


@pytest.mark.parametrize(
    ("name", "kwarg_names", "methods"),
    [route for route in ROUTES if route[0] != "api:auth-token"],
)
def test_anonymous_callers_get_401_everywhere(
    api, partnership, objects, name, kwarg_names, methods
):
    path = fill(name, kwarg_names, partnership, objects)
    client = api()
    statuses = {method: getattr(client, method)(path, {}).status_code for method in methods}
    assert statuses == dict.fromkeys(methods, 401)


# Read by the organisation's writers only: an import's preview holds the partners' contacts.
WRITERS_READ = {"api:import-detail"}


def test_readers_still_read_every_object_route(api, viewer, partnership, objects):
    for name, kwarg_names, methods in OBJECT_ROUTES:
        if "get" in methods:
            path = fill(name, kwarg_names, partnership, objects)
            expected = 403 if name in WRITERS_READ else 200
            assert api(viewer).get(path).status_code == expected, path
