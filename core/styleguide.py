"""The style guide: every component of static/css/app.css on one page, for staff."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


class SampleForm(forms.Form):
    """A form showing a required field, an optional one and a field in error."""

    title = forms.CharField(label=_("Title"), help_text=_("A short name everybody recognises."))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def styleguide(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404
    form = SampleForm(data={"title": "Bilan", "notes": "", "due_on": "pas une date"})
    form.is_valid()  # shows the error styles
    return render(
        request,
        "styleguide.html",
        {"form": form, "levels": range(1, 8), "states": ["proposed", "active", "paused", "ended"]},
    )
