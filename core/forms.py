"""Form pieces shared by the apps: dates inside the bounds of ``core.dates``; the
form renderer."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
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


SELECT_TEMPLATE = "django/forms/widgets/select.html"


def select_html(widget: dict) -> str:
    """The HTML of Django's ``select.html`` for a widget's context, written in Python.

    Each option is written with one string join, not one ``format_html`` call: a menu of 200
    organisations took 3 ms that way, on each report page.
    """
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        inner = "".join(
            f'<option value="{_escaped(option["value"])}"'
            f"{flatatt(option['attrs']) if option['attrs'] else ''}>"
            f"{_escaped(option['label'])}</option>"
            for option in options
        )
        groups.append(
            f'<optgroup label="{_escaped(group_name)}">{inner}</optgroup>' if group_name else inner
        )
    return format_html(
        '<select name="{}"{}>{}</select>',
        widget["name"],
        flatatt(widget["attrs"]),
        mark_safe("".join(groups)),  # each part was escaped above
    )


def _escaped(value) -> str:
    """``value`` as HTML text: escaped, unless it is already HTML (as ``conditional_escape``)."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


class FormRenderer(DjangoTemplates):
    """Django's form renderer, but a ``<select>`` is written in Python: the same HTML without
    one template rendered for each option (a list of 200 organisations took half a page's
    time). ``FORM_RENDERER`` names it."""

    def render(self, template_name, context, request=None) -> str:
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        return super().render(template_name, context, request)
