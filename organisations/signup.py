"""Organisations people create themselves, and requests to join an organisation or a system.

``ORGANISATION_SIGNUP`` decides whether a new organisation is active at once (``open``) or waits
for the platform staff (``approval``: an ``OrganisationSignup`` they approve or refuse in the
admin, the person who asked is told by e-mail either way). Joining an organisation someone
else created, or a system, is asked of its administrators (a ``JoinRequest``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import MemberRole, RequestState, SignupMode
from .models import JoinRequest, Membership, Organisation, OrganisationSignup, User
from .permissions import require_member_manager
from .services import _save, organisation_create
from .signals import organisation_join_answered, organisation_join_requested


def signup_needs_approval() -> bool:
    return settings.ORGANISATION_SIGNUP == SignupMode.APPROVAL


@transaction.atomic
def organisation_sign_up(
    *,
    actor: User,
    name: str,
    kind: str,
    size_band: int,
    description: str = "",
    system: Organisation | None = None,
    vouched: bool = False,
) -> Organisation:
    """A signed-in person creates an organisation and becomes its administrator.

    It is active at once unless sign-up needs the staff's approval; ``vouched`` (an invitation
    from a coordinator already on the platform) makes it active at once in either mode.
    Belonging to ``system`` is asked of the system's administrators: the organisation is
    created on its own, and joins the system once they approve.
    """
    waits = signup_needs_approval() and not vouched
    organisation = organisation_create(
        actor=actor,
        name=name.strip(),
        kind=kind,
        size_band=size_band,
        description=description,
        active=not waits,
    )
    if waits:
        _save(
            OrganisationSignup(
                organisation=organisation,
                requested_by=actor,
                language=actor.language or settings.LANGUAGE_CODE,
            ),
            actor,
        )
    if system is not None:
        join_request_create(actor=actor, organisation=system, unit=organisation)
    return organisation


@transaction.atomic
def signup_answer(*, staff: User, signup: OrganisationSignup, approve: bool) -> bool:
    """Platform staff approve (the organisation becomes active) or refuse a sign-up; the
    person who asked is told by e-mail. False when it was answered already."""
    signup = OrganisationSignup.objects.select_for_update().get(pk=signup.pk)
    if not signup.is_pending:
        return False
    signup.state = RequestState.APPROVED if approve else RequestState.REFUSED
    signup.answered_at = timezone.now()
    signup.answered_by = staff
    _save(signup, staff)
    if approve:
        organisation = signup.organisation
        organisation.active = True
        _save(organisation, staff)
    transaction.on_commit(lambda: send_signup_answer(signup.pk))
    return True


def send_signup_answer(signup_id: int) -> None:
    signup = OrganisationSignup.objects.select_related("organisation", "requested_by").get(
        pk=signup_id
    )
    person = signup.requested_by
    if person is None or not person.email:
        return
    template = (
        "organisation_signup_approved"
        if signup.state == RequestState.APPROVED
        else "organisation_signup_refused"
    )
    send_to_person(
        person=person,
        language=person.language or signup.language,
        template=template,
        context={
            "organisation": signup.organisation,
            "url": settings.SITE_URL + reverse("home"),
        },
    )


def send_to_person(*, person: User, language: str, template: str, context: dict) -> None:
    """``emails/<template>_subject.txt``, ``.txt`` and ``.html``, rendered in ``language``."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"user": person, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[person.email])
    message.attach_alternative(html, "text/html")
    message.send()


@transaction.atomic
def join_request_create(
    *, actor: User, organisation: Organisation, message: str = "", unit: Organisation | None = None
) -> JoinRequest:
    """Ask the administrators of ``organisation`` to let ``actor`` in (or, with ``unit``, to
    let the unit ``actor`` administers belong to the system ``organisation``)."""
    if not organisation.active:
        raise ValidationError(_("This organisation does not take new members."))
    if unit is None and Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    if unit is not None:
        require_member_manager(actor, unit)
        if organisation.pk == unit.pk or unit.pk in organisation.ancestor_ids():
            raise ValidationError(
                {"system": _("This would make the organisation part of its own system.")}
            )
    join_request = JoinRequest(organisation=organisation, user=actor, unit=unit, message=message)
    _save(join_request, actor)
    transaction.on_commit(
        lambda: organisation_join_requested.send(JoinRequest, join_request=join_request)
    )
    return join_request


@transaction.atomic
def join_request_answer(
    *, actor: User, join_request: JoinRequest, approve: bool, role: str = MemberRole.VIEWER
) -> JoinRequest:
    """An administrator approves (the person becomes a member with ``role``, or the unit joins
    the system) or refuses a request to join their organisation."""
    require_member_manager(actor, join_request.organisation)
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "unit", "user")
        .get(pk=join_request.pk)
    )
    if not join_request.is_pending:
        raise ValidationError(_("This request has already been answered."))
    join_request.state = RequestState.APPROVED if approve else RequestState.REFUSED
    join_request.answered_at = timezone.now()
    join_request.answered_by = actor
    if approve and join_request.unit is not None:
        unit = join_request.unit
        unit.parent = join_request.organisation
        _save(unit, actor)
    elif approve:
        join_request.role = role
        if not Membership.objects.filter(
            user=join_request.user, organisation=join_request.organisation
        ).exists():
            _save(
                Membership(
                    user=join_request.user, organisation=join_request.organisation, role=role
                ),
                actor,
            )
    _save(join_request, actor)
    transaction.on_commit(
        lambda: organisation_join_answered.send(JoinRequest, join_request=join_request, actor=actor)
    )
    return join_request
