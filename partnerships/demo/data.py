"""The demo world: French organisations and partnerships that read like real ones.

Levels are numbers (1 service … 7 fusion). ``history`` gives the agreed level at each held
review, oldest first; ``perceived`` gives each party's perception at the last review.
"""

from __future__ import annotations

DEMO_PASSWORD = "partenariat-demo"

ORGANISATIONS = [
    # slug, name, kind, parent slug, size band (1 micro … 4 large), description
    (
        "ville-belle-riviere",
        "Ville de Belle-Rivière",
        "public_body",
        None,
        4,
        "Commune de 18 000 habitants ; ses services municipaux forment un même système.",
    ),
    (
        "centre-social-tilleuls",
        "Centre social des Tilleuls",
        "public_body",
        "ville-belle-riviere",
        3,
        "Centre social municipal du quartier des Tilleuls.",
    ),
    (
        "mediatheque-jean-mace",
        "Médiathèque Jean-Macé",
        "public_body",
        "ville-belle-riviere",
        2,
        "Médiathèque municipale, fonds jeunesse et ateliers numériques.",
    ),
    (
        "service-jeunesse",
        "Service jeunesse de Belle-Rivière",
        "public_body",
        "ville-belle-riviere",
        2,
        "Accueils de loisirs, point information jeunesse.",
    ),
    (
        "lire-ensemble",
        "Association Lire Ensemble",
        "association",
        None,
        1,
        "Bénévoles qui accompagnent la lecture des enfants et des adultes.",
    ),
    (
        "college-jules-ferry",
        "Collège Jules-Ferry",
        "school",
        None,
        3,
        "Collège public de 620 élèves, classé en éducation prioritaire.",
    ),
    (
        "lycee-les-chenes",
        "Lycée professionnel Les Chênes",
        "school",
        None,
        3,
        "Formations bois, bâtiment et services à la personne.",
    ),
    (
        "fondation-horizons",
        "Fondation Horizons Solidaires",
        "foundation",
        None,
        2,
        "Fondation d'entreprise qui finance des projets d'insertion des jeunes.",
    ),
    (
        "menuiserie-durand",
        "Menuiserie Durand & Fils",
        "company",
        None,
        1,
        "Menuiserie artisanale, douze salariés, accueille des apprentis.",
    ),
    (
        "reseau-val-educ",
        "Réseau d'éducation populaire du Val",
        "network",
        None,
        2,
        "Fédère une quarantaine d'associations d'éducation populaire.",
    ),
    (
        "jardins-partages",
        "Les Jardins partagés du Val",
        "association",
        None,
        1,
        "Association de jardiniers amateurs, jardins collectifs en pied d'immeuble.",
    ),
]

USERS = [
    # username, first name, last name, organisation slug, role, also (slug, role) or None
    (
        "camille",
        "Camille",
        "Martin",
        "centre-social-tilleuls",
        "admin",
        ("ville-belle-riviere", "viewer"),
    ),
    ("julien", "Julien", "Bernard", "centre-social-tilleuls", "editor", None),
    ("sophie", "Sophie", "Petit", "centre-social-tilleuls", "viewer", None),
    ("helene", "Hélène", "Roux", "ville-belle-riviere", "admin", None),
    ("paul", "Paul", "Lefebvre", "mediatheque-jean-mace", "admin", None),
    ("yasmine", "Yasmine", "Haddad", "service-jeunesse", "admin", None),
    ("nadia", "Nadia", "Benali", "lire-ensemble", "admin", None),
    ("marc", "Marc", "Fontaine", "college-jules-ferry", "admin", None),
    ("ines", "Inès", "Moreau", "lycee-les-chenes", "admin", None),
    ("bernard", "Bernard", "Girard", "fondation-horizons", "admin", None),
    ("thomas", "Thomas", "Durand", "menuiserie-durand", "admin", None),
    ("lea", "Léa", "Garnier", "reseau-val-educ", "admin", None),
    ("olivier", "Olivier", "Faure", "jardins-partages", "admin", None),
]

