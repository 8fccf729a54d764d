"""What the partnerships API reads and writes.

Parties are named by their organisation's slug. Fields that point at other objects only accept
objects of the partnership in the URL (passed in the serializer context), so a body cannot reach
into another partnership. Ids, authors, timestamps and versions are read-only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ClockTimeField, SlugRelatedField
from core.dates import validate_date_in_range
from organisations.models import Organisation, User
from partnerships import policy
from partnerships.choices import (
    CONCERN_CATEGORIES,
    INTENSITY_MAX,
    INTENSITY_MIN,
    AssessmentKind,
    FearCategory,
    Level,
    PartnerInvitationState,
    PartyRole,
    ResistanceCategory,
    TodoKind,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    PartnerInvitation,
    Partnership,
    Party,
    Responsibility,
    Review,
)
from partnerships.reads.agenda import visible_record
from partnerships.reads.health import health_signals

# "other" exists under both kinds of concern; the API exchanges the keys only.
CONCERN_CATEGORY_VALUES = list(dict.fromkeys([*FearCategory.values, *ResistanceCategory.values]))


# --- Fields that point inside the partnership -----------------------------------------------
@extend_schema_field(OpenApiTypes.STR)
class PartyField(SlugRelatedField):
    """A current party of the partnership in the URL, named by its organisation's slug."""

    default_error_messages = {
        "does_not_exist": _("“{value}” is not a party to this partnership."),
        "invalid": _("Give the short name (slug) of a party's organisation."),
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Party.objects.none())
        super().__init__(slug_field="organisation__slug", **kwargs)

    def get_queryset(self):
        partnership = self.context.get("partnership")
        if partnership is None:
            return Party.objects.none()
        return policy.nameable_parties(partnership)

    def to_representation(self, party: Party) -> str:
        return party.organisation.slug


