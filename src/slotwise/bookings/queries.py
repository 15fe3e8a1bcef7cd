"""Booking reads: busy time for the slot engine, lookups by uid, and the filtered, paged lists.

All SQL of the bookings feature that is not a write lives here. Every time-window query is bounded
on both sides of an index range: blocks are at most ``MAX_BLOCK_SPAN`` long (a database check), so a
block overlapping ``[start, end)`` starts in ``(start - MAX_BLOCK_SPAN, end)``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.availability import Busy, SeatedBooking
from slotwise.availability.tz import utc_datetime
from slotwise.bookings.models import ACTIVE_STATUSES, MAX_BLOCK_SPAN, Attendee, Booking
from slotwise.db import UTCDateTime
from slotwise.driver import DriverStatement
from slotwise.event_types.models import EventType
from slotwise.schedules.models import Schedule
from slotwise.users.models import User

# How far around a window this event type's own bookings are loaded when it has booking limits:
# the engine counts every booking of each day/week/month/year the window touches (in the host's zone).
_LIMIT_REACH = {"year": timedelta(days=367), "month": timedelta(days=32), "week": timedelta(days=8)}
_DAY_REACH = timedelta(days=2)


@dataclass
class BookedTime:
    """One host's bookings in a window, in the slot engine's terms (the fields of
    ``slots.service.HostBusy``): ``blocks`` = every active booking's block (its time widened by its
    own buffers) in epoch seconds; ``event_bookings`` = this event type's bookings, unwidened (booking limits);
    ``seated`` = this seated event type's bookings, with their attendee counts (instead of ``busy``)."""

    blocks: list[tuple[int, int]] = field(default_factory=list)
    event_bookings: list[Busy] = field(default_factory=list)
    seated: list[SeatedBooking] = field(default_factory=list)


def limit_reach(event_type: EventType | None) -> timedelta | None:
    if event_type is None:
        return None
    units: set[str] = set()
    for limits in (event_type.booking_limits_count, event_type.booking_limits_duration):
        units.update(unit for unit, value in (limits or {}).items() if value is not None)
    if not units:
        return None
    return max((_LIMIT_REACH.get(unit, _DAY_REACH) for unit in units), default=_DAY_REACH)


_bookings = Booking.__table__.c


_SQLITE_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38, 0)


def _epoch(column: Any, *, postgresql: bool, ceil: bool) -> ColumnElement[int]:
    """``column`` (a UTC timestamp) as whole epoch seconds, rounded down (or up, ``ceil``), computed by
    the database: the slot engine works in epoch seconds, and a datetime per row was the hot path's
    largest cost. PostgreSQL: ``date_part`` (a double, exact for whole seconds) is about twice as fast
    as ``extract`` (a numeric). SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff`` (``db.UTCDateTime``);
    ``unixepoch`` (or ``strftime('%s')`` before SQLite 3.38, half as fast) drops the fraction, so
    rounding up adds one second when the microseconds are not all zero."""
    if postgresql:
        seconds = func.date_part("epoch", column)
        return cast(func.ceil(seconds) if ceil else func.floor(seconds), BigInteger)
    whole = func.unixepoch(column) if _SQLITE_UNIXEPOCH else cast(func.strftime("%s", column), Integer)
    return whole + cast(func.substr(column, 21, 6) > "000000", Integer) if ceil else whole


class _SeatedRow(NamedTuple):
    """A row of the seated busy query (its columns, in order)."""

    host_id: int
    block_start: int
    block_end: int
    id: int
    uid: str
    event_type_id: int | None
    start: int
    end: int


def host_filter(column: ColumnElement[int], *, single: bool) -> ColumnElement[bool]:
    """``column = :host`` for one host (every event type today), else ``column IN (:hosts)``. An expanding
    ``IN`` is rewritten into the SQL text on every execution (and varies with the number of hosts); the
    one-host form is compiled once and stays one prepared statement."""
    return column == bindparam("host") if single else column.in_(bindparam("hosts", expanding=True))


