"""Event types: ``/v2/event-types`` in the 2024-06-14 shape, and the legacy shapes without it.

Which shape answers: with ``cal-api-version: 2024-06-14`` (or any later date) Cal.com's current one.
Without the header (or with an older date) bodies may use either vocabulary (``length`` or
``lengthInMinutes``; see :mod:`slotwise.event_types.legacy`), a single event type is answered as the
current object plus the legacy names, and the list is the legacy ``{"eventTypeGroups": [...]}`` object.
"""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db import Database
from slotwise.event_types import legacy, service
from slotwise.event_types.body import Model, json_body, validate_body
from slotwise.event_types.legacy import (
    DeleteEventTypeOutput_2024_04_15,
    GetEventTypeOutput_2024_04_15,
    GetEventTypesOutput_2024_04_15,
    GetPublicEventTypeOutput_2024_04_15,
    GetPublicEventTypesOutput_2024_04_15,
)
from slotwise.event_types.output import event_type_output
from slotwise.event_types.schemas import (
    CreateEventTypeInput_2024_06_14,
    CreateEventTypeOutput_2024_06_14,
    DeleteData_2024_06_14,
    DeleteEventTypeOutput_2024_06_14,
    GetEventTypeOutput_2024_06_14,
    GetEventTypesOutput_2024_06_14,
    UpdateEventTypeInput_2024_06_14,
    UpdateEventTypeOutput_2024_06_14,
)
from slotwise.http.auth import CurrentUser, OptionalUser
from slotwise.http.deps import DatabaseDep, SessionDep
from slotwise.http.errors import bad_request, not_found, unauthorized
from slotwise.http.openapi import documented_body
from slotwise.http.routing import LazyResponseRoute
from slotwise.http.types import Id
from slotwise.http.versioning import EVENT_TYPES, ApiVersion
from slotwise.users.models import User

router = APIRouter(prefix="/v2", tags=["Event Types"], route_class=LazyResponseRoute)

Version = Annotated[ApiVersion, Depends(EVENT_TYPES)]
RawBody = Annotated[Any, Depends(json_body)]
EventTypeId = Annotated[Id, Path(description="The event type's id.")]

CreateAnswer = CreateEventTypeOutput_2024_06_14 | GetEventTypeOutput_2024_04_15
GetAnswer = GetEventTypeOutput_2024_06_14 | GetEventTypeOutput_2024_04_15
UpdateAnswer = UpdateEventTypeOutput_2024_06_14 | GetEventTypeOutput_2024_04_15
ListAnswer = GetEventTypesOutput_2024_06_14 | GetEventTypesOutput_2024_04_15
DeleteAnswer = DeleteEventTypeOutput_2024_06_14 | DeleteEventTypeOutput_2024_04_15

_SHAPES = (
    "With `cal-api-version: 2024-06-14` (or later) the answer is `EventTypeOutput_2024_06_14`. Without the "
    "header the body may say `length` instead of `lengthInMinutes`, and the answer adds the legacy names "
    "(`length`, `userId`, `requiresConfirmation`, ...)."
)


