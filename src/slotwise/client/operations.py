"""Every API call the client makes, defined once.

Each function validates its arguments, builds an :class:`Operation` (method, path, query, body,
``cal-api-version``) and says how to parse the answer. :class:`~slotwise.client.Client` and
:class:`~slotwise.client.AsyncClient` expose each of these as a method of the same name and signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from slotwise.client._core import NO_BODY, Operation, data_of, iso_instant, path
from slotwise.client.config import BOOKINGS_VERSION, EVENT_TYPES_VERSION, SCHEDULES_VERSION, SLOTS_VERSION
from slotwise.client.models import (
    AbsentAttendee,
    Attendee,
    Availability,
    Booking,
    BookingPage,
    BookingStatus,
    DeletedEventType,
    EventType,
    Me,
    Override,
    Pagination,
    Reservation,
    Schedule,
    Slots,
    Webhook,
    WebhookDelivery,
)

M = TypeVar("M", bound=BaseModel)
Instant = datetime | str
DateOrInstant = date | datetime | str
MAX_TAKE = 250


# --- parsing helpers ----------------------------------------------------------------------------


def _one(model: type[M]) -> Callable[[Any], M]:
    def parse(body: Any) -> M:
        return model.model_validate(data_of(body))

    return parse


def _optional(model: type[M]) -> Callable[[Any], M | None]:
    def parse(body: Any) -> M | None:
        data = data_of(body)
        return None if data is None else model.model_validate(data)

    return parse


def _many(model: type[M], *, key: str | None = None) -> Callable[[Any], list[M]]:
    def parse(body: Any) -> list[M]:
        data = data_of(body)
        if key is not None and isinstance(data, dict):
            data = data.get(key, [])
        return [model.model_validate(item) for item in data or []]

    return parse


def _nothing(_body: Any) -> None:
    return None


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    return value


def _body(fields: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Drop unset (None) fields, dump models, then merge ``extra`` wire fields (sent as given)."""
    body = {name: _dump(value) for name, value in fields.items() if value is not None}
    body.update(extra or {})
    return body


def _instant(value: Instant) -> str:
    return iso_instant(value) if isinstance(value, datetime) else value


def _day_or_instant(value: DateOrInstant) -> str:
    if isinstance(value, datetime):
        return iso_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _take(take: int | None) -> int | None:
    if take is not None and not 1 <= take <= MAX_TAKE:
        raise ValueError(f"take must be between 1 and {MAX_TAKE}, got {take}")
    return take


# --- me and API keys ----------------------------------------------------------------------------


def me() -> Operation[Me]:
    """The profile behind the API key (``GET /v2/me``)."""
    return Operation("GET", "/v2/me", _one(Me))


def update_me(**fields: Any) -> Operation[Me]:
    """Update the profile (``PATCH /v2/me``); pass wire names, e.g. ``timeZone="Europe/Rome"``."""
    return Operation("PATCH", "/v2/me", _one(Me), json=fields)


def refresh_api_key(*, days_valid: int | None = None, never_expires: bool | None = None) -> Operation[str]:
    """Swap the API key in use for a new one and return it (the old one stops working)."""

    def parse(body: Any) -> str:
        return str(data_of(body)["apiKey"])

    body = _body({"apiKeyDaysValid": days_valid, "apiKeyNeverExpires": never_expires})
    return Operation("POST", "/v2/api-keys/refresh", parse, json=body)


# --- event types --------------------------------------------------------------------------------


def _event_types(body: Any) -> list[EventType]:
    data = data_of(body)
    if isinstance(data, dict) and "eventTypeGroups" in data:  # legacy shape (e.g. through an old proxy)
        data = [item for group in data["eventTypeGroups"] for item in group.get("eventTypes", [])]
    return [EventType.model_validate(item) for item in data or []]


