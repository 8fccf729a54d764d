from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation

from .choices import (
    INTENSITY_MAX,
    INTENSITY_MIN,
    AssessmentKind,
    ExportFormat,
    Level,
    PartnershipStatus,
    PartyRole,
    Scope,
)
from .models import Benefit, Commitment, Concern, Partnership, Party, Responsibility, Review

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


class PartnershipEditForm(PartnershipForm):
    """Carries the version it was read at: a save over a newer version is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PartnerInviteForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Its role"), choices=PartyRole.choices, initial="partner")

    def __init__(self, *args, exclude: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        directory = Organisation.objects.active().order_by("name")
        if exclude is not None:
            directory = directory.exclude(pk=exclude.pk)
        self.fields["organisation"].queryset = directory


PartnerInviteFormSet = forms.formset_factory(PartnerInviteForm, extra=3, max_num=10)


class InviteForm(PartnerInviteForm):
    """Invite one more organisation into an existing partnership."""

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.required = True
        field.queryset = field.queryset.exclude(parties__partnership=partnership)


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
        label=_("Scope"), choices=[("", _("Any scope")), *Scope.choices], required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("Any partner"),
        required=False,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organisation.objects.filter(
                parties__partnership__parties__organisation=organisation,
                parties__invitation="accepted",
            )
            .exclude(pk=organisation.pk)
            .distinct()
            .order_by("name")
        )


class ExportStartForm(forms.Form):
    """The format of a background export; the filters travel beside it, as on the list."""

    file_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)


class PartyChoiceMixin:
    """Limit party fields to the accepted parties of the partnership."""

    party_fields = ("party",)

    def limit_parties(self, partnership: Partnership) -> None:
        parties = Party.objects.accepted().filter(partnership=partnership)
        for name in self.party_fields:
            if name in self.fields:
                self.fields[name].queryset = parties.select_related("organisation")
                self.fields[name].label_from_instance = lambda party: party.organisation.name


class ResponsibilityForm(PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["party", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CommitmentForm(PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["party", "title", "due_on", "status", "description"]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}


class ConcernForm(PartyChoiceMixin, forms.ModelForm):
    party_fields = ("raised_by",)

    class Meta:
        model = Concern
        fields = ["kind", "category", "raised_by", "visibility", "description", "response"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }


class ConcernEditForm(ConcernForm):
    class Meta(ConcernForm.Meta):
        fields = ["status", "description", "response"]


class ConcernCheckForm(forms.Form):
    intensity = forms.TypedChoiceField(
        label=_("Intensity now"),
        choices=[(value, str(value)) for value in range(INTENSITY_MIN, INTENSITY_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("0 means the concern is gone, 5 that it weighs the most."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class BenefitForm(PartyChoiceMixin, forms.ModelForm):
    class Meta:
        model = Benefit
        fields = ["category", "party", "description", "evidence", "observed_on"]
        widgets = {
            "observed_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }


class LevelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which level"), choices=AssessmentKind.choices)
    level = forms.TypedChoiceField(label=_("Level"), choices=Level.choices, coerce=int)
    rationale = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["scheduled_on", "location", "guests"]
        widgets = {"scheduled_on": DATE, "guests": forms.Textarea(attrs={"rows": 2})}
