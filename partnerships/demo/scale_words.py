"""Words the scale generator combines into names and texts that read like real ones."""

from __future__ import annotations

PLACES = [
    "Belle-Rivière",
    "Val-Fleuri",
    "Les Tilleuls",
    "Saint-Aubin",
    "Montclair",
    "Les Chênes",
    "Bois-Joli",
    "La Roseraie",
    "Pont-Neuf",
    "Clairefontaine",
    "Les Aubiers",
    "Haute-Combe",
    "Port-Marly",
    "Champvert",
    "Beaulieu",
    "Mont-Roux",
    "La Source",
    "Les Prés",
    "Vieux-Moulin",
    "Grand-Champ",
    "Les Coteaux",
    "Rochebrune",
    "Sainte-Claire",
    "Fontvive",
]

KIND_NAMES = {
    "association": ["Association", "Amicale", "Collectif", "Maison des associations"],
    "school": ["Collège", "Lycée", "École élémentaire", "Centre de formation"],
    "public_body": ["Centre social", "Médiathèque", "Service jeunesse", "Maison de quartier"],
    "company": ["Menuiserie", "Imprimerie", "Coopérative", "Atelier"],
    "foundation": ["Fondation", "Fonds de dotation"],
    "network": ["Réseau", "Fédération", "Union"],
    "other": ["Groupement", "Comité"],
}

SYSTEM_NAMES = {"public_body": "Ville de", "network": "Réseau", "school": "Cité scolaire de"}

FIRST_NAMES = [
    "Camille",
    "Julien",
    "Sophie",
    "Hélène",
    "Paul",
    "Yasmine",
    "Nadia",
    "Marc",
    "Inès",
    "Bernard",
    "Thomas",
    "Léa",
    "Olivier",
    "Chloé",
    "Karim",
    "Manon",
    "Hugo",
    "Aïcha",
    "Louis",
    "Claire",
    "Mehdi",
    "Sarah",
    "Antoine",
    "Fatou",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Petit",
    "Roux",
    "Lefebvre",
    "Haddad",
    "Benali",
    "Fontaine",
    "Moreau",
    "Girard",
    "Durand",
    "Garnier",
    "Faure",
    "Lambert",
    "Diallo",
    "Mercier",
    "Blanc",
    "Nguyen",
]

PROJECTS = [
    "Coup de pouce lecture",
    "Accueil de loisirs partagé",
    "Chantier-école",
    "Jardin partagé",
    "Conseil des jeunes",
    "Fête de quartier",
    "Ateliers numériques",
    "Aide aux devoirs",
    "Repair café",
    "Forum des métiers",
    "Université populaire",
    "Potager pédagogique",
    "Parcours culturel",
    "Ciné-débat",
    "Épicerie solidaire",
    "Semaine de la parentalité",
]
PURPOSE = (
    "Les partenaires mettent en commun leurs moyens pour un projet au service des habitants ; "
    "chacun y apporte ses compétences et en rend compte aux autres lors des revues."
)
CONTRIBUTIONS = [
    "Des locaux et du matériel.",
    "Des bénévoles formés.",
    "Un financement annuel.",
    "L'animation des séances.",
    "Un relais auprès des familles.",
    "Son expertise technique.",
]
RESPONSIBILITIES = [
    "Coordination du projet",
    "Accueil du public",
    "Communication",
    "Suivi budgétaire",
    "Logistique des séances",
    "Bilan annuel",
]
COMMITMENTS = [
    "Envoyer le bilan d'activité",
    "Réserver la salle pour l'année",
    "Recruter deux bénévoles",
    "Présenter le projet au conseil d'administration",
    "Mettre à jour la convention",
    "Organiser la réunion de rentrée",
]
CONCERNS = {
    "fear": "Crainte exprimée lors d'une revue : il faudra en parler ouvertement.",
    "resistance": "Des habitudes freinent le projet ; les partenaires cherchent comment avancer.",
}
BENEFITS = [
    "Les habitants se sont approprié le projet.",
    "Une idée nouvelle est née de la rencontre.",
    "Les équipes ont appris les unes des autres.",
    "Le projet a dépassé ce que chacun pouvait seul.",
]
EVIDENCE = "Compte rendu de la revue et témoignages recueillis par les animateurs."
MINUTES = "Tour de table des partenaires, point sur les engagements et sur les craintes."
DECISIONS = "Maintenir le rythme des rencontres ; clarifier qui fait quoi."
