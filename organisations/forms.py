from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .choices import MemberRole
from .models import Organisation, User
from .names import similar_organisations


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


class OrganisationCreateForm(forms.ModelForm):
    """Name, kind, size and, optionally, the system it belongs to (asked of that system).

    A name close to an organisation already on the platform is flagged: the person asks to
    join it instead, or ticks ``distinct`` to say it is another organisation.
    """

    system = forms.ModelChoiceField(
        label=_("System it belongs to"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "Optional. The administrators of that system are asked to approve: until they do, "
            "your organisation stands on its own."
        ),
    )
    distinct = forms.BooleanField(
        label=_("This is another organisation: create it anyway"), required=False
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "size_band", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = Organisation.objects.active().order_by("name")
        self.similar: list[Organisation] = []

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and not cleaned.get("distinct"):
            self.similar = similar_organisations(name)
            if self.similar:
                self.add_error(
                    "name",
                    _(
                        "An organisation with a very close name is already on the platform. "
                        "Ask to join it, or tick the box below if yours is another one."
                    ),
                )
        return cleaned


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to its administrators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class JoinAnswerForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=MemberRole.choices, initial=MemberRole.VIEWER, required=False
    )
