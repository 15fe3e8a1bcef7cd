"""The task-level scheduling tools an agent gets: a handful that match how people schedule, each
doing the API calls a task needs (resolve the event type, convert time zones, page through lists).

They talk to Slotwise or Cal.com through :class:`slotwise.client.AsyncClient`; failures become
``ToolError`` messages that tell the agent what to do next.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from slotwise.client import AsyncClient, Attendee, Availability, Booking, CalApiError, CalError, EventType, Me
from slotwise.client.errors import AuthenticationError, CalConnectionError
from slotwise.client.models import WEEKDAYS, WeekDay
from slotwise.client.timeranges import HELP as RANGE_HELP
from slotwise.client.timeranges import parse_range, zone

T = TypeVar("T")

EventTypeRef = Annotated[str | int, Field(description="The event type's id (e.g. 42) or slug (e.g. '30min').")]
ZoneArg = Annotated[
    str | None, Field(description="IANA time zone, e.g. Europe/Berlin (default: the user's own time zone).")
]
StartArg = Annotated[
    str,
    Field(description="ISO 8601 start with its UTC offset, exactly as returned by find_available_slots."),
]
UidArg = Annotated[str, Field(description="The booking uid (from book_slot or list_bookings).")]


# --- what the tools return ----------------------------------------------------------------------


class Profile(BaseModel):
    id: int
    username: str | None
    email: str
    name: str | None
    time_zone: str | None
    default_schedule_id: int | None
    server: str


class EventTypeSummary(BaseModel):
    id: int
    title: str
    slug: str
    length_in_minutes: int | None
    hidden: bool | None = None
    description: str | None = None


class SlotOut(BaseModel):
    start: str = Field(description="ISO 8601 start with the UTC offset of time_zone; pass it unchanged to book_slot.")
    end: str | None = None


class AvailableSlots(BaseModel):
    event_type_id: int
    event_type_title: str
    time_zone: str
    range_start: str
    range_end: str
    slots: list[SlotOut]
    by_day: dict[str, list[str]] = Field(description="Local HH:MM start times per date, for reading out.")
    total: int
    truncated: bool


class BookingOut(BaseModel):
    uid: str = Field(description="Keep this: cancel_booking / reschedule_booking / get_booking need it.")
    id: int
    status: str
    title: str | None
    start: str
    end: str
    time_zone: str
    event_type_id: int | None
    attendees: list[dict[str, Any]]
    location: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    cancellation_reason: str | None = None


class BookingList(BaseModel):
    bookings: list[BookingOut]
    count: int
    more_available: bool


class WorkingHours(BaseModel):
    schedule_id: int
    name: str
    time_zone: str
    is_default: bool
    availability: list[dict[str, Any]]


# --- descriptions: what the Cal.com skill documents teach ---------------------------------------

INSTRUCTIONS = """Scheduling tools for a Cal.com-compatible API (Slotwise or Cal.com).
Workflow: whoami -> list_event_types -> find_available_slots -> book_slot. Always check availability with
find_available_slots before booking and book one of the returned start times unchanged. Keep the booking
uid that book_slot returns: cancelling, rescheduling and looking up a booking need it. Times are ISO 8601
with an explicit UTC offset or Z; say which IANA time zone you mean (e.g. Europe/Berlin). Creating,
cancelling or rescheduling changes real calendars and notifies people: confirm the details with the user
first. Bookings hold personal data (names, emails): list them only when the user asks."""

DESCRIPTIONS = {
    "whoami": "Who the API key belongs to: id, username, email and default time zone. Call it first to learn "
    "the user's time zone and to check the connection works.",
    "list_event_types": "The user's event types (bookable meeting kinds) with id, slug, title and length in "
    "minutes. Use the id or slug with find_available_slots and book_slot.",
    "find_available_slots": "Free start times of an event type. ALWAYS call this before book_slot. `when` takes "
    "natural ranges in `time_zone`: " + RANGE_HELP + ". Returned starts are ISO 8601 with the zone's offset; "
    "pass one unchanged to book_slot.",
    "book_slot": "Book a start time returned by find_available_slots for an attendee (name, email, IANA time "
    "zone). Confirm the time and attendee with the user first. Returns the booking: keep its `uid` to cancel, "
    "reschedule or look it up later. If the slot was taken meanwhile, check slots again.",
    "list_bookings": "The user's bookings, newest relevant first: status 'upcoming' (default), 'past', "
    "'cancelled', 'unconfirmed' or 'recurring', optionally filtered by attendee email. Bookings contain "
    "personal data: list them only when asked.",
    "get_booking": "One booking by its uid (as returned by book_slot or list_bookings).",
    "cancel_booking": "Cancel a booking by uid, with an optional reason the attendees see. Confirm with the "
    "user first; this notifies the attendees and cannot be undone.",
    "reschedule_booking": "Move a booking (by uid) to a new start time. Check the new time with "
    "find_available_slots first and confirm it with the user. The answer is a NEW booking with a NEW uid "
    "(the old one becomes cancelled): use the new uid from then on.",
    "create_event_type": "Create a bookable event type (title, length in minutes; slug derived from the title "
    "unless given). Confirm with the user first.",
    "set_working_hours": "Set the weekly working hours of the user's default schedule (or `schedule_id`): "
    "days such as ['Monday', 'Tuesday'] or 'Monday-Friday', start and end as HH:MM (24 h), in an IANA "
    "time zone. Replaces the schedule's weekly hours; confirm with the user first.",
}


def _hint(error: CalError) -> str:
    if isinstance(error, AuthenticationError):
        return " Check CAL_API_KEY (and CAL_API_URL) in the MCP server's environment."
    if isinstance(error, CalConnectionError):
        return " The scheduling server could not be reached; check CAL_API_URL and try again."
    if isinstance(error, CalApiError) and error.status_code == 409:
        return " The time is probably taken now: call find_available_slots again and pick another start."
    return ""


async def _call(action: Awaitable[T]) -> T:
    try:
        return await action
    except CalApiError as error:
        where = f" (request id {error.request_id})" if error.request_id else ""
        raise ToolError(f"The server refused ({error.status_code}): {error.message}{where}.{_hint(error)}") from error
    except CalError as error:
        raise ToolError(f"{error}.{_hint(error)}") from error


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def _parse_start(start: str, tz: ZoneInfo, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(start.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ToolError(
            f"{field} {start!r} is not an ISO 8601 date-time; use e.g. 2026-12-01T09:00:00+01:00 "
            "(a start returned by find_available_slots)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return zone(name)
    except ValueError as exc:
        raise ToolError(str(exc)) from None


_GROUPS: dict[str, tuple[WeekDay, ...]] = {
    "weekdays": WEEKDAYS[:5],
    "workdays": WEEKDAYS[:5],
    "weekend": WEEKDAYS[5:],
    "weekends": WEEKDAYS[5:],
    "daily": WEEKDAYS,
    "all": WEEKDAYS,
    "everyday": WEEKDAYS,
}


def _day(token: str) -> WeekDay | None:
    """``mon``, ``Tues``, ``thursday``, ``Fridays`` -> the day name."""
    token = token.strip().lower().rstrip(".")
    if len(token) < 2:
        return None
    for name in WEEKDAYS:
        full = name.lower()
        if token in (full, full + "s") or (len(token) >= 3 and full.startswith(token)):
            return name
    return None


def parse_days(days: list[str] | str) -> list[WeekDay]:
    """``"Monday-Friday"``, ``"weekdays"``, ``["mon", "wed"]``, ``"Mon, Tue"`` -> day names in week order."""
    items = [days] if isinstance(days, str) else list(days)
    found: set[WeekDay] = set()
    for raw in items:
        text = raw.lower().replace("every day", "daily").replace("business days", "weekdays")
        text = re.sub(r"\s*(?:-|\u2013|\u2014|\bto\b|\bthrough\b)\s*", "-", text)
        for token in (t for t in re.split(r"[,\s/&+]+|\band\b", text) if t):
            if token in _GROUPS:
                found.update(_GROUPS[token])
            elif "-" in token:
                first, _, last = token.partition("-")
                a, b = _day(first), _day(last)
                if a is None or b is None:
                    raise ToolError(f"unknown day range {token!r}; use e.g. 'Monday-Friday'")
                i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
                found.update(WEEKDAYS[k % 7] for k in range(i, (j if j >= i else j + 7) + 1))
            elif (day := _day(token)) is not None:
                found.add(day)
            else:
                raise ToolError(f"unknown day {token!r}; use English day names such as Monday, or 'Monday-Friday'")
    if not found:
        raise ToolError("no days given; use e.g. ['Monday', 'Tuesday'] or 'Monday-Friday'")
    return [day for day in WEEKDAYS if day in found]


def _hhmm(value: str, field: str) -> str:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", value.strip().lower())
    if not match:
        raise ToolError(f"{field} {value!r} is not a time; use HH:MM in 24 h, e.g. 09:00 or 17:30")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ToolError(f"{field} {value!r} is out of range; use 00:00 to 23:59")
    return f"{hour:02d}:{minute:02d}"


def _slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:60] or "meeting"


class SchedulingTools:
    """The tools, bound to one client. ``me`` and the event types are cached for the session."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self._me: Me | None = None

    async def _profile(self) -> Me:
        if self._me is None:
            self._me = await _call(self.client.me())
        return self._me

    async def _default_zone(self, given: str | None) -> ZoneInfo:
        if given:
            return _zone(given)
        try:
            profile = await self._profile()
        except ToolError:
            return _zone("UTC")
        return _zone(profile.time_zone or "UTC")

    async def _event_type(self, reference: str | int) -> EventType:  # an id, "42", or a slug/title
        text = str(reference).strip()
        if re.fullmatch(r"\d+(\.0+)?", text):
            return await _call(self.client.get_event_type(int(float(text))))
        mine = await _call(self.client.my_event_types())
        for event_type in mine:
            if event_type.slug == text or event_type.title.lower() == text.lower():
                return event_type
        known = ", ".join(f"{e.slug} (id {e.id})" for e in mine) or "none"
        raise ToolError(f"no event type {text!r}; the user's event types are: {known}")

    def _booking(self, booking: Booking, tz: ZoneInfo) -> BookingOut:
        return BookingOut(
            uid=booking.uid,
            id=booking.id,
            status=booking.status,
            title=booking.title,
            start=_local(booking.start, tz),
            end=_local(booking.end, tz),
            time_zone=str(tz.key),
            event_type_id=booking.event_type_id or (booking.event_type.id if booking.event_type else None),
            attendees=[a.model_dump(exclude_none=True, by_alias=True) for a in booking.attendees],
            location=booking.location,
            rescheduled_from_uid=booking.rescheduled_from_uid,
            rescheduled_to_uid=booking.rescheduled_to_uid,
            cancellation_reason=booking.cancellation_reason,
        )

    # --- tools --------------------------------------------------------------------------------

    async def whoami(self) -> Profile:
        profile = await self._profile()
        return Profile(
            id=profile.id,
            username=profile.username,
            email=profile.email,
            name=profile.name,
            time_zone=profile.time_zone,
            default_schedule_id=profile.default_schedule_id,
            server=self.client.base_url,
        )

    async def list_event_types(self) -> list[EventTypeSummary]:
        return [
            EventTypeSummary(
                id=e.id,
                title=e.title,
                slug=e.slug,
                length_in_minutes=e.length_in_minutes,
                hidden=e.hidden,
                description=e.description or None,
            )
            for e in await _call(self.client.my_event_types())
        ]

    async def find_available_slots(
        self,
        event_type: EventTypeRef,
        when: Annotated[
            str, Field(description="'tomorrow', 'next week', 'friday', '2026-12-01 to 2026-12-05', ISO dates...")
        ] = "next 7 days",
        time_zone: ZoneArg = None,
        duration_minutes: Annotated[int | None, Field(description="Only for variable-length event types.")] = None,
        max_results: Annotated[int, Field(description="At most this many slots in `slots` (1-500).")] = 40,
    ) -> AvailableSlots:
        tz = await self._default_zone(time_zone)
        try:
            window = parse_range(when, tz.key)
        except ValueError as exc:
            raise ToolError(str(exc)) from None
        kind = await self._event_type(event_type)
        found = await _call(
            self.client.get_slots(
                event_type_id=kind.id,
                start=window.start,
                end=window.end,
                time_zone=tz.key,
                duration=duration_minutes,
                format="range",
            )
        )
        inside = [slot for slot in found if window.contains(slot.start)]
        limit = max(1, min(max_results, 500))
        by_day: dict[str, list[str]] = {}
        for slot in inside:
            local = slot.start.astimezone(tz)
            by_day.setdefault(local.date().isoformat(), []).append(local.strftime("%H:%M"))
        return AvailableSlots(
            event_type_id=kind.id,
            event_type_title=kind.title,
            time_zone=tz.key,
            range_start=_local(window.start, tz),
            range_end=_local(window.end, tz),
            slots=[
                SlotOut(start=_local(slot.start, tz), end=_local(slot.end, tz) if slot.end else None)
                for slot in inside[:limit]
            ],
            by_day=by_day,
            total=len(inside),
            truncated=len(inside) > limit,
        )

    async def book_slot(
        self,
        event_type: EventTypeRef,
        start: StartArg,
        attendee_name: str,
        attendee_email: str,
        attendee_time_zone: Annotated[str, Field(description="The attendee's IANA time zone, e.g. America/New_York.")],
        notes: Annotated[str | None, Field(description="Anything the host should know.")] = None,
        guests: Annotated[list[str] | None, Field(description="Extra attendee emails.")] = None,
    ) -> BookingOut:
        tz = _zone(attendee_time_zone)
        moment = _parse_start(start, tz, "start")
        kind = await self._event_type(event_type)
        extra: dict[str, Any] = {"bookingFieldsResponses": {"notes": notes}} if notes else {}
        booking = await _call(
            self.client.create_booking(
                start=moment,
                event_type_id=kind.id,
                attendee=Attendee(name=attendee_name, email=attendee_email, time_zone=tz.key),
                guests=guests,
                **extra,
            )
        )
        return self._booking(booking, tz)

    async def list_bookings(
        self,
        status: Literal["upcoming", "past", "cancelled", "unconfirmed", "recurring"] = "upcoming",
        attendee_email: str | None = None,
        limit: Annotated[int, Field(description="At most this many bookings (1-250).")] = 20,
        time_zone: ZoneArg = None,
    ) -> BookingList:
        tz = await self._default_zone(time_zone)
        limit = max(1, min(limit, 250))
        page = await _call(self.client.list_bookings(status=status, attendee_email=attendee_email, take=limit, skip=0))
        more = bool(page.pagination and page.pagination.has_next_page)
        bookings = [self._booking(b, tz) for b in page.items[:limit]]
        return BookingList(bookings=bookings, count=len(bookings), more_available=more)

    async def get_booking(self, uid: UidArg, time_zone: ZoneArg = None) -> BookingOut:
        tz = await self._default_zone(time_zone)
        return self._booking(await _call(self.client.get_booking(uid.strip())), tz)

    async def cancel_booking(
        self, uid: UidArg, reason: Annotated[str | None, Field(description="Shown to the attendees.")] = None
    ) -> BookingOut:
        tz = await self._default_zone(None)
        return self._booking(await _call(self.client.cancel_booking(uid.strip(), reason=reason)), tz)

    async def reschedule_booking(
        self,
        uid: UidArg,
        new_start: StartArg,
        reason: Annotated[str | None, Field(description="Shown to the attendees.")] = None,
        time_zone: ZoneArg = None,
    ) -> BookingOut:
        tz = await self._default_zone(time_zone)
        moment = _parse_start(new_start, tz, "new_start")
        booking = await _call(self.client.reschedule_booking(uid.strip(), start=moment, reason=reason))
        return self._booking(booking, tz)

    async def create_event_type(
        self,
        title: str,
        length_in_minutes: int,
        slug: str | None = None,
        description: str | None = None,
        hidden: bool = False,
    ) -> EventTypeSummary:
        if not 1 <= length_in_minutes <= 1440:
            raise ToolError("length_in_minutes must be between 1 and 1440")
        created = await _call(
            self.client.create_event_type(
                title=title,
                slug=slug or _slugify(title),
                length_in_minutes=length_in_minutes,
                description=description,
                hidden=hidden,
            )
        )
        return EventTypeSummary(
            id=created.id,
            title=created.title,
            slug=created.slug,
            length_in_minutes=created.length_in_minutes,
            hidden=created.hidden,
            description=created.description or None,
        )

    async def set_working_hours(
        self,
        days: Annotated[
            list[str] | str, Field(description="['Monday', 'Wednesday'], 'Monday-Friday', 'weekdays', 'Tue-Thu'...")
        ] = "Monday-Friday",
        start_time: Annotated[str, Field(description="Start of the day's hours, HH:MM 24 h (or 9am).")] = "09:00",
        end_time: Annotated[str, Field(description="End of the day's hours, HH:MM 24 h (or 5pm).")] = "17:00",
        time_zone: Annotated[str | None, Field(description="IANA zone of the hours (default: unchanged).")] = None,
        schedule_id: Annotated[int | None, Field(description="Which schedule (default: the default one).")] = None,
    ) -> WorkingHours:
        window = Availability(
            days=parse_days(days), start_time=_hhmm(start_time, "start_time"), end_time=_hhmm(end_time, "end_time")
        )
        if window.end_time <= window.start_time:
            raise ToolError(f"end_time {window.end_time} must be after start_time {window.start_time}")
        zone_name = _zone(time_zone).key if time_zone else None
        if schedule_id is None:
            current = await _call(self.client.get_default_schedule())
            schedule_id = current.id if current else None
        if schedule_id is None:
            tz_name = zone_name or (await self._default_zone(None)).key
            schedule = await _call(
                self.client.create_schedule(
                    name="Working hours", time_zone=tz_name, is_default=True, availability=[window]
                )
            )
        else:
            schedule = await _call(self.client.update_schedule(schedule_id, time_zone=zone_name, availability=[window]))
        return WorkingHours(
            schedule_id=schedule.id,
            name=schedule.name,
            time_zone=schedule.time_zone,
            is_default=schedule.is_default,
            availability=[a.model_dump(by_alias=True) for a in schedule.availability],
        )

    def all(self) -> dict[str, Callable[..., Awaitable[Any]]]:
        return {
            "whoami": self.whoami,
            "list_event_types": self.list_event_types,
            "find_available_slots": self.find_available_slots,
            "book_slot": self.book_slot,
            "list_bookings": self.list_bookings,
            "get_booking": self.get_booking,
            "cancel_booking": self.cancel_booking,
            "reschedule_booking": self.reschedule_booking,
            "create_event_type": self.create_event_type,
            "set_working_hours": self.set_working_hours,
        }