def host_params(host_ids: Sequence[int]) -> dict[str, Any]:
    """The parameters of :func:`host_filter` for ``host_ids``."""
    return {"host": host_ids[0]} if len(host_ids) == 1 else {"hosts": list(host_ids)}


# Written into the statements (not bound, not expanded per execution), as in the overlap guard's WHERE:
# PostgreSQL's generic plans can then use the guard's partial index.
_ACTIVE = _bookings.status.in_([literal_column(f"'{status}'") for status in ACTIVE_STATUSES])


def busy_query(
    *, postgresql: bool, seated: bool, excluding: bool, single: bool, exclude_param: str = "exclude"
) -> Select[Any]:
    """Active bookings whose blocks overlap ``[start, end)``: only (host, block) for the usual event type;
    seated event types also need each booking's own time and identity (its seats fill up)."""
    columns: list[Any] = [
        _bookings.host_id,
        _epoch(_bookings.block_start, postgresql=postgresql, ceil=False).label("block_start"),
        _epoch(_bookings.block_end, postgresql=postgresql, ceil=True).label("block_end"),
    ]
    if seated:
        columns += [
            _bookings.id,
            _bookings.uid,
            _bookings.event_type_id,
            _epoch(_bookings.start_time, postgresql=postgresql, ceil=False).label("start"),
            _epoch(_bookings.end_time, postgresql=postgresql, ceil=True).label("end"),
        ]
    if postgresql:
        # through the exclusion constraint's GiST index (host, time range &&): a tight range scan
        # whatever the planner's statistics say about a host's other bookings
        window = func.tstzrange(_bookings.block_start, _bookings.block_end, literal_column("'[)'")).op("&&")(
            func.tstzrange(
                bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()), literal_column("'[)'")
            )
        )
        bounds: list[ColumnElement[bool]] = [window]
    else:
        # ix_bookings_host_block: blocks are at most MAX_BLOCK_SPAN long, so the range is bounded
        bounds = [
            _bookings.block_start > bindparam("reach", type_=UTCDateTime()),
            _bookings.block_start < bindparam("end", type_=UTCDateTime()),
            _bookings.block_end > bindparam("start", type_=UTCDateTime()),
        ]
    query = select(*columns).where(host_filter(_bookings.host_id, single=single), *bounds, _ACTIVE)
    return query.where(_bookings.uid != bindparam(exclude_param)) if excluding else query


@cache
def _busy(postgresql: bool, seated: bool, excluding: bool, single: bool) -> DriverStatement:
    """The hot path of every availability check and every booking (Core, no ORM overhead), built once per
    variant on its first use: a server uses two or three of the sixteen."""
    return DriverStatement(busy_query(postgresql=postgresql, seated=seated, excluding=excluding, single=single))


_OWN = select(_bookings.host_id, _bookings.start_time, _bookings.end_time).where(
    _bookings.event_type_id == bindparam("event_type_id"),
    _bookings.host_id.in_(bindparam("hosts", expanding=True)),
    _bookings.start_time >= bindparam("lo", type_=UTCDateTime()),
    _bookings.start_time < bindparam("hi", type_=UTCDateTime()),
    _ACTIVE,
)
_OWN_EXCLUDING = _OWN.where(_bookings.uid != bindparam("exclude"))