SUPERUSER = ("admin", "Équipe", "Plateforme")

# Each partnership: parties are (slug, role, invitation); the first is the acting organisation.
PARTNERSHIPS = [
    {
        "title": "Coup de pouce lecture au collège",
        "purpose": "Des bénévoles et les animateurs du centre social accompagnent chaque semaine "
        "des élèves de sixième en difficulté de lecture.",
        "status": "active",
        "parties": [
            ("centre-social-tilleuls", "lead", "accepted"),
            ("lire-ensemble", "partner", "accepted"),
            ("college-jules-ferry", "partner", "accepted"),
        ],
        "history": [3, 4, 4, 5, 5, 5],
        "target": 6,
        "perceived": {"centre-social-tilleuls": 5, "lire-ensemble": 5, "college-jules-ferry": 3},
        "concerns": [
            (
                "fear",
                "investment",
                "lire-ensemble",
                "shared",
                "Les bénévoles craignent de ne pas tenir le rythme d'une séance par semaine.",
                [2, 3, 4, 4, 3, 2],
            ),
            (
                "resistance",
                "expertise",
                "college-jules-ferry",
                "shared",
                "Certains enseignants de français vivent l'accompagnement comme une remise en cause.",
                [4, 4, 3, 3, 2, 2],
            ),
            (
                "fear",
                "status",
                "lire-ensemble",
                "private",
                "Peur que le collège présente le dispositif comme le sien dans la presse locale.",
                [1, 2, 3, 3, 4, 4],
            ),
        ],
    },
    {
        "title": "Accueil de loisirs à la médiathèque",
        "purpose": "Les enfants de l'accueil de loisirs découvrent la médiathèque un mercredi sur deux.",
        "status": "active",
        "parties": [
            ("centre-social-tilleuls", "lead", "accepted"),
            ("mediatheque-jean-mace", "partner", "accepted"),
        ],
        "history": [2, 3, 3, 4, 4, 4],
        "target": 5,
        "perceived": {"centre-social-tilleuls": 4, "mediatheque-jean-mace": 4},
        "concerns": [
            (
                "resistance",
                "actors",
                "mediatheque-jean-mace",
                "shared",
                "Une partie de l'équipe redoute le bruit et le rangement après les groupes.",
                [3, 3, 2, 2, 1, 1],
            ),
        ],
    },
    {
        "title": "Conseil municipal des jeunes",
        "purpose": "Faire émerger les projets des 11-17 ans et les présenter au conseil municipal.",
        "status": "active",
        "parties": [
            ("service-jeunesse", "lead", "accepted"),
            ("centre-social-tilleuls", "partner", "accepted"),
            ("ville-belle-riviere", "funder", "accepted"),
        ],
        "history": [2, 3, 3, 3, 3, 3],
        "target": 4,
        "perceived": {"service-jeunesse": 3, "centre-social-tilleuls": 2, "ville-belle-riviere": 4},
        "concerns": [
            (
                "resistance",
                "institutional",
                "service-jeunesse",
                "shared",
                "Les élus souhaitent garder la main sur l'ordre du jour du conseil des jeunes.",
                [3, 4, 4, 5, 5, 5],
            ),
            (
                "fear",
                "power",
                "centre-social-tilleuls",
                "shared",
                "Le centre social craint d'être réduit à un rôle d'exécutant face à la mairie.",
                [2, 3, 4, 4, 5, 4],
            ),
        ],
    },
    {
        "title": "Chantier-école menuiserie",
        "purpose": "Les élèves de CAP menuiserie rénovent le mobilier des associations du quartier, "
        "encadrés par l'entreprise et financés par la fondation.",
        "status": "active",
        "parties": [
            ("lycee-les-chenes", "lead", "accepted"),
            ("menuiserie-durand", "partner", "accepted"),
            ("fondation-horizons", "funder", "accepted"),
        ],
        "history": [4, 5, 5, 6, 6, 6],
        "target": 6,
        "perceived": {"lycee-les-chenes": 6, "menuiserie-durand": 6, "fondation-horizons": 5},
        "concerns": [
            (
                "fear",
                "concessions",
                "menuiserie-durand",
                "shared",
                "L'entreprise craint de perdre trop d'heures de production pour l'encadrement.",
                [4, 3, 3, 2, 1, 1],
            ),
        ],
    },
    {
        "title": "Entretien des jardins municipaux",
        "purpose": "L'association entretient trois parcelles municipales contre une subvention annuelle.",
        "status": "active",
        "parties": [
            ("ville-belle-riviere", "lead", "accepted"),
            ("jardins-partages", "partner", "accepted"),
        ],
        "history": [1, 1, 1, 1, 1, 1],
        "target": 3,
        "perceived": {"ville-belle-riviere": 1, "jardins-partages": 1},
        "concerns": [
            (
                "fear",
                "identity",
                "jardins-partages",
                "shared",
                "Les jardiniers ne veulent pas devenir un prestataire des espaces verts.",
                [2, 3, 3, 4, 4, 5],
            ),
        ],
    },
    {
        "title": "Lettre d'information du réseau",
        "purpose": "Échanger chaque mois les nouvelles des deux structures et relayer les agendas.",
        "status": "paused",
        "parties": [
            ("reseau-val-educ", "lead", "accepted"),
            ("centre-social-tilleuls", "partner", "accepted"),
        ],
        "history": [2, 2, 2],
        "target": 2,
        "perceived": {"reseau-val-educ": 2, "centre-social-tilleuls": 2},
        "concerns": [],
    },
    {
        "title": "Ateliers d'alphabétisation communs",
        "purpose": "Ateliers de français pour adultes animés ensemble par les bénévoles et les salariés.",
        "status": "active",
        "parties": [
            ("centre-social-tilleuls", "lead", "accepted"),
            ("lire-ensemble", "partner", "accepted"),
        ],
        "history": [5, 6, 6, 7, 7, 7],
        "target": 5,
        "perceived": {"centre-social-tilleuls": 7, "lire-ensemble": 5},
        "no_responsibility_for": "lire-ensemble",
        "concerns": [
            (
                "fear",
                "identity",
                "lire-ensemble",
                "shared",
                "L'association ne sait plus distinguer ses ateliers de ceux du centre social.",
                [1, 2, 3, 4, 5, 5],
            ),
        ],
    },
    {
        "title": "Fonds d'aide aux projets de jeunes",
        "purpose": "Bourses de 300 à 1 500 euros pour des projets portés par des jeunes de 16 à 25 ans.",
        "status": "ended",
        "parties": [
            ("fondation-horizons", "funder", "accepted"),
            ("service-jeunesse", "lead", "accepted"),
        ],
        "history": [3, 3, 3, 3],
        "target": 4,
        "perceived": {"fondation-horizons": 3, "service-jeunesse": 3},
        "concerns": [
            (
                "fear",
                "ethics",
                "service-jeunesse",
                "shared",
                "Crainte que la fondation n'impose des critères de sélection trop sélectifs.",
                [3, 2, 1, 0],
            ),
        ],
    },
    {
        "title": "Jardin pédagogique du collège",
        "purpose": "Créer un potager dans la cour du collège, entretenu par les élèves et des jardiniers.",
        "status": "proposed",
        "parties": [
            ("college-jules-ferry", "lead", "accepted"),
            ("jardins-partages", "partner", "invited"),
            ("centre-social-tilleuls", "partner", "accepted"),
        ],
        "history": [],
        "target": 5,
        "perceived": {},
        "concerns": [
            (
                "resistance",
                "tradition",
                "college-jules-ferry",
                "shared",
                "La cour a toujours été entièrement minérale ; l'idée bouscule les habitudes.",
                [3],
            ),
        ],
    },
    {
        "title": "Forum des métiers du bois",
        "purpose": "Une journée de découverte des métiers du bois pour les élèves de troisième.",
        "status": "ended",
        "parties": [
            ("lycee-les-chenes", "lead", "accepted"),
            ("college-jules-ferry", "partner", "accepted"),
            ("menuiserie-durand", "partner", "accepted"),
        ],
        "history": [2, 2, 2],
        "target": 3,
        "perceived": {"lycee-les-chenes": 2, "college-jules-ferry": 2, "menuiserie-durand": 3},
        "concerns": [],
    },
    {
        "title": "Festival des cultures du quartier",
        "purpose": "Un week-end de spectacles, lectures et cuisines du monde préparé avec les habitants.",
        "status": "active",
        "parties": [
            ("centre-social-tilleuls", "lead", "accepted"),
            ("reseau-val-educ", "partner", "accepted"),
            ("mediatheque-jean-mace", "partner", "accepted"),
        ],
        "history": [3, 4, 5, 5, 5, 5],
        "target": 6,
        "perceived": {
            "centre-social-tilleuls": 6,
            "reseau-val-educ": 3,
            "mediatheque-jean-mace": 5,
        },
        "concerns": [
            (
                "fear",
                "power",
                "reseau-val-educ",
                "shared",
                "Le réseau a le sentiment que la ville décide seule de la programmation.",
                [2, 2, 3, 4, 4, 5],
            ),
            (
                "resistance",
                "institutional",
                "centre-social-tilleuls",
                "private",
                "Le service culturel de la ville voit le festival comme une concurrence.",
                [3, 3, 4, 3, 3, 2],
            ),
        ],
    },
    {
        "title": "Repair café intergénérationnel",
        "purpose": "Des artisans retraités et des jeunes réparent ensemble objets et outils de jardin.",
        "status": "paused",
        "parties": [
            ("jardins-partages", "lead", "accepted"),
            ("menuiserie-durand", "partner", "accepted"),
        ],
        "history": [3, 4, 4],
        "target": 5,
        "perceived": {"jardins-partages": 4, "menuiserie-durand": 4},
        "concerns": [
            (
                "fear",
                "investment",
                "menuiserie-durand",
                "shared",
                "Trop de samedis mobilisés pour un artisan seul.",
                [2, 3, 4],
            ),
        ],
    },
]

