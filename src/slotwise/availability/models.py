"""Plain data the availability engine works on.

Everything here is immutable (frozen, slotted dataclasses) so values can be shared,
cached and hashed freely by the services that build them from the database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Literal, NamedTuple

__all__ = [
    "BookingWindow",
    "Busy",
    "DateOverride",
    "EventRules",
    "Host",
    "Period",
    "Rejection",
    "SeatedBooking",
    "Slot",
    "WeeklyRule",
]


def _is_midnight_end(t: time) -> bool:
    return (t.hour, t.minute) == (23, 59)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Weekly working hours in the schedule's zone.

    ``days`` uses Cal.com's storage convention: 0 = Sunday .. 6 = Saturday.
    ``end`` of ``time(23, 59)`` (or later) means "until midnight". ``end`` must be after ``start``.
    """

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if any(d not in range(7) for d in self.days):
            raise ValueError("WeeklyRule.days must be integers 0 (Sunday) .. 6 (Saturday)")
        if not _is_midnight_end(self.end) and self.end <= self.start:
            raise ValueError("WeeklyRule.end must be after WeeklyRule.start")
        if _is_midnight_end(self.end) and _is_midnight_end(self.start):
            raise ValueError("WeeklyRule.end must be after WeeklyRule.start")


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Working hours that replace a whole date's weekly rules.

    ``start == end`` (e.g. 00:00-00:00) blocks the day. ``end`` of ``time(23, 59)`` means
    "until midnight". Several overrides for the same date are all ranges of that date.
    """

    day: date
    start: time
    end: time

    def __post_init__(self) -> None:
        if not _is_midnight_end(self.end) and self.end < self.start:
            raise ValueError("DateOverride.end must not be before DateOverride.start")


@dataclass(frozen=True, slots=True)
class Busy:
    """A half-open busy interval ``[start, end)`` (tz-aware datetimes).

    ``kind`` is used for rejection reasons: ``"reservation"`` -> RESERVED, ``"limit"`` ->
    OVER_LIMIT, anything else (``"booking"``, ``"calendar"``, ...) -> TAKEN.
    """

    start: datetime
    end: datetime
    kind: str = "booking"


@dataclass(frozen=True, slots=True)
class Period:
    """A per-period limit (count of bookings or booked minutes); ``None`` = no limit."""

    day: int | None = None
    week: int | None = None
    month: int | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class BookingWindow:
    """How far ahead a booker may book.

    * ``unlimited``: no limit.
    * ``calendar_days``: last bookable day = today (booker zone) + ``days``.
    * ``business_days``: same, counting only Monday-Friday.
    * ``rolling=True`` (Cal.com ``ROLLING_WINDOW``): count only days (booker zone, from today)
      that actually have slots; the window ends with the ``days``-th such day (``days=0``: nothing
      is bookable). Days before that cutoff that are not counted (weekends for business days)
      stay bookable, as with the non-rolling kinds.
    * ``range``: only slots starting in ``[range_start 00:00, range_end 24:00)`` in the
      first host's schedule zone (either bound may be ``None`` = open).
    """

    kind: Literal["unlimited", "calendar_days", "business_days", "range"] = "unlimited"
    days: int = 0
    rolling: bool = False
    range_start: date | None = None
    range_end: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("unlimited", "calendar_days", "business_days", "range"):
            raise ValueError(f"unknown BookingWindow.kind {self.kind!r}")
        if self.days < 0:
            raise ValueError("BookingWindow.days must be >= 0")


@dataclass(frozen=True, slots=True)
class SeatedBooking:
    """An existing seated booking of this event type (or a seat hold).

    ``end`` is optional (defaults to ``start + EventRules.length``). Entries with the same start
    add up their attendees; the slot's ``booking_uid`` is the first non-empty ``uid`` among them
    (a hold may use ``uid=""``, which never becomes a slot's ``booking_uid``).
    """

    start: datetime
    uid: str
    attendees: int
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Host:
    """One host's schedule and busy data.

    * ``busy``: other bookings (already widened by *their* event type's buffers), reservations,
      calendar busy times. Seated bookings of this event type must go to ``seated`` instead.
    * ``event_bookings``: this event type's bookings of this host, *not* widened. They drive the
      count/duration limits and also block time (widened by this event type's buffers), except
      those that start at a ``seated`` booking's start when the event is seated.
      For week/month/year limits pass every booking of the periods touched by the query.
    * ``seated``: seated bookings of this event type; they do not block their own start until full.
    * ``fixed``: collective / fixed host; ``False`` = round-robin member of ``group``.
    * ``booked``: more of ``busy``, as ``(start, end)`` epoch seconds of kind ``"booking"`` (the
      database hands them over as integers: no datetime per row on the hot path).
    """

    host_id: int
    time_zone: str
    weekly: tuple[WeeklyRule, ...]
    overrides: tuple[DateOverride, ...] = ()
    busy: tuple[Busy, ...] = ()
    event_bookings: tuple[Busy, ...] = ()
    seated: tuple[SeatedBooking, ...] = ()
    fixed: bool = True
    group: str | None = None
    booked: Sequence[tuple[int, int]] = ()


@dataclass(frozen=True, slots=True)
class EventRules:
    """The event type's slot rules. All durations are minutes."""

    length: int
    interval: int | None = None
    minimum_notice: int = 0
    before_buffer: int = 0
    after_buffer: int = 0
    offset_start: int = 0
    count_limits: Period | None = None
    duration_limits: Period | None = None
    window: BookingWindow = BookingWindow()
    seats_per_slot: int | None = None
    only_first_slot_per_day: bool = False
    mode: Literal["single", "collective", "round_robin"] = "single"

    def __post_init__(self) -> None:
        if self.length < 1:
            raise ValueError("EventRules.length must be >= 1 minute")
        if self.interval is not None and self.interval < 1:
            raise ValueError("EventRules.interval must be >= 1 minute")
        for name in ("minimum_notice", "before_buffer", "after_buffer", "offset_start"):
            if getattr(self, name) < 0:
                raise ValueError(f"EventRules.{name} must be >= 0")
        if self.seats_per_slot is not None and self.seats_per_slot < 1:
            raise ValueError("EventRules.seats_per_slot must be >= 1")
        if self.mode not in ("single", "collective", "round_robin"):
            raise ValueError(f"unknown EventRules.mode {self.mode!r}")

    @property
    def step(self) -> int:
        """Minutes between slot starts (``interval`` or ``length``)."""
        return self.interval or self.length


class Slot(NamedTuple):
    """An offered start, ``[start_epoch, end_epoch)`` in epoch seconds (``end = start + length``);
    :attr:`start` and :attr:`end` give them as UTC datetimes. Renderers format the integers directly:
    a month holds hundreds of slots, and a datetime (or a frozen dataclass) per slot costs more than
    computing it."""

    start_epoch: int
    end_epoch: int
    host_ids: tuple[int, ...]
    seats_booked: int | None = None
    booking_uid: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_epoch, UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.end_epoch, UTC)


class Rejection(StrEnum):
    """Why a start is not offered; the value is a short human message."""

    PAST = "that time is in the past"
    TOO_SOON = "that time is too soon; it is inside the minimum booking notice"
    OUTSIDE_HOURS = "that time is outside the host's working hours"
    TAKEN = "that time is already booked"
    RESERVED = "that time is reserved by someone else"
    OVER_LIMIT = "the booking limit for that period has been reached"
    OUTSIDE_WINDOW = "that time is outside the booking window"
    OFF_GRID = "that time is not one of the offered start times"
    NO_SEATS = "there are no seats left at that time"
