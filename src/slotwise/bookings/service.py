"""Bookings: the rules of the whole lifecycle, independent of HTTP and of API versions.

Every write runs in ``Database.write_session()`` (``BEGIN IMMEDIATE`` on SQLite) and, before it looks
at availability, takes the host's lock (:func:`slotwise.slots.service.lock_hosts`, a transaction-scoped
advisory lock on PostgreSQL). The start is checked by :func:`slotwise.slots.service.check_bookable`,
the same computation ``GET /v2/slots`` shows. Below that, the database refuses overlapping active
bookings of a host (exclusion constraint / trigger); if it ever fires, the request is a 409 and its
transaction is rolled back whole. Every state change is announced through
:func:`slotwise.bookings.events.record_booking_event` in the same transaction, before the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper

from slotwise.availability import Rejection
from slotwise.bookings import queries
from slotwise.bookings.events import record_booking_event
from slotwise.bookings.fields import FieldErrors, LocationInput, Place, check_answers, resolve_place
from slotwise.bookings.models import ACTIVE_STATUSES, MAX_BLOCK_SPAN, Attendee, Booking
from slotwise.db import utcnow
from slotwise.driver import DriverStatement
from slotwise.event_types import service as event_types
from slotwise.event_types.models import EventType
from slotwise.http.errors import ApiError, bad_request, conflict, forbidden, not_found, unauthorized
from slotwise.slots import service as slots
from slotwise.slots.models import SlotReservation
from slotwise.slots.times import MAX_YEAR, format_instant
from slotwise.users.models import User
from slotwise.webhooks.models import Webhook
from slotwise.webhooks.outbox import any_active_webhook

OVERLAP_GUARD = "ex_bookings_host_no_overlap"
_BOOKINGS = cast(Table, Booking.__table__)
_ATTENDEES = cast(Table, Attendee.__table__)
_INSERT_BOOKING = insert(_BOOKINGS).returning(_BOOKINGS.c.id)
_INSERT_ATTENDEE = insert(_ATTENDEES).returning(_ATTENDEES.c.id)


def _insert_booking_with_attendee() -> Any:
    """PostgreSQL: a booking and its one attendee in one statement (the booking insert is a CTE), which
    also answers whether any active webhook may hear of the new booking."""
    booking_columns = [column for column in _BOOKINGS.c if column.key != "id"]
    attendee_columns = [column for column in _ATTENDEES.c if column.key not in ("id", "booking_id")]
    new_booking = (
        insert(_BOOKINGS)
        .values({column.key: bindparam(f"b_{column.key}", type_=column.type) for column in booking_columns})
        .returning(_BOOKINGS.c.id)
        .cte("new_booking")
    )
    values = select(new_booking.c.id, *(bindparam(f"a_{c.key}", type_=c.type) for c in attendee_columns))
    # and on the way whether any webhook may hear of the booking (see _insert)
    listened = any_active_webhook(
        bindparam("b_host_id", type_=_BOOKINGS.c.host_id.type),
        bindparam("b_event_type_id", type_=_BOOKINGS.c.event_type_id.type),
    )
    return (
        insert(_ATTENDEES)
        .from_select(["booking_id", *(column.key for column in attendee_columns)], values)
        .returning(_ATTENDEES.c.booking_id, _ATTENDEES.c.id, listened)
    )


_INSERT_BOOKING_WITH_ATTENDEE = DriverStatement(_insert_booking_with_attendee())
_BASE58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
# Rejections that mean "someone else has this time" (409); the others mean "this time is not offered" (400)
_CONFLICTS = frozenset({Rejection.TAKEN, Rejection.RESERVED, Rejection.NO_SEATS})


def new_uid() -> str:
    """22 base58 characters from 128 random bits (Cal.com's uids look the same)."""
    number = int.from_bytes(secrets.token_bytes(16), "big")
    chars = []
    while number:
        number, digit = divmod(number, 58)
        chars.append(_BASE58[digit])
    return "".join(reversed(chars)).rjust(22, _BASE58[0])


# --- inputs and outputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendeeInfo:
    name: str
    email: str
    time_zone: str
    phone_number: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class BookingRequest:
    """A new booking, from any request shape. ``answers`` are the ``bookingFieldsResponses``."""

    start: datetime
    attendee: AttendeeInfo
    event_type_id: int | None = None
    event_type_slug: str | None = None
    username: str | None = None
    team_slug: str | None = None
    guests: tuple[str, ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    answers_field: str = "bookingFieldsResponses"
    location: LocationInput = None
    meeting_url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    length: int | None = None
    length_field: str = "lengthInMinutes"
    recurrence_count: int | None = None
    reservation_uid: str | None = None


@dataclass
class Outcome:
    """What a write produced: the bookings to answer with (one, or a series' occurrences)."""

    bookings: list[Booking]
    event_type: EventType | None
    host: User
    seats: dict[str, str] = field(default_factory=dict)  # booking uid -> the seat created or moved
    series: bool = False


@dataclass(frozen=True)
class Move:
    """A reschedule: the new start and who/why."""

    start: datetime
    reason: str | None = None
    rescheduled_by: str | None = None
    seat_uid: str | None = None
    reservation_uid: str | None = None
    attendee: AttendeeInfo | None = None  # legacy "create with rescheduleUid": the body's attendee


# --- helpers -----------------------------------------------------------------------------------


def _field_error(problem: FieldErrors) -> ApiError:
    return bad_request(
        "Invalid request: " + str(problem),
        errors=[{"location": "body", "property": prop, "message": message} for prop, message in problem.problems],
    )


def _slots_hint(event_type: EventType, start: datetime) -> str:
    day = start.date().isoformat()
    return f"call GET /v2/slots?eventTypeId={event_type.id}&start={day}&end={day} for the times that can be booked"


def rejection_error(
    rejection: Rejection, event_type: EventType, start: datetime, *, index: int = 0, count: int = 1
) -> ApiError:
    when = format_instant(start)
    what = f"occurrence {index + 1} of {count} ({when})" if count > 1 else when
    tail = "; nothing was booked" if count > 1 else ""
    status = 409 if rejection in _CONFLICTS else 400
    message = f"Can't book {what}: {rejection.value}{tail}. {_slots_hint(event_type, start).capitalize()}."
    details: dict[str, Any] = {"reason": rejection.name, "start": when}
    if count > 1:
        details["occurrence"] = index + 1
    return ApiError(status, message, details=details)


def _overlap_error(start: datetime) -> ApiError:
    return conflict(
        f"Can't book {format_instant(start)}: {Rejection.TAKEN.value} (another booking got it first). "
        "Pick another time from GET /v2/slots.",
        reason=Rejection.TAKEN.name,
        start=format_instant(start),
    )


def _default(default: Any) -> Any:
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _column_plan(model: type[Booking] | type[Attendee]) -> tuple[tuple[str, str, Any], ...]:
    """(attribute, column name, column default) of every column but the id, worked out once per model:
    inspecting the mapper on every insert was a visible share of a booking's CPU time."""
    mapper: Mapper[Any] = sa_inspect(model)
    return tuple(
        (attribute.key, attribute.columns[0].key, attribute.columns[0].default)
        for attribute in mapper.column_attrs
        if attribute.key != "id"
    )


_BOOKING_PLAN = _column_plan(Booking)
_ATTENDEE_PLAN = _column_plan(Attendee)


def _row(instance: Booking | Attendee, plan: tuple[tuple[str, str, Any], ...], prefix: str = "") -> dict[str, Any]:
    """The instance's column values, keyed by ``prefix`` + column name; Python-side column defaults are
    filled in on the instance itself, so that it holds every value the database will."""
    values: dict[str, Any] = {}
    loaded = instance.__dict__
    for key, column, default in plan:
        if key not in loaded:
            setattr(instance, key, _default(default))
        values[prefix + column] = loaded[key]
    return values


async def _insert(session: AsyncSession, booking: Booking, attendees: list[Attendee]) -> bool | None:
    """Insert a new booking and its attendees with Core statements (one on PostgreSQL): the hot path
    skips the unit of work. The objects stay out of the session, complete (every column, the ids, the
    attendees) for the event and the answer: nothing later in the transaction loads or changes them,
    and adding them to the session (as if loaded) cost more than the insert's own Python work.

    Returns False when no webhook listens to the booking's host or event type (the PostgreSQL statement
    tells, in the transaction, after the host's lock: the event then needs no lookup of its own), None
    when that is not known. The overlap guard firing is a 409, as in :func:`_flush`."""
    connection = await session.connection()
    one_trip = connection.dialect.name == "postgresql" and len(attendees) == 1
    listened: bool | None = None
    try:
        if one_trip:
            params = _row(booking, _BOOKING_PLAN, "b_")
            params.update(_row(attendees[0], _ATTENDEE_PLAN, "a_"))
            del params["a_booking_id"]  # the statement takes it from the booking it inserts
            (row,) = await _INSERT_BOOKING_WITH_ATTENDEE.fetch(session, params)
            booking.id, attendees[0].id, listened = row
        else:
            booking.id = (await connection.execute(_INSERT_BOOKING, _row(booking, _BOOKING_PLAN))).scalar_one()
    except IntegrityError as exc:
        if OVERLAP_GUARD in str(exc.orig):
            raise _overlap_error(booking.start_time) from None
        raise
    for attendee in attendees:
        attendee.booking_id = booking.id
        if not one_trip:
            attendee.id = (await connection.execute(_INSERT_ATTENDEE, _row(attendee, _ATTENDEE_PLAN))).scalar_one()
    booking.attendees = attendees
    return False if listened is False else None


async def _flush(session: AsyncSession, start: datetime) -> None:
    """Flush; the database's overlap guard firing becomes a 409 (the caller's transaction is then
    rolled back whole when its session closes without a commit)."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if OVERLAP_GUARD in str(exc.orig):
            raise _overlap_error(start) from None
        raise


def _is_owner(booking: Booking, caller: User | None) -> bool:
    return caller is not None and caller.id == booking.host_id


def _require_owner(booking: Booking, caller: User, action: str) -> None:
    if caller.id != booking.host_id:
        raise forbidden(f"Booking {booking.uid} belongs to another user: only its host can {action} it.")


async def _event_type_of(session: AsyncSession, booking: Booking) -> EventType | None:
    if booking.event_type_id is None:
        return None
    return await session.get(EventType, booking.event_type_id)


async def _host(session: AsyncSession, host_id: int) -> User:
    host = await session.get(User, host_id)
    if host is None:  # pragma: no cover - host_id is a cascading foreign key
        raise not_found("The booking's host no longer exists.")
    return host


async def find(session: AsyncSession, uid: str) -> Booking:
    booking = await queries.by_uid(session, uid)
    if booking is None:
        raise not_found(f"Booking with uid={uid} not found.")
    return booking


async def _locked(session: AsyncSession, booking: Booking) -> Booking:
    """Take the host's lock, then read the booking again: a concurrent writer may have changed it."""
    await slots.lock_hosts(session, [booking.host_id])
    await session.refresh(booking)
    return booking


def _duration(booking: Booking) -> int:
    return round((booking.end_time - booking.start_time).total_seconds() / 60)


def _blocks(event_type: EventType, start: datetime, duration: int) -> tuple[datetime, datetime, datetime]:
    end = start + timedelta(minutes=duration)
    block_start = start - timedelta(minutes=event_type.before_event_buffer)
    block_end = end + timedelta(minutes=event_type.after_event_buffer)
    if block_end - block_start > MAX_BLOCK_SPAN:  # pragma: no cover - lengths and buffers are bounded
        raise bad_request("A booking with its buffers can span at most four days.")
    return end, block_start, block_end


# --- create ------------------------------------------------------------------------------------


async def resolve_event_type(
    session: AsyncSession, request: BookingRequest, *, lock: bool = False
) -> queries.EventTypeContext:
    """The event type to book, loaded with its owner and schedule (one round trip); ``lock`` also takes
    the owner's write lock in that round trip (see :func:`queries.event_type_context`)."""
    namespace = slots.HOST_LOCK_NAMESPACE if lock else None
    if request.event_type_id is not None:
        found = await queries.event_type_context(session, event_type_id=request.event_type_id, lock_namespace=namespace)
        if found is None:
            raise not_found("Event Type not found")
        return found
    if request.event_type_slug is not None:
        if request.team_slug is not None:
            raise not_found(f"Team {request.team_slug} not found (team event types are not served yet).")
        if request.username is None:
            raise bad_request(
                "eventTypeSlug needs the owner's username: send username with it (or send eventTypeId).",
                errors=[{"property": "username"}],
            )
        found = await queries.event_type_context(
            session, username=request.username, slug=request.event_type_slug, lock_namespace=namespace
        )
        if found is None:
            raise not_found(f"Event Type '{request.event_type_slug}' of user '{request.username}' not found")
        return found
    raise bad_request(
        "Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided.",
        errors=[{"property": "eventTypeId"}],
    )


def _check_booker(event_type: EventType, caller: User | None) -> None:
    if not (event_type.settings or {}).get("bookingRequiresAuthentication"):
        return
    if caller is None:
        raise unauthorized(
            f"Event type {event_type.id} can only be booked by its owner: send their API key "
            "(Authorization: Bearer cal_...)."
        )
    if caller.id != event_type.owner_id:
        raise forbidden(f"Event type {event_type.id} can only be booked by its owner.")


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    if year > MAX_YEAR:
        raise OverflowError
    for day in (moment.day, 30, 29, 28):  # the 31st of a short month falls back to its last day
        try:
            return moment.replace(year=year, month=month, day=min(moment.day, day))
        except ValueError:
            continue
    raise OverflowError  # pragma: no cover


def occurrence_starts(event_type: EventType, start: datetime, count: int | None, time_zone: str) -> list[datetime]:
    """Every start of a booking: one, or for a recurring event type ``count`` occurrences (default:
    the event type's) ``interval`` weeks/months/years apart, at the same wall-clock time in the
    attendee's zone (so a weekly 09:00 stays 09:00 for them across DST changes)."""
    recurrence = event_type.recurrence
    if not recurrence:
        if count is not None and count > 1:
            raise bad_request(
                f"recurrenceCount: event type {event_type.id} is not recurring; leave recurrenceCount out.",
                errors=[{"property": "recurrenceCount"}],
            )
        return [start]
    limit = int(recurrence.get("occurrences") or 1)
    if count is not None and count > limit:
        raise bad_request(
            f"recurrenceCount {count} is more than event type {event_type.id} allows ({limit} occurrences).",
            errors=[{"property": "recurrenceCount"}],
        )
    occurrences = count or limit
    interval = int(recurrence.get("interval") or 1)
    frequency = recurrence.get("frequency", "weekly")
    zone = ZoneInfo(time_zone)
    wall = start.astimezone(zone).replace(tzinfo=None)
    starts = []
    try:
        for index in range(occurrences):
            if frequency == "weekly":
                local = wall + timedelta(weeks=interval * index)
                if local.year > MAX_YEAR:
                    raise OverflowError
            elif frequency == "monthly":
                local = _add_months(wall, interval * index)
            else:
                local = _add_months(wall, 12 * interval * index)
            starts.append(local.replace(tzinfo=zone).astimezone(UTC))
    except OverflowError:
        raise bad_request(
            f"This recurring booking would reach beyond the year {MAX_YEAR}; send a smaller recurrenceCount.",
            errors=[{"property": "recurrenceCount"}],
        ) from None
    return starts


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def booking_title(event_type: EventType, host: User, attendee_name: str, answers: dict[str, Any]) -> str:
    """The answer to the ``title`` question, else the event type's ``customName`` filled in, else
    Cal.com's "<event> between <host> and <attendee>"."""
    host_name = host.name or host.username
    answered = answers.get("title")
    if isinstance(answered, str) and answered.strip():
        return answered.strip()[:512]
    custom = (event_type.settings or {}).get("customName")
    if isinstance(custom, str) and custom.strip():
        values = {
            "Event type title": event_type.title,
            "Event name": event_type.title,
            "Organiser": host_name,
            "Organizer": host_name,
            "HOST": host_name,
            "Scheduler": attendee_name,
            "ATTENDEE": attendee_name,
        }
        return _fill(custom, values)[:512]
    return f"{event_type.title} between {host_name} and {attendee_name}"[:512]


def _responses(request: BookingRequest, answers: dict[str, Any], place: Place) -> dict[str, Any]:
    """``bookingFieldsResponses`` as Cal.com stores them: name, email, guests, location, answers."""
    responses: dict[str, Any] = {"name": request.attendee.name, "email": request.attendee.email}
    if request.attendee.phone_number:
        responses["attendeePhoneNumber"] = request.attendee.phone_number
    responses["guests"] = list(request.guests)
    if place.answer is not None:
        responses["location"] = dict(place.answer)
    responses.update(answers)
    return responses


def _new_attendee(
    info: AttendeeInfo,
    *,
    seat_uid: str | None = None,
    responses: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Attendee:
    return Attendee(
        name=info.name,
        email=info.email,
        time_zone=info.time_zone,
        phone_number=info.phone_number,
        language=info.language or "en",
        absent=False,
        seat_uid=seat_uid,
        responses=responses or {},
        attendee_metadata=metadata or {},
    )


async def _consume_reservation(
    session: AsyncSession, uid: str | None, event_type_id: int, starts: Sequence[datetime]
) -> None:
    """A hold has served its purpose once its slot is booked by its holder."""
    if not uid:
        return
    await session.execute(
        delete(SlotReservation).where(
            SlotReservation.uid == uid,
            SlotReservation.event_type_id == event_type_id,
            SlotReservation.slot_start.in_(list(starts)),
        )
    )


async def create(
    session: AsyncSession, request: BookingRequest, *, caller: User | None, now: datetime | None = None
) -> Outcome:
    """Book ``request``: one booking, a seat in a shared one, or every occurrence of a recurring
    event type (all or none). Raises an :class:`ApiError` that says why when a start is not offered."""
    moment = now or utcnow()
    # the host's lock comes with the event type: the checks below run under it, up to the commit
    context = await resolve_event_type(session, request, lock=True)
    event_type, host = context.event_type, context.owner
    _check_booker(event_type, caller)
    duration = event_types.check_duration(event_type, request.length, field=request.length_field)
    if event_type.disable_guests and request.guests:
        raise bad_request(
            f"guests: event type {event_type.id} does not take guests; leave guests out.",
            errors=[{"property": "guests"}],
        )
    try:
        answers = check_answers(event_types.booking_form(event_type), request.answers, prefix=request.answers_field)
        place = resolve_place(list(event_type.locations or []), request.location, request.meeting_url)
    except FieldErrors as problem:
        raise _field_error(problem) from None
    starts = occurrence_starts(event_type, request.start, request.recurrence_count, request.attendee.time_zone)
    seated = event_type.seats_per_time_slot is not None
    minutes_ahead = (request.start - moment).total_seconds() / 60
    status = "pending" if event_types.requires_confirmation(event_type, minutes_ahead=minutes_ahead) else "accepted"
    recurring_uid = new_uid() if event_type.recurrence else None
    responses = _responses(request, answers, place)
    title = booking_title(event_type, host, request.attendee.name, answers)
    notes = answers.get("notes")
    description = notes if isinstance(notes, str) else None

    bookings: list[Booking] = []
    new_seats: list[str] = []
    created: list[Booking] = []
    unheard = False  # an insert found no webhook listening (see _insert)
    for index, start in enumerate(starts):
        rejection = await slots.check_bookable(
            session,
            event_type,
            start,
            duration,
            reservation_uid=request.reservation_uid,
            booker_time_zone=request.attendee.time_zone,
            now=moment,
            context=context,
        )
        if rejection is not None:
            raise rejection_error(rejection, event_type, start, index=index, count=len(starts))
        end, block_start, block_end = _blocks(event_type, start, duration)
        seat_uid = new_uid() if seated else None
        if seat_uid is not None:
            new_seats.append(seat_uid)
            attendee = _new_attendee(
                request.attendee, seat_uid=seat_uid, responses=responses, metadata=request.metadata
            )
            shared = await queries.seated_booking_at(session, event_type.id, host.id, start)
            if shared is not None:
                if any(seat.email == request.attendee.email for seat in shared.attendees):
                    raise conflict(
                        f"{request.attendee.email} already has a seat at {format_instant(start)} "
                        f"(booking {shared.uid}).",
                        bookingUid=shared.uid,
                    )
                shared.attendees.append(attendee)
                await _flush(session, start)
                bookings.append(shared)
                continue
        booking = Booking(
            uid=new_uid(),
            event_type_id=event_type.id,
            host_id=host.id,
            title=title,
            description=description,
            start_time=start,
            end_time=end,
            block_start=block_start,
            block_end=block_end,
            status=status,
            location=place.text,
            meeting_url=place.meeting_url,
            booking_metadata={} if seated else dict(request.metadata),
            responses={} if seated else responses,
            guests=[] if seated else list(request.guests),
            recurring_booking_uid=recurring_uid,
            absent_host=False,
            ics_sequence=0,
            created_at=moment,
            updated_at=moment,
        )
        booking.ics_uid = f"{booking.uid}@slotwise"
        attendees = [
            attendee if seat_uid is not None else _new_attendee(request.attendee, responses=None, metadata=None)
        ]
        if await _insert(session, booking, attendees) is False:
            unheard = True
        bookings.append(booking)
        created.append(booking)

    await _consume_reservation(session, request.reservation_uid, event_type.id, starts)
    # every booking here has the same host and event type, so one insert's answer holds for them all
    webhooks: list[Webhook] | None = [] if unheard else None
    for index, booking in enumerate(bookings):
        extra: dict[str, Any] = {"seatUid": new_seats[index]} if seated else {}
        trigger = "BOOKING_REQUESTED" if booking.status == "pending" else "BOOKING_CREATED"
        await record_booking_event(session, trigger, booking, webhooks=webhooks, **extra)
    return Outcome(
        bookings=bookings,
        event_type=event_type,
        host=host,
        seats={booking.uid: seat for booking, seat in zip(bookings, new_seats, strict=False)},
        series=recurring_uid is not None,
    )


# --- reschedule --------------------------------------------------------------------------------


def _check_movable(booking: Booking) -> None:
    if booking.status == "cancelled":
        if booking.rescheduled_to_uid:
            raise bad_request(
                f"Booking {booking.uid} was already rescheduled to booking {booking.rescheduled_to_uid}; "
                "reschedule that one instead.",
                rescheduledToUid=booking.rescheduled_to_uid,
            )
        raise bad_request(f"Booking {booking.uid} is cancelled and can't be rescheduled; book a new time instead.")
    if booking.status == "rejected":
        raise bad_request(f"Booking {booking.uid} was declined by the host and can't be rescheduled.")


def _copy(
    booking: Booking,
    *,
    uid: str,
    start: datetime,
    end: datetime,
    block: tuple[datetime, datetime],
    status: str,
    moment: datetime,
) -> Booking:
    return Booking(
        uid=uid,
        event_type_id=booking.event_type_id,
        host_id=booking.host_id,
        title=booking.title,
        description=booking.description,
        start_time=start,
        end_time=end,
        block_start=block[0],
        block_end=block[1],
        status=status,
        location=booking.location,
        meeting_url=booking.meeting_url,
        booking_metadata=dict(booking.booking_metadata or {}),
        responses=dict(booking.responses or {}),
        guests=list(booking.guests or []),
        recurring_booking_uid=booking.recurring_booking_uid,
        absent_host=False,
        ics_uid=booking.ics_uid,
        ics_sequence=booking.ics_sequence + 1,
        created_at=moment,
        updated_at=moment,
    )


def _clone_attendee(attendee: Attendee) -> Attendee:
    return Attendee(
        name=attendee.name,
        email=attendee.email,
        time_zone=attendee.time_zone,
        phone_number=attendee.phone_number,
        language=attendee.language,
        absent=False,
        seat_uid=attendee.seat_uid,
        responses=dict(attendee.responses or {}),
        attendee_metadata=dict(attendee.attendee_metadata or {}),
    )


async def reschedule(
    session: AsyncSession, uid: str, move: Move, *, caller: User | None, now: datetime | None = None
) -> Outcome:
    """Move a booking: a new booking (new uid, ``rescheduledFromUid``) at ``move.start`` and the old
    one cancelled with ``rescheduledToUid``, in one transaction. The old time counts as free for the
    move. A seated booking moves one seat (``seatUid``)."""
    moment = now or utcnow()
    old = await queries.by_uid(session, uid)
    if old is None:
        if await queries.series(session, uid):
            raise bad_request(
                f"{uid} is a recurring series: reschedule one occurrence by its own uid "
                "(GET /v2/bookings/{uid} lists them)."
            )
        raise not_found(f"Booking with uid={uid} not found.")
    event_type = await _event_type_of(session, old)
    if event_type is None:
        raise bad_request(f"Booking {uid} can't be rescheduled: its event type was deleted.")
    old = await _locked(session, old)
    _check_movable(old)
    host = await _host(session, old.host_id)
    if event_type.seats_per_time_slot is not None:
        return await _reschedule_seat(session, old, event_type, host, move, moment)

    duration = _duration(old)
    if duration not in event_types.allowed_durations(event_type):
        duration = event_type.length
    time_zone = move.attendee.time_zone if move.attendee else (old.attendees[0].time_zone if old.attendees else "UTC")
    rejection = await slots.check_bookable(
        session,
        event_type,
        move.start,
        duration,
        reservation_uid=move.reservation_uid,
        reschedule_uid=old.uid,
        booker_time_zone=time_zone,
        now=moment,
    )
    if rejection is not None:
        raise rejection_error(rejection, event_type, move.start)
    by_host = _is_owner(old, caller) or (move.rescheduled_by is not None and move.rescheduled_by == host.email.lower())
    minutes_ahead = (move.start - moment).total_seconds() / 60
    waits = event_types.requires_confirmation(event_type, minutes_ahead=minutes_ahead) and not by_host
    status = "pending" if waits else "accepted"
    rescheduled_by = move.rescheduled_by or (caller.email if caller is not None else None)

    end, block_start, block_end = _blocks(event_type, move.start, duration)
    new = _copy(
        old, uid=new_uid(), start=move.start, end=end, block=(block_start, block_end), status=status, moment=moment
    )
    new.rescheduled_from_uid = old.uid
    new.rescheduling_reason = move.reason
    new.rescheduled_by_email = rescheduled_by
    if move.attendee is not None:
        new.attendees = [_new_attendee(move.attendee)]
        new.responses = {**(old.responses or {}), "name": move.attendee.name, "email": move.attendee.email}
    else:
        new.attendees = [_clone_attendee(attendee) for attendee in old.attendees]

    old.status = "cancelled"
    old.rescheduled_to_uid = new.uid
    old.rescheduling_reason = move.reason
    old.rescheduled_by_email = rescheduled_by
    old.updated_at = moment
    await _flush(session, move.start)  # frees the old block before the new one is inserted
    session.add(new)
    await _flush(session, move.start)
    await _consume_reservation(session, move.reservation_uid, event_type.id, [move.start])

    extra: dict[str, Any] = {
        "rescheduleUid": old.uid,
        "rescheduleId": old.id,
        "rescheduleStartTime": format_instant(old.start_time),
        "rescheduleEndTime": format_instant(old.end_time),
        "rescheduledBy": rescheduled_by,
    }
    await record_booking_event(session, "BOOKING_RESCHEDULED", new, **extra)
    if status == "pending":
        await record_booking_event(session, "BOOKING_REQUESTED", new, **extra)
    return Outcome(bookings=[new], event_type=event_type, host=host)


async def _reschedule_seat(
    session: AsyncSession, old: Booking, event_type: EventType, host: User, move: Move, moment: datetime
) -> Outcome:
    if not move.seat_uid:
        raise bad_request(
            f"Booking {old.uid} is a seated booking: send seatUid to say which seat moves "
            "(the host moves everyone by cancelling and booking again).",
            errors=[{"property": "seatUid"}],
        )
    seat = next((attendee for attendee in old.attendees if attendee.seat_uid == move.seat_uid), None)
    if seat is None:
        raise bad_request(f"Seat {move.seat_uid} is not a seat of booking {old.uid}.", errors=[{"property": "seatUid"}])
    duration = _duration(old)
    alone = len(old.attendees) == 1
    rejection = await slots.check_bookable(
        session,
        event_type,
        move.start,
        duration,
        reservation_uid=move.reservation_uid,
        reschedule_uid=old.uid if alone else None,
        booker_time_zone=seat.time_zone,
        now=moment,
    )
    if rejection is not None:
        raise rejection_error(rejection, event_type, move.start)
    rescheduled_by = move.rescheduled_by
    old.attendees.remove(seat)
    moved = _clone_attendee(seat)
    if alone:
        old.status = "cancelled"
        old.rescheduling_reason = move.reason
        old.rescheduled_by_email = rescheduled_by
    old.updated_at = moment
    await _flush(session, move.start)
    target = await queries.seated_booking_at(session, event_type.id, old.host_id, move.start)
    if target is None:
        end, block_start, block_end = _blocks(event_type, move.start, duration)
        target = _copy(
            old,
            uid=new_uid(),
            start=move.start,
            end=end,
            block=(block_start, block_end),
            status="accepted",
            moment=moment,
        )
        target.ics_uid = f"{target.uid}@slotwise"
        target.ics_sequence = 0
        target.rescheduled_from_uid = old.uid
        target.rescheduling_reason = move.reason
        target.rescheduled_by_email = rescheduled_by
        target.attendees = [moved]
        session.add(target)
    else:
        target.attendees.append(moved)
        target.updated_at = moment
    if alone:
        old.rescheduled_to_uid = target.uid
    await _flush(session, move.start)
    await _consume_reservation(session, move.reservation_uid, event_type.id, [move.start])
    await record_booking_event(
        session,
        "BOOKING_RESCHEDULED",
        target,
        seatUid=moved.seat_uid,
        rescheduleUid=old.uid,
        rescheduleStartTime=format_instant(old.start_time),
        rescheduleEndTime=format_instant(old.end_time),
        rescheduledBy=rescheduled_by,
    )
    return Outcome(bookings=[target], event_type=event_type, host=host, seats={target.uid: moved.seat_uid or ""})


# --- cancel ------------------------------------------------------------------------------------


async def _cancel_one(
    session: AsyncSession, booking: Booking, reason: str | None, caller: User | None, moment: datetime
) -> None:
    if booking.status not in ACTIVE_STATUSES:
        return
    booking.status = "cancelled"
    booking.cancellation_reason = reason
    booking.cancelled_by_email = caller.email if caller is not None else None
    booking.ics_sequence += 1
    booking.updated_at = moment
    await record_booking_event(
        session,
        "BOOKING_CANCELLED",
        booking,
        cancellationReason=reason,
        cancelledBy=booking.cancelled_by_email,
    )


async def cancel(
    session: AsyncSession,
    uid: str,
    *,
    reason: str | None,
    subsequent: bool,
    seat_uid: str | None,
    caller: User | None,
    now: datetime | None = None,
) -> Outcome:
    """Cancel a booking, one seat of it, a recurring series (by its recurring uid: every occurrence
    still ahead) or an occurrence and the ones after it. Cancelling again changes nothing."""
    moment = now or utcnow()
    booking = await queries.by_uid(session, uid)
    if booking is None:
        occurrences = await queries.series(session, uid)
        if not occurrences:
            raise not_found(f"Booking with uid={uid} not found.")
        if subsequent:
            raise bad_request(
                "cancelSubsequentBookings is for one occurrence's uid; with the series uid every remaining "
                "occurrence is cancelled already. Leave it out."
            )
        await slots.lock_hosts(session, {occurrence.host_id for occurrence in occurrences})
        occurrences = await queries.series(session, uid, for_update=True)
        for occurrence in occurrences:
            if occurrence.end_time > moment:
                await _cancel_one(session, occurrence, reason, caller, moment)
        await session.flush()
        event_type = await _event_type_of(session, occurrences[0])
        host = await _host(session, occurrences[0].host_id)
        return Outcome(bookings=occurrences, event_type=event_type, host=host, series=True)

    booking = await _locked(session, booking)
    event_type = await _event_type_of(session, booking)
    host = await _host(session, booking.host_id)
    if seat_uid is not None:
        return await _cancel_seat(session, booking, event_type, host, seat_uid, reason, caller, moment)
    if booking.status not in ACTIVE_STATUSES and not subsequent:
        return Outcome(bookings=[booking], event_type=event_type, host=host)  # cancelled already: harmless
    if event_type is not None and event_type.seats_per_time_slot is not None and not _is_owner(booking, caller):
        raise bad_request(
            f"Booking {uid} is a seated booking: send seatUid to cancel your seat. Only the host, with their "
            "API key, cancels the whole booking.",
            errors=[{"property": "seatUid"}],
        )
    if subsequent:
        if booking.recurring_booking_uid is None:
            raise bad_request(f"cancelSubsequentBookings: booking {uid} is not part of a recurring series.")
        occurrences = await queries.series(session, booking.recurring_booking_uid)
        for occurrence in occurrences:
            if occurrence.start_time >= booking.start_time:
                await _cancel_one(session, occurrence, reason, caller, moment)
        await session.flush()
        return Outcome(bookings=occurrences, event_type=event_type, host=host, series=True)
    await _cancel_one(session, booking, reason, caller, moment)
    await session.flush()
    return Outcome(bookings=[booking], event_type=event_type, host=host)


async def _cancel_seat(
    session: AsyncSession,
    booking: Booking,
    event_type: EventType | None,
    host: User,
    seat_uid: str,
    reason: str | None,
    caller: User | None,
    moment: datetime,
) -> Outcome:
    seat = next((attendee for attendee in booking.attendees if attendee.seat_uid == seat_uid), None)
    if seat is None:
        if seat_uid in (booking.cancelled_seat_uids or []):
            return Outcome(bookings=[booking], event_type=event_type, host=host)  # cancelled already: harmless
        raise bad_request(f"Seat {seat_uid} is not a seat of booking {booking.uid}.", errors=[{"property": "seatUid"}])
    booking.attendees.remove(seat)
    booking.cancelled_seat_uids = [*(booking.cancelled_seat_uids or []), seat_uid]
    booking.updated_at = moment
    if not booking.attendees:
        booking.status = "cancelled"
        booking.cancellation_reason = reason
        booking.cancelled_by_email = caller.email if caller is not None else seat.email
    await session.flush()
    await record_booking_event(
        session,
        "BOOKING_CANCELLED",
        booking,
        seatUid=seat_uid,
        cancellationReason=reason,
        cancelledBy=caller.email if caller is not None else seat.email,
        cancelledAttendee={"name": seat.name, "email": seat.email, "seatUid": seat_uid},
    )
    return Outcome(bookings=[booking], event_type=event_type, host=host)


# --- host decisions ----------------------------------------------------------------------------


async def _owned_with_series(session: AsyncSession, uid: str, caller: User, action: str) -> list[Booking]:
    booking = await find(session, uid)
    _require_owner(booking, caller, action)
    await _locked(session, booking)
    if booking.recurring_booking_uid is None:
        return [booking]
    return await queries.series(session, booking.recurring_booking_uid)


async def confirm(session: AsyncSession, uid: str, *, caller: User, now: datetime | None = None) -> Outcome:
    """Accept a pending booking (every pending occurrence of its series). The block it holds is
    re-checked by the database guard on the status change. Confirming again changes nothing."""
    moment = now or utcnow()
    bookings = await _owned_with_series(session, uid, caller, "confirm")
    target = next(booking for booking in bookings if booking.uid == uid)
    if target.status not in ("pending", "accepted"):
        raise bad_request(f"Booking {uid} is {target.status}; only pending bookings can be confirmed.")
    changed = [booking for booking in bookings if booking.status == "pending"]
    for booking in changed:
        booking.status = "accepted"
        booking.updated_at = moment
        await _flush(session, booking.start_time)
    for booking in changed:
        await record_booking_event(session, "BOOKING_CONFIRMED", booking)
        await record_booking_event(session, "BOOKING_CREATED", booking)
    event_type = await _event_type_of(session, target)
    return Outcome(bookings=[target], event_type=event_type, host=caller)


async def decline(
    session: AsyncSession, uid: str, *, caller: User, reason: str | None, now: datetime | None = None
) -> Outcome:
    """Reject a pending booking (every pending occurrence of its series); its time is free again."""
    moment = now or utcnow()
    bookings = await _owned_with_series(session, uid, caller, "decline")
    target = next(booking for booking in bookings if booking.uid == uid)
    if target.status not in ("pending", "rejected"):
        hint = " Cancel it instead." if target.status == "accepted" else ""
        raise bad_request(f"Booking {uid} is {target.status}; only pending bookings can be declined.{hint}")
    changed = [booking for booking in bookings if booking.status == "pending"]
    for booking in changed:
        booking.status = "rejected"
        booking.rejection_reason = reason
        booking.ics_sequence += 1
        booking.updated_at = moment
    await session.flush()
    for booking in changed:
        await record_booking_event(session, "BOOKING_REJECTED", booking, rejectionReason=reason)
    event_type = await _event_type_of(session, target)
    return Outcome(bookings=[target], event_type=event_type, host=caller)


async def mark_absent(
    session: AsyncSession,
    uid: str,
    *,
    caller: User,
    host_absent: bool | None,
    attendees: Sequence[tuple[str, bool]],
    now: datetime | None = None,
) -> Outcome:
    """Record who did not show up; only the host, and only once the meeting has started."""
    moment = now or utcnow()
    booking = await find(session, uid)
    _require_owner(booking, caller, "mark absences of")
    if booking.status not in ACTIVE_STATUSES:
        raise bad_request(f"Booking {uid} is {booking.status}; absences are recorded for held meetings only.")
    if moment < booking.start_time:
        raise bad_request(
            f"Absences can be marked only after the booking starts: it starts at {format_instant(booking.start_time)} "
            f"and it is now {format_instant(moment)} (UTC)."
        )
    by_email = {attendee.email.lower(): attendee for attendee in booking.attendees}
    unknown = [email for email, _ in attendees if email.lower() not in by_email]
    if unknown:
        raise bad_request(
            f"attendees: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not an attendee of booking {uid} "
            f"(its attendees: {', '.join(sorted(by_email))}).",
            errors=[{"property": "attendees"}],
        )
    if host_absent is not None:
        booking.absent_host = host_absent
    for email, absent in attendees:
        by_email[email.lower()].absent = absent
    booking.updated_at = moment
    await session.flush()
    await record_booking_event(session, "BOOKING_NO_SHOW_UPDATED", booking, message="No-show status updated")
    event_type = await _event_type_of(session, booking)
    return Outcome(bookings=[booking], event_type=event_type, host=caller)


# --- reads -------------------------------------------------------------------------------------


async def get(session: AsyncSession, uid: str) -> Outcome:
    """A booking by uid, or every occurrence of a series by its recurring uid."""
    booking = await queries.by_uid(session, uid)
    if booking is not None:
        return Outcome(
            bookings=[booking],
            event_type=await _event_type_of(session, booking),
            host=await _host(session, booking.host_id),
        )
    occurrences = await queries.series(session, uid)
    if not occurrences:
        raise not_found(f"Booking with uid={uid} not found.")
    return Outcome(
        bookings=occurrences,
        event_type=await _event_type_of(session, occurrences[0]),
        host=await _host(session, occurrences[0].host_id),
        series=True,
    )


async def get_owned(session: AsyncSession, uid: str, caller: User, action: str) -> Outcome:
    booking = await find(session, uid)
    _require_owner(booking, caller, action)
    return Outcome(bookings=[booking], event_type=await _event_type_of(session, booking), host=caller)


async def event_types_by_id(session: AsyncSession, ids: set[int]) -> dict[int, EventType]:
    if not ids:
        return {}
    rows = await session.scalars(select(EventType).where(EventType.id.in_(sorted(ids))))
    return {row.id: row for row in rows.all()}
