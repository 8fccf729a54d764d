"""Form pieces shared by the apps: dates inside the bounds of ``core.dates``, a quick select."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python: the HTML of Django's templates, without a template
    rendered for each option (the list's 200 partner organisations took half its time)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            inner = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, inner)
                if group_name
                else inner
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # each part was escaped above
        )
