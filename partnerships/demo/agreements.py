"""Demo agreements: one partnership with an amendment in force that ends soon (the reminder and
the dashboard signal show), another whose first version waits for a party's approval."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.dates import add_months
from partnerships.services import agreements as services

READING = {
    "purpose": "Accompagner chaque semaine les élèves de sixième en difficulté de lecture, "
    "au collège, avec les bénévoles de l'association et les animateurs du centre social.",
    "governance": "Un comité de suivi réunit un représentant de chaque partie une fois par "
    "trimestre ; les décisions y sont prises ensemble et consignées au compte rendu.",
    "resources": "Le collège prête une salle le mardi et le jeudi ; l'association forme les "
    "bénévoles ; le centre social coordonne les plannings et les familles.",
    "communication": "Chaque partie peut présenter le dispositif en citant les deux autres ; "
    "l'usage d'un logo est soumis à l'accord écrit de son titulaire.",
    "confidentiality": "Les informations sur les élèves restent entre les intervenants et ne "
    "sont jamais publiées.",
    "conflict_resolution": "Un désaccord est porté au comité de suivi ; à défaut d'accord, une "
    "médiation est demandée à la fédération des centres sociaux.",
    "exit": "Chaque partie peut se retirer en fin de trimestre avec un préavis d'un mois.",
}

# Who signs for each party of the reading agreement, in what capacity (their administrators).
SIGNING_CAPACITIES = {
    "centre-social-tilleuls": "Directrice",
    "lire-ensemble": "Présidente",
    "college-jules-ferry": "Principal",
}

LEISURE = {
    "purpose": "Faire découvrir la médiathèque aux enfants de l'accueil de loisirs, un mercredi "
    "sur deux.",
    "resources": "La médiathèque accueille les groupes et prépare une sélection ; le centre "
    "social assure l'encadrement et le transport.",
}


def build(spec: dict, partnership, parties: dict, admins: dict, starts_on: datetime.date):
    """Add the demo agreement of the partnership of ``spec``, if it has one; ``parties`` are
    the accepted ones, by slug; the first party of the spec drafts."""
    title, lead_slug = spec["title"], spec["parties"][0][0]
    lead, actor = parties[lead_slug].organisation, admins[lead_slug]
    today = timezone.localdate()
    if title == "Coup de pouce lecture au collège":
        first = services.agreement_draft(
            actor=actor, organisation=lead, partnership=partnership, starts_on=starts_on, **READING
        )
        _submit_and_approve(first, parties, admins, lead, actor)
        second = services.agreement_draft(actor=actor, organisation=lead, partnership=partnership)
        services.agreement_update(
            actor=actor,
            organisation=lead,
            agreement=second,
            starts_on=add_months(today, -1),
            ends_on=today + datetime.timedelta(days=75),
            exit="Chaque partie peut se retirer en fin de trimestre avec un préavis de deux "
            "mois, après en avoir parlé au comité de suivi.",
        )
        _submit_and_approve(second, parties, admins, lead, actor)
        return [first, second]
    if title == "Accueil de loisirs à la médiathèque":
        draft = services.agreement_draft(
            actor=actor, organisation=lead, partnership=partnership, **LEISURE
        )
        services.agreement_submit(actor=actor, organisation=lead, agreement=draft)
        services.agreement_approve(actor=actor, organisation=lead, agreement=draft)
        return [draft]
    return []


def _submit_and_approve(agreement, parties, admins, lead, actor) -> None:
    for slug, party in parties.items():
        if slug in SIGNING_CAPACITIES:
            services.agreement_representative_set(
                actor=admins[slug],
                organisation=party.organisation,
                agreement=agreement,
                name=admins[slug].get_full_name(),
                capacity=SIGNING_CAPACITIES[slug],
            )
    services.agreement_submit(actor=actor, organisation=lead, agreement=agreement)
    for slug, party in parties.items():
        services.agreement_approve(
            actor=admins[slug], organisation=party.organisation, agreement=agreement
        )
