from __future__ import annotations

from django import template

from partnerships.choices import Level

register = template.Library()


@register.filter
def level_label(value: int | None) -> str:
    """ "3 · Consultation" for a level number, a dash when there is none."""
    if not value:
        return "—"
    return f"{value} · {Level(value).label}"
