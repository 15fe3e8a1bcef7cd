"""Slots and reservations: the rules, independent of HTTP.

Two entry points are shared with booking creation and must stay the only way to ask "is this
free?": :func:`available_slots` (listing) and :func:`check_bookable` (one start). Both gather the
engine's input the same way: per host the effective schedule and :func:`busy_intervals`.

Writes that depend on availability (reservations here, bookings later) run in
``Database.write_session()`` (``BEGIN IMMEDIATE`` on SQLite) and call :func:`lock_hosts` first
(a transaction-scoped advisory lock per host on PostgreSQL), so check-then-insert is atomic.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Row, Select, bindparam, delete, null, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from slotwise.availability import (
    Busy,
    DateOverride,
    EventRules,
    Host,
    Rejection,
    SeatedBooking,
    Slot,
    WeeklyRule,
    check_start,
    compute_offer,
)
from slotwise.availability.tz import utc_datetime
from slotwise.bookings.queries import (
    EventTypeContext,
    booking_busy,
    busy_query,
    event_type_context,
    host_filter,
    host_params,
    limit_reach,
)
from slotwise.db import UTCDateTime, utcnow
from slotwise.driver import DriverStatement
from slotwise.event_types import service as event_types
from slotwise.event_types.models import EventType
from slotwise.http.errors import ApiError, bad_request, forbidden, not_found, unauthorized
from slotwise.schedules import service as schedules
from slotwise.schedules.models import Schedule
from slotwise.slots.cache import CachedAnswer, SlotCache, Stamps
from slotwise.slots.models import AvailabilityStamp, SlotReservation
from slotwise.slots.times import format_instant
from slotwise.users.models import User

DEFAULT_RESERVATION_MINUTES = 5
DYNAMIC_DEFAULT_DURATION = 30
# Reservations are never longer than this, which bounds the index range scan of busy_intervals.
MAX_RESERVATION_SPAN = timedelta(days=1)
# Namespace (first key) of the per-host advisory locks on PostgreSQL; the second key is the user id.
HOST_LOCK_NAMESPACE = 0x5107
# A cached slots answer is recomputed at least this often (its stamps and expiry make it exact anyway).
MAX_CACHED_AGE = timedelta(minutes=5)


# --- service inputs and outputs ----------------------------------------------------------------


@dataclass(frozen=True)
class SlotQuery:
    """What ``GET /v2/slots`` (any shape) asks for, already parsed: UTC-aware ``[start, end)``."""

    start: datetime
    end: datetime
    time_zone: str = "UTC"  # the booker's zone: date keys, per-day rules, rendering
    event_type_id: int | None = None
    event_type_slug: str | None = None
    username: str | None = None
    usernames: tuple[str, ...] = ()
    team_slug: str | None = None
    duration: int | None = None
    reschedule_uid: str | None = None
    reservation_uid: str | None = None  # the caller's own hold: its slot stays visible


@dataclass(frozen=True)
class SlotResult:
    slots: list[Slot]
    duration: int
    seats_total: int | None
    event_type_id: int | None
    host_ids: tuple[int, ...] = ()
    # from this instant on, the passage of time alone may change the slots (None: it cannot)
    changes_at: datetime | None = None


@dataclass
class HostBusy:
    """One host's busy data for a window, in the engine's terms.

    ``busy`` blocks time (live reservations, calendar events), and so does ``booked`` (bookings'
    blocks in epoch seconds);
    ``event_bookings`` are this event type's bookings (they also drive booking limits); ``seated``
    are this seated event type's bookings and seat holds (they fill seats instead of blocking).
    """

    busy: list[Busy] = field(default_factory=list)
    booked: list[tuple[int, int]] = field(default_factory=list)
    event_bookings: list[Busy] = field(default_factory=list)
    seated: list[SeatedBooking] = field(default_factory=list)
    holds_expire: datetime | None = None  # when the first of the live reservations loaded here expires


@dataclass(frozen=True)
class _Target:
    event_type: EventType | None
    users: list[User]
    schedule_id: int | None
    rules: EventRules
    duration: int
    # the event type's owner and schedule as loaded with it: the owner's schedule is taken from here
    context: EventTypeContext | None = None


# --- busy time ---------------------------------------------------------------------------------


_reservations = SlotReservation.__table__.c


# Built once (building a statement costs more than running its cached compilation). The
# (host_id, slot_start) index gives a bounded range scan: holds are at most MAX_RESERVATION_SPAN long.
def _holds_query(*, excluding: bool, single: bool, exclude_param: str = "exclude") -> Select[Any]:
    query = select(
        _reservations.host_id,
        _reservations.event_type_id,
        _reservations.slot_start,
        _reservations.slot_end,
        _reservations.expires_at,
    ).where(
        host_filter(_reservations.host_id, single=single),
        _reservations.slot_start >= bindparam("reach", type_=UTCDateTime()),
        _reservations.slot_start < bindparam("end", type_=UTCDateTime()),
        _reservations.slot_end > bindparam("start", type_=UTCDateTime()),
        _reservations.expires_at > bindparam("now", type_=UTCDateTime()),
    )
    return query.where(_reservations.uid != bindparam(exclude_param)) if excluding else query


@cache
def _holds(excluding: bool, single: bool) -> DriverStatement:
    """Built once per variant, on its first use."""
    return DriverStatement(_holds_query(excluding=excluding, single=single))


@cache
def _holds_and_blocks_query(*, excluding_booking: bool, excluding_hold: bool) -> DriverStatement:
    """PostgreSQL, one host, no seats, no booking limits (every usual booking's check and slot page):
    the host's live holds and busy blocks in one round trip. A row is a hold (host, event type, slot
    start, slot end, expiry, NULL, NULL) or a booking's block (host, NULL x 4, block start, block end).
    Built once per variant, on its first use."""
    holds = _holds_query(excluding=excluding_hold, single=True, exclude_param="exclude_hold")
    blocks = busy_query(
        postgresql=True, seated=False, excluding=excluding_booking, single=True, exclude_param="exclude_booking"
    )
    host, block_start, block_end = blocks.selected_columns
    no_id, no_time = null().cast(Integer), null().cast(UTCDateTime())
    no_epoch = null().cast(BigInteger)
    return DriverStatement(
        union_all(
            holds.add_columns(no_epoch, no_epoch),
            blocks.with_only_columns(host, no_id, no_time, no_time, no_time, block_start, block_end),
        )
    )


async def busy_intervals(
    session: AsyncSession,
    host_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    event_type: EventType | None = None,
    seated: bool = False,
    exclude_booking_uid: str | None = None,
    exclude_reservation_uid: str | None = None,
    now: datetime | None = None,
) -> dict[int, HostBusy]:
    """Everything that occupies the hosts' time overlapping ``[start, end)``; every query is a
    window-bounded index range scan, so nothing outside the window is loaded. On PostgreSQL one host's
    bookings and holds come in one round trip when neither seats nor booking limits need more.

    * Active bookings (``bookings.queries.booking_busy``), except ``exclude_booking_uid`` (the
      booking being rescheduled): their blocks in ``booked`` (epoch seconds); this seated event
      type's in ``event_bookings`` and ``seated``; with booking limits, this event type's in
      ``event_bookings`` too.
    * Unexpired reservations (kind ``"reservation"``), except ``exclude_reservation_uid`` (the
      caller's own hold). For a seated event type its own reservations are seat holds, appended to
      ``seated`` *after* the bookings so that a slot's ``booking_uid`` is the booking's.
    """
    result = {host_id: HostBusy() for host_id in host_ids}
    if not host_ids:
        return result
    moment = now or utcnow()
    params: dict[str, object] = {
        **host_params(host_ids),
        "reach": start - MAX_RESERVATION_SPAN,
        "end": end,
        "start": start,
        "now": moment,
    }
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and len(host_ids) == 1 and not seated and not limit_reach(event_type):
        await _holds_and_blocks(session, result, params, exclude_booking_uid, exclude_reservation_uid)
        return result
    booked = await booking_busy(
        session,
        host_ids,
        start,
        end,
        event_type=event_type,
        seated=seated,
        exclude_booking_uid=exclude_booking_uid,
    )
    for host_id, times in booked.items():  # bookings first: a seated slot's booking_uid is the booking's
        target = result[host_id]
        target.booked = times.blocks
        target.event_bookings.extend(times.event_bookings)
        target.seated.extend(times.seated)
    if exclude_reservation_uid:
        params["exclude"] = exclude_reservation_uid
    held = await _holds(bool(exclude_reservation_uid), len(host_ids) == 1).fetch(session, params)
    _add_holds(result, held, event_type, seated)
    return result


async def _holds_and_blocks(
    session: AsyncSession,
    result: dict[int, HostBusy],
    params: dict[str, object],
    exclude_booking_uid: str | None,
    exclude_reservation_uid: str | None,
) -> None:
    """:func:`busy_intervals` in one round trip (see :func:`_holds_and_blocks_query`)."""
    if exclude_booking_uid:
        params["exclude_booking"] = exclude_booking_uid
    if exclude_reservation_uid:
        params["exclude_hold"] = exclude_reservation_uid
    statement = _holds_and_blocks_query(
        excluding_booking=bool(exclude_booking_uid), excluding_hold=bool(exclude_reservation_uid)
    )
    rows = await statement.fetch(session, params)
    (busy,) = result.values()
    busy.booked.extend((row[5], row[6]) for row in rows if row[5] is not None)
    _add_holds(result, [row[:5] for row in rows if row[5] is None], None, seated=False)


def _add_holds(
    result: dict[int, HostBusy], held: Iterable[Sequence[Any]], event_type: EventType | None, seated: bool
) -> None:
    for host_id, held_event_type_id, slot_start, slot_end, expires_at in held:
        target = result[host_id]
        if target.holds_expire is None or expires_at < target.holds_expire:
            target.holds_expire = expires_at
        if seated and event_type is not None and held_event_type_id == event_type.id:
            target.seated.append(SeatedBooking(start=slot_start, uid="", attendees=1, end=slot_end))
        else:
            target.busy.append(Busy(slot_start, slot_end, "reservation"))


# --- engine input ------------------------------------------------------------------------------


async def _host_schedule(
    session: AsyncSession, user: User, schedule_id: int | None, known: Schedule | None = None
) -> tuple[str, tuple[WeeklyRule, ...], tuple[DateOverride, ...]]:
    """The zone and rules of the schedule that applies to ``user`` (the event type's, else the
    user's default, else Mon-Fri 09:00-17:00 in the user's zone); ``known`` is that schedule when
    the caller has it already (an :class:`EventTypeContext`'s)."""
    schedule = known or await schedules.effective_schedule(session, user.id, schedule_id)
    if schedule is None:
        weekly, overrides = schedules.fallback_rules()
        return user.time_zone, weekly, overrides
    weekly, overrides = schedules.to_engine_rules(schedule)
    return schedule.time_zone or user.time_zone, weekly, overrides


async def _hosts(
    session: AsyncSession,
    target: _Target,
    start: datetime,
    end: datetime,
    *,
    reschedule_uid: str | None,
    reservation_uid: str | None,
    now: datetime,
) -> tuple[list[Host], datetime | None]:
    """The engine's hosts, and when the first live reservation among their busy time expires."""
    rules = target.rules
    # What can touch a slot starting in [start, end): its length and both buffers around it, plus a
    # day each side (per-day rules look at the booker's whole days). A rolling booking window counts
    # days with free slots from today, so it needs the busy time from now on.
    margin = timedelta(days=1, minutes=rules.before_buffer + rules.after_buffer)
    first = min(start, now) if rules.window.rolling else start
    busy = await busy_intervals(
        session,
        [user.id for user in target.users],
        first - margin,
        end + timedelta(minutes=rules.length) + margin,
        event_type=target.event_type,
        seated=rules.seats_per_slot is not None,
        exclude_booking_uid=reschedule_uid,
        exclude_reservation_uid=reservation_uid,
        now=now,
    )
    hosts = []
    context = target.context
    for user in target.users:
        known = context.schedule if context is not None and user is context.owner else None
        zone, weekly, overrides = await _host_schedule(session, user, target.schedule_id, known)
        taken = busy[user.id]
        hosts.append(
            Host(
                host_id=user.id,
                time_zone=zone,
                weekly=weekly,
                overrides=overrides,
                busy=tuple(taken.busy),
                event_bookings=tuple(taken.event_bookings),
                seated=tuple(taken.seated),
                booked=taken.booked,
            )
        )
    expiries = [taken.holds_expire for taken in busy.values() if taken.holds_expire is not None]
    return hosts, min(expiries, default=None)


async def _owner(session: AsyncSession, event_type: EventType) -> User:
    owner = await session.get(User, event_type.owner_id)
    if owner is None:  # pragma: no cover - owner_id is a cascading foreign key
        raise not_found("Event Type not found")
    return owner


def _event_type_target(context: EventTypeContext, duration: int | None) -> _Target:
    event_type = context.event_type
    length = event_types.check_duration(event_type, duration, field="duration")
    return _Target(
        event_type=event_type,
        users=[context.owner],
        schedule_id=event_type.schedule_id,
        rules=event_types.to_engine_rules(event_type, length),
        duration=length,
        context=context,
    )


async def _user(session: AsyncSession, username: str) -> User:
    user = await event_types.find_user(session, username)
    if user is None:
        raise not_found(f"User {username} not found.")
    return user


async def _resolve(session: AsyncSession, query: SlotQuery) -> _Target:
    if query.event_type_id is not None:
        context = await event_type_context(session, event_type_id=query.event_type_id)
        if context is None:
            raise not_found("Event Type not found")
        return _event_type_target(context, query.duration)
    if query.event_type_slug is not None:
        if query.team_slug is not None:
            raise not_found(f"Team {query.team_slug} not found.")
        if query.username is None:
            raise bad_request(
                "eventTypeSlug needs the owner's username: send username=<owner> with it (or send eventTypeId)."
            )
        context = await event_type_context(session, username=query.username, slug=query.event_type_slug)
        if context is None:
            await _user(session, query.username)
            raise not_found(f"Event Type '{query.event_type_slug}' of user '{query.username}' not found")
        return _event_type_target(context, query.duration)
    if query.usernames:
        names = list(dict.fromkeys(query.usernames))
        if len(names) < 2:
            raise bad_request(
                "usernames needs at least two different usernames, comma-separated; for one user's event type "
                "send eventTypeSlug and username."
            )
        users = [await _user(session, name) for name in names]
        length = query.duration or DYNAMIC_DEFAULT_DURATION
        return _Target(
            event_type=None,
            users=users,
            schedule_id=None,
            rules=EventRules(length=length, mode="collective"),
            duration=length,
        )
    if query.team_slug is not None:
        raise bad_request("teamSlug needs eventTypeSlug: send the slug of the team's event type.")
    raise bad_request(
        "Say whose slots you want: send eventTypeId, or eventTypeSlug with username, "
        "or usernames (at least two, comma-separated)."
    )


async def available_slots(session: AsyncSession, query: SlotQuery, *, now: datetime | None = None) -> SlotResult:
    """The slots offered for ``query`` (the one computation behind every slots endpoint)."""
    moment = now or utcnow()
    target = await _resolve(session, query)
    hosts, holds_expire = await _hosts(
        session,
        target,
        query.start,
        query.end,
        reschedule_uid=query.reschedule_uid,
        reservation_uid=query.reservation_uid,
        now=moment,
    )
    offer = compute_offer(hosts, target.rules, query.start, query.end, moment, query.time_zone)
    engine_change = None if offer.changes_at is None else utc_datetime(offer.changes_at)
    changes = [instant for instant in (holds_expire, engine_change) if instant is not None]
    return SlotResult(
        slots=offer.slots,
        duration=target.duration,
        seats_total=target.rules.seats_per_slot,
        event_type_id=target.event_type.id if target.event_type else None,
        host_ids=tuple(user.id for user in target.users),
        changes_at=min(changes, default=None),
    )


_STAMPS = select(AvailabilityStamp.host_id, AvailabilityStamp.stamp).where(
    AvailabilityStamp.host_id.in_(bindparam("hosts", expanding=True))
)


def _stamps(rows: Iterable[Row[int, int]] | Iterable[tuple[int, int]], ids: list[int]) -> Stamps:
    found = {host_id: stamp for host_id, stamp in rows}
    return tuple((host_id, found.get(host_id)) for host_id in ids)


async def host_stamps(session: AsyncSession, host_ids: Iterable[int]) -> Stamps:
    """The hosts' availability stamps (None for a host that has none yet), by host id, read in the
    session's transaction."""
    ids = sorted(set(host_ids))
    return _stamps((await session.execute(_STAMPS, {"hosts": ids})).all(), ids)


async def _stamps_now(session: AsyncSession, host_ids: Iterable[int]) -> Stamps:
    """:func:`host_stamps` in one statement of its own, outside any transaction (a single statement is a
    snapshot): a cache hit then costs no BEGIN and ROLLBACK. PostgreSQL: an autocommit connection.
    SQLite: the statement goes straight to aiosqlite (``execute_fetchall``, one trip to its thread; the
    connections run in autocommit mode, see ``db._configure_sqlite``), as through SQLAlchemy a hit took
    a dozen trips."""
    bind = session.bind
    if not isinstance(bind, AsyncEngine):
        return await host_stamps(session, host_ids)
    ids = sorted(set(host_ids))
    async with bind.connect() as connection:
        if bind.dialect.name == "postgresql":
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return _stamps((await autocommit.execute(_STAMPS, {"hosts": ids})).all(), ids)
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        marks = ", ".join("?" * len(ids))
        sql = f"SELECT host_id, stamp FROM availability_stamps WHERE host_id IN ({marks})"  # only ? marks go in
        return _stamps(await driver.execute_fetchall(sql, ids), ids)


async def slots_answer(
    session: AsyncSession,
    query: SlotQuery,
    *,
    render: Callable[[SlotResult], bytes],
    shape: Hashable,
    cache: SlotCache | None,
    now: datetime | None = None,
) -> bytes:
    """The rendered answer to ``query`` (``render`` writes the response body; ``shape`` names how it
    renders, for the cache key): from ``cache`` while its hosts' stamps are unchanged and its time has
    not run out (``slots/cache.py``), else computed by :func:`available_slots` and cached."""
    moment = now or utcnow()
    if cache is None:
        return render(await available_slots(session, query, now=moment))
    key = (query, shape)
    cached = cache.get(key, moment.timestamp())
    if cached is not None and await _stamps_now(session, cached.host_ids) == cached.stamps:
        cache.hits += 1
        return cached.body
    cache.misses += 1
    if session.get_bind().dialect.name == "postgresql":
        # one snapshot for the whole computation, so the stamps label exactly the data the answer was
        # built from (SQLite's read transaction is one snapshot already)
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    result = await available_slots(session, query, now=moment)
    body = render(result)
    expires = moment + MAX_CACHED_AGE
    if result.changes_at is not None and result.changes_at < expires:
        expires = result.changes_at
    stamps = await host_stamps(session, result.host_ids)
    cache.put(key, CachedAnswer(body, result.host_ids, stamps, expires.timestamp()))
    return body


async def check_bookable(
    session: AsyncSession,
    event_type: EventType,
    start: datetime,
    duration: int,
    *,
    reservation_uid: str | None = None,
    reschedule_uid: str | None = None,
    booker_time_zone: str = "UTC",
    now: datetime | None = None,
    context: EventTypeContext | None = None,
) -> Rejection | None:
    """``None`` when ``start`` is offered for ``duration`` minutes (as ``GET /v2/slots`` would show
    it to a caller holding ``reservation_uid``), else why not. Bookings call it inside their write
    transaction after :func:`lock_hosts`; ``duration`` must be one of the event type's lengths.
    ``context`` (the event type's, when the caller has loaded it) saves looking up owner and schedule."""
    moment = now or utcnow()
    target = _Target(
        event_type=event_type,
        users=[context.owner if context is not None else await _owner(session, event_type)],
        schedule_id=event_type.schedule_id,
        rules=event_types.to_engine_rules(event_type, duration),
        duration=duration,
        context=context,
    )
    # check_start looks at the booker's whole day of `start` (and per-day rules): load that much
    hosts, _ = await _hosts(
        session,
        target,
        start - timedelta(days=2),
        start + timedelta(days=2),
        reschedule_uid=reschedule_uid,
        reservation_uid=reservation_uid,
        now=moment,
    )
    return check_start(hosts, target.rules, start, moment, booker_time_zone)


async def lock_hosts(session: AsyncSession, host_ids: Iterable[int]) -> None:
    """Serialise availability writes per host for the rest of the transaction.

    PostgreSQL: ``pg_advisory_xact_lock(HOST_LOCK_NAMESPACE, host_id)`` in id order (no deadlock
    between writers locking several hosts). SQLite: a no-op, the write session's ``BEGIN
    IMMEDIATE`` already serialises every writer. Bookings must take the same locks."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    for host_id in sorted(set(host_ids)):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :host_id)"),
            {"namespace": HOST_LOCK_NAMESPACE, "host_id": host_id},
        )


# --- reservations ------------------------------------------------------------------------------

REJECTION_MESSAGES = {
    Rejection.RESERVED: "This time slot is already reserved by another user. Please choose a different time.",
    Rejection.TAKEN: "Can't reserve a slot if the event is already booked.",
    Rejection.NO_SEATS: "Can't reserve a slot: this time has no more seats left.",
}


def rejection_error(rejection: Rejection, start: datetime) -> ApiError:
    message = REJECTION_MESSAGES.get(rejection)
    if message is None:
        message = f"Can't reserve {format_instant(start)}: {rejection.value}."
    return ApiError(422, message, details={"reason": rejection.name})


@dataclass(frozen=True)
class Hold:
    """What to reserve: ``slot_duration`` None = the event type's length; ``reservation_minutes``
    None = the default 5 minutes (anything else only for the owner, ``caller_id``)."""

    event_type_id: int
    slot_start: datetime
    slot_duration: int | None = None
    reservation_minutes: int | None = None
    caller_id: int | None = None
    duration_field: str = "slotDuration"


async def _live(session: AsyncSession, uid: str, now: datetime) -> SlotReservation | None:
    reservation = await session.scalar(select(SlotReservation).where(SlotReservation.uid == uid))
    if reservation is None or reservation.expires_at <= now:
        return None
    return reservation


async def get_reservation(session: AsyncSession, uid: str, *, now: datetime | None = None) -> SlotReservation | None:
    """The live reservation with ``uid``, or None (unknown or expired)."""
    return await _live(session, uid, now or utcnow())


async def reserve(
    session: AsyncSession, hold: Hold, *, uid: str | None = None, now: datetime | None = None
) -> SlotReservation:
    """Create a reservation, or move/extend the live one with ``uid``. Run it in a write session
    and commit after: availability is checked under the hosts' lock."""
    moment = now or utcnow()
    event_type = await event_types.get_event_type(session, hold.event_type_id)
    if hold.reservation_minutes is not None:
        if hold.caller_id is None:
            raise unauthorized(
                "reservationDuration can only be set by the event type's owner: send their API key "
                "(Authorization: Bearer cal_...) or leave reservationDuration out for the default 5 minutes."
            )
        if hold.caller_id != event_type.owner_id:
            raise forbidden(
                f"Only the owner of event type {event_type.id} may set reservationDuration; "
                "leave it out for the default 5 minutes."
            )
    duration = event_types.check_duration(event_type, hold.slot_duration, field=hold.duration_field)
    slot_end = hold.slot_start + timedelta(minutes=duration)
    if slot_end - hold.slot_start > MAX_RESERVATION_SPAN:  # pragma: no cover - durations are bounded
        raise bad_request("A reservation can hold at most one day.")
    host_ids = [event_type.owner_id]
    await lock_hosts(session, host_ids)

    existing: SlotReservation | None = None
    if uid is not None:
        existing = await _live(session, uid, moment)
        if existing is None:
            raise not_found(f"Reservation {uid} not found (it may have expired).")
    # expired holds of these hosts are garbage from here on
    await session.execute(
        delete(SlotReservation).where(SlotReservation.host_id.in_(host_ids), SlotReservation.expires_at <= moment)
    )
    rejection = await check_bookable(session, event_type, hold.slot_start, duration, reservation_uid=uid, now=moment)
    if rejection is not None:
        raise rejection_error(rejection, hold.slot_start)

    minutes = hold.reservation_minutes or DEFAULT_RESERVATION_MINUTES
    reservation = existing or SlotReservation(uid=str(uuid.uuid4()), created_at=moment)
    reservation.event_type_id = event_type.id
    reservation.host_id = event_type.owner_id
    reservation.slot_start = hold.slot_start
    reservation.slot_end = slot_end
    reservation.reservation_minutes = minutes
    reservation.expires_at = moment + timedelta(minutes=minutes)
    reservation.created_by_user_id = hold.caller_id if existing is None else existing.created_by_user_id
    if existing is None:
        session.add(reservation)
    await session.flush()
    return reservation


async def release(session: AsyncSession, uid: str, *, now: datetime | None = None) -> bool:
    """Delete the reservation ``uid``; True when it was live (an expired one is deleted too)."""
    moment = now or utcnow()
    reservation = await session.scalar(select(SlotReservation).where(SlotReservation.uid == uid))
    if reservation is None:
        return False
    live = reservation.expires_at > moment
    await session.delete(reservation)
    await session.flush()
    return live
