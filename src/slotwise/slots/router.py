"""Slots and slot reservations: ``/v2/slots`` (2024-09-04 and legacy shapes).

Which shape ``GET /v2/slots`` answers in: with ``cal-api-version: 2024-09-04`` (or later) the
current one. Without the header (or with an older date) the caller's parameter names decide:
``startTime``/``endTime`` get the legacy ``{"slots": {...}}`` shape, ``start``/``end`` the current
one. ``/v2/slots/available`` always speaks the legacy shape.
"""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic_core import to_json

from slotwise.http.auth import OptionalUser
from slotwise.http.deps import DatabaseDep, SessionDep
from slotwise.http.errors import bad_request, not_found
from slotwise.http.routing import LazyResponseRoute
from slotwise.http.versioning import SLOTS, ApiVersion
from slotwise.slots import service
from slotwise.slots.cache import SlotCache
from slotwise.slots.legacy import (
    LEGACY_QUERY_NAMES,
    LegacyGetSlotsQuery,
    LegacyRemoveSelectedSlotOutput,
    LegacyReserveSlotInput,
    LegacyReserveSlotOutput,
    LegacySlotsOutput,
    render_legacy_slots,
)
from slotwise.slots.params import current_query, documented, legacy_query
from slotwise.slots.schemas import (
    DeleteReservedSlotOutput_2024_09_04,
    GetReservedSlotOutput_2024_09_04,
    GetSlotsQuery_2024_09_04,
    ReserveSlotInput_2024_09_04,
    ReserveSlotOutputResponse_2024_09_04,
    SlotsOutput_2024_09_04,
    render_slots,
    reservation_output,
    reserved_slot_output,
)
from slotwise.users.models import User

router = APIRouter(prefix="/v2", tags=["Slots"], route_class=LazyResponseRoute)

Version = Annotated[ApiVersion, Depends(SLOTS)]
RESERVATION_HEADER = "x-reservation-uid"
RESERVATION_COOKIE = "uid"  # the cookie Cal.com's legacy reserve endpoint sets
COOKIE_SECONDS = 15 * 60


def holder_uid(request: Request) -> str | None:
    """The caller's own reservation (its slot stays visible to them): header or cookie."""
    value = (
        request.headers.get(RESERVATION_HEADER)
        or request.cookies.get("reservationUid")
        or request.cookies.get(RESERVATION_COOKIE)
    )
    value = (value or "").strip()
    return value if 0 < len(value) <= 255 else None


async def _caller_then_release(session: SessionDep, user: User | None) -> int | None:
    """The caller's id; then give the request session's connection back, so a write session never
    waits on a connection this same request holds (SQLite's pool is tiny)."""
    caller_id = user.id if user is not None else None
    await session.close()
    return caller_id


async def _slots(request: Request, session: SessionDep, *, legacy: bool) -> Response:
    """Serialised here, once: re-validating a month of slots through the response model would cost
    more than computing them (the response models still document the shapes)."""
    cache: SlotCache | None = request.app.state.slot_cache
    if legacy:
        query, legacy_params = legacy_query(request.query_params, holder_uid(request))

        def render_legacy(result: service.SlotResult) -> bytes:
            output = render_legacy_slots(
                result.slots,
                time_zone=legacy_params.timeZone,
                range_format=legacy_params.slotFormat == "range",
                seats_total=result.seats_total,
            )
            return output.model_dump_json(exclude_none=True).encode()

        shape: tuple[object, ...] = ("legacy", legacy_params.timeZone, legacy_params.slotFormat)
        body = await service.slots_answer(session, query, render=render_legacy, shape=shape, cache=cache)
        return Response(body, media_type="application/json")
    query, params = current_query(request.query_params, holder_uid(request))

    def render(result: service.SlotResult) -> bytes:
        return to_json(
            render_slots(
                result.slots,
                time_zone=params.timeZone,
                range_format=params.format == "range",
                seats_total=result.seats_total,
            )
        )

    shape = ("2024-09-04", params.timeZone, params.format)
    body = await service.slots_answer(session, query, render=render, shape=shape, cache=cache)
    return Response(body, media_type="application/json")


@router.get(
    "/slots",
    summary="Get available time slots for an event type",
    description=(
        "Slots by `eventTypeId`, by `eventTypeSlug` + `username`, or common to `usernames`. No API key needed. "
        "Without a `cal-api-version` header, requests that use the legacy names `startTime`/`endTime` get the "
        "legacy `{slots: {date: [{time}]}}` shape."
    ),
    operation_id="SlotsController_2024_09_04_getAvailableSlots",
    response_model=SlotsOutput_2024_09_04 | LegacySlotsOutput,
    response_model_exclude_none=True,
    openapi_extra=documented(GetSlotsQuery_2024_09_04),
)
async def get_available_slots(request: Request, session: SessionDep, version: Version) -> Response:
    speaks_legacy = version.resolved is None and not LEGACY_QUERY_NAMES.isdisjoint(request.query_params.keys())
    return await _slots(request, session, legacy=speaks_legacy)


@router.get(
    "/slots/available",
    summary="Get available time slots (legacy shape)",
    description="The 2024-04-15 endpoint: `startTime`, `endTime`, `eventTypeId` (or `eventTypeSlug` + "
    "`usernameList[]`), `timeZone`, `slotFormat=range`, `duration`, `rescheduleUid`.",
    operation_id="SlotsController_getAvailableSlots",
    deprecated=True,
    response_model=LegacySlotsOutput,
    response_model_exclude_none=True,
    openapi_extra=documented(LegacyGetSlotsQuery),
)
async def get_available_slots_legacy(request: Request, session: SessionDep) -> Response:
    return await _slots(request, session, legacy=True)


