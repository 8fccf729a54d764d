"""Telling whether a name typed is an organisation already on the platform.

People type the same name many ways: « Centre social des Tilleuls », "centre  social des
tilleuls", "Centre Social Des Tilleuls!". Names are compared once reduced to their letters and
digits (no case, accents, punctuation or extra spaces), then by a similarity ratio for typos.
"""

from __future__ import annotations

import difflib
import unicodedata

from .models import Organisation

# Two reduced names at least this similar are "probably the same organisation": one letter
# off in a name of twenty (a typo) passes, two different towns in "Mission locale de X" do not.
SIMILAR_RATIO = 0.9
MAX_SUGGESTIONS = 5


def reduced_name(name: str) -> str:
    """The name without case, accents, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )
    return " ".join(letters.casefold().split())


def are_similar(first: str, second: str) -> bool:
    a, b = reduced_name(first), reduced_name(second)
    if not a or not b:
        return False
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_RATIO


def similar_organisations(name: str, exclude_ids=()) -> list[Organisation]:
    """Active organisations whose name is probably ``name`` typed another way, closest first.

    One query: the names are compared in Python (no database function strips accents the same
    way on SQLite and PostgreSQL), which stays cheap for the few thousand names of a platform.
    """
    wanted = reduced_name(name)
    if not wanted:
        return []
    scored = []
    for organisation in (
        Organisation.objects.active().exclude(pk__in=exclude_ids).only("pk", "name", "slug", "kind")
    ):
        candidate = reduced_name(organisation.name)
        ratio = (
            1.0 if candidate == wanted else difflib.SequenceMatcher(None, wanted, candidate).ratio()
        )
        if ratio >= SIMILAR_RATIO:
            scored.append((-ratio, organisation.name, organisation))
    scored.sort(key=lambda item: item[:2])
    return [organisation for _ratio, _name, organisation in scored[:MAX_SUGGESTIONS]]