async def booking_busy(
    session: AsyncSession,
    host_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    event_type: EventType | None = None,
    seated: bool = False,
    exclude_booking_uid: str | None = None,
) -> dict[int, BookedTime]:
    """Active (accepted or pending) bookings of ``host_ids`` whose blocks overlap ``[start, end)``.

    Uses ``ix_bookings_host_block``. ``exclude_booking_uid`` (the booking being rescheduled) counts as
    free. With booking limits on ``event_type``, its bookings of every period the window touches are
    loaded into ``event_bookings`` as well (``ix_bookings_event_type_start``).
    """
    result = {host_id: BookedTime() for host_id in host_ids}
    if not host_ids:
        return result
    event_type_id = event_type.id if event_type is not None else None
    hosts = list(host_ids)
    connection = await session.connection()
    params: dict[str, Any] = {**host_params(hosts), "reach": start - MAX_BLOCK_SPAN, "end": end, "start": start}
    if exclude_booking_uid:
        params["exclude"] = exclude_booking_uid
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        del params["reach"]
    query = _busy(postgresql, seated, bool(exclude_booking_uid), len(hosts) == 1)
    rows = await query.fetch(session, params)

    # A booking's block already carries its buffers, which blocks exactly what the event's own
    # unwidened copy would (booking limits load their own copies below).
    seated_rows: list[_SeatedRow] = []
    if seated:
        for row in map(_SeatedRow._make, rows):
            if row.event_type_id == event_type_id:
                seated_rows.append(row)
            else:
                result[row.host_id].blocks.append((row.block_start, row.block_end))
    else:
        for host_id, block_start, block_end in rows:
            result[host_id].blocks.append((block_start, block_end))
    if seated_rows:
        counts = await attendee_counts(session, [row.id for row in seated_rows])
        for row in seated_rows:
            # fills seats at its own start, blocks other starts (the engine widens it by both buffers)
            start_time, end_time = utc_datetime(row.start), utc_datetime(row.end)
            target = result[row.host_id]
            target.event_bookings.append(Busy(start_time, end_time, "booking"))
            target.seated.append(
                SeatedBooking(start=start_time, uid=row.uid, attendees=counts.get(row.id, 0), end=end_time)
            )

    reach = limit_reach(event_type)
    if reach is not None:
        own_params: dict[str, Any] = {
            "event_type_id": event_type_id,
            "hosts": hosts,
            "lo": start - reach,
            "hi": end + reach,
        }
        if exclude_booking_uid:
            own_params["exclude"] = exclude_booking_uid
        for host_id in hosts:
            result[host_id].event_bookings = []
        own_rows = await connection.execute(_OWN_EXCLUDING if exclude_booking_uid else _OWN, own_params)
        for host_id, own_start, own_end in own_rows.all():
            result[host_id].event_bookings.append(Busy(own_start, own_end, "booking"))
    return result


async def attendee_counts(session: AsyncSession, booking_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Attendee.booking_id, func.count())
        .where(Attendee.booking_id.in_(list(booking_ids)))
        .group_by(Attendee.booking_id)
    )
    return {booking_id: count for booking_id, count in rows.all()}


# --- lookups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventTypeContext:
    """An event type with its owner and the schedule it uses. Holding this keeps all three in the
    session's identity map (it references objects weakly), where the availability check finds them."""

    event_type: EventType
    owner: User
    schedule: Schedule | None


def _context_query(*, by_slug: bool, lock: bool) -> Select[Any]:
    schedule_id = func.coalesce(EventType.schedule_id, User.default_schedule_id)
    columns: list[Any] = [EventType, User, Schedule]
    if lock:
        columns.append(func.pg_advisory_xact_lock(bindparam("namespace"), EventType.owner_id))
    query = (
        select(*columns)
        .join(User, User.id == EventType.owner_id)
        .outerjoin(Schedule, and_(Schedule.id == schedule_id, Schedule.user_id == User.id))
    )
    if by_slug:
        query = query.where(func.lower(User.username) == bindparam("username"), EventType.slug == bindparam("slug"))
    else:
        query = query.where(EventType.id == bindparam("event_type_id"))
    return query.limit(1)


# built once (a statement's construction costs more than its cached compilation)
_CONTEXT = {
    (by_slug, lock): _context_query(by_slug=by_slug, lock=lock) for by_slug in (False, True) for lock in (False, True)
}


