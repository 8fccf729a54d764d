"""Load the demo world; a second run finds everything in place and changes nothing."""

from __future__ import annotations

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from core.dates import add_months
from organisations.models import Membership, Organisation, User
from organisations.services import email_address_confirm
from partnerships.choices import AssessmentKind, CommitmentStatus, Invitation, ReviewStatus
from partnerships.demo import agreements as demo_agreements
from partnerships.demo import data
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    Partnership,
    Responsibility,
    Review,
)
from partnerships.services import state
from partnerships.services.partnerships import partnership_create
from partnerships.services.records import concern_check_record, level_record
from partnerships.services.reviews import review_close

CADENCE_MONTHS = 3


class Command(BaseCommand):
    help = "Load French demo organisations, users and 18 months of partnership history."

    def handle(self, *args, **options) -> None:
        # The demo's events are told in the application (the header badge shows them); their
        # e-mails, a hundred or more, would flood the console of `make run`: they are dropped.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            organisations, created = self._build()
        self.stdout.write(
            f"Demo data ready: {len(organisations)} organisations, "
            f"{len(data.PARTNERSHIPS)} partnerships ({created} created now)."
        )
        self.stdout.write(f"Sign in with any of these, password «{data.DEMO_PASSWORD}»:")
        for username, _first, _last, slug, role, _also in data.USERS:
            self.stdout.write(f"  {username:<8} {role:<6} {organisations[slug].name}")
        self.stdout.write(f"  {data.SUPERUSER[0]:<8} platform staff (admin site)")

    @transaction.atomic
    def _build(self) -> tuple[dict[str, Organisation], int]:
        """Everything in one transaction; what it tells is sent once it is committed."""
        organisations = self._organisations()
        admins = self._users(organisations)
        created = 0
        # The read model is recomputed at the end, not after every record; the whole of it,
        # as some of the demo's history is bulk-created, past the signals.
        with state.deferred():
            for spec in data.PARTNERSHIPS:
                if not Partnership.objects.filter(title=spec["title"]).exists():
                    DemoPartnership(spec, organisations, admins).build()
                    created += 1
        if created:
            state.rebuild()
        return organisations, created

    def _organisations(self) -> dict[str, Organisation]:
        organisations: dict[str, Organisation] = {}
        for slug, name, kind, parent, size, description in data.ORGANISATIONS:
            organisations[slug], _ = Organisation.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": kind,
                    "parent": organisations.get(parent),
                    "size_band": size,
                    "description": description,
                },
            )
        return organisations

    def _users(self, organisations: dict[str, Organisation]) -> dict[str, User]:
        """Create the demo users; return the first admin of each organisation."""
        admins: dict[str, User] = {}
        for username, first, last, slug, role, also in data.USERS:
            user = _user(username, first, last)
            for org_slug, org_role in [(slug, role), *([also] if also else [])]:
                Membership.objects.get_or_create(
                    user=user, organisation=organisations[org_slug], defaults={"role": org_role}
                )
                if org_role == "admin":
                    admins.setdefault(org_slug, user)
        username, first, last = data.SUPERUSER
        superuser = _user(username, first, last)
        if not superuser.is_superuser:
            superuser.is_staff = superuser.is_superuser = True
            superuser.save()
        return admins


