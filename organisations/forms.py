from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .choices import MemberRole
from .models import User


class MemberAddForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        help_text=_(
            "The person becomes a member once they accept the invitation. Someone without an "
            "account receives a link by e-mail to create one."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial="viewer")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class JoinForm(UserCreationForm):
    """Create an account from an invitation; the e-mail address is the one invited."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "language"]


class ProfileForm(forms.ModelForm):
    """What a signed-in person sets for themselves: name, language and e-mails wanted."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "weekly_digest"]