class ReviewField(serializers.PrimaryKeyRelatedField):
    """A review of the partnership in the URL, by its id."""

    default_error_messages = {
        "does_not_exist": _("This partnership has no review {pk_value}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Review.objects.none())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self):
        partnership = self.context.get("partnership")
        if partnership is None:
            return Review.objects.none()
        return Review.objects.filter(partnership=partnership)


class AttendeeField(SlugRelatedField):
    """A member of one of the parties, by username."""

    default_error_messages = {
        "does_not_exist": _("“{value}” is not a member of any party to this partnership."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", User.objects.none())
        super().__init__(slug_field="username", **kwargs)

    def get_queryset(self):
        partnership = self.context.get("partnership")
        if partnership is None:
            return User.objects.none()
        return policy.attendee_candidates(partnership)


def _username(**kwargs) -> serializers.CharField:
    return serializers.CharField(read_only=True, allow_null=True, **kwargs)


# --- Partnerships ---------------------------------------------------------------------------
class PartySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Party
        fields = [
            "organisation",
            "organisation_name",
            "role",
            "invitation",
            "contribution",
            "invited_at",
            "responded_at",
            "joined_on",
            "left_on",
            "left_reason",
        ]
        read_only_fields = fields


class PartyLeaveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why your organisation leaves (optional); shown to the other parties."),
    )


class LeadNameSerializer(serializers.Serializer):
    organisation = serializers.SlugField(
        help_text=_("Slug of the organisation, a party taking part, to name the lead.")
    )


class TodoItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TodoKind.choices, read_only=True)
    text = serializers.CharField(read_only=True, help_text=_("What to do, in your language."))
    url = serializers.CharField(
        read_only=True, help_text=_("The page where it is done (a relative URL).")
    )
    action = serializers.CharField(read_only=True, help_text=_("The label of that page's button."))


class SignalSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


def _level(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        read_only=True,
        allow_null=True,
        min_value=Level.SERVICE,
        max_value=Level.FUSION,
        help_text=help_text,
    )


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership with its current levels, gaps and signals (read with ``with_health()``)."""

    parties = PartySerializer(many=True, read_only=True)
    agreed_level = _level(_("The latest level agreed together (1 to 7)."))
    target_level = _level(_("The latest level the partners aim for (1 to 7)."))
    perception_gap = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Spread between the parties' visible perceived levels; null below two."),
    )
    agreement_gap = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Largest distance between a visible perceived level and the agreed one."),
    )
    signals = serializers.SerializerMethodField()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "purpose",
            "status",
            "scope",
            "starts_on",
            "ends_on",
            "review_cadence",
            "next_review_on",
            "version",
            "parties",
            "agreed_level",
            "target_level",
            "perception_gap",
            "agreement_gap",
            "signals",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SignalSerializer(many=True))
    def get_signals(self, partnership: Partnership) -> list[dict[str, str]]:
        return [
            {"code": signal.code, "message": signal.message}
            for signal in health_signals(partnership)
        ]


class PartnershipDetailSerializer(PartnershipSerializer):
    perceived_levels = serializers.DictField(
        child=serializers.IntegerField(min_value=Level.SERVICE, max_value=Level.FUSION),
        read_only=True,
        help_text=_(
            "Each party's latest perceived level you may see, by organisation slug: every "
            "revealed rating, and your own organisations' blind ones."
        ),
    )

    class Meta(PartnershipSerializer.Meta):
        fields = [*PartnershipSerializer.Meta.fields, "perceived_levels"]
        read_only_fields = fields


class PartnerSerializer(serializers.Serializer):
    organisation = SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.active(),
        error_messages={"does_not_exist": _("No active organisation is called “{value}”.")},
    )
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.PARTNER)


PARTNERSHIP_WRITABLE = [
    "title",
    "purpose",
    "status",
    "starts_on",
    "ends_on",
    "review_cadence",
    "next_review_on",
]


class PartnershipCreateSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugField(
        required=False,
        help_text=_(
            "Your organisation that creates it (its slug); the first you write for if left out."
        ),
    )
    role = serializers.ChoiceField(
        choices=PartyRole.choices,
        default=PartyRole.LEAD,
        help_text=_("Your organisation's role in the partnership."),
    )
    partners = PartnerSerializer(
        many=True, required=False, help_text=_("Organisations invited to join.")
    )

    class Meta:
        model = Partnership
        fields = [*PARTNERSHIP_WRITABLE, "organisation", "role", "partners"]

    def validate_partners(self, partners: list[dict]) -> list[dict]:
        slugs = [partner["organisation"].slug for partner in partners]
        if len(slugs) != len(set(slugs)):
            raise serializers.ValidationError(_("Invite each organisation once."))
        return partners


class VersionEchoed(serializers.Serializer):
    """A change echoes the ``version`` it read: missing 400, stale 409 (nothing is changed)."""

    version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you read: the change is refused (409) if it is not current."),
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if "version" not in attrs:  # PATCH skips required fields; the version never is
            raise serializers.ValidationError(
                {"version": [_("Send the version you read, so no one's change is lost.")]}
            )
        return attrs


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(
        read_only=True, help_text=_("Send it back with a change (PUT or PATCH).")
    )


class PartnershipUpdateSerializer(VersionEchoed, serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = [*PARTNERSHIP_WRITABLE, "version"]


class PartyInviteSerializer(PartnerSerializer):
    pass


class PartnerInvitationCreateSerializer(serializers.Serializer):
    """Invite an organisation not on the platform yet: its name and a contact's address (the
    contact receives a link, valid 30 days, to register it and answer)."""

    organisation_name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.PARTNER)


class PartnerInvitationSerializer(serializers.ModelSerializer):
    """An invitation sent by e-mail; ``state`` is ``expired`` once past ``expires_at``."""

    state = serializers.ChoiceField(
        source="current_state", choices=PartnerInvitationState.choices, read_only=True
    )

    class Meta:
        model = PartnerInvitation
        fields = ["id", "organisation_name", "email", "role", "state", "expires_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """A pending invitation: what the invited organisation needs to decide."""

    partnership = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    inviting_organisation = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = [
            "partnership",
            "organisation",
            "role",
            "contribution",
            "invited_at",
            "inviting_organisation",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "purpose": {"type": "string"},
            },
            "required": ["id", "title", "purpose"],
        }
    )
    def get_partnership(self, party: Party) -> dict:
        partnership = party.partnership
        return {"id": partnership.pk, "title": partnership.title, "purpose": partnership.purpose}

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
            "required": ["slug", "name"],
        }
    )
    def get_inviting_organisation(self, party: Party) -> dict | None:
        if party.inviting_slug is None:
            return None
        return {"slug": party.inviting_slug, "name": party.inviting_name}


# --- Levels ---------------------------------------------------------------------------------
class LevelSerializer(serializers.ModelSerializer):
    party = PartyField(read_only=True, allow_null=True)
    wished_level = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("With a perceived level: where this party would like the partnership to be."),
    )
    author = _username(source="author.username")

    class Meta:
        model = LevelAssessment
        fields = [
            "id",
            "kind",
            "level",
            "wished_level",
            "party",
            "review",
            "rationale",
            "assessed_on",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class LevelCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssessmentKind.choices)
    level = serializers.IntegerField(min_value=Level.SERVICE, max_value=Level.FUSION)
    party = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text=_("For a perceived level: your organisation's slug (nobody rates for another)."),
    )
    review = ReviewField()
    wished_level = serializers.IntegerField(
        min_value=Level.SERVICE,
        max_value=Level.FUSION,
        required=False,
        allow_null=True,
        help_text=_(
            "With a perceived level: where your organisation would like the partnership to be."
        ),
    )
    rationale = serializers.CharField(required=False, allow_blank=True)
    assessed_on = serializers.DateField(required=False, validators=[validate_date_in_range])

    def validate(self, attrs: dict) -> dict:
        perceived = attrs["kind"] == AssessmentKind.PERCEIVED
        if not perceived and attrs.get("wished_level") is not None:
            raise serializers.ValidationError(
                {"wished_level": [_("A wished level goes with a perceived level, from 1 to 7.")]}
            )
        if perceived and not attrs.get("party"):
            raise serializers.ValidationError(
                {"party": [_("Name the party whose perception this is: your organisation.")]}
            )
        if not perceived and attrs.get("party"):
            raise serializers.ValidationError(
                {"party": [_("Agreed and target levels belong to no single party.")]}
            )
        return attrs


# --- Records of a partnership ---------------------------------------------------------------
class ResponsibilitySerializer(serializers.ModelSerializer):
    party = PartyField()

    class Meta:
        model = Responsibility
        fields = ["id", "party", "title", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class CommitmentSerializer(serializers.ModelSerializer):
    party = PartyField(help_text=_("The party that committed, by organisation slug."))
    review = ReviewField()
    version = _version()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "party",
            "title",
            "description",
            "due_on",
            "status",
            "completed_on",
            "review",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class CommitmentUpdateSerializer(VersionEchoed, CommitmentSerializer):
    pass


class ConcernSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=CONCERN_CATEGORY_VALUES)
    raised_by = PartyField(
        required=False,
        help_text=_(
            "Your own organisation's slug: a fear or resistance is raised by the organisation "
            "that records it (left out: yours)."
        ),
    )
    latest_intensity = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Intensity at the latest check (0 to 5).")
    )
    latest_checked_on = serializers.DateField(read_only=True, allow_null=True)
    author = _username(source="author.username")
    version = _version()

    class Meta:
        model = Concern
        fields = [
            "id",
            "kind",
            "category",
            "description",
            "raised_by",
            "visibility",
            "status",
            "response",
            "latest_intensity",
            "latest_checked_on",
            "version",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        category = attrs.get("category", getattr(self.instance, "category", None))
        if kind and category and category not in CONCERN_CATEGORIES[kind].values:
            raise serializers.ValidationError(
                {"category": [_("This category does not belong to this kind of concern.")]}
            )
        return attrs


class ConcernCreateSerializer(ConcernSerializer):
    """A new fear or resistance, optionally with its starting intensity."""

    intensity = serializers.IntegerField(
        min_value=INTENSITY_MIN,
        max_value=INTENSITY_MAX,
        required=False,
        write_only=True,
        help_text=_(
            "Its intensity today, 0 (gone) to 5 (blocking): when given, the first check is "
            "recorded with the concern."
        ),
    )

    class Meta(ConcernSerializer.Meta):
        fields = [*ConcernSerializer.Meta.fields, "intensity"]


class ConcernUpdateSerializer(VersionEchoed, ConcernSerializer):
    """The raising party is who the concern belongs to: it does not change."""

    raised_by = PartyField(read_only=True)


class ConcernCheckSerializer(serializers.ModelSerializer):
    author = _username(source="author.username")

    class Meta:
        model = ConcernCheck
        fields = ["id", "intensity", "checked_on", "note", "review", "author", "created_at"]
        read_only_fields = fields


class ConcernCheckCreateSerializer(serializers.Serializer):
    intensity = serializers.IntegerField(
        min_value=INTENSITY_MIN, max_value=INTENSITY_MAX, help_text=_("0 (gone) to 5.")
    )
    checked_on = serializers.DateField(
        required=False, validators=[validate_date_in_range], help_text=_("Today if left out.")
    )
    note = serializers.CharField(required=False, allow_blank=True)
    review = ReviewField()


class BenefitSerializer(serializers.ModelSerializer):
    party = PartyField(help_text=_("The party that noted it, by organisation slug."))
    author = _username(source="author.username")

    class Meta:
        model = Benefit
        fields = [
            "id",
            "party",
            "category",
            "description",
            "evidence",
            "observed_on",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ReviewSerializer(serializers.ModelSerializer):
    """A review meeting. Its ``record`` (frozen when it is closed) omits the private concerns
    of organisations other than the caller's."""

    attendees = AttendeeField(many=True, required=False)
    starts_at_time = ClockTimeField(
        required=False,
        allow_null=True,
        help_text=_(
            "Optional start time (HH:MM), in the project's time zone (TIME_ZONE, "
            "Europe/Paris by default); null: the review takes the whole day."
        ),
    )
    ends_at_time = ClockTimeField(
        required=False,
        allow_null=True,
        help_text=_("Optional end time (HH:MM), after the start, same time zone."),
    )
    record = serializers.SerializerMethodField()
    created_by = _username(source="created_by.username")
    version = _version()

    class Meta:
        model = Review
        fields = [
            "id",
            "scheduled_on",
            "starts_at_time",
            "ends_at_time",
            "held_on",
            "status",
            "cancel_reason",
            "ical_sequence",
            "location",
            "attendees",
            "guests",
            "agenda",
            "minutes",
            "decisions",
            "open_items",
            "next_review_on",
            "closed_at",
            "record",
            "version",
            "created_by",
            "created_at",
        ]
        # Holding, closing and cancelling are steps of their own (POST …/hold/, …/close/,
        # …/cancel/).
        read_only_fields = [
            "id",
            "status",
            "held_on",
            "cancel_reason",
            "ical_sequence",
            "closed_at",
            "record",
            "created_at",
        ]
        extra_kwargs = {
            "ical_sequence": {
                "help_text": _(
                    "The calendar event's SEQUENCE: raised when the date or times change and "
                    "when the review is cancelled."
                )
            },
        }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        starts = attrs.get("starts_at_time", getattr(instance, "starts_at_time", None))
        ends = attrs.get("ends_at_time", getattr(instance, "ends_at_time", None))
        if ends is not None and (starts is None or ends <= starts):
            raise serializers.ValidationError(
                {"ends_at_time": _("The review must end after it starts.")}
            )
        return attrs

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_record(self, review: Review) -> dict | None:
        return visible_record(review.record, self.context.get("own_slugs", set()))


class ReviewUpdateSerializer(VersionEchoed, ReviewSerializer):
    pass


class ReviewCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the review is cancelled; shown with it.")
    )


# --- Reports --------------------------------------------------------------------------------
class LevelCountSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True, help_text=_("Null: no level agreed yet."))
    count = serializers.IntegerField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class ScopeCountSerializer(serializers.Serializer):
    scope = serializers.CharField()
    count = serializers.IntegerField()


class ConcernSummarySerializer(serializers.Serializer):
    kind = serializers.CharField()
    category = serializers.CharField()
    count = serializers.IntegerField()
    open = serializers.IntegerField()
    mean_latest_intensity = serializers.FloatField(
        allow_null=True, help_text=_("Mean intensity at the latest check, of those checked.")
    )


class SummarySerializer(serializers.Serializer):
    partnerships = serializers.IntegerField()
    by_agreed_level = LevelCountSerializer(many=True)
    by_status = StatusCountSerializer(many=True)
    by_scope = ScopeCountSerializer(many=True)
    concerns = ConcernSummarySerializer(many=True)
    overdue_commitments = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
