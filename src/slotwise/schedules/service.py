"""Schedules: the rules, independent of HTTP shapes.

Invariants:

* **Exactly one default per user.** "Default" is not a flag on schedules: it is
  ``users.default_schedule_id``, so two schedules can never both be default. Every write that can
  move it (create, update, delete, ``PATCH /v2/me``) first locks the owner's row (``FOR UPDATE`` on
  PostgreSQL; on SQLite the router runs writes in a ``BEGIN IMMEDIATE`` transaction), so
  concurrent requests are applied one after the other and the pointer always names one of the
  user's live schedules.
* A new user gets a default schedule (Monday-Friday 09:00-17:00 in their zone). A schedule
  created while the user has no default becomes the default whatever ``isDefault`` says.
* **Deleting.** Deleting the default schedule makes the user's oldest remaining schedule the
  default. Deleting a user's *last* schedule is refused with a 400 (create another one first): a
  user always keeps a default, which is what slots fall back to. ``isDefault: false`` on the
  default schedule is refused too (make another schedule the default instead); both would
  otherwise leave the user without a default.
* Event types that pointed at a deleted schedule are detached by the database (``ON DELETE SET
  NULL``) and use the owner's default from then on (see :func:`effective_schedule`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.availability import DateOverride, WeeklyRule
from slotwise.http.errors import ApiError, bad_request, forbidden, not_found
from slotwise.schedules.models import Schedule
from slotwise.schedules.rules import (
    DEFAULT_RULES,
    Override,
    Rule,
    ScheduleChanges,
    ScheduleDraft,
    sorted_overrides,
)
from slotwise.users.models import User

DEFAULT_SCHEDULE_NAME = "Default schedule"


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """A schedule plus what its answer needs from the owner: the default and how many there are."""

    schedule: Schedule
    default_id: int | None
    total: int

    @property
    def is_default(self) -> bool:
        return self.schedule.id == self.default_id

    @property
    def is_last(self) -> bool:
        return self.total <= 1

    @property
    def rules(self) -> tuple[Rule, ...]:
        return stored_rules(self.schedule)

    @property
    def overrides(self) -> tuple[Override, ...]:
        return stored_overrides(self.schedule)


@dataclass(frozen=True, slots=True)
class UpdateResult:
    state: ScheduleState
    previous_default_id: int | None


def stored_rules(schedule: Schedule) -> tuple[Rule, ...]:
    return tuple(Rule.from_stored(row) for row in schedule.availability or ())


def stored_overrides(schedule: Schedule) -> tuple[Override, ...]:
    return tuple(Override.from_stored(row) for row in schedule.overrides or ())


# --- reading -------------------------------------------------------------------------------


async def _count(session: AsyncSession, user_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(Schedule).where(Schedule.user_id == user_id)) or 0)


async def _owned(session: AsyncSession, user_id: int, schedule_id: int) -> Schedule:
    """The schedule if ``user_id`` owns it; 404 when it does not exist, 403 when it is someone else's."""
    schedule = await session.get(Schedule, schedule_id)
    if schedule is None:
        raise not_found(f"Schedule with ID={schedule_id} does not exist.")
    if schedule.user_id != user_id:
        raise forbidden(f"Schedule with ID={schedule_id} belongs to another user; use one of your own schedules.")
    return schedule


async def _default_id(session: AsyncSession, user_id: int) -> int | None:
    """The user's default schedule id, if it names one of their schedules."""
    return await session.scalar(
        select(Schedule.id)
        .join(User, User.default_schedule_id == Schedule.id)
        .where(User.id == user_id, Schedule.user_id == user_id)
    )


async def list_schedules(session: AsyncSession, user_id: int) -> list[ScheduleState]:
    schedules = list(await session.scalars(select(Schedule).where(Schedule.user_id == user_id).order_by(Schedule.id)))
    default_id = await _default_id(session, user_id) if schedules else None
    return [ScheduleState(schedule, default_id, len(schedules)) for schedule in schedules]


async def get_schedule(session: AsyncSession, user_id: int, schedule_id: int) -> ScheduleState:
    schedule = await _owned(session, user_id, schedule_id)
    return ScheduleState(schedule, await _default_id(session, user_id), await _count(session, user_id))


async def get_default_schedule(session: AsyncSession, user_id: int) -> ScheduleState | None:
    default_id = await _default_id(session, user_id)
    if default_id is None:
        return None
    schedule = await session.get(Schedule, default_id)
    if schedule is None:  # pragma: no cover - the join above just found it
        return None
    return ScheduleState(schedule, default_id, await _count(session, user_id))


# --- writing (callers commit) ----------------------------------------------------------------


async def _lock_owner(session: AsyncSession, user_id: int) -> User:
    """The owner's row, locked for the rest of the transaction (PostgreSQL; SQLite writes are
    serialised by ``BEGIN IMMEDIATE``)."""
    user = await session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise ApiError(401, "The API key's user no longer exists.")
    return user


def _new_schedule(
    user: User, name: str, time_zone: str, rules: tuple[Rule, ...], overrides: tuple[Override, ...]
) -> Schedule:
    return Schedule(
        user_id=user.id,
        name=name,
        time_zone=time_zone,
        availability=[rule.stored() for rule in rules],
        overrides=[override.stored() for override in sorted_overrides(overrides)],
    )


