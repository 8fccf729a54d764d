"""The preferences form: one choice per kind of notification."""

from __future__ import annotations

from django import forms

from .choices import Channel
from .kinds import KINDS


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for key, kind in KINDS.items():
            self.fields[key] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=current[key],
                widget=forms.RadioSelect,
            )
