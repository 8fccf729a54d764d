"""Data at scale for benchmarks: many organisations and partnerships with years of history.

Everything is drawn from one ``random.Random(seed)``, so two runs with the same sizes and seed
build the same world (dates are relative to the day of the run). Rows are written with
``bulk_create`` and their creation history with ``bulk_history_create``: no signals, no
per-row validation, so every value drawn here must respect the models' constraints itself.

One *network head* is party to a quarter of the partnerships (at least 1,000 of 5,000), so the
busiest dashboard can be measured; its administrator is ``HEAD_ADMIN``.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from core.dates import add_months
from organisations.models import Membership, Organisation, User
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernKind,
    ConcernStatus,
    FearCategory,
    Invitation,
    PartnershipStatus,
    PartyRole,
    PleasureCategory,
    ResistanceCategory,
    ReviewStatus,
    Scope,
    Visibility,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
    Review,
)
from partnerships.services.audit import recorded_bulk_write

from . import data
from . import scale_words as words
from .bulk import BATCH, World, bulk, moment, stamp

HEAD_SLUG = "reseau-national"
HEAD_ADMIN = "reseau-admin"
HEAD_SHARE = 4  # the head is party to one partnership in HEAD_SHARE
CHECKS_PER_CONCERN = 5
MIN_ORGANISATIONS = 20  # the head, its ten units and two systems with units


class ScaleBuilder:
    def __init__(self, organisations: int, partnerships: int, checks: int, seed: int = 8):
        self.sizes = (max(organisations, MIN_ORGANISATIONS), max(partnerships, 1), max(checks, 1))
        self.random = random.Random(seed)
        self.today = timezone.localdate()
        self.world = World()

    def build(self) -> World:
        # Every bulk write below records its history rows itself (demo/bulk.py), which is the
        # audit guard's condition for letting bulk writes through.
        with recorded_bulk_write():
            return self._build()

    def _build(self) -> World:
        organisations = self._organisations()
        admins = self._users(organisations)
        partnerships, parties = self._partnerships(organisations, admins)
        reviews = self._reviews(partnerships, parties, admins)
        self._levels(partnerships, parties, reviews)
        self._who_does_what(partnerships, parties, reviews)
        self._concerns(partnerships, parties, reviews, admins)
        self._benefits(partnerships, parties, reviews, admins)
        return self.world

    # --- organisations and people ---------------------------------------------------------

    def _organisations(self) -> list[Organisation]:
        """A network head with ten units, systems (towns, networks) with units, independents."""
        count = self.sizes[0]
        rnd = self.random
        founded = add_months(self.today, -60)
        head = Organisation(
            name="Réseau national des centres sociaux",
            slug=HEAD_SLUG,
            kind="network",
            size_band=4,
            description="Tête de réseau : fédère les centres sociaux et leurs partenaires.",
        )
        roots = [head]
        systems = max(2, count // 25)
        for index in range(systems):
            kind = rnd.choice(list(words.SYSTEM_NAMES))
            place = words.PLACES[index % len(words.PLACES)]
            roots.append(
                Organisation(
                    name=f"{words.SYSTEM_NAMES[kind]} {place} ({index + 1})",
                    slug=f"systeme-{index + 1:03d}",
                    kind=kind,
                    size_band=4,
                    description="Un système dont les services forment un ensemble.",
                )
            )
        while len(roots) < count - (10 + systems * 3):
            roots.append(self._organisation(len(roots), parent=None))
        for org in roots:
            stamp(org, founded, None)
        bulk(Organisation, roots, self.world)
        units = [self._organisation(len(roots) + i, parent=head) for i in range(10)]
        for index in range(len(roots) + 10, count):
            units.append(self._organisation(index, parent=roots[1 + index % systems]))
        for org in units:
            stamp(org, founded, None)
        bulk(Organisation, units, self.world)
        self.world.counts["organisation"] = count
        self.world.head = head
        return roots + units

    def _organisation(self, index: int, parent: Organisation | None) -> Organisation:
        rnd = self.random
        kind = (
            parent.kind
            if parent and parent.kind != "network"
            else rnd.choice(list(words.KIND_NAMES))
        )
        if parent and parent.kind == "network":
            kind = "association"
        place = rnd.choice(words.PLACES)
        return Organisation(
            name=f"{rnd.choice(words.KIND_NAMES[kind])} {place} {index:03d}",
            slug=f"org-{index:03d}",
            kind=kind,
            parent=parent,
            size_band=rnd.randint(1, 4),
            description="",
        )

    def _users(self, organisations: list[Organisation]) -> dict[int, User]:
        """An admin, an editor and a viewer per organisation; unit admins also see their system.

        The password is hashed once: hashing it per user would take minutes.
        """
        password = make_password(data.DEMO_PASSWORD)
        joined = add_months(self.today, -60)
        users, memberships, admins = [], [], {}
        for position, org in enumerate(organisations):
            for role in ("admin", "editor", "viewer"):
                username = (
                    HEAD_ADMIN
                    if org.slug == HEAD_SLUG and role == "admin"
                    else (f"{org.slug}-{role}")
                )
                user = User(
                    username=username,
                    first_name=words.FIRST_NAMES[(position + len(role)) % len(words.FIRST_NAMES)],
                    last_name=words.LAST_NAMES[position % len(words.LAST_NAMES)],
                    email=f"{username}@example.org",
                    password=password,
                    weekly_digest=role != "viewer",
                )
                users.append(stamp(user, joined, None))
                memberships.append(Membership(user=user, organisation=org, role=role))
                if role == "admin":
                    admins[org.pk] = user
                    if org.parent_id:
                        memberships.append(
                            Membership(user=user, organisation_id=org.parent_id, role="viewer")
                        )
        username, first, last = data.SUPERUSER
        superuser = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password,
            is_staff=True,
            is_superuser=True,
        )
        users.append(stamp(superuser, joined, None))
        bulk(User, users, self.world)
        for membership in memberships:
            membership.user_id = membership.user.pk
            stamp(membership, joined, None)
        bulk(Membership, memberships, self.world)
        self.world.head_admin = admins[self.world.head.pk]
        self.world.superuser = superuser
        return admins

    # --- partnerships and parties ---------------------------------------------------------

    def _partnerships(self, organisations, admins):
        rnd = self.random
        head = self.world.head
        by_root: dict[int, list[Organisation]] = {}
        for org in organisations:
            by_root.setdefault(org.parent_id or org.pk, []).append(org)
        others = [org for org in organisations if org.pk != head.pk]
        systems = [members for members in by_root.values() if len(members) > 2]
        partnerships, members_of = [], []
        for index in range(self.sizes[1]):
            size = rnd.choices([2, 3, 4], weights=[50, 35, 15])[0]
            if index % HEAD_SHARE == 0:
                pool = by_root[head.pk] if rnd.random() < 0.3 else others
                chosen = [head, *rnd.sample([o for o in pool if o.pk != head.pk], size - 1)]
            elif rnd.random() < 0.15:
                system = rnd.choice(systems)
                chosen = rnd.sample(system, min(size, len(system)))
            else:
                chosen = rnd.sample(others, size)
            status = rnd.choices(list(PartnershipStatus.values), weights=[10, 60, 10, 20])[
                0
            ]  # proposed, active, paused, ended
            starts_on = self.today - datetime.timedelta(days=rnd.randint(60, 1500))
            partnership = Partnership(
                title=f"{rnd.choice(words.PROJECTS)} {chosen[0].name.split()[-1]}-{index + 1}",
                purpose=words.PURPOSE,
                status=status,
                starts_on=starts_on,
                review_cadence=rnd.choice([1, 3, 3, 3, 6, 12]),
                created_by=admins[chosen[0].pk],
            )
            partnerships.append(stamp(partnership, starts_on, admins[chosen[0].pk]))
            members_of.append(chosen)
        bulk(Partnership, partnerships, self.world)
        parties = self._parties(partnerships, members_of, admins)
        self._scopes(partnerships, parties)
        return partnerships, parties

    def _parties(self, partnerships, members_of, admins) -> dict[int, list[Party]]:
        rnd = self.random
        rows, by_partnership = [], {}
        roles = [r for r in PartyRole.values if r != PartyRole.LEAD]
        for partnership, chosen in zip(partnerships, members_of, strict=True):
            lead_admin = admins[chosen[0].pk]
            for position, org in enumerate(chosen):
                invitation = Invitation.ACCEPTED
                if position and org.pk != self.world.head.pk:
                    invitation = rnd.choices(list(Invitation.values), weights=[7, 90, 3])[0]
                party = Party(
                    partnership=partnership,
                    organisation=org,
                    role=PartyRole.LEAD if position == 0 else rnd.choice(roles),
                    contribution=rnd.choice(words.CONTRIBUTIONS),
                    invitation=invitation,
                    invited_by=lead_admin,
                    invited_at=moment(partnership.starts_on),
                    responded_at=None
                    if invitation == Invitation.INVITED
                    else moment(partnership.starts_on),
                    joined_on=partnership.starts_on if invitation == Invitation.ACCEPTED else None,
                )
                rows.append(stamp(party, partnership.starts_on, lead_admin))
                by_partnership.setdefault(partnership.pk, []).append(party)
        bulk(Party, rows, self.world)
        return by_partnership

    def _scopes(self, partnerships, parties) -> None:
        """Internal when every party that counts belongs to one system, as the services say."""
        internal = []
        for partnership in partnerships:
            roots = {
                p.organisation.parent_id or p.organisation_id
                for p in parties[partnership.pk]
                if p.invitation != Invitation.DECLINED
            }
            if len(roots) <= 1:
                partnership.scope = Scope.INTERNAL
                internal.append(partnership)
        Partnership.objects.bulk_update(internal, ["scope"], batch_size=BATCH)
        Partnership.history.filter(id__in=[p.pk for p in internal]).update(scope=Scope.INTERNAL)

    # --- reviews and the level log --------------------------------------------------------

    def _history_follows(self, partnerships: list[Partnership], fields: list[str]) -> None:
        """The creation history rows carry the dates set once the reviews were laid out."""
        by_pk = {p.pk: p for p in partnerships}
        rows = list(Partnership.history.filter(id__in=by_pk).only("history_id", "id", *fields))
        for row in rows:
            for name in fields:
                setattr(row, name, getattr(by_pk[row.id], name))
        Partnership.history.model.objects.bulk_update(rows, fields, batch_size=BATCH)

    def _review_dates(self, partnership: Partnership) -> list[datetime.date]:
        """Held reviews every cadence since the start, the last five at most."""
        end = self.today - datetime.timedelta(days=7)
        if partnership.status == PartnershipStatus.PROPOSED:
            return []
        dates, day = [], add_months(partnership.starts_on, partnership.review_cadence)
        while day <= end:
            dates.append(day)
            day = add_months(day, partnership.review_cadence)
        if partnership.status in (PartnershipStatus.ENDED, PartnershipStatus.PAUSED):
            dates = dates[: max(1, len(dates) - self.random.randint(0, 3))]
        return dates[-5:]

    def _reviews(self, partnerships, parties, admins) -> dict[int, list[Review]]:
        rnd = self.random
        rows, attendees, held_by = [], [], {}
        for partnership in partnerships:
            lead = admins[parties[partnership.pk][0].organisation_id]
            held = []
            dates = self._review_dates(partnership)
            for position, day in enumerate(dates):
                closed = position < len(dates) - 1 or rnd.random() < 0.5
                review = Review(
                    partnership=partnership,
                    scheduled_on=day,
                    held_on=day,
                    status=ReviewStatus.CLOSED if closed else ReviewStatus.HELD,
                    location="Salle de réunion du chef de file",
                    minutes=words.MINUTES,
                    decisions=words.DECISIONS,
                    next_review_on=add_months(day, partnership.review_cadence),
                    closed_at=moment(day + datetime.timedelta(days=2)) if closed else None,
                    created_by=lead,
                )
                held.append(stamp(review, day, lead))
            last = dates[-1] if dates else partnership.starts_on
            if partnership.status == PartnershipStatus.ENDED:
                partnership.ends_on = max(
                    partnership.starts_on, min(add_months(last, 1), self.today)
                )
            else:
                # One in eight running partnerships lets its next review slip: a drift signal.
                late = rnd.random() < 0.125
                upcoming = add_months(last, partnership.review_cadence)
                while not late and upcoming < self.today:
                    upcoming = add_months(upcoming, partnership.review_cadence)
                partnership.next_review_on = upcoming
                if upcoming >= self.today:
                    planned = Review(
                        partnership=partnership,
                        scheduled_on=upcoming,
                        location="Visioconférence",
                        created_by=lead,
                    )
                    rows.append(stamp(planned, last, lead))
            rows.extend(held)
            held_by[partnership.pk] = held
        bulk(Review, rows, self.world)
        Partnership.objects.bulk_update(
            partnerships, ["ends_on", "next_review_on"], batch_size=BATCH
        )
        self._history_follows(partnerships, ["ends_on", "next_review_on"])
        through = Review.attendees.through
        for held in held_by.values():
            for review in held:
                for party in parties[review.partnership_id]:
                    if party.invitation == Invitation.ACCEPTED:
                        attendees.append(
                            through(review_id=review.pk, user_id=admins[party.organisation_id].pk)
                        )
        through.objects.bulk_create(attendees, batch_size=BATCH)
        return held_by

    def _levels(self, partnerships, parties, reviews) -> None:
        """A target at the start; at each held review the agreed level and each perception."""
        rnd = self.random
        rows = []
        for partnership in partnerships:
            agreed = rnd.randint(1, 5)
            rows.append(
                LevelAssessment(
                    partnership=partnership,
                    kind=AssessmentKind.TARGET,
                    level=min(7, agreed + rnd.randint(0, 2)),
                    assessed_on=partnership.starts_on,
                    rationale="Le niveau que les partenaires se donnent pour objectif.",
                )
            )
            accepted = [p for p in parties[partnership.pk] if p.invitation == Invitation.ACCEPTED]
            for review in reviews[partnership.pk]:
                agreed = min(6, max(1, agreed + rnd.choice([-1, 0, 0, 0, 1, 1])))
                if rnd.random() < 0.01:
                    agreed = 7  # fusion happens, rarely: a warning sign
                rows.append(
                    LevelAssessment(
                        partnership=partnership,
                        kind=AssessmentKind.AGREED,
                        level=agreed,
                        assessed_on=review.held_on,
                        review=review,
                    )
                )
                for party in accepted:
                    perceived = min(7, max(1, agreed + rnd.choice([-2, -1, 0, 0, 0, 1, 1])))
                    rows.append(
                        LevelAssessment(
                            partnership=partnership,
                            kind=AssessmentKind.PERCEIVED,
                            level=perceived,
                            wished_level=min(7, perceived + 1) if rnd.random() < 0.3 else None,
                            party=party,
                            assessed_on=review.held_on,
                            review=review,
                        )
                    )
        for row in rows:
            stamp(row, row.assessed_on, partnerships[0].created_by)
        bulk(LevelAssessment, rows, self.world)

    # --- who does what, concerns, pleasures -----------------------------------------------

    def _who_does_what(self, partnerships, parties, reviews) -> None:
        rnd = self.random
        responsibilities, commitments = [], []
        for partnership in partnerships:
            accepted = [p for p in parties[partnership.pk] if p.invitation == Invitation.ACCEPTED]
            for party in accepted:
                if rnd.random() < 0.9:  # the others risk the fusion warning
                    responsibilities.append(
                        Responsibility(
                            partnership=partnership,
                            party=party,
                            title=rnd.choice(words.RESPONSIBILITIES),
                        )
                    )
            for review in reviews[partnership.pk][-3:]:
                due_on = add_months(review.held_on, 2)
                status = rnd.choices(list(CommitmentStatus.values), weights=[25, 25, 45, 5])[0]
                commitments.append(
                    Commitment(
                        partnership=partnership,
                        party=rnd.choice(accepted),
                        title=rnd.choice(words.COMMITMENTS),
                        due_on=due_on,
                        status=status,
                        completed_on=min(due_on, self.today)
                        if status == CommitmentStatus.DONE
                        else None,
                        review=review,
                    )
                )
        for row in responsibilities:
            stamp(row, row.partnership.starts_on, row.partnership.created_by)
        for row in commitments:
            stamp(row, row.review.held_on, row.partnership.created_by)
        bulk(Responsibility, responsibilities, self.world)
        bulk(Commitment, commitments, self.world)

    def _check_counts(self) -> list[int]:
        """How many checks each concern gets: five on average, exactly ``checks`` in all."""
        total = self.sizes[2]
        concerns = max(1, total // CHECKS_PER_CONCERN)
        counts = [total // concerns] * concerns
        for index in range(total % concerns):
            counts[index] += 1
        for _ in range(concerns):  # move checks between concerns: some are older than others
            a, b = self.random.randrange(concerns), self.random.randrange(concerns)
            moved = self.random.randint(0, 3)
            if counts[a] - moved >= 1:
                counts[a] -= moved
                counts[b] += moved
        return counts

    def _concerns(self, partnerships, parties, reviews, admins) -> None:
        rnd = self.random
        concerns, planned = [], []
        for checks in self._check_counts():
            partnership = rnd.choice(partnerships)
            accepted = [p for p in parties[partnership.pk] if p.invitation == Invitation.ACCEPTED]
            kind = rnd.choices(list(ConcernKind.values), weights=[60, 40])[0]
            categories = FearCategory if kind == ConcernKind.FEAR else ResistanceCategory
            party = rnd.choice(accepted)
            intensities = [rnd.randint(1, 5)]
            for _ in range(checks - 1):
                intensities.append(min(5, max(0, intensities[-1] + rnd.choice([-1, 0, 0, 1]))))
            last = intensities[-1]
            status = (
                ConcernStatus.RESOLVED
                if last == 0
                else (ConcernStatus.EASING if last < intensities[0] else ConcernStatus.OPEN)
            )
            concern = Concern(
                partnership=partnership,
                kind=kind,
                category=rnd.choice(list(categories.values)),
                description=words.CONCERNS[kind],
                raised_by=party,
                visibility=Visibility.PRIVATE if rnd.random() < 0.2 else Visibility.SHARED,
                status=status,
                response="En parler ouvertement à la prochaine revue.",
                author=admins[party.organisation_id],
            )
            concerns.append(concern)
            planned.append(intensities)
        checks = []
        for concern, intensities in zip(concerns, planned, strict=True):
            linked = reviews[concern.partnership_id]
            author = admins[concern.raised_by.organisation_id]
            anchor = linked[0].held_on if linked else self.today
            dated = []
            for back in range(len(intensities)):  # the latest check first
                if back < len(linked):
                    dated.append((linked[-1 - back].held_on, linked[-1 - back]))
                else:
                    extra = back - len(linked) + 1
                    dated.append((anchor - datetime.timedelta(days=30 * extra), None))
            dated.reverse()
            stamp(concern, dated[0][0], author)
            for intensity, (day, review) in zip(intensities, dated, strict=True):
                check = ConcernCheck(
                    concern=concern, intensity=intensity, checked_on=day, review=review
                )
                check.author = author
                checks.append(stamp(check, day, author))
        bulk(Concern, concerns, self.world)
        bulk(ConcernCheck, checks, self.world)

    def _benefits(self, partnerships, parties, reviews, admins) -> None:
        rnd = self.random
        rows = []
        for partnership in partnerships:
            accepted = [p for p in parties[partnership.pk] if p.invitation == Invitation.ACCEPTED]
            for review in reviews[partnership.pk][1::2]:
                party = rnd.choice(accepted)
                rows.append(
                    stamp(
                        Benefit(
                            partnership=partnership,
                            party=party,
                            category=rnd.choice(list(PleasureCategory.values)),
                            description=rnd.choice(words.BENEFITS),
                            evidence=words.EVIDENCE,
                            observed_on=review.held_on,
                            author=admins[party.organisation_id],
                        ),
                        review.held_on,
                        admins[party.organisation_id],
                    )
                )
        bulk(Benefit, rows, self.world)
