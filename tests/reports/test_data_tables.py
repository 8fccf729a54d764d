"""The rows of the data tables, written in Python, read as the template wrote them: each value
localised and escaped, a dash for a missing one, the link of a report table's row."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from partnerships.reports.charts import Chart
from partnerships.reports.figures import Table


def render(source: str, **context) -> str:
    return Template("{% load data_tables %}" + source).render(Context(context))


def test_chart_rows_head_each_row_with_its_label_and_localise_the_values():
    chart = Chart(
        title="t",
        x_title="Organisation",
        y_title="y",
        x_labels=["A & <B>", "C"],
        series=[("Mean", [2.5, None]), ("Count", [3, 1200])],
    )
    with translation.override("fr"):
        html = render("{% chart_rows rows %}", rows=chart.rows)
    assert html == (
        '<tr><th scope="row">A &amp; &lt;B&gt;</th><td>2,5</td><td>3</td></tr>\n'
        '<tr><th scope="row">C</th><td>—</td><td>1200</td></tr>\n'
    )


def test_table_rows_link_each_value_but_the_head_and_a_missing_one():
    table = Table(
        title="t",
        columns=["Organisation", "Overdue", "Note"],
        table_rows=[["A", 2, None], [mark_safe("<em>B</em>"), 1, "x"]],
        links=["/list/?attention=overdue&partner=a"],
    )
    html = render("{% table_rows rows %}", rows=table.linked_rows)
    assert html == (
        '<tr><th scope="row">A</th>'
        '<td><a href="/list/?attention=overdue&amp;partner=a">2</a></td><td>—</td></tr>\n'
        '<tr><th scope="row"><em>B</em></th><td>1</td><td>x</td></tr>\n'
    )


def test_whole_numbers_follow_the_thousands_setting(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("en"):
        html = render("{% chart_rows rows %}", rows=[("A", [1200])])
    assert html == '<tr><th scope="row">A</th><td>1,200</td></tr>\n'


def test_signal_items_escape_each_value_and_write_the_colon_of_the_language():
    from types import SimpleNamespace

    from partnerships.reads.health import Signal

    group = {
        "action": "Plan <the> review",
        "items": [
            {
                "partnership": SimpleNamespace(title="Ateliers & <danse>"),
                "workspace": "/o/a/partnerships/7/",
                "signal": Signal("review_overdue", "It was due on 1 March & not held."),
                "url": "/o/a/partnerships/7/reviews/?x=1&y=2",
            }
        ],
    }
    item = (
        '<li class="signal-review_overdue"><a href="/o/a/partnerships/7/"><strong>'
        "Ateliers &amp; &lt;danse&gt;</strong></a>{colon} It was due on 1 March &amp; not held.\n"
        '                <a class="alert-action" href="/o/a/partnerships/7/reviews/?x=1&amp;y=2">'
        'Plan &lt;the&gt; review<span class="visually-hidden"> · Ateliers &amp; &lt;danse&gt;'
        "</span></a></li>\n"
    )
    with translation.override("en"):
        assert render("{% signal_items group %}", group=group) == item.format(colon=":")
    with translation.override("fr"):
        assert render("{% signal_items group %}", group=group) == item.format(colon="\u202f:")
