"""Event types: the rules, independent of HTTP and of API versions.

Also what slots and bookings read: :func:`get_event_type`, :func:`find_by_slug`,
:func:`allowed_durations` / :func:`check_duration`, :func:`to_engine_rules` and :func:`booking_form`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.availability import BookingWindow, EventRules, Period
from slotwise.event_types import booking_fields
from slotwise.event_types.locations import DEFAULT_LOCATIONS
from slotwise.event_types.models import EventType
from slotwise.event_types.schemas import CreateEventTypeInput_2024_06_14, UpdateEventTypeInput_2024_06_14
from slotwise.http.errors import ApiError, bad_request, conflict, forbidden, not_found
from slotwise.schedules.models import Schedule
from slotwise.users.models import User

DEFAULT_MINIMUM_NOTICE = 120

# API field -> column, for fields stored as sent (None = the column's "off" value)
_COLUMNS = {
    "title": "title",
    "slug": "slug",
    "description": "description",
    "lengthInMinutes": "length",
    "hidden": "hidden",
    "disableGuests": "disable_guests",
    "slotInterval": "slot_interval",
    "onlyShowFirstAvailableSlot": "only_show_first_available_slot",
    "bookingWindow": "booking_window",
    "confirmationPolicy": "confirmation_policy",
    "recurrence": "recurrence",
    "scheduleId": "schedule_id",
}
# columns that fall back to a default when sent as null
_DEFAULTED = {
    "minimumBookingNotice": ("minimum_booking_notice", DEFAULT_MINIMUM_NOTICE),
    "beforeEventBuffer": ("before_event_buffer", 0),
    "afterEventBuffer": ("after_event_buffer", 0),
    "offsetStart": ("offset_start", 0),
}
_BOOLEAN_COLUMNS = {"hidden", "disableGuests", "onlyShowFirstAvailableSlot"}
# API fields kept in ``EventType.settings`` (None removes them)
_SETTINGS = (
    "bookerLayouts",
    "requiresBookerEmailVerification",
    "hideCalendarNotes",
    "lockTimeZoneToggleOnBookingPage",
    "color",
    "customName",
    "destinationCalendar",
    "useDestinationCalendarEmail",
    "hideCalendarEventDetails",
    "successRedirectUrl",
    "hideOrganizerEmail",
    "calVideoSettings",
    "bookingRequiresAuthentication",
)


# ---------------------------------------------------------------------------------------------
# Lookups (also used by slots and bookings)


async def get_event_type(session: AsyncSession, event_type_id: int) -> EventType:
    event_type = await session.get(EventType, event_type_id)
    if event_type is None:
        raise not_found("Event Type not found")
    return event_type


async def find_user(session: AsyncSession, username: str) -> User | None:
    """The user called ``username`` (case-insensitive, as usernames are unique regardless of case)."""
    return await session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


async def find_by_slug(session: AsyncSession, username: str, slug: str) -> EventType:
    event_type = await session.scalar(
        select(EventType)
        .join(User, User.id == EventType.owner_id)
        .where(func.lower(User.username) == username.strip().lower(), EventType.slug == slug)
    )
    if event_type is None:
        raise not_found(f"Event Type '{slug}' of user '{username}' not found")
    return event_type


async def get_owned(session: AsyncSession, owner: User, event_type_id: int, *, others: Literal[403, 404]) -> EventType:
    """The caller's event type; someone else's is a 404 (reads, as in Cal.com) or a 403 (writes)."""
    event_type = await get_event_type(session, event_type_id)
    if event_type.owner_id != owner.id:
        if others == 404:
            raise not_found("Event Type not found")
        raise forbidden(f"Event type with ID={event_type_id} belongs to another user; you can only change your own.")
    return event_type


async def list_owned(session: AsyncSession, owner_id: int, *, include_hidden: bool = True) -> list[EventType]:
    query = select(EventType).where(EventType.owner_id == owner_id)
    if not include_hidden:
        query = query.where(EventType.hidden.is_(False))
    return list((await session.scalars(query.order_by(EventType.id))).all())


async def list_public(
    session: AsyncSession, username: str, *, slug: str | None, caller: User | None
) -> tuple[User | None, list[EventType]]:
    """A user's event types by username: the visible ones, or all of them for the user themself.
    An unknown username gives ``(None, [])``."""
    user = await find_user(session, username)
    if user is None:
        return None, []
    query = select(EventType).where(EventType.owner_id == user.id)
    if caller is None or caller.id != user.id:
        query = query.where(EventType.hidden.is_(False))
    if slug is not None:
        query = query.where(EventType.slug == slug)
    return user, list((await session.scalars(query.order_by(EventType.id))).all())


# ---------------------------------------------------------------------------------------------
# Writes


async def _slug_taken(session: AsyncSession, owner_id: int, slug: str, exclude_id: int | None = None) -> bool:
    query = select(EventType.id).where(EventType.owner_id == owner_id, EventType.slug == slug)
    if exclude_id is not None:
        query = query.where(EventType.id != exclude_id)
    return await session.scalar(query.limit(1)) is not None


def _duplicate_slug(slug: str) -> ApiError:
    return conflict(
        f"You already have an event type with the slug '{slug}'; slugs are unique per user. "
        "Pick another slug, or update the existing event type.",
        slug=slug,
    )


async def _check_schedule(session: AsyncSession, owner: User, schedule_id: int) -> None:
    schedule_owner = await session.scalar(select(Schedule.user_id).where(Schedule.id == schedule_id))
    if schedule_owner != owner.id:
        raise not_found(
            f"Schedule with ID={schedule_id} not found among your schedules: scheduleId must be one of yours "
            "(GET /v2/schedules lists them), or null for your default schedule."
        )


def _check_combination(event_type: EventType, sent: set[str]) -> None:
    """Rules across fields, on the state after the change."""
    options = event_type.length_options
    if options and event_type.length not in options:
        field = "lengthInMinutes" if "lengthInMinutes" in sent else "lengthInMinutesOptions"
        raise bad_request(
            f"{field}: lengthInMinutesOptions ({', '.join(map(str, options))}) must include lengthInMinutes "
            f"({event_type.length}), the length used when the booker picks none.",
            errors=[{"property": field}],
        )
    if event_type.seats_per_time_slot is not None:
        if len(event_type.locations or []) > 1:
            raise bad_request(
                "Seats Validation failed: seats can't be combined with more than one location. Keep one location, "
                'or turn seats off with "seats": {"disabled": true}.',
                errors=[{"property": "seats"}, {"property": "locations"}],
            )
        if event_type.confirmation_policy is not None:
            raise bad_request(
                "Seats Validation failed: seats can't be combined with a confirmation policy. Turn one off with "
                '{"disabled": true} ("seats" or "confirmationPolicy").',
                errors=[{"property": "seats"}, {"property": "confirmationPolicy"}],
            )


def _limits(value: dict[str, Any] | None) -> dict[str, int] | None:
    if value is None:
        return None
    limits = {unit: int(value[unit]) for unit in ("day", "week", "month", "year") if value.get(unit) is not None}
    return limits or None


def _apply(event_type: EventType, fields: dict[str, Any]) -> None:
    """Copy validated API fields (``model_dump(exclude_unset=True)``) onto the row."""
    settings = dict(event_type.settings or {})
    for name, value in fields.items():
        if name in _COLUMNS:
            if value is None and name in _BOOLEAN_COLUMNS:
                value = False
            if value is None and name in ("title", "slug", "lengthInMinutes"):
                raise bad_request(f"{name} can't be null; send a value or leave it out.", errors=[{"property": name}])
            setattr(event_type, _COLUMNS[name], value)
        elif name in _DEFAULTED:
            column, default = _DEFAULTED[name]
            setattr(event_type, column, default if value is None else value)
        elif name == "lengthInMinutesOptions":
            event_type.length_options = list(dict.fromkeys(value)) if value else None
        elif name == "locations":
            event_type.locations = list(value or [])
        elif name == "bookingFields":
            custom, overrides = booking_fields.split(value or [])
            event_type.booking_fields = custom
            settings["bookingFieldOverrides"] = overrides
        elif name == "bookingLimitsCount":
            event_type.booking_limits_count = _limits(value)
        elif name == "bookingLimitsDuration":
            event_type.booking_limits_duration = _limits(value)
        elif name == "seats":
            seats = value or {}
            event_type.seats_per_time_slot = seats.get("seatsPerTimeSlot")
            event_type.seats_show_attendees = bool(seats.get("showAttendeeInfo", False))
            event_type.seats_show_availability_count = bool(seats.get("showAvailabilityCount", True))
        elif name in _SETTINGS:
            if value is None:
                settings.pop(name, None)
            else:
                settings[name] = value
    event_type.settings = settings


def _dump(data: CreateEventTypeInput_2024_06_14 | UpdateEventTypeInput_2024_06_14) -> dict[str, Any]:
    """The fields sent, as stored: objects keep what was sent plus the defaults their output shows."""
    fields = data.model_dump(exclude_unset=True)
    policy, window, video = data.confirmationPolicy, data.bookingWindow, data.calVideoSettings
    if policy is not None:
        fields["confirmationPolicy"] = policy.model_dump(exclude_none=True)
    if window is not None:
        fields["bookingWindow"] = window.model_dump(exclude_none=True)
    if video is not None:
        fields["calVideoSettings"] = video.model_dump(exclude_unset=True)
    return fields


async def _flush(session: AsyncSession, slug: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the slug between our check and insert
        await session.rollback()
        if "slug" in str(exc.orig).lower():
            raise _duplicate_slug(slug) from None
        raise


async def create_event_type(session: AsyncSession, owner: User, data: CreateEventTypeInput_2024_06_14) -> EventType:
    fields = _dump(data)
    if fields.get("locations") is None:  # as Cal.com: no locations means a Cal Video link
        fields["locations"] = [dict(location) for location in DEFAULT_LOCATIONS]
    event_type = EventType(
        owner_id=owner.id,
        title=data.title,
        slug=data.slug,
        length=data.lengthInMinutes,
        hidden=False,
        locations=[],
        booking_fields=[],
        disable_guests=False,
        minimum_booking_notice=DEFAULT_MINIMUM_NOTICE,
        before_event_buffer=0,
        after_event_buffer=0,
        offset_start=0,
        only_show_first_available_slot=False,
        seats_show_attendees=False,
        seats_show_availability_count=True,
        settings={},
        event_metadata={},
    )
    _apply(event_type, fields)
    _check_combination(event_type, set(fields))
    if data.scheduleId is not None:
        await _check_schedule(session, owner, data.scheduleId)
    if await _slug_taken(session, owner.id, data.slug):
        raise _duplicate_slug(data.slug)
    session.add(event_type)
    await _flush(session, data.slug)
    return event_type


async def update_event_type(
    session: AsyncSession, owner: User, event_type_id: int, changes: UpdateEventTypeInput_2024_06_14
) -> EventType:
    event_type = await get_owned(session, owner, event_type_id, others=403)
    fields = _dump(changes)
    with session.no_autoflush:  # nothing reaches the database before every check has passed
        _apply(event_type, fields)
        _check_combination(event_type, set(fields))
        if fields.get("scheduleId") is not None:
            await _check_schedule(session, owner, fields["scheduleId"])
        if "slug" in fields and await _slug_taken(session, owner.id, event_type.slug, exclude_id=event_type.id):
            raise _duplicate_slug(event_type.slug)
    await _flush(session, event_type.slug)
    return event_type


async def delete_event_type(session: AsyncSession, owner: User, event_type_id: int) -> EventType:
    event_type = await get_owned(session, owner, event_type_id, others=403)
    await session.delete(event_type)
    await session.flush()
    return event_type


# ---------------------------------------------------------------------------------------------
# What slots and bookings read


def allowed_durations(event_type: EventType) -> list[int]:
    """The lengths a booker may pick: ``lengthInMinutesOptions``, or just the event's length."""
    options = [int(minutes) for minutes in (event_type.length_options or [])]
    return options or [event_type.length]


