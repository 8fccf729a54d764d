"""The contact's answer to an invitation by e-mail: for an organisation they administer, or
for the one they register now."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.forms import OrganisationCreateForm
from organisations.models import Organisation


class AnswerOrganisationForm(forms.Form):
    existing = forms.ModelChoiceField(
        label=_("Answer for an organisation you administer"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— No: register a new organisation below —"),
    )

    def __init__(self, *args, administered=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = (
            administered if administered is not None else (Organisation.objects.none())
        )
        if not self.fields["existing"].queryset.exists():
            del self.fields["existing"]


class NewOrganisationForm(OrganisationCreateForm):
    """Registering the organisation invited (its name pre-filled); no system asked here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["system"]
