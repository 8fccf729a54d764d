from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.dates import add_months
from core.forms import BoundedDateField, ReusedWhenBlank, date_input
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import (
    LEVEL_SUMMARIES,
    AssessmentKind,
    ExportFormat,
    Level,
    PartnershipStatus,
    PartyRole,
    Scope,
    intensity_choices,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    PartnerLink,
    Partnership,
    Responsibility,
    Review,
)
from partnerships.reads.attention import ATTENTION
from partnerships.reports.figures import MAX_PERIOD_MONTHS, Period

DATE = date_input()

# A level picker starts on no level: the person chooses one, nothing is chosen for them.
LEVEL_CHOICES = [("", _("Choose…")), *Level.choices]


def level_guide() -> SafeString:
    """The seven levels with their one-line summaries, as a description list (help text)."""
    return format_html(
        '<dl class="level-guide">{}</dl>',
        format_html_join(
            "",
            "<dt>{} · {}</dt><dd>{}</dd>",
            ((level.value, level.label, LEVEL_SUMMARIES[level]) for level in Level),
        ),
    )


class LevelGuideMixin:
    """Level pickers explained: the first field of ``level_fields`` carries the guide as its
    help text (tied to it by ``aria-describedby``); the others point to the same guide."""

    level_fields: tuple[str, ...] = ("level",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, *others = self.level_fields
        self.fields[first].help_text = level_guide()
        guide_id = f"{self[first].auto_id}_helptext"
        for name in others:
            self.fields[name].widget.attrs["aria-describedby"] = guide_id


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "title",
            "purpose",
            "status",
            "starts_on",
            "ends_on",
            "review_cadence",
            "next_review_on",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "next_review_on": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }


class VersionedEditForm(forms.ModelForm):
    """Carries the version the record was read at: a save over a newer version is refused.

    Bound again after a refusal, it keeps what the person typed (and the version they read).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version


class PartnershipEditForm(VersionedEditForm, PartnershipForm):
    pass


class PartnerInviteForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none(), required=False
    )
    organisation_name = forms.CharField(
        label=_("Or, not on the platform yet: its name"), max_length=200, required=False
    )
    email = forms.EmailField(
        label=_("and a contact's e-mail address"),
        required=False,
        help_text=_(
            "The contact receives a link to register the organisation and answer; it is valid "
            "for 30 days."
        ),
    )
    role = forms.ChoiceField(label=_("Its role"), choices=PartyRole.choices, initial="partner")

    def __init__(self, *args, exclude: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        directory = Organisation.objects.active().order_by("name")
        if exclude is not None:
            directory = directory.exclude(pk=exclude.pk)
        self.fields["organisation"].queryset = directory

    def clean(self):
        cleaned = super().clean()
        by_email = cleaned.get("organisation_name") or cleaned.get("email")
        if cleaned.get("organisation") and by_email:
            raise forms.ValidationError(
                _("Pick an organisation on the platform, or name one by e-mail: not both.")
            )
        if by_email and not (cleaned.get("organisation_name") and cleaned.get("email")):
            raise forms.ValidationError(
                _("To invite an organisation not on the platform, give its name and an address.")
            )
        return cleaned

    @property
    def by_email(self) -> bool:
        """The row invites an organisation not on the platform (by a contact's address)."""
        return bool(self.cleaned_data.get("email"))


PartnerInviteFormSet = forms.formset_factory(PartnerInviteForm, extra=3, max_num=10)


class InviteForm(PartnerInviteForm):
    """Invite one more organisation into an existing partnership."""

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = field.queryset.exclude(parties__partnership=partnership)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("organisation") or cleaned.get("email")):
            raise forms.ValidationError(
                _("Pick an organisation, or give the name and address of one not on the platform.")
            )
        return cleaned


