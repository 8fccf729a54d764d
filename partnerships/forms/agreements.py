"""Forms of the Agreement tab: the draft, who signs it, a refusal's reason, the signed scan."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.forms import date_input
from partnerships.models.agreements import CLAUSE_FIELDS, Agreement, AgreementRepresentative
from partnerships.services.agreements import EDITABLE_FIELDS

DATE = date_input()
PDF_MAGIC = b"%PDF-"


class AgreementForm(forms.ModelForm):
    """Dates, review cadence and clauses of a draft; the service saves them.

    Carries the revision of the draft it was read at: a save over a newer revision is refused.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["revision"].initial = self.instance.revision

    class Meta:
        model = Agreement
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            **{name: forms.Textarea(attrs={"rows": 3}) for name in CLAUSE_FIELDS},
        }


class RepresentativeForm(forms.ModelForm):
    """Who signs the draft for the acting organisation, and in what capacity."""

    class Meta:
        model = AgreementRepresentative
        fields = ["name", "capacity"]


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why your organisation refuses this version"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class SignedScanForm(forms.Form):
    """A PDF, checked by its content (not only its name) and its size."""

    scan = forms.FileField(label=_("Signed scan (PDF)"))

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        limit = settings.AGREEMENT_SCAN_MAX_BYTES
        if scan.size > limit:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        if not scan.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Send a PDF file."))
        scan.seek(0)
        head = scan.read(len(PDF_MAGIC))
        scan.seek(0)
        if head != PDF_MAGIC:
            raise forms.ValidationError(_("This file is not a PDF document."))
        return scan