def check_duration(event_type: EventType, duration: int | None, *, field: str = "duration") -> int:
    """``duration`` if the event type offers it (``None`` = its default length), else a 400."""
    if duration is None:
        return event_type.length
    allowed = allowed_durations(event_type)
    if duration not in allowed:
        choices = ", ".join(str(minutes) for minutes in sorted(allowed))
        raise bad_request(
            f"{field} {duration} is not offered by event type {event_type.id}: use one of {choices} (minutes).",
            allowed=sorted(allowed),
        )
    return duration


def _period(limits: dict[str, int] | None) -> Period | None:
    if not limits:
        return None
    return Period(day=limits.get("day"), week=limits.get("week"), month=limits.get("month"), year=limits.get("year"))


def _window(window: dict[str, Any] | None) -> BookingWindow:
    if not window:
        return BookingWindow()
    if window.get("type") == "range":
        start, end = window["value"]
        return BookingWindow(kind="range", range_start=date.fromisoformat(start), range_end=date.fromisoformat(end))
    kind: Literal["business_days", "calendar_days"] = (
        "business_days" if window.get("type") == "businessDays" else "calendar_days"
    )
    return BookingWindow(kind=kind, days=int(window["value"]), rolling=bool(window.get("rolling")))


def to_engine_rules(event_type: EventType, duration: int | None) -> EventRules:
    """The availability engine's rules for booking ``event_type`` for ``duration`` minutes
    (``None`` = its default length; a length it does not offer is a 400)."""
    return EventRules(
        length=check_duration(event_type, duration),
        interval=event_type.slot_interval,
        minimum_notice=event_type.minimum_booking_notice,
        before_buffer=event_type.before_event_buffer,
        after_buffer=event_type.after_event_buffer,
        offset_start=event_type.offset_start,
        count_limits=_period(event_type.booking_limits_count),
        duration_limits=_period(event_type.booking_limits_duration),
        window=_window(event_type.booking_window),
        seats_per_slot=event_type.seats_per_time_slot,
        only_first_slot_per_day=event_type.only_show_first_available_slot,
        mode="single",
    )


def booking_form(event_type: EventType) -> list[dict[str, Any]]:
    """Every question of the booking form (defaults and custom ones), as ``bookingFields`` answers them."""
    overrides = (event_type.settings or {}).get("bookingFieldOverrides") or {}
    return booking_fields.booking_form(list(event_type.booking_fields or []), overrides)


def requires_confirmation(event_type: EventType, *, minutes_ahead: float | None = None) -> bool:
    """Whether a booking starting ``minutes_ahead`` minutes from now waits for the host: always with a
    policy of type ``always``; with ``time``, only when booked less than its threshold ahead."""
    policy = event_type.confirmation_policy
    if not policy:
        return False
    threshold = policy.get("noticeThreshold")
    if policy.get("type") != "time" or not threshold or minutes_ahead is None:
        return True
    threshold_minutes = int(threshold["count"]) * (60 if threshold.get("unit") == "hours" else 1)
    return minutes_ahead < threshold_minutes
