"""Bookings: ``/v2/bookings`` (``cal-api-version: 2024-08-13`` and the header-less legacy shapes).

Which shape: with ``cal-api-version: 2024-08-13`` (or later) the current one. Without it (or with an
older date) the legacy one (see :mod:`slotwise.bookings.legacy`); ``POST /v2/bookings`` then reads the
body by its fields: ``responses`` is the legacy body, ``attendee`` the 2024-08-13 one.

Writes give the request's database connection back before opening a write session (SQLite's pool is
tiny and ``BEGIN IMMEDIATE`` serialises writers), and answer only after the commit.
"""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import service
from slotwise.bookings.fields import FieldErrors, legacy_location
from slotwise.bookings.ics import booking_ics, calendar_links
from slotwise.bookings.legacy import (
    CreateBookingInput_2024_04_15,
    LegacyBookingOutputResponse,
    LegacyBookingsData,
    LegacyGetBookingsOutput,
    legacy_booking_output,
)
from slotwise.bookings.output import View, booking_output
from slotwise.bookings.params import (
    current_list_query,
    json_object,
    legacy_list_query,
    parse_body,
    teams_asked,
    write_cursor,
)
from slotwise.bookings.queries import BookingFilter, Page, Position, Sort, list_bookings
from slotwise.bookings.schemas import (
    CalendarLink,
    CalendarLinksOutput_2024_08_13,
    CancelBookingInput_2024_08_13,
    CancelBookingOutput_2024_08_13,
    CreateBookingInput_2024_08_13,
    CreateBookingOutput_2024_08_13,
    DeclineBookingInput_2024_08_13,
    GetBookingOutput_2024_08_13,
    GetBookingsOutput_2024_08_13,
    MarkAbsentBookingInput_2024_08_13,
    MarkAbsentBookingOutput_2024_08_13,
    RescheduleBookingInput_2024_08_13,
    RescheduleBookingOutput_2024_08_13,
)
from slotwise.db import Database, utcnow
from slotwise.http.auth import CurrentUser, bearer, optional_principal
from slotwise.http.deps import DatabaseDep, SessionDep
from slotwise.http.errors import bad_request
from slotwise.http.openapi import documented_body
from slotwise.http.pagination import page_meta
from slotwise.http.routing import LazyResponseRoute
from slotwise.http.versioning import BOOKINGS, ApiVersion
from slotwise.slots.router import holder_uid
from slotwise.users.models import User

router = APIRouter(prefix="/v2", tags=["Bookings"], route_class=LazyResponseRoute)
JSON = "application/json"


async def optional_caller(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None
) -> User | None:
    """The caller by API key, or None. Without an ``Authorization`` header (booking pages, agents
    booking on someone's behalf) no database work is done; an invalid key is still a 401."""
    if not request.headers.get("authorization", "").strip():
        return None
    async with _database(request).session() as session:
        principal = await optional_principal(request, session)
    return principal.user if principal is not None else None


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


Version = Annotated[ApiVersion, Depends(BOOKINGS)]
Caller = Annotated[User | None, Depends(optional_caller)]


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(content=model.model_dump_json(), status_code=status, media_type=JSON)


def _success(data: Any, status: int = 200, **more: Any) -> Response:
    """``{"status": "success", "data": ...}`` from data :mod:`slotwise.bookings.output` built in its
    output model's shape (the route's ``response_model``): serialised as it is, with no model to
    build and validate on the way (the larger part of answering a booking write)."""
    content = to_json({"status": "success", "data": data, **more})
    return Response(content=content, status_code=status, media_type=JSON)


async def _release(session: AsyncSession, user: User | None) -> User | None:
    """Give the request's connection back before a write session is opened."""
    await session.close()
    return user


def _view(outcome: service.Outcome, caller: User | None, booking_uid: str | None = None) -> View:
    return View(
        host=outcome.host,
        event_type=outcome.event_type,
        caller_is_host=caller is not None and caller.id == outcome.host.id,
        seat_uid=outcome.seats.get(booking_uid) if booking_uid else None,
    )