def list_event_types(*, username: str | None = None, event_slug: str | None = None) -> Operation[list[EventType]]:
    """Event types: yours (on Slotwise, with a key) or ``username``'s, optionally only ``event_slug``.

    On Cal.com an unfiltered list is empty: pass your ``username`` (``client.me().username``).
    """
    params = {"username": username, "eventSlug": event_slug}
    return Operation("GET", "/v2/event-types", _event_types, params=params, version=EVENT_TYPES_VERSION)


def get_event_type(event_type_id: int) -> Operation[EventType]:
    return Operation(
        "GET", path("/v2/event-types/{id}", id=event_type_id), _one(EventType), version=EVENT_TYPES_VERSION
    )


def create_event_type(
    *,
    title: str,
    slug: str,
    length_in_minutes: int,
    description: str | None = None,
    locations: Sequence[Mapping[str, Any]] | None = None,
    schedule_id: int | None = None,
    minimum_booking_notice: int | None = None,
    before_event_buffer: int | None = None,
    after_event_buffer: int | None = None,
    slot_interval: int | None = None,
    hidden: bool | None = None,
    **extra: Any,
) -> Operation[EventType]:
    """Create an event type (``lengthInMinutes`` minutes long). ``extra`` takes any other Cal.com
    field by its wire name (``bookingFields=[...]``, ``seats={...}``, ...)."""
    if length_in_minutes < 1:
        raise ValueError(f"length_in_minutes must be at least 1, got {length_in_minutes}")
    body = _body(
        {
            "title": title,
            "slug": slug,
            "lengthInMinutes": length_in_minutes,
            "description": description,
            "locations": list(locations) if locations is not None else None,
            "scheduleId": schedule_id,
            "minimumBookingNotice": minimum_booking_notice,
            "beforeEventBuffer": before_event_buffer,
            "afterEventBuffer": after_event_buffer,
            "slotInterval": slot_interval,
            "hidden": hidden,
        },
        extra,
    )
    return Operation("POST", "/v2/event-types", _one(EventType), json=body, version=EVENT_TYPES_VERSION)


def update_event_type(event_type_id: int, **fields: Any) -> Operation[EventType]:
    """Change some fields of an event type; pass wire names (``lengthInMinutes=45``, ``hidden=True``)."""
    return Operation(
        "PATCH",
        path("/v2/event-types/{id}", id=event_type_id),
        _one(EventType),
        json=fields,
        version=EVENT_TYPES_VERSION,
    )


def delete_event_type(event_type_id: int) -> Operation[DeletedEventType]:
    return Operation(
        "DELETE",
        path("/v2/event-types/{id}", id=event_type_id),
        _one(DeletedEventType),
        version=EVENT_TYPES_VERSION,
    )


# --- schedules ----------------------------------------------------------------------------------


def list_schedules() -> Operation[list[Schedule]]:
    return Operation("GET", "/v2/schedules", _many(Schedule), version=SCHEDULES_VERSION)


def get_default_schedule() -> Operation[Schedule | None]:
    """The default schedule, or ``None`` when there is none yet."""
    return Operation("GET", "/v2/schedules/default", _optional(Schedule), version=SCHEDULES_VERSION)


def get_schedule(schedule_id: int) -> Operation[Schedule]:
    return Operation("GET", path("/v2/schedules/{id}", id=schedule_id), _one(Schedule), version=SCHEDULES_VERSION)


def create_schedule(
    *,
    name: str,
    time_zone: str,
    is_default: bool = False,
    availability: Sequence[Availability] | None = None,
    overrides: Sequence[Override] | None = None,
) -> Operation[Schedule]:
    """Create a schedule; without ``availability`` the server uses Monday-Friday 09:00-17:00."""
    body = _body(
        {
            "name": name,
            "timeZone": time_zone,
            "isDefault": is_default,
            "availability": list(availability) if availability is not None else None,
            "overrides": list(overrides) if overrides is not None else None,
        }
    )
    return Operation("POST", "/v2/schedules", _one(Schedule), json=body, version=SCHEDULES_VERSION)