RESPONSIBILITIES = [
    "Coordination générale et animation des réunions",
    "Accueil du public et inscriptions",
    "Communication auprès des familles",
    "Suivi budgétaire et bilan annuel",
    "Mise à disposition des locaux et du matériel",
]

COMMITMENTS = [
    "Transmettre le calendrier des séances",
    "Rédiger le bilan intermédiaire",
    "Organiser une rencontre avec les familles",
    "Former les nouveaux bénévoles",
    "Présenter le projet au conseil d'administration",
    "Mettre à jour la convention de partenariat",
]

BENEFITS = [
    (
        "participation",
        "Les habitants ont proposé eux-mêmes deux nouvelles activités.",
        "Compte rendu de l'assemblée des habitants.",
    ),
    (
        "novelty",
        "Un atelier imprévu est né de la rencontre entre les deux équipes.",
        "Photos et programme de l'atelier.",
    ),
    (
        "collective",
        "Les équipes ont construit ensemble le programme de l'année.",
        "Programme commun signé par les deux directions.",
    ),
    (
        "learning",
        "Chaque équipe a appris des méthodes de l'autre : 1 + 1 = 3.",
        "Retours écrits des animateurs après la formation croisée.",
    ),
]

MINUTES = (
    "Tour de table des partenaires. Point sur les engagements pris lors de la dernière revue, "
    "relecture des craintes et des résistances, échange sur le niveau de partenariat vécu par "
    "chacun."
)
DECISIONS = "Maintenir le rythme des rencontres ; clarifier qui fait quoi avant la prochaine revue."
