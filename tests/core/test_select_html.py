"""A <select> written in Python by the form renderer is the HTML of Django's own template."""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import SELECT_TEMPLATE, select_html


class Choices(forms.Form):
    grouped = forms.ChoiceField(
        choices=[
            ("Group <&>", [("1", 'one "quoted" <b>'), ("2", "two")]),
            ("3", "three & co"),
            ("4", mark_safe("<em>four</em>")),  # already HTML: kept as it is
        ],
        initial="2",
    )
    several = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y"), ("z", "Z")],
        initial=["x", "z"],
        widget=forms.SelectMultiple(attrs={"class": "wide", "data-note": 'a "b"'}),
        required=False,
    )


def widget_context(bound: forms.BoundField) -> dict:
    attrs = bound.build_widget_attrs({"id": bound.auto_id})
    return bound.field.widget.get_context(bound.html_name, bound.value(), attrs)


def without_layout(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_a_select_written_in_python_is_the_html_of_django_template():
    form = Choices()
    for name in ("grouped", "several"):
        context = widget_context(form[name])
        expected = DjangoTemplates().render(SELECT_TEMPLATE, context)
        assert select_html(context["widget"]) == without_layout(expected)


def test_a_select_escapes_its_labels_values_and_group_names():
    html = select_html(widget_context(Choices()["grouped"])["widget"])
    assert '<optgroup label="Group &lt;&amp;&gt;">' in html
    assert '<option value="1">one &quot;quoted&quot; &lt;b&gt;</option>' in html
    assert '<option value="2" selected>two</option>' in html
    assert '<option value="4"><em>four</em></option>' in html