def update_schedule(
    schedule_id: int,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    is_default: bool | None = None,
    availability: Sequence[Availability] | None = None,
    overrides: Sequence[Override] | None = None,
) -> Operation[Schedule]:
    """Change a schedule; ``availability=[]`` / ``overrides=[]`` clear them, ``None`` leaves them."""
    body = _body(
        {
            "name": name,
            "timeZone": time_zone,
            "isDefault": is_default,
            "availability": list(availability) if availability is not None else None,
            "overrides": list(overrides) if overrides is not None else None,
        }
    )
    return Operation(
        "PATCH", path("/v2/schedules/{id}", id=schedule_id), _one(Schedule), json=body, version=SCHEDULES_VERSION
    )


def delete_schedule(schedule_id: int) -> Operation[None]:
    return Operation("DELETE", path("/v2/schedules/{id}", id=schedule_id), _nothing, version=SCHEDULES_VERSION)


# --- slots and reservations ---------------------------------------------------------------------


def _slots(body: Any) -> Slots:
    data = data_of(body)
    if isinstance(data, dict) and isinstance(data.get("slots"), dict):  # legacy /v2/slots/available
        data = data["slots"]
    return Slots.model_validate({"days": data or {}})


def get_slots(
    *,
    start: DateOrInstant,
    end: DateOrInstant,
    event_type_id: int | None = None,
    event_type_slug: str | None = None,
    username: str | None = None,
    team_slug: str | None = None,
    organization_slug: str | None = None,
    usernames: Sequence[str] | None = None,
    time_zone: str | None = None,
    duration: int | None = None,
    format: Literal["time", "range"] | None = None,
    booking_uid_to_reschedule: str | None = None,
) -> Operation[Slots]:
    """Bookable start times between ``start`` and ``end`` (a date means the whole day, UTC).

    Name the event type by ``event_type_id``, or ``event_type_slug`` with ``username`` (or ``team_slug``).
    ``time_zone`` groups the days and renders the times in that zone.
    """
    if event_type_id is None and event_type_slug is None and not usernames:
        raise ValueError("name the event type: event_type_id, or event_type_slug with username or team_slug")
    params = {
        "start": _day_or_instant(start),
        "end": _day_or_instant(end),
        "eventTypeId": event_type_id,
        "eventTypeSlug": event_type_slug,
        "username": username,
        "teamSlug": team_slug,
        "organizationSlug": organization_slug,
        "usernames": list(usernames) if usernames else None,
        "timeZone": time_zone,
        "duration": duration,
        "format": format,
        "bookingUidToReschedule": booking_uid_to_reschedule,
    }
    return Operation("GET", "/v2/slots", _slots, params=params, version=SLOTS_VERSION)


def reserve_slot(
    *,
    event_type_id: int,
    slot_start: Instant,
    slot_duration: int | None = None,
    reservation_duration: int | None = None,
    idempotency_key: str | None = None,
) -> Operation[Reservation]:
    """Hold a slot for a few minutes (hidden from others' slot lists) while the booker decides."""
    body = _body(
        {
            "eventTypeId": event_type_id,
            "slotStart": _instant(slot_start),
            "slotDuration": slot_duration,
            "reservationDuration": reservation_duration,
        }
    )
    return Operation(
        "POST",
        "/v2/slots/reservations",
        _one(Reservation),
        json=body,
        version=SLOTS_VERSION,
        idempotency_key=idempotency_key,
    )


def get_reservation(reservation_uid: str) -> Operation[Reservation | None]:
    """A reservation, or ``None`` when it is unknown or has expired."""
    return Operation(
        "GET",
        path("/v2/slots/reservations/{uid}", uid=reservation_uid),
        _optional(Reservation),
        version=SLOTS_VERSION,
    )


