"""Every URL of the project, walked from the resolver (no hand-kept list): nobody reaches
organisation A's data without being one of its members, and viewers never write.

A new pattern whose arguments this test cannot fill fails it, so no URL escapes the walk.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import unsubscribe_token
from organisations.models import JoinRequest, MemberInvitation
from partnerships.models import CustomQuestion, ImportJob, PartnerInvitation
from privacy.models import OrganisationArchive, PersonalExport
from tests.factories import (
    AgreementFactory,
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    ExportJobFactory,
    LevelAssessmentFactory,
    LevelProposalFactory,
    MembershipFactory,
    PartnershipFactory,
    PartyFactory,
    ResponsibilityFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Open to anyone by design, each for a reason.
PUBLIC = {
    "account_login": "the sign-in form",
    "account_logout": "signing out (a confirmation page, then POST)",
    "account_signup": "creating an account",
    "account_inactive": "the page of an account turned off",
    "account_email_verification_sent": "the page after signing up: check your e-mail",
    "account_confirm_email": "the verification link from the e-mail, checked by its key",
    "account_reset_password": "asking for a reset link",
    "account_reset_password_done": "the page after asking",
    "account_reset_password_from_key": "the link from the e-mail, checked by its key",
    "account_reset_password_from_key_done": "the page after resetting",
    "account_confirm_login_code": "the second step of a sign-in in progress (none: to sign in)",
    "mfa_authenticate": "the two-factor step of a sign-in in progress (none: to sign in)",
    "moved-password-change": "Django's former address, sent on to allauth's",
    "moved-password-changed": "Django's former address, sent on to allauth's",
    "moved-password-reset": "Django's former address, sent on to allauth's",
    "moved-reset-sent": "Django's former address, sent on to allauth's",
    "moved-reset-link": "a reset link from before the move: to asking for a new one",
    "moved-reset-done": "Django's former address, sent on to allauth's",
    "set_language": "choosing the interface language",
    "join": "the invitation link from the e-mail, checked by its token",
    "partner-invitation": "an invitation to a partnership sent by e-mail, checked by its token",
    "api-schema": "the OpenAPI description of the API",
    "api-docs": "the API's documentation page",
    "api:auth-token": "exchanging a username and password for an API token",
    "healthz": "the health check of load balancers, with nothing sensitive in it",
    "notification-unsubscribe": "the e-mail's one-click link, checked by its signed token",
    "privacy-notice": "the privacy notice, which everyone may read before signing up",
}
# The signed-in user's own pages and collections: anonymous visitors are sent to sign in (the
# API answers 401); what they list is scoped to the user, checked by tests/api.
PERSONAL = {
    "home",
    "profile",
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "member-invitations",
    "member-invitation-accept",
    "member-invitation-decline",
    # Registering an organisation, and asking one on the platform to let you in (its name is
    # in the directory every coordinator picks partners from; nothing else of it shows).
    "organisation-new",
    "organisation-join-request",
    "api:member-invitation-list",
    "api:member-invitation-accept",
    "api:member-invitation-decline",
    "api:invitation-list",
    "api:organisation-list",
    "api:partnership-list",
    # Imports for one of the user's own organisations (``?organisation=``, checked by
    # tests/api/test_imports.py); an import's own routes are walked below.
    "api:import-list",
    "api:report-summary",
    "api:network",  # names one of the user's organisations: 404 otherwise (tests/api)
    "api:todo",
    "notifications",
    "notification-open",
    "notifications-read-all",
    "notification-preferences",
    # The style guide: staff only (404 for everybody else), nothing of any organisation in it.
    "styleguide",
    "api:notification-list",
    "api:notification-read",
    # One's own data and erasure: about the signed-in person only (tests/privacy).
    "my-data",
    "my-data-export",  # the person's own file: 404 for anybody else (tests/privacy)
    "account-delete",
    "api:me",
    "api:me-export",
}
# Django's admin guards itself (staff only); tests/test_admin.py covers it.
SELF_GUARDED_NAMESPACES = {"admin"}


def walk(resolver=None, namespace="", arguments=()):
    """(full name, argument names) for every pattern the project serves."""
    for entry in (resolver or get_resolver()).url_patterns:
        # Named groups: the path converters, and those of allauth's regular expressions.
        found = (*arguments, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace in SELF_GUARDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner, found)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"unnamed URL pattern {entry.pattern} cannot be walked"
            yield f"{namespace}{entry.name}", sorted(found)


def collected_patterns():
    seen = {}
    for name, arguments in walk():
        seen.setdefault(name, arguments)
    return sorted(seen.items())


PATTERNS = collected_patterns()
TENANT = [(name, args) for name, args in PATTERNS if name not in PUBLIC and name not in PERSONAL]


@pytest.fixture
def world(org_a, org_b, org_c, owner, viewer, outsider, partnership):
    """One object of each kind in organisation A's partnership, and A's pending invitations."""
    party_a = partnership.parties.get(organisation=org_a)
    invited_elsewhere = PartyFactory(
        partnership=PartnershipFactory(title="Invitation de C"),
        organisation=org_a,
        invitation="invited",
    )
    PartyFactory(partnership=invited_elsewhere.partnership, organisation=org_c, role="lead")
    concern = ConcernFactory(raised_by=party_a)
    partner_invitation = PartnerInvitation.objects.create(
        partnership=partnership,
        organisation_name="Maison des jeunes",
        email="mj@example.org",
        expires_at=timezone.now() + timedelta(days=30),
    )
    responsibility = ResponsibilityFactory(party=party_a).pk
    commitment = CommitmentFactory(party=party_a).pk
    benefit = BenefitFactory(party=party_a).pk
    # A pending proposal of the partner's, which A's writers could answer.
    proposal = LevelProposalFactory(
        proposed_by=partnership.parties.exclude(organisation=org_a).get(), asking=[party_a]
    ).pk
    return {
        "org_slug": org_a.slug,
        "partnership_id": partnership.pk,
        "responsibility": responsibility,
        "commitment": commitment,
        "concern": concern.pk,
        "benefit": benefit,
        "export": ExportJobFactory(organisation=org_a, requested_by=owner).pk,
        "import": ImportJob.objects.create(
            organisation=org_a,
            requested_by=owner,
            status="ready",
            filename="partenaires.csv",
            headers=["Titre"],
            rows=[["2", "Importé"]],
            mapping={"Titre": "title"},
        ).pk,
        "invitation": invited_elsewhere.pk,
        "member": MembershipFactory(organisation=org_a).pk,
        "member-invitation": MemberInvitation.objects.create(
            organisation=org_a, email="new@example.org"
        ).pk,
        "token": MemberInvitation.objects.get(email="new@example.org").token,
        "partner-invitation": partner_invitation.pk,
        "invitation_token": partner_invitation.token,
        "join-request": JoinRequest.objects.create(
            organisation=org_a, user=UserFactory(username="asking")
        ).pk,
        "review_id": ReviewFactory(partnership=partnership).pk,
        # An agreement version in force with its signed scan, so that every agreement page
        # (printing, downloading, deciding, drafting) has something to reveal or change.
        "agreement_id": AgreementFactory(
            partnership=partnership,
            state="in_force",
            in_force_at=timezone.now(),
            signed_scan=ContentFile(b"%PDF-1.4 signed", name="signed.pdf"),
        ).pk,
        "concern_id": concern.pk,
        "partnership-levels": LevelAssessmentFactory(partnership=partnership).pk,
        "partnership-responsibilities": responsibility,
        "partnership-commitments": commitment,
        "partnership-concern-checks": ConcernCheckFactory(concern=concern).pk,
        "partnership-concerns": concern.pk,
        "partnership-benefits": benefit,
        "partnership-reviews": ReviewFactory(partnership=partnership).pk,
        "partnership-agreements": AgreementFactory(partnership=partnership).pk,
        "partnership-level-proposals": proposal,
        "questionnaire-question": CustomQuestion.objects.create(
            partnership=partnership, kind="text", text="Et vous ?"
        ).pk,
        "partnership-questionnaire-questions": CustomQuestion.objects.create(
            partnership=partnership, kind="text", text="Et vous ?"
        ).pk,
        "level-proposal": proposal,
        "uidb64": "MQ",  # a reset link's user id; the token below is not valid for it
        "notification": Notification.objects.create(
            recipient=owner, organisation=org_a, kind="review_held", url="/", event_key="walk"
        ).pk,
        "unsubscribe_token": unsubscribe_token(owner, "review_held"),
        "uidb36": "1",  # allauth's reset link: user id and key, not valid either
        "key": "not-a-valid-key",  # allauth's e-mail verification or reset key
        "archive_id": OrganisationArchive.objects.create(
            organisation=org_a,
            requested_by=owner,
            status="done",
            file=ContentFile(b"{}", name="archive.json"),
        ).pk,
        # The owner's own large data export: the link of the e-mail, for them only.
        "export_id": PersonalExport.objects.create(
            user=owner, status="done", file=ContentFile(b"{}", name="my-data.json")
        ).pk,
    }


# Which object a ``pk`` names, by the first word(s) of the URL name.
PK_OWNERS = [
    "questionnaire-question",
    "partnership-questionnaire-questions",
    "partnership-agreements",
    "partnership-level-proposals",
    "level-proposal",
    "partnership-levels",
    "partnership-responsibilities",
    "partnership-commitments",
    "partnership-concern-checks",
    "partnership-concerns",
    "partnership-benefits",
    "partnership-reviews",
    "member-invitation",
    "notification",
    "partner-invitation",
    "join-request",
    "responsibility",
    "commitment",
    "concern",
    "benefit",
    "invitation",
    "member",
    "export",
    "import",
]


def fill(name: str, arguments: list[str], world: dict) -> dict:
    kwargs = {}
    short = name.split(":")[-1]
    for argument in arguments:
        if argument == "pk":
            owner = next((key for key in PK_OWNERS if short.startswith(key)), None)
            assert owner, f"{name}: no rule says which object its pk names"
            kwargs["pk"] = world[owner]
        else:
            assert argument in world, f"{name}: cannot fill <{argument}>"
            kwargs[argument] = world[argument]
    return kwargs


def is_api(name: str) -> bool:
    return name.startswith("api:")


def send(client, method: str, url: str):
    """A request as its audience sends it: JSON for the API, a form post for pages."""
    call = getattr(client, method)
    if url.startswith("/api/") and method != "get":
        return call(url, data="{}", content_type="application/json")
    return call(url)


UNSAFE = ("post", "put", "patch", "delete")


def database_state() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in ("organisations", "partnerships", "auth")
    }


def test_the_walk_reaches_the_tenant_pages():
    names = {name for name, _args in TENANT}
    assert {"partnerships:dashboard", "partnerships:workspace", "members"} <= names
    assert len(TENANT) > 30


@pytest.mark.parametrize(("name", "arguments"), PATTERNS, ids=[n for n, _a in PATTERNS])
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name, arguments):
    url = reverse(name, kwargs=fill(name, arguments, world))
    if name in PUBLIC:
        assert client.get(url).status_code in (200, 301, 302, 405), PUBLIC[name]
        return
    before = database_state()
    for method in ("get", *UNSAFE):
        response = send(client, method, url)
        if is_api(name):
            assert response.status_code in (401, 403), f"{method} {url}"
        elif method in ("get", "post"):
            assert response.status_code == 302, f"{method} {url}"
            assert response["Location"].startswith(reverse("account_login"))
    assert database_state() == before


@pytest.mark.parametrize(("name", "arguments"), TENANT, ids=[n for n, _a in TENANT])
def test_members_of_another_organisation_get_404(client, world, outsider, org_b, name, arguments):
    kwargs = fill(name, arguments, world)
    client.force_login(outsider)
    before = database_state()
    url = reverse(name, kwargs=kwargs)
    if is_api(name):
        # A method the route does not take is refused first (405), whatever the id: that says
        # nothing about A's objects; every method it does take finds nothing.
        statuses = {send(client, method, url).status_code for method in ("get", *UNSAFE)}
        assert 404 in statuses and statuses <= {404, 405}, f"{url}: {statuses}"
    else:
        for method in ("get", "post"):
            assert send(client, method, url).status_code == 404, f"{method} {url}"
    if "org_slug" in kwargs and len(kwargs) > 1 and not is_api(name):
        # Their own organisation in the address, A's objects after it: still nothing.
        own = reverse(name, kwargs={**kwargs, "org_slug": org_b.slug})
        statuses = {send(client, "get", own).status_code, send(client, "post", own).status_code}
        # A method the address does not take may be refused first (405): that says nothing
        # about A's objects; the method it does take finds nothing.
        assert 404 in statuses and statuses <= {404, 405}, f"{own}: {statuses}"
    assert database_state() == before


# Every member answers the questionnaire before a review, viewers too (issue 19); here no
# questionnaire is open, so nothing is found and nothing is written.
VIEWERS_ANSWER = {
    "api:partnership-reviews-questionnaire-answers",
    "partnerships:questionnaire-answer",
}


@pytest.mark.parametrize(("name", "arguments"), TENANT, ids=[n for n, _a in TENANT])
def test_viewers_cannot_write(client, world, viewer, name, arguments):
    url = reverse(name, kwargs=fill(name, arguments, world))
    client.force_login(viewer)
    before = database_state()
    allowed = (403, 404, 405) if name in VIEWERS_ANSWER else (403, 405)
    for method in UNSAFE:
        assert send(client, method, url).status_code in allowed, f"{method} {url}"
    assert database_state() == before
