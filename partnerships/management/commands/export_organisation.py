"""``manage.py export_organisation <slug> [--output FILE]``: an organisation's JSON archive."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from organisations.models import Organisation
from partnerships.reads.archive import organisation_archive


class Command(BaseCommand):
    help = (
        "Write everything one organisation may see (its units, members, partnerships and all "
        "recorded in them) as a JSON archive: nothing private to other organisations."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The organisation's short name (slug).")
        parser.add_argument(
            "--output", "-o", help="File to write; the standard output when left out."
        )

    def handle(self, *args, slug: str, output: str | None, **options) -> None:
        organisation = (
            Organisation.objects.select_related("parent").filter(slug=slug).first()
            if "\x00" not in slug
            else None
        )
        if organisation is None:
            raise CommandError(f"No organisation is called “{slug}”.")
        text = json.dumps(
            organisation_archive(organisation), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        )
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Archive of {organisation.slug} written to {output}.")
        else:
            self.stdout.write(text)
