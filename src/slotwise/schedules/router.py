"""``/v2/schedules``: parse, authorize, call the service, answer in the caller's version.

``cal-api-version`` 2024-06-11 or later -> the spec's ``*_2024_06_11`` shapes; no header (or an
earlier date) -> the legacy shapes of ``legacy`` (which also explains how their ``availability`` is
chosen). Writes run in a transaction that takes the database's write lock up front (SQLite
``BEGIN IMMEDIATE``; the service locks the owner's row on PostgreSQL).
"""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.http.auth import CurrentUser
from slotwise.http.deps import DatabaseDep, SessionDep
from slotwise.http.routing import LazyResponseRoute
from slotwise.http.types import Id, canonical_time_zone
from slotwise.http.versioning import SCHEDULES, ApiVersion
from slotwise.schedules import legacy, service
from slotwise.schedules.legacy import (
    GetScheduleOutput_2024_04_15,
    GetSchedulesOutput_2024_04_15,
    UpdateScheduleOutput_2024_04_15,
)
from slotwise.schedules.schemas import (
    CreateScheduleInput_2024_06_11,
    CreateScheduleOutput_2024_06_11,
    DeleteScheduleOutput_2024_06_11,
    GetDefaultScheduleOutput_2024_06_11,
    GetScheduleOutput_2024_06_11,
    GetSchedulesOutput_2024_06_11,
    GetTimeZonesOutput,
    ScheduleOutput_2024_06_11,
    SupportedTimeZone,
    UpdateScheduleInput_2024_06_11,
    UpdateScheduleOutput_2024_06_11,
)

router = APIRouter(prefix="/v2/schedules", tags=["Schedules"], route_class=LazyResponseRoute)

Version = Annotated[ApiVersion, Depends(SCHEDULES)]
ScheduleId = Annotated[Id, Path(alias="scheduleId", description="The schedule's id.")]
# Cal.com's atoms and SDK ask for the web-app object with ``?for=atom`` (legacy only).
ForParam = Annotated[str | None, Query(alias="for", include_in_schema=False, max_length=16)]

LEGACY_NOTE = (
    " Without the `cal-api-version` header the legacy (2024-04-15) schedule object is returned "
    "(`workingHours` in minutes, days 0 = Sunday)."
)


@asynccontextmanager
async def _writing(session: AsyncSession, database: DatabaseDep) -> AsyncIterator[AsyncSession]:
    """A write transaction; the request's read session (used for auth) is handed back first, so a
    request never holds two pooled connections while it waits for the write lock."""
    await session.close()
    async with database.write_session() as write:
        yield write


@router.get(
    "/time-zones",
    summary="Get supported time zones",
    description="The IANA time zones schedules accept. No API key needed.",
    operation_id="SchedulesController_getTimeZones",
)
async def get_time_zones() -> GetTimeZonesOutput:
    return _time_zones()


