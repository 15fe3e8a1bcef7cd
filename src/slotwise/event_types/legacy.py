"""What callers without ``cal-api-version: 2024-06-14`` send and read (Cal.com's 2024-04-15 shapes).

Bodies: the legacy ``{title, slug, length, ...}`` (Cal.com's internal location objects such as
``{"type": "integrations:daily"}``, ``requiresConfirmation``, ``eventName``, ``seatsPerTimeSlot``) and
the seed agent skill's ``{title, slug, lengthInMinutes, locations}`` are both translated to the
2024-06-14 input before validation; errors name the fields as the caller sent them.

Answers: one event type is the 2024-06-14 object plus the legacy names (``length``, ``userId``,
``requiresConfirmation``, ...), so readers of either shape find what they look for. The list is
``{"eventTypeGroups": [{"profile", "eventTypes": [...]}]}`` as legacy clients expect (a list there
crashes them); its items use the legacy vocabulary, locations included.
"""

from typing import Any, Literal

from pydantic import Field

from slotwise.event_types.body import validate_body
from slotwise.event_types.locations import from_internal, to_internal
from slotwise.event_types.models import EventType
from slotwise.event_types.output import event_type_fields
from slotwise.event_types.schemas import (
    CreateEventTypeInput_2024_06_14,
    EventTypeOutput_2024_06_14,
    UpdateEventTypeInput_2024_06_14,
)
from slotwise.http.errors import bad_request
from slotwise.http.model import ApiModel
from slotwise.users.models import User

# legacy name -> 2024-06-14 name (for error messages, the other way round)
_RENAMES = {"length": "lengthInMinutes", "eventName": "customName"}


def _translate(raw: Any, *, creating: bool) -> tuple[Any, dict[str, str]]:
    """A legacy (or seed) body as the 2024-06-14 body, and current name -> the name the caller used."""
    if not isinstance(raw, dict):
        return raw, {}
    body = dict(raw)
    renamed: dict[str, str] = {}
    for old, new in _RENAMES.items():
        if old not in body:
            continue
        value = body.pop(old)
        if new in body:
            if body[new] != value:
                raise bad_request(
                    f"Send either {old} or {new}, not both with different values ({old}={value!r}, {new}={body[new]!r}).",
                    errors=[{"property": old}, {"property": new}],
                )
            continue
        body[new] = value
        renamed[new] = old
    if creating and "lengthInMinutes" not in body:
        raise bad_request(
            "Invalid request: body field 'lengthInMinutes' is required: the event's length in minutes "
            "(older clients call it 'length'; either name works without a cal-api-version header).",
            errors=[{"location": "body", "property": "lengthInMinutes", "message": "Field required"}],
        )
    if isinstance(body.get("locations"), list):
        body["locations"] = [from_internal(item) for item in body["locations"]]
    if "requiresConfirmation" in body and "confirmationPolicy" not in body:
        wanted = body.pop("requiresConfirmation")
        if wanted is True:
            body["confirmationPolicy"] = {"type": "always", "blockUnconfirmedBookingsInBooker": False}
        elif wanted is False:
            body["confirmationPolicy"] = {"disabled": True}
        else:
            body["confirmationPolicy"] = wanted  # let validation say what is wrong
        renamed["confirmationPolicy"] = "requiresConfirmation"
    if "seatsPerTimeSlot" in body and "seats" not in body:
        seats = body.pop("seatsPerTimeSlot")
        body["seats"] = (
            {"disabled": True}
            if seats is None
            else {
                "seatsPerTimeSlot": seats,
                "showAttendeeInfo": body.pop("seatsShowAttendees", False),
                "showAvailabilityCount": body.pop("seatsShowAvailabilityCount", True),
            }
        )
        renamed["seats"] = "seatsPerTimeSlot"
    return body, renamed


def parse_create(raw: Any) -> CreateEventTypeInput_2024_06_14:
    if raw is None or not isinstance(raw, dict):
        return validate_body(CreateEventTypeInput_2024_06_14, raw)
    body, renamed = _translate(raw, creating=True)
    return validate_body(CreateEventTypeInput_2024_06_14, body, renamed=renamed)


def parse_update(raw: Any) -> UpdateEventTypeInput_2024_06_14:
    body, renamed = _translate({} if raw is None else raw, creating=False)
    return validate_body(UpdateEventTypeInput_2024_06_14, body, renamed=renamed)


# ---------------------------------------------------------------------------------------------
# Outputs


def _period_fields(event_type: EventType) -> dict[str, Any]:
    window = event_type.booking_window or {}
    kind = window.get("type")
    if kind == "range":
        start, end = window["value"]
        return {"periodType": "RANGE", "periodStartDate": start, "periodEndDate": end}
    if kind in ("businessDays", "calendarDays"):
        return {
            "periodType": "ROLLING_WINDOW" if window.get("rolling") else "ROLLING",
            "periodDays": window["value"],
            "periodCountCalendarDays": kind == "calendarDays",
        }
    return {"periodType": "UNLIMITED"}


def _legacy_names(event_type: EventType) -> dict[str, Any]:
    return {
        "length": event_type.length,
        "userId": event_type.owner_id,
        "teamId": None,
        "requiresConfirmation": event_type.confirmation_policy is not None,
        "eventName": (event_type.settings or {}).get("customName"),
        "seatsPerTimeSlot": event_type.seats_per_time_slot,
        "seatsShowAttendees": event_type.seats_show_attendees,
        "seatsShowAvailabilityCount": event_type.seats_show_availability_count,
        "schedulingType": None,
        "position": 0,
        **_period_fields(event_type),
    }


