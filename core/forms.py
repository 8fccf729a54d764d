"""Form pieces shared by the apps: dates inside the bounds of ``core.dates``."""

from __future__ import annotations

from django import forms

from core.dates import EARLIEST, LATEST, validate_date_in_range


def date_input(**attrs) -> forms.DateInput:
    """A browser date picker (ISO value) that offers only the dates the validator accepts."""
    return forms.DateInput(
        attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **attrs},
        format="%Y-%m-%d",
    )


class BoundedDateField(forms.DateField):
    """A date of a plain form (not a model field), between ``EARLIEST`` and ``LATEST``."""

    default_validators = [validate_date_in_range]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)
