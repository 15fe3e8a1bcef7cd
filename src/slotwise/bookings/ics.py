"""A booking as an iCalendar file and as "add to calendar" links.

The ``.ics`` carries the times in the attendee's own zone (with its ``VTIMEZONE``, from the same
tzdata as the slot engine), ``ORGANIZER`` and every ``ATTENDEE``, and keeps one ``UID`` across
reschedules with a growing ``SEQUENCE``, so calendar apps update the event instead of adding another.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from slotwise.bookings.models import Booking
from slotwise.users.models import User

if TYPE_CHECKING:  # imported where used: icalendar costs a tenth of the server's start-up
    from icalendar import vCalAddress

PRODID = "-//Slotwise//Slotwise bookings//EN"
_STATUS = {"accepted": "CONFIRMED", "pending": "TENTATIVE", "cancelled": "CANCELLED", "rejected": "CANCELLED"}


def _zone(booking: Booking, host: User) -> str:
    return booking.attendees[0].time_zone if booking.attendees else host.time_zone


def _address(email: str, name: str | None, role: str | None = None, partstat: str | None = None) -> vCalAddress:
    from icalendar import vCalAddress, vText

    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    if role:
        address.params["ROLE"] = vText(role)
    if partstat:
        address.params["PARTSTAT"] = vText(partstat)
    return address


def booking_ics(booking: Booking, host: User, *, now: datetime | None = None) -> bytes:
    """The booking as a one-event calendar (``METHOD:CANCEL`` once it is cancelled or declined)."""
    zone_name = _zone(booking, host)
    zone = ZoneInfo(zone_name)
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    active = booking.status in ("accepted", "pending")
    calendar.add("method", "PUBLISH" if active else "CANCEL")
    event = Event()
    event.add("uid", booking.ics_uid)
    event.add("sequence", booking.ics_sequence)
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("created", booking.created_at.astimezone(UTC))
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    event.add("dtstart", booking.start_time.astimezone(zone))
    event.add("dtend", booking.end_time.astimezone(zone))
    event.add("summary", booking.title)
    if booking.description:
        event.add("description", booking.description)
    if booking.location:
        event.add("location", booking.location)
    if booking.meeting_url:
        event.add("url", booking.meeting_url)
    event.add("status", _STATUS.get(booking.status, "CONFIRMED"))
    event.add("organizer", _address(host.email, host.name or host.username))
    partstat = "ACCEPTED" if booking.status == "accepted" else "NEEDS-ACTION"
    for attendee in booking.attendees:
        event.add("attendee", _address(attendee.email, attendee.name, "REQ-PARTICIPANT", partstat))
    for guest in booking.guests or []:
        event.add("attendee", _address(guest, None, "OPT-PARTICIPANT", "NEEDS-ACTION"))
    calendar.add_component(event)
    last = max(booking.end_time.year + 1, 2038)
    calendar.add_missing_timezones(
        first_date=date(max(booking.start_time.year - 1, 1970), 1, 1), last_date=date(last, 1, 1)
    )
    return bytes(calendar.to_ical())


def _compact(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_links(booking: Booking, ics_url: str) -> list[tuple[str, str]]:
    """``(label, link)`` pairs: Google Calendar, Microsoft Office 365, Microsoft Outlook, Yahoo and the
    ``.ics`` download (labels as Cal.com names them, plus ``yahooCalendar``)."""
    title = booking.title
    details = booking.description or ""
    where = booking.location or ""
    start, end = booking.start_time, booking.end_time
    google = "https://calendar.google.com/calendar/r/eventedit?" + urlencode(
        {"dates": f"{_compact(start)}/{_compact(end)}", "text": title, "details": details, "location": where},
        quote_via=quote,
    )

    def outlook(host: str) -> str:
        return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(
            {
                "path": "/calendar/action/compose",
                "rru": "addevent",
                "startdt": _iso(start),
                "enddt": _iso(end),
                "subject": title,
                "body": details,
                "location": where,
            },
            quote_via=quote,
        )

    yahoo = "https://calendar.yahoo.com/?" + urlencode(
        {"v": "60", "title": title, "st": _compact(start), "et": _compact(end), "desc": details, "in_loc": where},
        quote_via=quote,
    )
    return [
        ("googleCalendar", google),
        ("microsoftOffice", outlook("outlook.office.com")),
        ("microsoftOutlook", outlook("outlook.live.com")),
        ("yahooCalendar", yahoo),
        ("ics", ics_url),
    ]
