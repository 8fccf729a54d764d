"""Form pieces shared by the apps: dates inside the bounds of ``core.dates``; the
form renderer; blank forms rendered once and reused."""

from __future__ import annotations

from hashlib import sha256
from html import escape

from django import forms
from django.core.cache import caches
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


# The cache of blank forms' HTML: in each process's memory (``CACHES["forms"]``), never shared,
# so a new release never serves the HTML of the previous one's templates.
BLANK_FORMS_CACHE = "forms"


class ReusedWhenBlank:
    """A form whose blank HTML (not bound to what someone sent, not editing a saved record) is
    rendered once and reused: the add forms of the workspace are the same for everyone who
    sees the same choices, and rendering them field by field was a fifth of the page's time.

    The HTML is kept under what it is made of: the form's class and prefix, the language, and
    for each field its label, help text, whether it is required or disabled, its widget's
    attributes, its initial value and its choices. A form using this must vary only in those
    (the choices of a party menu, an initial party); a menu still reading its choices from the
    database is never reused. A bound form, with what was typed and its errors, is always
    rendered afresh.
    """

    def render(self, template_name=None, context=None, renderer=None):
        key = None if template_name or context or renderer else self.blank_key()
        if key is None:
            return super().render(template_name, context, renderer)
        cache = caches[BLANK_FORMS_CACHE]
        html = cache.get(key)
        if html is None:
            html = super().render()
            cache.set(key, html)
        return mark_safe(html)

    # Django's forms name their own ``render`` here, not the subclass's: named again.
    __str__ = render
    __html__ = render

    def blank_key(self) -> str | None:
        """What the blank HTML is made of, as a cache key; None when it must be rendered."""
        instance = getattr(self, "instance", None)
        if self.is_bound or (instance is not None and instance.pk is not None):
            return None
        parts = [type(self).__module__, type(self).__qualname__, self.prefix, self.auto_id]
        parts.append(get_language())
        for name, field in self.fields.items():
            choices = getattr(field.widget, "choices", None)
            if isinstance(choices, ModelChoiceIterator):
                return None  # it would read the database: not worth keeping
            parts.append(
                (
                    name,
                    type(field).__name__,
                    type(field.widget).__name__,
                    str(field.label),
                    str(field.help_text),
                    field.required,
                    field.disabled,
                    sorted((k, str(v)) for k, v in field.widget.attrs.items()),
                    str(self[name].initial),
                    [(str(value), str(label)) for value, label in choices or ()],
                )
            )
        return "blank-form:" + sha256(repr(parts).encode()).hexdigest()
