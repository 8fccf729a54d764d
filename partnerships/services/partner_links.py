"""Each organisation's partners (``PartnerLink``), kept beside the parties they come from.

An organisation's partners are the organisations that joined at least one partnership it
joined (``policy.joined``: a party that left still reads the record). Whenever a party is
added, changes or goes, ``refresh`` recomputes the rows of every organisation of that
partnership, in the write's transaction; ``drift`` compares them with a recomputation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from partnerships.models import PartnerLink, Party
from partnerships.policy import joined

Links = dict[tuple[int, int], int]  # (organisation, partner): partnerships both joined


def links_from_parties(organisation_ids: Iterable[int]) -> Links:
    """What the organisations' rows should hold, from the parties (two queries)."""
    ids = set(organisation_ids)
    if not ids:
        return {}
    own = list(
        Party.objects.filter(joined(), organisation_id__in=ids).values_list(
            "organisation_id", "partnership_id"
        )
    )
    members: dict[int, list[int]] = defaultdict(list)
    for partnership_id, organisation_id in Party.objects.filter(
        joined(), partnership_id__in={partnership for _org, partnership in own}
    ).values_list("partnership_id", "organisation_id"):
        members[partnership_id].append(organisation_id)
    counts: Counter = Counter()
    for organisation_id, partnership_id in own:
        for other in members[partnership_id]:
            if other != organisation_id:
                counts[(organisation_id, other)] += 1
    return dict(counts)


def stored(organisation_ids: Iterable[int]) -> Links:
    return {
        (organisation, partner): shared
        for organisation, partner, shared in PartnerLink.objects.filter(
            organisation_id__in=set(organisation_ids)
        ).values_list("organisation_id", "partner_id", "shared")
    }


def refresh(organisation_ids: Iterable[int]) -> None:
    """Recompute and store these organisations' rows (nothing is written when they agree)."""
    ids = set(organisation_ids)
    expected = links_from_parties(ids)
    if expected == stored(ids):
        return
    PartnerLink.objects.filter(organisation_id__in=ids).delete()
    PartnerLink.objects.bulk_create(
        [
            PartnerLink(organisation_id=organisation, partner_id=partner, shared=shared)
            for (organisation, partner), shared in expected.items()
        ],
        batch_size=500,
    )


def drift(organisation_ids: Iterable[int]) -> list[str]:
    """Where the stored rows of these organisations differ from the parties (one line each)."""
    ids = set(organisation_ids)
    expected, found = links_from_parties(ids), stored(ids)
    return [
        f"partners of organisation {key[0]}: organisation {key[1]} stored {found.get(key)}, "
        f"parties say {expected.get(key)}"
        for key in sorted(expected.keys() | found.keys())
        if expected.get(key) != found.get(key)
    ]


def organisations_of(partnership_ids: Iterable[int]) -> set[int]:
    """Every organisation with a party in these partnerships (whatever its invitation)."""
    return set(
        Party.objects.filter(partnership_id__in=set(partnership_ids)).values_list(
            "organisation_id", flat=True
        )
    )
