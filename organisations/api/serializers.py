"""What the organisations API reads and writes. Inputs and outputs are separate serializers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from core.api.fields import SlugRelatedField
from organisations.choices import MemberRole, OrganisationKind, SizeBand
from organisations.models import MemberInvitation, Membership, Organisation, User
from organisations.two_factor import code_is_valid, has_two_factor


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation as its members see it."""

    parent = SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text=_("The system it belongs to, by its slug."),
    )
    role = serializers.ChoiceField(
        choices=MemberRole.choices,
        read_only=True,
        allow_null=True,
        help_text=_("Your role in this organisation."),
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "parent",
            "size_band",
            "description",
            "active",
            "role",
            "created_at",
        ]
        read_only_fields = fields


class OrganisationDirectorySerializer(serializers.ModelSerializer):
    """An entry of the directory of active organisations, enough to invite a partner."""

    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind"]
        read_only_fields = fields


class OrganisationListEntrySerializer(serializers.Serializer):
    """An organisation of the list: the full entry for yours, name, slug and kind in the
    directory (``?directory=1``)."""

    # Documentation only: the two shapes the list returns, the directory's fields required.
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, read_only=True)
    id = serializers.IntegerField(required=False)
    parent = serializers.SlugField(required=False, allow_null=True)
    size_band = serializers.ChoiceField(choices=SizeBand.choices, required=False)
    description = serializers.CharField(required=False)
    active = serializers.BooleanField(required=False)
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False, allow_null=True)
    created_at = serializers.DateTimeField(required=False)


class OrganisationCreateSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(
        max_length=80,
        required=False,
        help_text=_("Short name used in addresses; made from the name when left out."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "size_band", "description"]

    def validate_slug(self, value: str) -> str:
        if Organisation.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("This short name is already taken."))
        return value


class OrganisationUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "size_band", "description"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField(help_text=_("The member's full name."))

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "role", "created_at"]
        read_only_fields = fields

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name()


class MembershipCreateSerializer(serializers.Serializer):
    username = SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("Nobody signs in with the username “{value}”.")},
        help_text=_("The username of the person to invite; they become a member once they accept."),
    )
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.VIEWER)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class MemberInvitationSerializer(serializers.ModelSerializer):
    """A pending invitation as the organisation sees it: only what the inviter typed."""

    invited = serializers.CharField(
        read_only=True, help_text=_("The username or e-mail address the inviter typed.")
    )
    invited_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = MemberInvitation
        fields = ["id", "invited", "role", "invited_at"]
        read_only_fields = fields


class InvitingOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind"]
        read_only_fields = fields


class MyMemberInvitationSerializer(serializers.ModelSerializer):
    """An invitation to join an organisation, as the person invited sees it."""

    organisation = InvitingOrganisationSerializer(read_only=True)
    invited_by = serializers.SerializerMethodField(help_text=_("Who invites you, by name."))
    invited_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = MemberInvitation
        fields = ["id", "organisation", "role", "invited_by", "invited_at"]
        read_only_fields = fields

    def get_invited_by(self, invitation: MemberInvitation) -> str | None:
        return str(invitation.invited_by) if invitation.invited_by else None


class TokenRequestSerializer(AuthTokenSerializer):
    """A username (or e-mail address) and password, plus the two-factor code if it is on."""

    otp = serializers.CharField(
        label=_("Two-factor code"),
        help_text=_(
            "The code from your authenticator app, or one of your recovery codes; needed only "
            "if two-factor authentication is on for your account."
        ),
        required=False,
        allow_blank=True,
        write_only=True,
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        if not has_two_factor(user):
            return attrs
        code = attrs.get("otp", "").strip()
        if not code:
            message = _(
                "Two-factor authentication is on for this account: send the code from your "
                "authenticator app in the otp field."
            )
            raise serializers.ValidationError({"otp": [message]}, code="otp_required")
        if not code_is_valid(user, code):
            message = _("This two-factor code is not valid.")
            raise serializers.ValidationError({"otp": [message]}, code="otp_invalid")
        return attrs
