"""The import pages' forms: the file, the mapping of its columns, the confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.services import imports


def field_choices() -> list[tuple[str, str]]:
    choices = [(imports.IGNORE, _("Ignore this column"))]
    choices += [(name, label) for name, label in imports.FIELDS.items()]
    choices += [
        (f"partner_email_{n}", _("Partner contact e-mail no. %(number)s") % {"number": n})
        for n in range(2, 6)
    ]
    return choices


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (commas or semicolons), Excel (XLSX) or LibreOffice (ODS), 10 MB at most."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.ods"}),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file, named ``column_<n>``, labelled with its title."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = field_choices()
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=mapping.get(header, imports.IGNORE)
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[f"column_{index}"]
            for index, header in enumerate(self.headers)
        }


class ImportConfirmForm(forms.Form):
    """Whether to leave the rows in error, and which organisation an ambiguous name is."""

    skip_errors = forms.BooleanField(
        label=_("Import the rows without errors and leave the rows with errors out"),
        required=False,
    )

    def __init__(self, *args, ambiguous: dict[str, list[tuple[str, str]]], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.ambiguous = list(ambiguous)
        for index, (name, candidates) in enumerate(ambiguous.items()):
            self.fields[f"resolve_{index}"] = forms.ChoiceField(
                label=_("“%(name)s” is") % {"name": name},
                choices=[("", _("Not sure yet: leave the row out")), *candidates],
                required=False,
            )

    def resolve(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"resolve_{index}"]
            for index, name in enumerate(self.ambiguous)
            if self.cleaned_data.get(f"resolve_{index}")
        }