def _current(outcome: service.Outcome, caller: User | None) -> Any:
    items = [booking_output(booking, _view(outcome, caller, booking.uid)) for booking in outcome.bookings]
    return items if outcome.series else items[0]


def _legacy(outcome: service.Outcome, caller: User | None, *, upper_status: bool = True) -> Any:
    items = [
        legacy_booking_output(booking, _view(outcome, caller, booking.uid), upper_status=upper_status)
        for booking in outcome.bookings
    ]
    return items if outcome.series else items[0]


# --- create ------------------------------------------------------------------------------------


def _from_current(body: CreateBookingInput_2024_08_13, reservation_uid: str | None) -> service.BookingRequest:
    if body.instant:
        raise bad_request("instant: instant bookings are for team event types, which this server does not serve yet.")
    attendee = body.attendee
    email = attendee.email or f"{(attendee.phoneNumber or '').lstrip('+')}@sms.slotwise.invalid"
    return service.BookingRequest(
        start=body.start,
        attendee=service.AttendeeInfo(
            name=attendee.name,
            email=email,
            time_zone=attendee.timeZone,
            phone_number=attendee.phoneNumber,
            language=attendee.language,
        ),
        event_type_id=body.eventTypeId,
        event_type_slug=body.eventTypeSlug,
        username=body.username,
        team_slug=body.teamSlug,
        guests=tuple(dict.fromkeys(body.guests or [])),
        answers=dict(body.bookingFieldsResponses or {}),
        location=body.location,
        meeting_url=body.meetingUrl,
        metadata=dict(body.metadata or {}),
        length=body.lengthInMinutes,
        recurrence_count=body.recurrenceCount,
        reservation_uid=body.reservationUid or reservation_uid,
    )


def _from_legacy(body: CreateBookingInput_2024_04_15, reservation_uid: str | None) -> service.BookingRequest:
    try:
        location = legacy_location(body.responses.location)
    except FieldErrors as problem:
        raise bad_request("Invalid request: " + str(problem), errors=[{"property": "responses.location"}]) from None
    length = None
    if body.end is not None:
        seconds = (body.end - body.start).total_seconds()
        if seconds <= 0 or seconds % 60:
            raise bad_request("end must be a whole number of minutes after start (start + the event's length).")
        length = int(seconds // 60)
    return service.BookingRequest(
        start=body.start,
        attendee=service.AttendeeInfo(
            name=body.responses.full_name(),
            email=body.responses.email,
            time_zone=body.timeZone,
            phone_number=body.responses.attendeePhoneNumber,
            language=body.language,
        ),
        event_type_id=body.eventTypeId,
        event_type_slug=body.eventTypeSlug,
        username=body.username,
        guests=tuple(dict.fromkeys(body.responses.guests or [])),
        answers=body.responses.answers(),
        answers_field="responses",
        location=location,
        metadata=dict(body.metadata or {}),
        length=length,
        length_field="end - start",
        recurrence_count=body.recurringCount,
        reservation_uid=body.reservationUid or reservation_uid,
    )


@router.post(
    "/bookings",
    status_code=201,
    summary="Create a booking",
    description=(
        "Books a start that `GET /v2/slots` offers: a regular booking, a seat of a seated event type, or every "
        "occurrence of a recurring one (all or none). No API key needed. A taken or held time is a 409, a time "
        "that is not offered (outside hours, too soon, over a limit, off the grid) a 400, each with the reason. "
        "Without `cal-api-version`, the legacy body (`responses{name, email}`, `timeZone`, `language`, optional "
        "`end` and `rescheduleUid`) works too and the answer is the legacy shape."
    ),
    operation_id="BookingsController_2024_08_13_createBooking",
    response_model=CreateBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
    openapi_extra=documented_body(
        CreateBookingInput_2024_08_13,
        CreateBookingInput_2024_04_15,
        description="The 2024-08-13 body (`attendee`), or without the version header the legacy body (`responses`).",
    ),
)
async def create_booking(request: Request, caller: Caller, version: Version) -> Response:
    values = await json_object(request, required=True, hint="start, eventTypeId and attendee")
    reservation = holder_uid(request)
    legacy_body = version.resolved is None and "responses" in values and "attendee" not in values
    reschedule_uid: str | None = None
    if legacy_body:
        legacy = parse_body(CreateBookingInput_2024_04_15, values)
        booking_request = _from_legacy(legacy, reservation)
        reschedule_uid = legacy.rescheduleUid
    else:
        hint = (
            "The legacy body with `responses` is read when no cal-api-version header is sent."
            if "responses" in values and "attendee" not in values
            else None
        )
        booking_request = _from_current(parse_body(CreateBookingInput_2024_08_13, values, hint=hint), reservation)
    async with _database(request).write_session() as writer:
        if reschedule_uid:
            move = service.Move(
                start=booking_request.start,
                attendee=booking_request.attendee,
                reservation_uid=booking_request.reservation_uid,
            )
            outcome = await service.reschedule(writer, reschedule_uid, move, caller=caller)
        else:
            outcome = await service.create(writer, booking_request, caller=caller)
        await writer.commit()
    if version.resolved is not None:
        return _success(_current(outcome, caller), 201)
    return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller, upper_status=legacy_body)), 201)