class SlugChoiceField(forms.ModelChoiceField):
    """A choice named by slug; a NUL character is an invalid choice, not a database error."""

    def to_python(self, value):
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class PartnershipFilterForm(forms.Form):
    """The list's filters; every field is optional and travels in the address bar."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *PartnershipStatus.choices],
        required=False,
    )
    level = forms.TypedChoiceField(
        label=_("Agreed level"),
        choices=[("", _("Any level")), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[("", _("Any scope")), *Scope.choices],
        required=False,
    )
    # The partner's slug; its choices are set for the organisation below.
    partner = forms.ChoiceField(label=_("Partner organisation"), required=False)

    attention = forms.ChoiceField(
        label=_("Needing attention"),
        choices=[("", _("All")), *((key, label) for key, (label, _filter) in ATTENTION.items())],
        required=False,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisations that joined a partnership the organisation reads (an invitation
        # reveals nothing), from the read model's partner links, as (slug, name) pairs.
        partners = (
            PartnerLink.objects.filter(
                organisation_id__in=policy.as_viewer(organisation).organisation_ids
            )
            .order_by("partner__name", "partner_id")
            .values_list("partner__slug", "partner__name")
        )
        self.fields["partner"].choices = [("", _("Any partner")), *partners]


class ExportStartForm(forms.Form):
    """The format of a background export; the filters travel beside it, as on the list."""

    file_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)


class PartyChoiceMixin:
    """Limit party fields to the parties a record may name (the policy's one rule)."""

    party_fields = ("party",)

    def limit_parties(self, partnership: Partnership) -> None:
        """What is sent is checked against ``nameable_parties``; the menu lists the same
        parties from those already loaded with the partnership, without a query of its own."""
        parties = policy.nameable_parties(partnership)
        shown = [
            (party.pk, party.organisation.name) for party in policy.nameable_party_list(partnership)
        ]
        for name in self.party_fields:
            if name in self.fields:
                field = self.fields[name]
                field.queryset = parties
                field.label_from_instance = lambda party: party.organisation.name
                empty = [] if field.empty_label is None else [("", field.empty_label)]
                field.choices = [*empty, *shown]


class ResponsibilityForm(ReusedWhenBlank, PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["party", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CommitmentForm(ReusedWhenBlank, PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["party", "title", "due_on", "status", "description"]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class CommitmentEditForm(VersionedEditForm, CommitmentForm):
    pass


class ConcernForm(ReusedWhenBlank, PartyChoiceMixin, forms.ModelForm):
    party_fields = ("raised_by",)
    field_order = ["kind", "category", "visibility", "description", "intensity", "response"]

    # The first check, recorded with the concern (none chosen for the person).
    intensity = forms.TypedChoiceField(
        label=_("Intensity today"),
        choices=intensity_choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 means the concern is gone, 5 that it weighs the most."),
    )

    class Meta:
        model = Concern
        # raised_by: always the acting organisation's own party, set by the view.
        fields = ["kind", "category", "visibility", "description", "response"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }


class ConcernEditForm(VersionedEditForm, ConcernForm):
    intensity = None  # re-rated by a new check, never edited

    class Meta(ConcernForm.Meta):
        fields = ["status", "description", "response"]


class ConcernCheckForm(forms.Form):
    intensity = forms.TypedChoiceField(
        label=_("Intensity now"),
        choices=intensity_choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 means the concern is gone, 5 that it weighs the most."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class BenefitForm(ReusedWhenBlank, PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Benefit
        fields = ["category", "party", "description", "evidence", "observed_on"]
        widgets = {
            "observed_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }


class LevelForm(ReusedWhenBlank, LevelGuideMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Which level"), choices=AssessmentKind.choices)
    level = forms.TypedChoiceField(label=_("Level"), choices=LEVEL_CHOICES, coerce=int)
    rationale = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ReviewTimesMixin:
    """The start and end times: optional, in the project's time zone (named in the help)."""

    def show_time_zone(self) -> None:
        for name in ("starts_at_time", "ends_at_time"):
            field = self.fields[name]
            field.help_text = format_lazy("{} ({})", field.help_text, settings.TIME_ZONE)


class ReviewForm(ReusedWhenBlank, ReviewTimesMixin, forms.ModelForm):
    class Meta:
        model = Review
        fields = ["scheduled_on", "starts_at_time", "ends_at_time", "location", "guests"]
        widgets = {
            "scheduled_on": DATE,
            "starts_at_time": TIME,
            "ends_at_time": TIME,
            "guests": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_time_zone()


class ReviewPlanForm(ReviewTimesMixin, VersionedEditForm):
    """Date and times, place, who attends (members of the parties) and other guests."""

    class Meta:
        model = Review
        fields = [
            "scheduled_on",
            "starts_at_time",
            "ends_at_time",
            "location",
            "attendees",
            "guests",
            "agenda",
        ]
        widgets = {
            "scheduled_on": DATE,
            "starts_at_time": TIME,
            "ends_at_time": TIME,
            "attendees": forms.CheckboxSelectMultiple,
            "guests": forms.Textarea(attrs={"rows": 2}),
            "agenda": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = policy.attendee_candidates(partnership)
        self.fields["attendees"].label_from_instance = lambda user: str(user)
        self.show_time_zone()


class ReviewCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the review cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BlindRatingForm(LevelGuideMixin, forms.Form):
    """A party's rating for a review; shown again with what it saved (the latest counts)."""

    level_fields = ("level", "wished_level")
    level = forms.TypedChoiceField(
        label=_("How we perceive the partnership today"), choices=LEVEL_CHOICES, coerce=int
    )
    wished_level = forms.TypedChoiceField(
        label=_("The level we wish for (optional)"),
        choices=[("", "—"), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


class AgreedLevelForm(LevelGuideMixin, forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level agreed together"), choices=LEVEL_CHOICES, coerce=int
    )
    rationale = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MinutesForm(VersionedEditForm):
    class Meta:
        model = Review
        fields = ["minutes", "decisions", "open_items", "next_review_on"]
        widgets = {
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "open_items": forms.Textarea(attrs={"rows": 2}),
            "next_review_on": DATE,
        }


class ChecksForm(forms.Form):
    """One optional 0-5 rating per open concern the organisation may see."""

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.concerns = list(concerns)
        for concern in self.concerns:
            self.fields[f"concern_{concern.pk}"] = forms.TypedChoiceField(
                label=f"{concern.get_kind_display()} · {concern.category_label}",
                choices=[("", "—"), *intensity_choices()],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def ratings(self):
        for concern in self.concerns:
            value = self.cleaned_data.get(f"concern_{concern.pk}")
            if value is not None:
                yield concern, value


class ReportFilterForm(forms.Form):
    """The reports' filters, in the address bar like the list's: a period, then what narrows
    the partnerships (an organisation among them, the scope, a kind of organisation)."""

    start = BoundedDateField(label=_("From"), required=False)
    end = BoundedDateField(label=_("To"), required=False)
    organisation = SlugChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("Any organisation"),
        required=False,
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("", _("Any scope")), *Scope.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("Any kind")), *OrganisationKind.choices],
        required=False,
        help_text=_("Partnerships with at least one organisation of this kind."),
    )

    def __init__(self, *args, viewer: Organisation | None, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        default = Period.twelve_months_to(today)
        self.fields["start"].widget.attrs["placeholder"] = default.start.isoformat()
        self.fields["end"].widget.attrs["placeholder"] = default.end.isoformat()
        if viewer is None:
            organisations = Organisation.objects.all()
        else:
            # The organisation's partners: asking for any other would only ever show nothing.
            organisations = (
                Organisation.objects.filter(
                    parties__partnership__parties__organisation=viewer,
                    parties__partnership__parties__invitation="accepted",
                    parties__invitation="accepted",
                )
                .exclude(pk=viewer.pk)
                .distinct()
            )
        self.fields["organisation"].queryset = organisations.order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        default = Period.twelve_months_to(self.today)
        start, end = data.get("start") or default.start, data.get("end") or default.end
        if start > end:
            raise forms.ValidationError(_("The start of the period comes after its end."))
        if add_months(start, MAX_PERIOD_MONTHS) <= end:
            raise forms.ValidationError(
                _("Choose a period of %(months)s months at most.") % {"months": MAX_PERIOD_MONTHS}
            )
        data["period"] = Period(start, end)
        return data
