"""A review as a calendar event (.ics), so partners can add it to their own calendars."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

REVIEW_LENGTH = datetime.timedelta(hours=2)
REVIEW_STARTS = datetime.time(14, 0)


def review_calendar(review, partnership, link: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Partenariats//Review//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"review-{review.pk}@partenariats")
    event.add("dtstamp", timezone.now())
    starts = timezone.make_aware(datetime.datetime.combine(review.scheduled_on, REVIEW_STARTS))
    event.add("dtstart", starts)
    event.add("dtend", starts + REVIEW_LENGTH)
    event.add("summary", _("Review of the partnership “%(title)s”") % {"title": partnership.title})
    event.add("description", _("Agenda and ratings: %(link)s") % {"link": link})
    event.add("url", link)
    if review.location:
        event.add("location", review.location)
    for user in review.attendees.all():
        if user.email:
            attendee = vCalAddress(f"mailto:{user.email}")
            attendee.params["cn"] = vText(str(user))
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