# --- list --------------------------------------------------------------------------------------


async def _page(
    session: AsyncSession,
    criteria: BookingFilter,
    sort: Sort,
    take: int,
    skip: int,
    after: Position | None,
    teams: bool,
) -> Page:
    if teams:
        return Page([], 0, None)
    return await list_bookings(session, criteria, sort=sort, take=take, skip=skip, after=after, now=utcnow())


@router.get(
    "/bookings",
    summary="Get all bookings",
    description=(
        "Your bookings (as their host), filtered and paged with `take` (1 to 250, default 100) and `skip`. "
        "`status` takes upcoming, recurring, past, cancelled, unconfirmed (comma-separated, repeated or "
        "`status[]`). Without `cal-api-version` the answer is the legacy `{bookings, totalCount, nextCursor}`: "
        "pass `nextCursor` back as `cursor` for the next page; `dateFrom`/`dateTo` filter by time."
    ),
    operation_id="BookingsController_2024_08_13_getBookings",
    response_model=GetBookingsOutput_2024_08_13 | LegacyGetBookingsOutput,
)
async def get_bookings(request: Request, session: SessionDep, user: CurrentUser, version: Version) -> Response:
    params = request.query_params
    teams = teams_asked(params)
    if version.resolved is None:
        criteria, sort, take, skip, after = legacy_list_query(params, user.id)
        page = await _page(session, criteria, sort, take, skip, after, teams)
    else:
        criteria, sort, take, skip = current_list_query(params, user.id)
        page = await _page(session, criteria, sort, take, skip, None, teams)
    kinds = await service.event_types_by_id(session, {b.event_type_id for b in page.bookings if b.event_type_id})
    views = {
        kind_id: View(host=user, event_type=kinds.get(kind_id) if kind_id else None, caller_is_host=True)
        for kind_id in {b.event_type_id for b in page.bookings}
    }
    pagination = page_meta(page.total, skip, take)
    if version.resolved is None:
        next_cursor = write_cursor(sort, page.next_position) if page.next_position else None
        data = LegacyBookingsData(
            bookings=[legacy_booking_output(b, views[b.event_type_id]) for b in page.bookings],
            totalCount=page.total,
            nextCursor=next_cursor,
        )
        return _json(LegacyGetBookingsOutput(data=data, pagination=pagination))
    items = [booking_output(b, views[b.event_type_id]) for b in page.bookings]
    return _success(items, pagination=pagination.model_dump(mode="json"))


# --- one booking -------------------------------------------------------------------------------


@router.get(
    "/bookings/{bookingUid}",
    summary="Get a booking",
    description="A booking by its uid (no API key needed), or every occurrence of a recurring booking by its "
    "`recurringBookingUid`.",
    operation_id="BookingsController_2024_08_13_getBooking",
    response_model=GetBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
)
async def get_booking(bookingUid: str, session: SessionDep, caller: Caller, version: Version) -> Response:
    outcome = await service.get(session, bookingUid)
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)))
    return _success(_current(outcome, caller))