def update_reservation(
    reservation_uid: str,
    *,
    event_type_id: int,
    slot_start: Instant,
    slot_duration: int | None = None,
    reservation_duration: int | None = None,
) -> Operation[Reservation]:
    body = _body(
        {
            "eventTypeId": event_type_id,
            "slotStart": _instant(slot_start),
            "slotDuration": slot_duration,
            "reservationDuration": reservation_duration,
        }
    )
    return Operation(
        "PATCH",
        path("/v2/slots/reservations/{uid}", uid=reservation_uid),
        _one(Reservation),
        json=body,
        version=SLOTS_VERSION,
    )


def delete_reservation(reservation_uid: str) -> Operation[None]:
    return Operation(
        "DELETE", path("/v2/slots/reservations/{uid}", uid=reservation_uid), _nothing, version=SLOTS_VERSION
    )


# --- bookings -----------------------------------------------------------------------------------


def _bookings(body: Any) -> list[Booking]:
    data = data_of(body)
    if isinstance(data, dict):
        data = data.get("bookings", [])
    items: list[Booking] = []
    for item in data or []:
        if isinstance(item, list):  # a recurring series rendered as one entry
            items.extend(Booking.model_validate(occurrence) for occurrence in item)
        else:
            items.append(Booking.model_validate(item))
    return items


def _first_booking(body: Any) -> Booking:
    data = data_of(body)
    return Booking.model_validate(data[0] if isinstance(data, list) else data)


def create_booking(
    *,
    start: Instant,
    attendee: Attendee | Mapping[str, Any],
    event_type_id: int | None = None,
    event_type_slug: str | None = None,
    username: str | None = None,
    team_slug: str | None = None,
    organization_slug: str | None = None,
    guests: Sequence[str] | None = None,
    location: str | Mapping[str, Any] | None = None,
    metadata: Mapping[str, str] | None = None,
    length_in_minutes: int | None = None,
    booking_fields_responses: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    **extra: Any,
) -> Operation[Booking]:
    """Book ``start`` (check :func:`get_slots` first) for ``attendee``; returns the booking (keep its ``uid``).

    For a recurring event type Cal.com creates the whole series; this returns the first occurrence
    (its ``recurring_booking_uid`` names the series).
    """
    if event_type_id is None and event_type_slug is None:
        raise ValueError("name the event type: event_type_id, or event_type_slug with username or team_slug")
    person = attendee if isinstance(attendee, Attendee) else Attendee.model_validate(attendee)
    body = _body(
        {
            "start": _instant(start),
            "attendee": person,
            "eventTypeId": event_type_id,
            "eventTypeSlug": event_type_slug,
            "username": username,
            "teamSlug": team_slug,
            "organizationSlug": organization_slug,
            "guests": list(guests) if guests is not None else None,
            "location": dict(location) if isinstance(location, Mapping) else location,
            "metadata": dict(metadata) if metadata is not None else None,
            "lengthInMinutes": length_in_minutes,
            "bookingFieldsResponses": dict(booking_fields_responses) if booking_fields_responses else None,
        },
        extra,
    )
    return Operation(
        "POST", "/v2/bookings", _first_booking, json=body, version=BOOKINGS_VERSION, idempotency_key=idempotency_key
    )


def _page(body: Any) -> BookingPage:
    pagination = body.get("pagination") if isinstance(body, dict) else None
    return BookingPage(items=_bookings(body), pagination=Pagination.model_validate(pagination) if pagination else None)