@router.post(
    "/slots/reservations",
    status_code=201,
    summary="Reserve a slot",
    description="Holds a slot for 5 minutes (or `reservationDuration`, owner only): it disappears from "
    "`GET /v2/slots` for everyone but the holder, who passes the `reservationUid` (query), the "
    "`X-Reservation-Uid` header or the `uid` cookie. Only the holder can book it.",
    operation_id="SlotsController_2024_09_04_reserveSlot",
)
async def reserve_slot(
    body: ReserveSlotInput_2024_09_04,
    session: SessionDep,
    database: DatabaseDep,
    user: OptionalUser,
    _version: Version,
) -> ReserveSlotOutputResponse_2024_09_04:
    hold = service.Hold(
        event_type_id=body.eventTypeId,
        slot_start=body.slotStart,
        slot_duration=body.slotDuration,
        reservation_minutes=body.reservationDuration,
        caller_id=await _caller_then_release(session, user),
    )
    async with database.write_session() as writer:
        reservation = await service.reserve(writer, hold)
        await writer.commit()
    return ReserveSlotOutputResponse_2024_09_04(data=reservation_output(reservation))


@router.get(
    "/slots/reservations/{uid}",
    summary="Get reserved slot",
    description="`data` is null when no live reservation has that uid.",
    operation_id="SlotsController_2024_09_04_getReservedSlot",
)
async def get_reserved_slot(uid: str, session: SessionDep, _version: Version) -> GetReservedSlotOutput_2024_09_04:
    reservation = await service.get_reservation(session, uid)
    return GetReservedSlotOutput_2024_09_04(data=reserved_slot_output(reservation) if reservation else None)


@router.patch(
    "/slots/reservations/{uid}",
    summary="Update a reserved slot",
    description="Moves the reservation to another slot and restarts its hold; 404 when it is unknown or expired.",
    operation_id="SlotsController_2024_09_04_updateReservedSlot",
)
async def update_reserved_slot(
    uid: str,
    body: ReserveSlotInput_2024_09_04,
    session: SessionDep,
    database: DatabaseDep,
    user: OptionalUser,
    _version: Version,
) -> ReserveSlotOutputResponse_2024_09_04:
    hold = service.Hold(
        event_type_id=body.eventTypeId,
        slot_start=body.slotStart,
        slot_duration=body.slotDuration,
        reservation_minutes=body.reservationDuration,
        caller_id=await _caller_then_release(session, user),
    )
    async with database.write_session() as writer:
        reservation = await service.reserve(writer, hold, uid=uid)
        await writer.commit()
    return ReserveSlotOutputResponse_2024_09_04(data=reservation_output(reservation))


@router.delete(
    "/slots/reservations/{uid}",
    summary="Delete a reserved slot",
    operation_id="SlotsController_2024_09_04_deleteReservedSlot",
)
async def delete_reserved_slot(
    uid: str, session: SessionDep, database: DatabaseDep, _version: Version
) -> DeleteReservedSlotOutput_2024_09_04:
    await session.close()
    async with database.write_session() as writer:
        live = await service.release(writer, uid)
        await writer.commit()
    if not live:
        raise not_found(f"Reservation {uid} not found (it may have expired).")
    return DeleteReservedSlotOutput_2024_09_04()


@router.post(
    "/slots/reserve",
    status_code=201,
    summary="Reserve a slot (legacy shape)",
    description="Body `eventTypeId`, `slotUtcStartDate`, `slotUtcEndDate`; answers the reservation uid as "
    "`data` and sets it as the `uid` cookie. No API key needed.",
    operation_id="SlotsController_reserveSlot",
    deprecated=True,
)
async def reserve_slot_legacy(
    body: LegacyReserveSlotInput,
    response: Response,
    session: SessionDep,
    database: DatabaseDep,
    user: OptionalUser,
) -> LegacyReserveSlotOutput:
    if body.slotUtcEndDate <= body.slotUtcStartDate:
        raise bad_request("slotUtcEndDate must be after slotUtcStartDate.")
    minutes, remainder = divmod((body.slotUtcEndDate - body.slotUtcStartDate).total_seconds(), 60)
    if remainder or minutes > 24 * 60:
        raise bad_request("slotUtcEndDate - slotUtcStartDate must be a whole number of minutes, at most a day.")
    hold = service.Hold(
        event_type_id=body.eventTypeId,
        slot_start=body.slotUtcStartDate,
        slot_duration=int(minutes),
        caller_id=await _caller_then_release(session, user),
        duration_field="slotUtcEndDate - slotUtcStartDate",
    )
    async with database.write_session() as writer:
        reservation = await service.reserve(writer, hold)
        await writer.commit()
    response.set_cookie(RESERVATION_COOKIE, reservation.uid, max_age=COOKIE_SECONDS, httponly=True, samesite="lax")
    return LegacyReserveSlotOutput(data=reservation.uid)


@router.delete(
    "/slots/selected-slot",
    summary="Release a reserved slot (legacy shape)",
    description="Releases the reservation `uid` (query, else the `uid` cookie). Succeeds also when it is "
    "already gone, as in Cal.com.",
    operation_id="SlotsController_deleteSelectedSlot",
    deprecated=True,
)
async def delete_selected_slot(
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    uid: Annotated[str | None, Query(max_length=64, description="The reservation uid.")] = None,
) -> LegacyRemoveSelectedSlotOutput:
    target = uid or request.cookies.get(RESERVATION_COOKIE)
    if not target:
        raise bad_request("Send the reservation to release as ?uid=<reservation uid>.")
    await session.close()
    async with database.write_session() as writer:
        await service.release(writer, target)
        await writer.commit()
    return LegacyRemoveSelectedSlotOutput()