@router.post(
    "/bookings/{bookingUid}/reschedule",
    status_code=201,
    summary="Reschedule a booking",
    description=(
        "Moves a booking to `start`: a new booking (new uid, `rescheduledFromUid`) replaces it, and the old one "
        "is cancelled with `rescheduledToUid`. Its own time counts as free for the move. Seated bookings move "
        "one seat (`seatUid`). No API key needed."
    ),
    operation_id="BookingsController_2024_08_13_rescheduleBooking",
    response_model=RescheduleBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
    openapi_extra=documented_body(RescheduleBookingInput_2024_08_13),
)
async def reschedule_booking(bookingUid: str, request: Request, caller: Caller, version: Version) -> Response:
    values = await json_object(request, required=True, hint="start (the new start, ISO 8601)")
    body = parse_body(RescheduleBookingInput_2024_08_13, values)
    move = service.Move(
        start=body.start,
        reason=body.reschedulingReason,
        rescheduled_by=body.rescheduledBy,
        seat_uid=body.seatUid,
        reservation_uid=holder_uid(request),
    )
    async with _database(request).write_session() as writer:
        outcome = await service.reschedule(writer, bookingUid, move, caller=caller)
        await writer.commit()
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)), 201)
    return _success(_current(outcome, caller), 201)


@router.post(
    "/bookings/{bookingUid}/cancel",
    summary="Cancel a booking",
    description=(
        "Cancels a booking (no API key needed); cancelling again changes nothing. `seatUid` gives up one seat of a "
        "seated booking. With a recurring booking's `recurringBookingUid` every remaining occurrence is cancelled; "
        "`cancelSubsequentBookings` cancels an occurrence and the later ones. The body may be empty."
    ),
    operation_id="BookingsController_2024_08_13_cancelBooking",
    response_model=CancelBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
    openapi_extra=documented_body(CancelBookingInput_2024_08_13, required=False),
)
async def cancel_booking(bookingUid: str, request: Request, caller: Caller, version: Version) -> Response:
    values = await json_object(request, required=False, hint="cancellationReason")
    body = parse_body(CancelBookingInput_2024_08_13, values)
    async with _database(request).write_session() as writer:
        outcome = await service.cancel(
            writer,
            bookingUid,
            reason=body.cancellationReason,
            subsequent=bool(body.cancelSubsequentBookings),
            seat_uid=body.seatUid,
            caller=caller,
        )
        await writer.commit()
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)))
    return _success(_current(outcome, caller))


async def _mark_absent(
    bookingUid: str,
    host: bool | None,
    attendees: list[tuple[str, bool]],
    session: AsyncSession,
    database: Any,
    user: User,
    version: ApiVersion,
) -> Response:
    if host is None and not attendees:
        raise bad_request("Send host (true/false) and/or attendees ([{email, absent}]) to say who was absent.")
    caller = await _release(session, user)
    assert caller is not None
    async with database.write_session() as writer:
        outcome = await service.mark_absent(writer, bookingUid, caller=caller, host_absent=host, attendees=attendees)
        await writer.commit()
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)))
    return _success(_current(outcome, caller))


@router.post(
    "/bookings/{bookingUid}/mark-absent",
    summary="Mark a booking absence",
    description="The host records who did not show up (`host`, `attendees[{email, absent}]`), once the booking "
    "has started.",
    operation_id="BookingsController_2024_08_13_markNoShow",
    response_model=MarkAbsentBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
    openapi_extra=documented_body(MarkAbsentBookingInput_2024_08_13),
)
async def mark_absent(
    bookingUid: str, request: Request, session: SessionDep, database: DatabaseDep, user: CurrentUser, version: Version
) -> Response:
    values = await json_object(request, required=True, hint="host and/or attendees [{email, absent}]")
    body = parse_body(MarkAbsentBookingInput_2024_08_13, values)
    attendees = [(item.email, item.absent) for item in body.attendees or []]
    return await _mark_absent(bookingUid, body.host, attendees, session, database, user, version)


