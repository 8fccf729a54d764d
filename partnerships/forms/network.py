"""The filters of the staff network map (in the admin reports)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import add_months
from core.forms import BoundedDateField, date_input
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from partnerships.choices import Level, Scope
from partnerships.forms import SlugChoiceField
from partnerships.reports.figures import MAX_PERIOD_MONTHS, Period


class StaffNetworkForm(forms.Form):
    start = BoundedDateField(label=_("From"), required=False, widget=date_input())
    end = BoundedDateField(label=_("To"), required=False, widget=date_input())
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("Any kind")), *OrganisationKind.choices],
        required=False,
        help_text=_("Partnerships with at least one organisation of this kind."),
    )
    system = SlugChoiceField(
        label=_("System"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("Any system"),
        required=False,
        help_text=_("Partnerships with at least one organisation of this system."),
    )
    level = forms.TypedChoiceField(
        label=_("Level agreed"),
        choices=[("", _("Any level")), *Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("As agreed at the end of the period."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("", _("Any scope")), *Scope.choices], required=False
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # A system is an organisation at the top of a chain of parents that has units.
        self.fields["system"].queryset = (
            Organisation.objects.filter(parent__isnull=True, units__isnull=False)
            .distinct()
            .order_by("name")
        )

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