async def event_type_context(
    session: AsyncSession,
    *,
    event_type_id: int | None = None,
    username: str | None = None,
    slug: str | None = None,
    lock_namespace: int | None = None,
) -> EventTypeContext | None:
    """The event type (by id, or by owner's username + slug), its owner and schedule, in one round trip.

    With ``lock_namespace`` on PostgreSQL the same statement also takes the owner's transaction lock
    (``pg_advisory_xact_lock(lock_namespace, owner_id)``, the lock of ``slots.service.lock_hosts``): the
    statement returns once the lock is held, and every later statement of the transaction reads with a
    snapshot taken after that. (SQLite's ``BEGIN IMMEDIATE`` has serialised the writer already.)"""
    connection = await session.connection()
    lock = lock_namespace is not None and connection.dialect.name == "postgresql"
    params: dict[str, Any] = {"namespace": lock_namespace} if lock else {}
    if event_type_id is not None:
        params["event_type_id"] = event_type_id
    else:
        params.update(username=(username or "").strip().lower(), slug=slug)
    row = (await session.execute(_CONTEXT[(event_type_id is None, lock)], params)).first()
    return None if row is None else EventTypeContext(row[0], row[1], row[2])


async def by_uid(session: AsyncSession, uid: str, *, for_update: bool = False) -> Booking | None:
    query = select(Booking).where(Booking.uid == uid)
    if for_update:
        query = query.with_for_update()
    booking: Booking | None = await session.scalar(query)
    return booking