class EventTypeOutput_2024_04_15(EventTypeOutput_2024_06_14):
    """The 2024-06-14 object plus the names legacy readers look for."""

    length: int
    userId: int
    teamId: int | None = None
    requiresConfirmation: bool
    eventName: str | None
    seatsPerTimeSlot: int | None
    seatsShowAttendees: bool
    seatsShowAvailabilityCount: bool
    schedulingType: str | None = None
    position: int = 0
    periodType: Literal["UNLIMITED", "ROLLING", "ROLLING_WINDOW", "RANGE"]
    periodDays: int | None = None
    periodCountCalendarDays: bool | None = None
    periodStartDate: str | None = None
    periodEndDate: str | None = None


class LegacyEventTypeItem(ApiModel):
    """An event type as the 2024-04-15 lists show it (``lengthInMinutes`` added for newer readers)."""

    id: int
    title: str
    slug: str
    length: int
    lengthInMinutes: int
    hidden: bool
    locations: list[dict[str, Any]]
    requiresConfirmation: bool
    description: str | None
    userId: int
    teamId: int | None = None
    position: int = 0
    eventName: str | None
    slotInterval: int | None
    minimumBookingNotice: int
    beforeEventBuffer: int
    afterEventBuffer: int
    seatsPerTimeSlot: int | None
    schedulingType: str | None = None
    price: int = 0
    currency: str = "usd"
    metadata: dict[str, Any]
    periodType: str
    periodDays: int | None = None
    periodCountCalendarDays: bool | None = None
    periodStartDate: str | None = None
    periodEndDate: str | None = None


class LegacyProfile(ApiModel):
    slug: str
    name: str
    image: str | None = None


class LegacyGroupMetadata(ApiModel):
    membershipCount: int = 1
    readOnly: bool = False


class LegacyEventTypeGroup(ApiModel):
    teamId: int | None = None
    bookerUrl: str
    membershipRole: str | None = None
    profile: LegacyProfile
    metadata: LegacyGroupMetadata = Field(default_factory=LegacyGroupMetadata)
    eventTypes: list[LegacyEventTypeItem]


class LegacyProfileSummary(ApiModel):
    slug: str
    name: str
    image: str | None = None
    teamId: int | None = None
    membershipRole: str | None = None
    membershipCount: int = 1
    readOnly: bool = False


class LegacyEventTypeGroups(ApiModel):
    eventTypeGroups: list[LegacyEventTypeGroup]
    profiles: list[LegacyProfileSummary]


class GetEventTypesOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: LegacyEventTypeGroups


class GetEventTypeOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: EventTypeOutput_2024_04_15


class GetPublicEventTypesOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: list[LegacyEventTypeItem]


class GetPublicEventTypeOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: LegacyEventTypeItem


class DeleteData_2024_04_15(ApiModel):
    id: int
    length: int
    lengthInMinutes: int
    title: str
    slug: str


class DeleteEventTypeOutput_2024_04_15(ApiModel):
    status: Literal["success"] = "success"
    data: DeleteData_2024_04_15


def event_type_output(event_type: EventType, owner: User) -> EventTypeOutput_2024_04_15:
    return EventTypeOutput_2024_04_15(**event_type_fields(event_type, owner), **_legacy_names(event_type))


def item_output(event_type: EventType) -> LegacyEventTypeItem:
    return LegacyEventTypeItem(
        id=event_type.id,
        title=event_type.title,
        slug=event_type.slug,
        length=event_type.length,
        lengthInMinutes=event_type.length,
        hidden=event_type.hidden,
        locations=[to_internal(location) for location in event_type.locations or []],
        requiresConfirmation=event_type.confirmation_policy is not None,
        description=event_type.description,
        userId=event_type.owner_id,
        eventName=(event_type.settings or {}).get("customName"),
        slotInterval=event_type.slot_interval,
        minimumBookingNotice=event_type.minimum_booking_notice,
        beforeEventBuffer=event_type.before_event_buffer,
        afterEventBuffer=event_type.after_event_buffer,
        seatsPerTimeSlot=event_type.seats_per_time_slot,
        metadata=dict(event_type.event_metadata or {}),
        **_period_fields(event_type),
    )


def groups_output(owner: User | None, event_types: list[EventType], *, booker_url: str) -> LegacyEventTypeGroups:
    """``{eventTypeGroups: [...], profiles: [...]}``: one personal group (none for an unknown user)."""
    if owner is None:
        return LegacyEventTypeGroups(eventTypeGroups=[], profiles=[])
    profile = LegacyProfile(slug=owner.username, name=owner.name or owner.username, image=owner.avatar_url)
    group = LegacyEventTypeGroup(
        bookerUrl=booker_url, profile=profile, eventTypes=[item_output(event_type) for event_type in event_types]
    )
    summary = LegacyProfileSummary(slug=profile.slug, name=profile.name, image=profile.image)
    return LegacyEventTypeGroups(eventTypeGroups=[group], profiles=[summary])


def delete_output(event_type: EventType) -> DeleteData_2024_04_15:
    return DeleteData_2024_04_15(
        id=event_type.id,
        length=event_type.length,
        lengthInMinutes=event_type.length,
        title=event_type.title,
        slug=event_type.slug,
    )