@functools.cache
def _time_zones() -> GetTimeZonesOutput:
    """The zones of tzdata's ``zone.tab`` (one canonical name per region, no aliases) plus UTC."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
        listed = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    except (ModuleNotFoundError, FileNotFoundError, IndexError):  # pragma: no cover - tzdata is pinned
        listed = {zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")}
    zones = sorted(zone for zone in listed if canonical_time_zone(zone))
    data = [SupportedTimeZone(city=zone.rsplit("/", 1)[-1].replace("_", " "), timezone=zone) for zone in zones]
    return GetTimeZonesOutput(data=[*data, SupportedTimeZone(city="UTC", timezone="UTC")])


@router.post(
    "",
    status_code=201,
    response_model=CreateScheduleOutput_2024_06_11 | GetScheduleOutput_2024_04_15,
    summary="Create a schedule",
    description="Create a schedule; `isDefault: true` makes it the default." + LEGACY_NOTE,
    operation_id="SchedulesController_2024_06_11_createSchedule",
)
async def create_schedule(
    body: CreateScheduleInput_2024_06_11,
    user: CurrentUser,
    version: Version,
    session: SessionDep,
    database: DatabaseDep,
    for_: ForParam = None,
) -> Any:
    if not version.is_legacy:
        body.require_spec_fields()
    async with _writing(session, database) as write:
        state = await service.create_schedule(write, user.id, body.to_draft())
        await write.commit()
    if version.is_legacy:
        style = legacy.style_of(for_, body.sent_fields(), body.day_values())
        return GetScheduleOutput_2024_04_15(data=legacy.schedule_output(state, style))
    return CreateScheduleOutput_2024_06_11(data=ScheduleOutput_2024_06_11.of(state))


@router.get(
    "",
    response_model=GetSchedulesOutput_2024_06_11 | GetSchedulesOutput_2024_04_15,
    summary="Get all schedules",
    description="All of your schedules, oldest first." + LEGACY_NOTE,
    operation_id="SchedulesController_2024_06_11_getSchedules",
)
async def get_schedules(user: CurrentUser, version: Version, session: SessionDep, for_: ForParam = None) -> Any:
    states = await service.list_schedules(session, user.id)
    if version.is_legacy:
        style = legacy.style_of(for_, set(), [])
        return GetSchedulesOutput_2024_04_15(data=[legacy.schedule_output(state, style) for state in states])
    return GetSchedulesOutput_2024_06_11(data=[ScheduleOutput_2024_06_11.of(state) for state in states])


@router.get(
    "/default",
    response_model=GetDefaultScheduleOutput_2024_06_11 | GetScheduleOutput_2024_04_15,
    summary="Get default schedule",
    description="The schedule event types without their own schedule use (`data` is null if none)." + LEGACY_NOTE,
    operation_id="SchedulesController_2024_06_11_getDefaultSchedule",
)
async def get_default_schedule(user: CurrentUser, version: Version, session: SessionDep, for_: ForParam = None) -> Any:
    state = await service.get_default_schedule(session, user.id)
    if version.is_legacy:
        style = legacy.style_of(for_, set(), [])
        return GetScheduleOutput_2024_04_15(data=None if state is None else legacy.schedule_output(state, style))
    return GetDefaultScheduleOutput_2024_06_11(data=None if state is None else ScheduleOutput_2024_06_11.of(state))


@router.get(
    "/{scheduleId}",
    response_model=GetScheduleOutput_2024_06_11 | GetScheduleOutput_2024_04_15,
    summary="Get a schedule",
    description="404 if it does not exist, 403 if it is someone else's." + LEGACY_NOTE,
    operation_id="SchedulesController_2024_06_11_getSchedule",
)
async def get_schedule(
    schedule_id: ScheduleId,
    user: CurrentUser,
    version: Version,
    session: SessionDep,
    for_: ForParam = None,
) -> Any:
    state = await service.get_schedule(session, user.id, schedule_id)
    if version.is_legacy:
        return GetScheduleOutput_2024_04_15(data=legacy.schedule_output(state, legacy.style_of(for_, set(), [])))
    return GetScheduleOutput_2024_06_11(data=ScheduleOutput_2024_06_11.of(state))


@router.patch(
    "/{scheduleId}",
    response_model=UpdateScheduleOutput_2024_06_11 | UpdateScheduleOutput_2024_04_15,
    summary="Update a schedule",
    description="Any subset of the create fields; `availability: []` / `overrides: []` clear them, "
    "`isDefault: true` makes it the default." + LEGACY_NOTE,
    operation_id="SchedulesController_2024_06_11_updateSchedule",
)
async def update_schedule(
    schedule_id: ScheduleId,
    user: CurrentUser,
    version: Version,
    session: SessionDep,
    database: DatabaseDep,
    body: Annotated[UpdateScheduleInput_2024_06_11, Body(default_factory=UpdateScheduleInput_2024_06_11)],
    for_: ForParam = None,
) -> Any:
    async with _writing(session, database) as write:
        result = await service.update_schedule(write, user.id, schedule_id, body.to_changes())
        await write.commit()
    if version.is_legacy:
        style = legacy.style_of(for_, body.sent_fields(), body.day_values())
        return UpdateScheduleOutput_2024_04_15(data=legacy.updated_output(result, style))
    return UpdateScheduleOutput_2024_06_11(data=ScheduleOutput_2024_06_11.of(result.state))


@router.delete(
    "/{scheduleId}",
    response_model=DeleteScheduleOutput_2024_06_11,
    summary="Delete a schedule",
    description="Deleting the default schedule makes your oldest other schedule the default; "
    "your last schedule cannot be deleted (400). Event types that used it fall back to the default.",
    operation_id="SchedulesController_2024_06_11_deleteSchedule",
)
async def delete_schedule(
    schedule_id: ScheduleId,
    user: CurrentUser,
    _version: Version,
    session: SessionDep,
    database: DatabaseDep,
) -> DeleteScheduleOutput_2024_06_11:
    async with _writing(session, database) as write:
        await service.delete_schedule(write, user.id, schedule_id)
        await write.commit()
    return DeleteScheduleOutput_2024_06_11()