def list_bookings(
    *,
    status: BookingStatus | Sequence[BookingStatus] | None = None,
    attendee_email: str | None = None,
    attendee_name: str | None = None,
    event_type_id: int | None = None,
    event_type_ids: Sequence[int] | None = None,
    after_start: Instant | None = None,
    before_end: Instant | None = None,
    sort_start: Literal["asc", "desc"] | None = None,
    take: int | None = None,
    skip: int | None = None,
    **filters: Any,
) -> Operation[BookingPage]:
    """One page of your bookings (``take`` up to 250). ``filters`` takes other Cal.com query
    parameters by wire name (``afterCreatedAt=...``, ``sortCreated="desc"``)."""
    if skip is not None and skip < 0:
        raise ValueError(f"skip must be 0 or more, got {skip}")
    params = {
        "status": [status] if isinstance(status, str) else status,
        "attendeeEmail": attendee_email,
        "attendeeName": attendee_name,
        "eventTypeId": event_type_id,
        "eventTypeIds": event_type_ids,
        "afterStart": _instant(after_start) if after_start is not None else None,
        "beforeEnd": _instant(before_end) if before_end is not None else None,
        "sortStart": sort_start,
        "take": _take(take),
        "skip": skip,
        **filters,
    }
    return Operation("GET", "/v2/bookings", _page, params=params, version=BOOKINGS_VERSION)


def get_booking(booking_uid: str) -> Operation[Booking]:
    return Operation("GET", path("/v2/bookings/{uid}", uid=booking_uid), _first_booking, version=BOOKINGS_VERSION)


def cancel_booking(
    booking_uid: str,
    *,
    reason: str | None = None,
    cancel_subsequent_bookings: bool | None = None,
    seat_uid: str | None = None,
    idempotency_key: str | None = None,
) -> Operation[Booking]:
    body = _body(
        {
            "cancellationReason": reason,
            "cancelSubsequentBookings": cancel_subsequent_bookings,
            "seatUid": seat_uid,
        }
    )
    return Operation(
        "POST",
        path("/v2/bookings/{uid}/cancel", uid=booking_uid),
        _first_booking,
        json=body,
        version=BOOKINGS_VERSION,
        idempotency_key=idempotency_key,
    )


def reschedule_booking(
    booking_uid: str,
    *,
    start: Instant,
    reason: str | None = None,
    rescheduled_by: str | None = None,
    seat_uid: str | None = None,
    idempotency_key: str | None = None,
) -> Operation[Booking]:
    """Move a booking to ``start``. Cal.com answers with the *new* booking (a new ``uid``; the old one
    is cancelled and points at it through ``rescheduled_to_uid``)."""
    body = _body(
        {
            "start": _instant(start),
            "reschedulingReason": reason,
            "rescheduledBy": rescheduled_by,
            "seatUid": seat_uid,
        }
    )
    return Operation(
        "POST",
        path("/v2/bookings/{uid}/reschedule", uid=booking_uid),
        _first_booking,
        json=body,
        version=BOOKINGS_VERSION,
        idempotency_key=idempotency_key,
    )


def confirm_booking(booking_uid: str) -> Operation[Booking]:
    """Accept a booking that waits for confirmation."""
    return Operation(
        "POST",
        path("/v2/bookings/{uid}/confirm", uid=booking_uid),
        _first_booking,
        json=NO_BODY,
        version=BOOKINGS_VERSION,
    )


def decline_booking(booking_uid: str, *, reason: str | None = None) -> Operation[Booking]:
    """Reject a booking that waits for confirmation."""
    return Operation(
        "POST",
        path("/v2/bookings/{uid}/decline", uid=booking_uid),
        _first_booking,
        json=_body({"reason": reason}),
        version=BOOKINGS_VERSION,
    )


def mark_absent(
    booking_uid: str,
    *,
    host: bool | None = None,
    attendees: Sequence[AbsentAttendee | Mapping[str, Any]] | None = None,
) -> Operation[Booking]:
    """Record no-shows after the start: the host (``host=True``) and/or attendees by email."""
    people = (
        [a if isinstance(a, AbsentAttendee) else AbsentAttendee.model_validate(a) for a in attendees]
        if attendees is not None
        else None
    )
    return Operation(
        "POST",
        path("/v2/bookings/{uid}/mark-absent", uid=booking_uid),
        _first_booking,
        json=_body({"host": host, "attendees": people}),
        version=BOOKINGS_VERSION,
    )


