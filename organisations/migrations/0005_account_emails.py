"""Existing accounts' e-mail addresses, copied into allauth's EmailAddress (verified, primary).

The addresses were checked when the accounts were made (invitations, the admin), and signing in
with the e-mail address needs them there. An address two accounts share goes to the older one
only; the others are listed in a warning instead of failing the migration, for staff to sort
out (the other accounts still sign in with their username and can add an address of their own).
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)


def copy_emails(apps, schema_editor=None) -> dict[str, list[str]]:
    """Copy each user's address; return the shared ones with their accounts' usernames."""
    User = apps.get_model("organisations", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = {e.lower(): user for e, user in EmailAddress.objects.values_list("email", "user_id")}
    owner: dict[str, str] = {}
    shared: dict[str, list[str]] = {}
    for user in User.objects.exclude(email="").order_by("pk"):
        email = user.email.strip().lower()
        if email in owner or taken.get(email, user.pk) != user.pk:
            first = owner.get(email) or User.objects.get(pk=taken[email]).username
            shared.setdefault(email, [first]).append(user.username)
            continue
        owner[email] = user.username
        if email in taken or EmailAddress.objects.filter(user=user, primary=True).exists():
            continue
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for email, usernames in sorted(shared.items()):
        logger.warning(
            "E-mail address %s is shared by the accounts %s: only %s has it for signing in.",
            email,
            ", ".join(usernames),
            usernames[0],
        )
    return shared


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_member_invitation_invitee"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(copy_emails, migrations.RunPython.noop, elidable=True)]
