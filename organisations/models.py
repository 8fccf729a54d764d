from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import Language, MemberRole, OrganisationKind, RequestState, SizeBand
from .querysets import (
    JoinRequestQuerySet,
    MemberInvitationQuerySet,
    MembershipQuerySet,
    OrganisationQuerySet,
    RequestQuerySet,
)

HISTORY_EXCLUDED = ["password", "last_login"]


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships."""

    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.FRENCH
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_("Receive each week an e-mail summarising what changed in your partnerships."),
    )

    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # Signing in saves only last_login, which the history leaves out: such a row would
        # repeat the previous one and name nobody (the visitor is not signed in yet).
        update_fields = kwargs.get("update_fields")
        if not (update_fields and set(update_fields) <= set(HISTORY_EXCLUDED)):
            super().save(*args, **kwargs)
            return
        self.skip_history_when_saving = True
        try:
            super().save(*args, **kwargs)
        finally:
            del self.skip_history_when_saving


class Organisation(models.Model):
    """An association, school, public body, company, foundation or network.

    ``parent`` names the system the organisation belongs to. Two organisations under the same
    root system make an *internal* partnership; otherwise it is *external*.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("system it belongs to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    size_band = models.PositiveSmallIntegerField(
        _("size"), choices=SizeBand.choices, default=SizeBand.SMALL
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
                violation_error_message=_("Choose a kind from the list."),
            ),
            models.CheckConstraint(
                condition=Q(size_band__gte=SizeBand.MICRO, size_band__lte=SizeBand.LARGE),
                name="organisation_size_band_valid",
                violation_error_message=_("Choose a size from the list."),
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="organisation_not_its_own_parent",
                violation_error_message=_("An organisation cannot belong to itself."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.pk and self.pk in self.ancestor_ids():
            raise ValidationError(
                {"parent": _("This would make the organisation part of its own system.")}
            )

    def ancestor_ids(self) -> list[int]:
        """Ids from the parent up to the root system (one query per level, systems are shallow)."""
        ids: list[int] = []
        parent_id = self.parent_id
        while parent_id and parent_id not in ids:
            ids.append(parent_id)
            parent_id = (
                Organisation.objects.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return ids

    def root_id(self) -> int:
        """The id of the system at the top of this organisation's chain of parents."""
        ancestors = self.ancestor_ids()
        return ancestors[-1] if ancestors else self.pk


class Membership(models.Model):
    """A user's role in an organisation: admins manage members, editors write, viewers read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.VIEWER
    )
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="membership_one_per_user_and_organisation",
                violation_error_message=_("This person is already a member of the organisation."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values),
                name="membership_role_valid",
                violation_error_message=_("Choose a role from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role in (MemberRole.ADMIN, MemberRole.EDITOR)


def _invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class MemberInvitation(models.Model):
    """An invitation to join an organisation, answered by the person invited.

    Either an e-mail address without an account (``email``: the link of the e-mail, with its
    token, creates the account) or an existing account (``invitee``: they accept or decline
    in the application). ``invited_as`` keeps what the inviter typed: the only thing about
    the person the organisation sees before they accept.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="member_invitations",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person invited"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="member_invitations",
    )
    invited_as = models.CharField(
        _("invited as"),
        max_length=254,
        blank=True,
        help_text=_("The username or e-mail address the inviter typed."),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.VIEWER
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    objects = MemberInvitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(
                    accepted_at__isnull=True, declined_at__isnull=True, invitee__isnull=True
                ),
                name="member_invitation_one_pending_per_address",
                violation_error_message=_("This address already has a pending invitation."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "invitee"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True),
                name="member_invitation_one_pending_per_invitee",
                violation_error_message=_(
                    "This person already has an invitation to this organisation waiting for "
                    "their answer."
                ),
            ),
            models.CheckConstraint(
                condition=Q(invitee__isnull=False) | ~Q(email=""),
                name="member_invitation_names_somebody",
                violation_error_message=_("An invitation is for an account or an e-mail address."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="member_invitation_accepted_or_declined",
                violation_error_message=_("An invitation is accepted or declined, not both."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values),
                name="member_invitation_role_valid",
                violation_error_message=_("Choose a role from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invited} → {self.organisation}"

    @property
    def invited(self) -> str:
        """Who is invited, as the inviter named them (never the account's own details)."""
        return self.invited_as or self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None


class AnsweredRequest(models.Model):
    """A request someone makes to others, answered once: approved or refused, by whom, when."""

    state = models.CharField(
        _("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.state == RequestState.PENDING


class OrganisationSignup(AnsweredRequest):
    """An organisation a person created themselves, waiting for the platform staff's approval
    when ``ORGANISATION_SIGNUP`` is ``approval`` (the organisation stays inactive until then)."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="signup",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_signups",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.FRENCH
    )

    objects = RequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("organisation sign-up request")
        verbose_name_plural = _("organisation sign-up requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values),
                name="organisation_signup_state_valid",
                violation_error_message=_("Choose a state from the list."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class JoinRequest(AnsweredRequest):
    """A person asks to join an organisation (often one whose name they were about to create
    again); its administrators approve, choosing the role, or refuse.

    ``organisation`` may also be a *system* asked by one of its would-be units: then ``unit``
    names the organisation that asks to belong to it, and approving sets the unit's parent.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person asking"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation asking to belong to the system"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="system_requests",
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    role = models.CharField(_("role given"), max_length=10, choices=MemberRole.choices, blank=True)

    objects = JoinRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(state=RequestState.PENDING, unit__isnull=True),
                name="join_request_one_pending_per_person",
                violation_error_message=_(
                    "You already asked to join this organisation: its administrators will answer."
                ),
            ),
            models.UniqueConstraint(
                fields=["organisation", "unit"],
                condition=Q(state=RequestState.PENDING, unit__isnull=False),
                name="join_request_one_pending_per_unit",
                violation_error_message=_(
                    "This organisation already asked to belong to this system."
                ),
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values),
                name="join_request_state_valid",
                violation_error_message=_("Choose a state from the list."),
            ),
        ]

    def __str__(self) -> str:
        asking = self.unit or self.user
        return f"{asking} → {self.organisation}"