# --- webhooks -----------------------------------------------------------------------------------


def list_webhooks(*, take: int | None = None, skip: int | None = None) -> Operation[list[Webhook]]:
    return Operation("GET", "/v2/webhooks", _many(Webhook), params={"take": _take(take), "skip": skip})


def get_webhook(webhook_id: int | str) -> Operation[Webhook]:
    return Operation("GET", path("/v2/webhooks/{id}", id=webhook_id), _one(Webhook))


def create_webhook(
    *,
    subscriber_url: str,
    triggers: Sequence[str],
    active: bool = True,
    payload_template: str | None = None,
    secret: str | None = None,
) -> Operation[Webhook]:
    """Subscribe ``subscriber_url`` to ``triggers`` (``BOOKING_CREATED``, ``BOOKING_CANCELLED``, ...).
    Give a ``secret`` and check deliveries with :func:`slotwise.client.webhooks.verify`."""
    if isinstance(triggers, str):
        triggers = [triggers]
    body = _body(
        {
            "subscriberUrl": subscriber_url,
            "triggers": list(triggers),
            "active": active,
            "payloadTemplate": payload_template,
            "secret": secret,
        }
    )
    return Operation("POST", "/v2/webhooks", _one(Webhook), json=body)


def update_webhook(
    webhook_id: int | str,
    *,
    subscriber_url: str | None = None,
    triggers: Sequence[str] | None = None,
    active: bool | None = None,
    payload_template: str | None = None,
    secret: str | None = None,
) -> Operation[Webhook]:
    if isinstance(triggers, str):
        triggers = [triggers]
    body = _body(
        {
            "subscriberUrl": subscriber_url,
            "triggers": list(triggers) if triggers is not None else None,
            "active": active,
            "payloadTemplate": payload_template,
            "secret": secret,
        }
    )
    return Operation("PATCH", path("/v2/webhooks/{id}", id=webhook_id), _one(Webhook), json=body)


def delete_webhook(webhook_id: int | str) -> Operation[Webhook]:
    """Delete a webhook; returns what was deleted."""
    return Operation("DELETE", path("/v2/webhooks/{id}", id=webhook_id), _one(Webhook))


def list_webhook_deliveries(
    webhook_id: int | str, *, status: str | None = None, take: int | None = None, skip: int | None = None
) -> Operation[list[WebhookDelivery]]:
    """The delivery log of a webhook, newest first, optionally only ``status`` (``pending``,
    ``delivered``, ``failed``, ``dropped``). Slotwise only: Cal.com has no delivery log."""
    return Operation(
        "GET",
        path("/v2/webhooks/{id}/deliveries", id=webhook_id),
        _many(WebhookDelivery),
        params={"status": status, "take": _take(take), "skip": skip},
    )


def get_webhook_delivery(webhook_id: int | str, delivery_id: str) -> Operation[WebhookDelivery]:
    """One delivery with its attempts and the event body it carries (Slotwise only)."""
    return Operation(
        "GET",
        path("/v2/webhooks/{id}/deliveries/{delivery}", id=webhook_id, delivery=delivery_id),
        _one(WebhookDelivery),
    )


def redeliver_webhook_delivery(webhook_id: int | str, delivery_id: str) -> Operation[WebhookDelivery]:
    """Send a delivery again, with the same ``webhook-id`` so receivers can dedupe (Slotwise only)."""
    return Operation(
        "POST",
        path("/v2/webhooks/{id}/deliveries/{delivery}/redeliver", id=webhook_id, delivery=delivery_id),
        _one(WebhookDelivery),
        json=NO_BODY,
    )


def ping_webhook(webhook_id: int | str) -> Operation[WebhookDelivery]:
    """Send a test ``PING`` event to the webhook now and return the attempt's result (Slotwise only)."""
    return Operation("POST", path("/v2/webhooks/{id}/ping", id=webhook_id), _one(WebhookDelivery), json=NO_BODY)