@asynccontextmanager
async def _writing(session: AsyncSession, database: Database) -> AsyncIterator[AsyncSession]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed when the block succeeds. The
    request's read session gives its connection back first: SQLite's pool is tiny."""
    await session.close()
    async with database.write_session() as writer:
        yield writer
        await writer.commit()


def _strict(model: type[Model], raw: Any) -> Model:
    """The 2024-06-14 body; the legacy ``length`` gets a hint instead of a bare "field required"."""
    if isinstance(raw, dict) and "length" in raw and "lengthInMinutes" not in raw:
        raise bad_request(
            "Invalid request: body field 'length' is the pre-2024-06-14 name: with cal-api-version 2024-06-14 "
            "send 'lengthInMinutes' (or omit the header to use 'length').",
            errors=[{"location": "body", "property": "lengthInMinutes", "message": "send lengthInMinutes"}],
        )
    return validate_body(model, raw)


@router.post(
    "/event-types",
    status_code=201,
    summary="Create an event type",
    description=_SHAPES,
    operation_id="EventTypesController_2024_06_14_createEventType",
    response_model=CreateAnswer,
    openapi_extra=documented_body(CreateEventTypeInput_2024_06_14, description="The event type to create."),
)
async def create_event_type(
    user: CurrentUser, session: SessionDep, database: DatabaseDep, version: Version, raw: RawBody
) -> CreateAnswer:
    data = _strict(CreateEventTypeInput_2024_06_14, raw) if version.resolved else legacy.parse_create(raw)
    async with _writing(session, database) as writer:
        event_type = await service.create_event_type(writer, user, data)
    if version.resolved:
        return CreateEventTypeOutput_2024_06_14(data=event_type_output(event_type, user))
    return GetEventTypeOutput_2024_04_15(data=legacy.event_type_output(event_type, user))


@router.get(
    "/event-types",
    summary="Get all event types",
    description=(
        "Your event types (with an API key), or a user's visible ones by `username` (no key needed; the user "
        "themself also sees hidden ones), optionally just the one called `eventSlug`. An unknown username "
        "gives an empty list. Without the `cal-api-version` header the answer is the legacy "
        "`{eventTypeGroups: [...]}` object."
    ),
    operation_id="EventTypesController_2024_06_14_getEventTypes",
    response_model=ListAnswer,
)
async def get_event_types(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    version: Version,
    username: Annotated[str | None, Query(max_length=255, description="The user whose event types to list.")] = None,
    eventSlug: Annotated[
        str | None, Query(max_length=255, description="Only the event type with this slug; needs `username`.")
    ] = None,
    usernames: Annotated[
        str | None, Query(max_length=4000, description="Dynamic group event types: not supported here.")
    ] = None,
    orgSlug: Annotated[
        str | None, Query(max_length=255, description="Accepted for compatibility; usernames are global here.")
    ] = None,
    orgId: Annotated[Id | None, Query(description="Accepted for compatibility; usernames are global here.")] = None,
) -> ListAnswer:
    if usernames is not None and username is None:
        raise bad_request(
            "usernames (dynamic group event types) is not supported by this server: "
            "ask for one user's event types with username=<name>."
        )
    if eventSlug is not None and username is None:
        raise bad_request(
            "eventSlug needs the owner's username: send username=<owner> with it "
            "(several users can have an event type with the same slug)."
        )
    owner: User | None
    if username is not None:
        owner, event_types = await service.list_public(session, username, slug=eventSlug, caller=user)
    elif user is not None:
        owner, event_types = user, await service.list_owned(session, user.id)
    elif version.resolved:
        owner, event_types = None, []  # as Cal.com: nothing to list without a key or a username
    else:
        raise unauthorized(
            "No API key provided: send 'Authorization: Bearer cal_...' to list your event types, "
            "or ?username=<name> for someone's public ones."
        )
    if version.resolved:
        return GetEventTypesOutput_2024_06_14(
            data=[event_type_output(event_type, owner) for event_type in event_types if owner is not None]
        )
    booker_url = str(request.base_url).rstrip("/")
    return GetEventTypesOutput_2024_04_15(data=legacy.groups_output(owner, event_types, booker_url=booker_url))


@router.get(
    "/event-types/{eventTypeId}",
    summary="Get an event type",
    description="One of your event types (someone else's is a 404). " + _SHAPES,
    operation_id="EventTypesController_2024_06_14_getEventTypeById",
    response_model=GetAnswer,
)
async def get_event_type(
    eventTypeId: EventTypeId, user: CurrentUser, session: SessionDep, version: Version
) -> GetAnswer:
    event_type = await service.get_owned(session, user, eventTypeId, others=404)
    if version.resolved:
        return GetEventTypeOutput_2024_06_14(data=event_type_output(event_type, user))
    return GetEventTypeOutput_2024_04_15(data=legacy.event_type_output(event_type, user))


@router.patch(
    "/event-types/{eventTypeId}",
    summary="Update an event type",
    description="Changes the fields sent; the others keep their values. Someone else's event type is a 403. " + _SHAPES,
    operation_id="EventTypesController_2024_06_14_updateEventType",
    response_model=UpdateAnswer,
    openapi_extra=documented_body(UpdateEventTypeInput_2024_06_14, description="The fields to change."),
)
async def update_event_type(
    eventTypeId: EventTypeId,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
    version: Version,
    raw: RawBody,
) -> UpdateAnswer:
    if version.resolved:
        changes = _strict(UpdateEventTypeInput_2024_06_14, {} if raw is None else raw)
    else:
        changes = legacy.parse_update(raw)
    async with _writing(session, database) as writer:
        event_type = await service.update_event_type(writer, user, eventTypeId, changes)
    if version.resolved:
        return UpdateEventTypeOutput_2024_06_14(data=event_type_output(event_type, user))
    return GetEventTypeOutput_2024_04_15(data=legacy.event_type_output(event_type, user))


@router.delete(
    "/event-types/{eventTypeId}",
    summary="Delete an event type",
    description="Someone else's event type is a 403. Answers `{id, lengthInMinutes, slug, title}` "
    "(plus `length` without the `cal-api-version` header).",
    operation_id="EventTypesController_2024_06_14_deleteEventType",
    response_model=DeleteAnswer,
)
async def delete_event_type(
    eventTypeId: EventTypeId, user: CurrentUser, session: SessionDep, database: DatabaseDep, version: Version
) -> DeleteAnswer:
    async with _writing(session, database) as writer:
        event_type = await service.delete_event_type(writer, user, eventTypeId)
    if version.resolved:
        return DeleteEventTypeOutput_2024_06_14(
            data=DeleteData_2024_06_14(
                id=event_type.id, lengthInMinutes=event_type.length, title=event_type.title, slug=event_type.slug
            )
        )
    return DeleteEventTypeOutput_2024_04_15(data=legacy.delete_output(event_type))


@router.get(
    "/event-types/{username}/public",
    summary="Get a user's public event types (legacy)",
    description="The 2024-04-15 route: the user's visible event types, no API key needed. "
    "Same as `GET /v2/event-types?username=`.",
    operation_id="EventTypesController_2024_04_15_getPublicEventTypes",
    deprecated=True,
    response_model=GetPublicEventTypesOutput_2024_04_15,
)
async def get_public_event_types(
    username: Annotated[str, Path(max_length=255)], session: SessionDep
) -> GetPublicEventTypesOutput_2024_04_15:
    _, event_types = await service.list_public(session, username, slug=None, caller=None)
    return GetPublicEventTypesOutput_2024_04_15(data=[legacy.item_output(event_type) for event_type in event_types])


@router.get(
    "/event-types/{username}/{eventSlug}/public",
    summary="Get a user's public event type (legacy)",
    description="The 2024-04-15 route: one visible event type by username and slug, no API key needed.",
    operation_id="EventTypesController_2024_04_15_getPublicEventType",
    deprecated=True,
    response_model=GetPublicEventTypeOutput_2024_04_15,
)
async def get_public_event_type(
    username: Annotated[str, Path(max_length=255)],
    eventSlug: Annotated[str, Path(max_length=255)],
    session: SessionDep,
) -> GetPublicEventTypeOutput_2024_04_15:
    _, event_types = await service.list_public(session, username, slug=eventSlug, caller=None)
    if not event_types:
        raise not_found(f"Event Type '{eventSlug}' of user '{username}' not found")
    return GetPublicEventTypeOutput_2024_04_15(data=legacy.item_output(event_types[0]))