async def series(session: AsyncSession, recurring_uid: str, *, for_update: bool = False) -> list[Booking]:
    """Every occurrence of a recurring series, by start."""
    query = (
        select(Booking).where(Booking.recurring_booking_uid == recurring_uid).order_by(Booking.start_time, Booking.id)
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list((await session.scalars(query)).all())


async def seated_booking_at(session: AsyncSession, event_type_id: int, host_id: int, start: datetime) -> Booking | None:
    """The active booking of a seated event type at exactly ``start`` (new seats join it)."""
    booking: Booking | None = await session.scalar(
        select(Booking)
        .where(
            Booking.event_type_id == event_type_id,
            Booking.host_id == host_id,
            Booking.start_time == start,
            Booking.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Booking.id)
        .limit(1)
    )
    return booking


async def by_seat(session: AsyncSession, seat_uid: str) -> Attendee | None:
    attendee: Attendee | None = await session.scalar(select(Attendee).where(Attendee.seat_uid == seat_uid))
    return attendee


# --- lists -------------------------------------------------------------------------------------

StatusFilter = Literal["upcoming", "recurring", "past", "cancelled", "unconfirmed", "accepted", "pending", "rejected"]
SortColumn = Literal["start", "end", "created", "updated"]
_SORT_COLUMNS: dict[str, Any] = {
    "start": Booking.start_time,
    "end": Booking.end_time,
    "created": Booking.created_at,
    "updated": Booking.updated_at,
}
_ENDED_STATUSES = ("cancelled", "rejected")


@dataclass(frozen=True)
class BookingFilter:
    """What ``GET /v2/bookings`` (either shape) asks for; ``host_id`` is always the caller."""

    host_id: int
    statuses: tuple[StatusFilter, ...] = ()
    attendee_email: str | None = None
    attendee_name: str | None = None
    booking_uid: str | None = None
    event_type_ids: tuple[int, ...] = ()
    after_start: datetime | None = None
    before_end: datetime | None = None
    after_created: datetime | None = None
    before_created: datetime | None = None
    after_updated: datetime | None = None
    before_updated: datetime | None = None


@dataclass(frozen=True)
class Sort:
    column: SortColumn = "start"
    descending: bool = False


def default_sort(statuses: Sequence[str]) -> Sort:
    """Cal.com's order: upcoming, recurring and unconfirmed by start ascending; past and cancelled
    (when only those are asked for) by start descending."""
    if statuses and all(status in ("past", "cancelled", "rejected") for status in statuses):
        return Sort("start", descending=True)
    return Sort("start")


def _status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    not_ended = Booking.status.notin_(_ENDED_STATUSES)
    if status == "upcoming":
        # a recurring series shows only its accepted occurrences here (Cal.com's rule)
        return and_(
            Booking.end_time >= now,
            or_(
                and_(Booking.recurring_booking_uid.is_(None), not_ended),
                and_(Booking.recurring_booking_uid.is_not(None), Booking.status == "accepted"),
            ),
        )
    if status == "recurring":
        return and_(Booking.end_time >= now, Booking.recurring_booking_uid.is_not(None), not_ended)
    if status == "past":
        return and_(Booking.end_time <= now, not_ended)
    if status == "cancelled":
        return Booking.status.in_(_ENDED_STATUSES)
    if status == "unconfirmed":
        return and_(Booking.end_time >= now, Booking.status == "pending")
    if status in ("accepted", "pending", "rejected"):
        return Booking.status == status
    return false()


def _conditions(criteria: BookingFilter, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Booking.host_id == criteria.host_id]
    if criteria.statuses:
        conditions.append(or_(*(_status_condition(status, now) for status in dict.fromkeys(criteria.statuses))))
    if criteria.attendee_email:
        conditions.append(
            Booking.id.in_(select(Attendee.booking_id).where(Attendee.email == criteria.attendee_email.strip().lower()))
        )
    if criteria.attendee_name:
        pattern = (
            "%" + criteria.attendee_name.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        conditions.append(Booking.id.in_(select(Attendee.booking_id).where(Attendee.name.ilike(pattern, escape="\\"))))
    if criteria.booking_uid:
        conditions.append(Booking.uid == criteria.booking_uid)
    if criteria.event_type_ids:
        conditions.append(Booking.event_type_id.in_(list(criteria.event_type_ids)))
    bounds = (
        (criteria.after_start, Booking.start_time, ">="),
        (criteria.before_end, Booking.end_time, "<="),
        (criteria.after_created, Booking.created_at, ">="),
        (criteria.before_created, Booking.created_at, "<="),
        (criteria.after_updated, Booking.updated_at, ">="),
        (criteria.before_updated, Booking.updated_at, "<="),
    )
    for value, column, operator in bounds:
        if value is not None:
            conditions.append(column >= value if operator == ">=" else column <= value)
    return conditions


@dataclass(frozen=True)
class Position:
    """A keyset position: the sort value and id of the last row of a page."""

    value: datetime
    booking_id: int


@dataclass(frozen=True)
class Page:
    bookings: list[Booking]
    total: int
    next_position: Position | None


def _sort_value(booking: Booking, column: SortColumn) -> datetime:
    value: datetime = {
        "start": booking.start_time,
        "end": booking.end_time,
        "created": booking.created_at,
        "updated": booking.updated_at,
    }[column]
    return value


async def list_bookings(
    session: AsyncSession,
    criteria: BookingFilter,
    *,
    sort: Sort,
    take: int,
    skip: int = 0,
    after: Position | None = None,
    now: datetime,
) -> Page:
    """One page of the caller's bookings and the total matching count. ``after`` pages by keyset
    (stable under inserts, constant cost at any depth); ``skip`` by offset."""
    conditions = _conditions(criteria, now)
    total = int(await session.scalar(select(func.count()).select_from(Booking).where(*conditions)) or 0)
    column = _SORT_COLUMNS[sort.column]
    query: Select[Booking] = select(Booking).where(*conditions)
    if after is not None:
        key = tuple_(column, Booking.id)
        query = query.where(
            key < (after.value, after.booking_id) if sort.descending else key > (after.value, after.booking_id)
        )
    if sort.descending:
        query = query.order_by(column.desc(), Booking.id.desc())
    else:
        query = query.order_by(column.asc(), Booking.id.asc())
    query = query.limit(take + 1)
    if skip:
        query = query.offset(skip)
    rows = list((await session.scalars(query)).all())
    has_more = len(rows) > take
    rows = rows[:take]
    next_position = Position(_sort_value(rows[-1], sort.column), rows[-1].id) if has_more and rows else None
    return Page(rows, total, next_position)