@router.post(
    "/bookings/{bookingUid}/mark-no-show",
    summary="Mark a booking absence (legacy)",
    description="The 2024-04-15 form: `noShowHost` and `attendees[{email, noShow}]`.",
    operation_id="BookingsController_2024_04_15_markNoShow",
    deprecated=True,
    response_model=LegacyBookingOutputResponse | MarkAbsentBookingOutput_2024_08_13,
)
async def mark_no_show(
    bookingUid: str, request: Request, session: SessionDep, database: DatabaseDep, user: CurrentUser, version: Version
) -> Response:
    values = await json_object(request, required=True, hint="noShowHost and/or attendees [{email, noShow}]")
    translated = {
        "host": values.get("noShowHost"),
        "attendees": [
            {"email": item.get("email"), "absent": item.get("noShow")} if isinstance(item, dict) else item
            for item in values.get("attendees") or []
        ],
    }
    body = parse_body(MarkAbsentBookingInput_2024_08_13, translated)
    attendees = [(item.email, item.absent) for item in body.attendees or []]
    return await _mark_absent(bookingUid, body.host, attendees, session, database, user, version)


@router.post(
    "/bookings/{bookingUid}/confirm",
    summary="Confirm a booking",
    description="The host accepts a pending booking (of an event type with a confirmation policy).",
    operation_id="BookingsController_2024_08_13_confirmBooking",
    response_model=GetBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
)
async def confirm_booking(
    bookingUid: str, session: SessionDep, database: DatabaseDep, user: CurrentUser, version: Version
) -> Response:
    caller = await _release(session, user)
    assert caller is not None
    async with database.write_session() as writer:
        outcome = await service.confirm(writer, bookingUid, caller=caller)
        await writer.commit()
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)))
    return _success(_current(outcome, caller))


@router.post(
    "/bookings/{bookingUid}/decline",
    summary="Decline a booking",
    description="The host rejects a pending booking; `reason` is kept. Its time is free again.",
    operation_id="BookingsController_2024_08_13_declineBooking",
    response_model=GetBookingOutput_2024_08_13 | LegacyBookingOutputResponse,
    openapi_extra=documented_body(DeclineBookingInput_2024_08_13, required=False),
)
async def decline_booking(
    bookingUid: str, request: Request, session: SessionDep, database: DatabaseDep, user: CurrentUser, version: Version
) -> Response:
    values = await json_object(request, required=False, hint="reason")
    body = parse_body(DeclineBookingInput_2024_08_13, values)
    caller = await _release(session, user)
    assert caller is not None
    async with database.write_session() as writer:
        outcome = await service.decline(writer, bookingUid, caller=caller, reason=body.reason)
        await writer.commit()
    if version.resolved is None:
        return _json(LegacyBookingOutputResponse(data=_legacy(outcome, caller)))
    return _success(_current(outcome, caller))


@router.get(
    "/bookings/{bookingUid}/calendar-links",
    summary="Get 'Add to Calendar' links for a booking",
    description="Google Calendar, Microsoft Office 365, Microsoft Outlook, Yahoo, and the `.ics` file.",
    operation_id="BookingsController_2024_08_13_getCalendarLinks",
    response_model=CalendarLinksOutput_2024_08_13,
)
async def get_calendar_links(
    bookingUid: str, request: Request, session: SessionDep, user: CurrentUser, _version: Version
) -> Response:
    outcome = await service.get_owned(session, bookingUid, user, "get calendar links for")
    booking = outcome.bookings[0]
    ics_url = str(request.url_for("get_booking_ics", bookingUid=booking.uid))
    links = [CalendarLink(label=label, link=link) for label, link in calendar_links(booking, ics_url)]
    return _json(CalendarLinksOutput_2024_08_13(data=links))


@router.get(
    "/bookings/{bookingUid}/ics",
    summary="Download a booking as an iCalendar file",
    description="The booking as `text/calendar` (with VTIMEZONE, ORGANIZER, ATTENDEE; one UID across reschedules). "
    "No API key needed, like `GET /v2/bookings/{bookingUid}`.",
    operation_id="BookingsController_getBookingIcs",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}},
)
async def get_booking_ics(bookingUid: str, session: SessionDep) -> Response:
    booking = await service.find(session, bookingUid)
    host = await session.get(User, booking.host_id)
    assert host is not None
    return Response(
        content=booking_ics(booking, host),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{booking.uid}.ics"'},
    )