def _user(username: str, first: str, last: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    if created:
        user.set_password(data.DEMO_PASSWORD)
        user.save()
        email_address_confirm(user=user)  # the demo accounts sign in with it at once
    return user


class DemoPartnership:
    """One partnership with its history, built from a spec of ``data.PARTNERSHIPS``."""

    def __init__(self, spec: dict, organisations: dict[str, Organisation], admins: dict[str, User]):
        self.spec = spec
        self.organisations = organisations
        self.admins = admins
        self.random = random.Random(spec["title"])
        self.today = timezone.localdate()
        lead_slug = spec["parties"][0][0]
        self.actor = admins[lead_slug]
        history = spec["history"]
        # Ended and late partnerships stopped reviewing earlier; the others held their last
        # review a month or two ago.
        back = {"ended": 5, "paused": 4}.get(spec["status"], 1 + self.random.randint(0, 1))
        if spec["title"] == "Conseil municipal des jeunes":
            back = 5  # its next review is overdue: a drift signal in the demo
        self.review_dates = [
            add_months(self.today, -(back + CADENCE_MONTHS * (len(history) - 1 - i)))
            for i in range(len(history))
        ]

    def build(self) -> Partnership:
        spec = self.spec
        starts_on = add_months(self.review_dates[0], -2) if self.review_dates else self.today
        last = self.review_dates[-1] if self.review_dates else None
        partnership = partnership_create(
            actor=self.actor,
            organisation=self.organisations[spec["parties"][0][0]],
            role=spec["parties"][0][1],
            title=spec["title"],
            purpose=spec["purpose"],
            partners=[(self.organisations[slug], role) for slug, role, _ in spec["parties"][1:]],
            status=spec["status"],
            starts_on=starts_on,
            ends_on=add_months(last, 1) if spec["status"] == "ended" and last else None,
            review_cadence=CADENCE_MONTHS,
            next_review_on=add_months(last, CADENCE_MONTHS) if last else None,
        )
        self.parties = self._accept_invitations(partnership, starts_on)
        reviews = self._reviews(partnership)
        self._levels(partnership, reviews)
        self._concerns(partnership, reviews)
        self._responsibilities_and_commitments(partnership, reviews)
        self._benefits(partnership, reviews)
        self._close(reviews)
        demo_agreements.build(spec, partnership, self.parties, self.admins, starts_on)
        return partnership

    def _close(self, reviews: list[Review]) -> None:
        """Freeze each held review once its record is complete, as the parties would."""
        lead = self.organisations[self.spec["parties"][0][0]]
        for review in reviews:
            review_close(actor=self.actor, organisation=lead, review=review)

    def _accept_invitations(self, partnership: Partnership, starts_on: datetime.date):
        parties = {
            p.organisation.slug: p for p in partnership.parties.select_related("organisation")
        }
        for slug, _role, invitation in self.spec["parties"]:
            party = parties[slug]
            party.invitation = invitation
            party.joined_on = starts_on if invitation == Invitation.ACCEPTED else None
            party.responded_at = timezone.now() if invitation != Invitation.INVITED else None
            party._history_user = self.admins[slug]
            party.save()
        return {slug: p for slug, p in parties.items() if p.invitation == Invitation.ACCEPTED}

    def _reviews(self, partnership: Partnership) -> list[Review]:
        attendees = [self.admins[slug] for slug in self.parties]
        reviews = []
        for held_on in self.review_dates:
            review = Review(  # held once each party has rated it, blind (see _levels)
                partnership=partnership,
                scheduled_on=held_on,
                location="Salle polyvalente du centre social",
                minutes=data.MINUTES,
                decisions=data.DECISIONS,
                next_review_on=add_months(held_on, CADENCE_MONTHS),
                created_by=self.actor,
            )
            review._history_user = self.actor
            review.save()
            review.attendees.set(attendees)
            reviews.append(review)
        upcoming = partnership.next_review_on
        if partnership.status in ("active", "proposed") and upcoming and upcoming >= self.today:
            Review.objects.create(
                partnership=partnership,
                scheduled_on=upcoming,
                location="Visioconférence",
                created_by=self.actor,
            )
        return reviews

    def _levels(self, partnership: Partnership, reviews: list[Review]) -> None:
        spec = self.spec
        lead = self.organisations[spec["parties"][0][0]]
        level_record(
            actor=self.actor,
            organisation=lead,
            partnership=partnership,
            kind=AssessmentKind.TARGET,
            level=spec["target"],
            rationale="Le niveau que les partenaires se donnent pour objectif.",
            assessed_on=partnership.starts_on,
        )
        last_index = len(reviews) - 1
        for index, (review, agreed) in enumerate(zip(reviews, spec["history"], strict=True)):
            self._rate_blind(review, agreed, last=index == last_index)
            self._hold(review)
            level_record(
                actor=self.actor,
                organisation=lead,
                partnership=partnership,
                kind=AssessmentKind.AGREED,
                level=agreed,
                review=review,
                rationale="Niveau constaté ensemble lors de la revue.",
                assessed_on=review.held_on,
            )

    def _rate_blind(self, review: Review, agreed: int, last: bool) -> None:
        """Each party rates the review before it is held, as the meeting asks."""
        spec = self.spec
        for slug, party in self.parties.items():
            if last and slug in spec["perceived"]:
                perceived = spec["perceived"][slug]
            else:
                perceived = min(7, max(1, agreed + self.random.choice([-1, 0, 0, 1])))
            level_record(
                actor=self.admins[slug],
                organisation=party.organisation,
                partnership=review.partnership,
                kind=AssessmentKind.PERCEIVED,
                level=perceived,
                review=review,
                assessed_on=review.scheduled_on,
            )

    def _hold(self, review: Review) -> None:
        """The meeting took place on its planned day: the ratings are revealed."""
        review.status = ReviewStatus.HELD
        review.held_on = review.scheduled_on
        review._history_user = self.actor
        review.save()

    def _concerns(self, partnership: Partnership, reviews: list[Review]) -> None:
        for kind, category, slug, visibility, description, intensities in self.spec["concerns"]:
            raised_by = self.parties[slug]
            concern = Concern(
                partnership=partnership,
                kind=kind,
                category=category,
                raised_by=raised_by,
                visibility=visibility,
                description=description,
                status="resolved" if intensities[-1] == 0 else "open",
                response="En parler ouvertement à la prochaine revue et ajuster la répartition.",
                author=self.admins[slug],
            )
            concern._history_user = self.admins[slug]
            concern.save()
            linked = reviews[-len(intensities) :] if reviews else []
            for position, intensity in enumerate(intensities):
                review = linked[position] if position < len(linked) else None
                concern_check_record(
                    actor=self.admins[slug],
                    organisation=raised_by.organisation,
                    concern=concern,
                    intensity=intensity,
                    review=review,
                    checked_on=review.held_on if review else self.today,
                )

    def _responsibilities_and_commitments(self, partnership, reviews) -> None:
        left_out = self.spec.get("no_responsibility_for")
        owners = [(slug, party) for slug, party in self.parties.items() if slug != left_out]
        for position, (_slug, party) in enumerate(owners):
            Responsibility.objects.create(
                partnership=partnership,
                party=party,
                title=data.RESPONSIBILITIES[position % len(data.RESPONSIBILITIES)],
            )
        finished = partnership.status == "ended"
        for position, review in enumerate(reviews[-3:]):
            slug, party = owners[position % len(owners)]
            due_on = add_months(review.held_on, 2)
            status = CommitmentStatus.PLANNED
            if finished or position == 0:
                status = CommitmentStatus.DONE
            elif due_on < self.today:
                status = CommitmentStatus.IN_PROGRESS  # overdue: a drift signal
            Commitment.objects.create(
                partnership=partnership,
                party=party,
                title=data.COMMITMENTS[(position + len(slug)) % len(data.COMMITMENTS)],
                due_on=due_on,
                status=status,
                completed_on=add_months(review.held_on, 1) if status == "done" else None,
                review=review,
            )

    def _benefits(self, partnership: Partnership, reviews: list[Review]) -> None:
        slugs = list(self.parties)
        for position, review in enumerate(reviews[1::2]):
            category, description, evidence = data.BENEFITS[
                (position + len(partnership.title)) % len(data.BENEFITS)
            ]
            Benefit.objects.create(
                partnership=partnership,
                party=self.parties[slugs[position % len(slugs)]],
                category=category,
                description=description,
                evidence=evidence,
                observed_on=review.held_on,
                author=self.actor,
            )
