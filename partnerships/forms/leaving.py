"""Leaving a partnership, and naming a new lead after the lead left."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships import policy

REASON_MAX = 2000


class LeaveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, shown to the other parties)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.organisation.name


class NameLeadForm(forms.Form):
    lead = PartyChoiceField(label=_("New lead"), queryset=None, empty_label=None)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = policy.nameable_parties(partnership)
