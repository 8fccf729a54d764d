"""A review as a calendar event (.ics), so partners can add it to their own calendars.

The UID stays the same for a review; SEQUENCE (``Review.ical_sequence``) rises each time its
date or times change and when it is cancelled, so calendar apps move or cancel the event
instead of adding another. With times, the event is in the project's time zone (TZID); without,
it takes the whole day (DTSTART;VALUE=DATE).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

DEFAULT_LENGTH = datetime.timedelta(hours=2)  # a start without an end


def review_uid(review) -> str:
    return f"review-{review.pk}@partenariats"


def _when(review) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
    if review.starts_at_time is None:
        return review.scheduled_on, review.scheduled_on + datetime.timedelta(days=1)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    starts = datetime.datetime.combine(review.scheduled_on, review.starts_at_time, tzinfo=zone)
    if review.ends_at_time is None:
        return starts, starts + DEFAULT_LENGTH
    return starts, datetime.datetime.combine(review.scheduled_on, review.ends_at_time, tzinfo=zone)


def review_calendar(review, partnership, link: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Partenariats//Review//FR")
    calendar.add("version", "2.0")
    cancelled = review.is_cancelled
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", review_uid(review))
    event.add("sequence", review.ical_sequence)
    event.add("dtstamp", timezone.now())
    starts, ends = _when(review)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", _("Review of the partnership “%(title)s”") % {"title": partnership.title})
    description = _("Agenda and ratings: %(link)s") % {"link": link}
    if cancelled:
        event.add("status", "CANCELLED")
        description = _("Cancelled: %(reason)s") % {"reason": review.cancel_reason}
    else:
        event.add("status", "CONFIRMED")
    event.add("description", description)
    event.add("url", link)
    if review.location:
        event.add("location", review.location)
    for user in review.attendees.all():
        if user.email:
            attendee = vCalAddress(f"mailto:{user.email}")
            attendee.params["cn"] = vText(str(user))
            event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE that TZID names
    return calendar.to_ical()