async def create_schedule(session: AsyncSession, user_id: int, draft: ScheduleDraft) -> ScheduleState:
    """Omitted hours are Monday-Friday 09:00-17:00; omitted zone is the owner's zone."""
    user = await _lock_owner(session, user_id)
    rules = DEFAULT_RULES if draft.rules is None else draft.rules
    schedule = _new_schedule(user, draft.name, draft.time_zone or user.time_zone, rules, draft.overrides or ())
    session.add(schedule)
    await session.flush()
    if draft.is_default or await _default_id(session, user.id) is None:
        user.default_schedule_id = schedule.id
        await session.flush()
    return ScheduleState(schedule, user.default_schedule_id, await _count(session, user.id))


async def update_schedule(
    session: AsyncSession, user_id: int, schedule_id: int, changes: ScheduleChanges
) -> UpdateResult:
    user = await _lock_owner(session, user_id)
    schedule = await _owned(session, user_id, schedule_id)
    previous_default = await _default_id(session, user.id)
    if changes.is_default is False and previous_default == schedule.id:
        raise bad_request(
            f"Schedule {schedule.id} is your default schedule, so isDefault cannot be false: "
            "make another schedule the default instead (isDefault: true on it)."
        )
    if changes.name is not None:
        schedule.name = changes.name
    if changes.time_zone is not None:
        schedule.time_zone = changes.time_zone
    if changes.rules is not None:
        schedule.availability = [rule.stored() for rule in changes.rules]
    if changes.overrides is not None:
        schedule.overrides = [override.stored() for override in sorted_overrides(changes.overrides)]
    if changes.is_default or previous_default is None:
        user.default_schedule_id = schedule.id
    await session.flush()
    state = ScheduleState(schedule, user.default_schedule_id, await _count(session, user.id))
    return UpdateResult(state, previous_default)


async def delete_schedule(session: AsyncSession, user_id: int, schedule_id: int) -> None:
    user = await _lock_owner(session, user_id)
    schedule = await _owned(session, user_id, schedule_id)
    successor = await session.scalar(
        select(Schedule.id)
        .where(Schedule.user_id == user.id, Schedule.id != schedule.id)
        .order_by(Schedule.id)
        .limit(1)
    )
    if successor is None:
        raise bad_request(
            f"Schedule {schedule.id} is your only schedule and cannot be deleted: "
            "every user keeps one default schedule. Create another schedule first, or update this one."
        )
    if await _default_id(session, user.id) in (None, schedule.id):
        user.default_schedule_id = successor
    await session.execute(delete(Schedule).where(Schedule.id == schedule.id))
    await session.flush()


# --- hooks for users ---------------------------------------------------------------------------


async def create_default_schedule(session: AsyncSession, user: User) -> Schedule:
    """A new user's default: Monday-Friday 09:00-17:00 in their zone."""
    schedule = _new_schedule(user, DEFAULT_SCHEDULE_NAME, user.time_zone, DEFAULT_RULES, ())
    session.add(schedule)
    await session.flush()
    user.default_schedule_id = schedule.id
    await session.flush()
    return schedule


async def set_default_schedule(session: AsyncSession, user: User, schedule_id: int) -> None:
    """``PATCH /v2/me {defaultScheduleId}``: 404 unknown, 403 someone else's."""
    await _lock_owner(session, user.id)
    schedule = await _owned(session, user.id, schedule_id)
    user.default_schedule_id = schedule.id


async def move_default_time_zone(session: AsyncSession, user: User, time_zone: str) -> None:
    """``PATCH /v2/me {timeZone}`` also moves the default schedule to that zone (as Cal.com does)."""
    default_id = await _default_id(session, user.id)
    if default_id is not None:
        schedule = await session.get(Schedule, default_id)
        if schedule is not None:
            schedule.time_zone = time_zone


# --- for the slots service ---------------------------------------------------------------------


async def effective_schedule(session: AsyncSession, user_id: int, schedule_id: int | None) -> Schedule | None:
    """The schedule an event type uses: ``schedule_id`` if it is one of the user's, else the user's
    default, else None (then use :func:`fallback_rules` in the user's zone)."""
    if schedule_id is not None:
        schedule = await session.get(Schedule, schedule_id)
        if schedule is not None and schedule.user_id == user_id:
            return schedule
    user = await session.get(User, user_id)  # usually already in the session: no query
    if user is None or user.default_schedule_id is None:
        return None
    schedule = await session.get(Schedule, user.default_schedule_id)
    return schedule if schedule is not None and schedule.user_id == user_id else None


def _time(clock: str) -> time:
    hours, minutes = clock.split(":")
    return time(int(hours), int(minutes))


def _engine(
    rules: tuple[Rule, ...], overrides: tuple[Override, ...]
) -> tuple[tuple[WeeklyRule, ...], tuple[DateOverride, ...]]:
    weekly = tuple(
        WeeklyRule(days=frozenset(rule.days), start=_time(rule.start), end=_time(rule.end))
        for rule in rules
        if rule.days
    )
    dated = tuple(
        DateOverride(day=date.fromisoformat(o.date), start=_time(o.start), end=_time(o.end)) for o in overrides
    )
    return weekly, dated


def to_engine_rules(schedule: Schedule) -> tuple[tuple[WeeklyRule, ...], tuple[DateOverride, ...]]:
    """A stored schedule as the availability engine's weekly rules and date overrides (wall times in
    ``schedule.time_zone``; days 0 = Sunday; an override with start == end blocks its date)."""
    return _engine(stored_rules(schedule), stored_overrides(schedule))


def fallback_rules() -> tuple[tuple[WeeklyRule, ...], tuple[DateOverride, ...]]:
    """For a user without any schedule: Monday-Friday 09:00-17:00, to apply in the user's zone."""
    return _FALLBACK


_FALLBACK = _engine(DEFAULT_RULES, ())
