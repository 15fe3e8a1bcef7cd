"""Typed models for what goes in and comes out of the Cal.com API v2.

Attributes are snake_case; on the wire they are Cal.com's camelCase (``event_type_id`` <->
``eventTypeId``). Either spelling is accepted when building a model. Every model keeps fields it does
not know (``extra="allow"``): Cal.com adds fields over time and they must not be lost or rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

WeekDay = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS: tuple[WeekDay, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BookingStatus = Literal["upcoming", "recurring", "past", "cancelled", "unconfirmed"]


class CalModel(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body Cal.com expects: camelCase keys, no unset (None) fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# --- me -----------------------------------------------------------------------------------------


class Me(CalModel):
    id: int
    email: str
    username: str | None = None
    name: str | None = None
    time_zone: str | None = None
    time_format: int | None = None
    week_start: str | None = None
    default_schedule_id: int | None = None
    organization_id: int | None = None


# --- event types --------------------------------------------------------------------------------


class EventType(CalModel):
    id: int
    title: str
    slug: str
    length_in_minutes: int | None = None
    length_in_minutes_options: list[int] | None = None
    description: str | None = None
    hidden: bool | None = None
    owner_id: int | None = None
    schedule_id: int | None = None
    slot_interval: int | None = None
    minimum_booking_notice: int | None = None
    before_event_buffer: int | None = None
    after_event_buffer: int | None = None
    locations: list[dict[str, Any]] = Field(default_factory=list)
    booking_fields: list[dict[str, Any]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _legacy_length(cls, value: Any) -> Any:
        # the legacy (2024-04-15) shape, as a proxy without a version header returns, says ``length``
        if isinstance(value, dict) and value.get("lengthInMinutes") is None and value.get("length") is not None:
            value = {**value, "lengthInMinutes": value["length"]}
        return value


class DeletedEventType(CalModel):
    id: int
    title: str | None = None
    slug: str | None = None
    length_in_minutes: int | None = None


# --- schedules ----------------------------------------------------------------------------------


class Availability(CalModel):
    """Weekly working hours: ``Availability(days=["Monday", "Tuesday"], start_time="09:00", end_time="17:00")``."""

    days: list[WeekDay]
    start_time: str
    end_time: str


class Override(CalModel):
    """A date's own hours, replacing the weekly ones: ``Override(date="2026-12-24", start_time="09:00", end_time="12:00")``."""

    date: str
    start_time: str
    end_time: str


class Schedule(CalModel):
    id: int
    name: str
    time_zone: str
    owner_id: int | None = None
    is_default: bool = False
    availability: list[Availability] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)


# --- slots and reservations ---------------------------------------------------------------------


class Slot(CalModel):
    start: datetime
    end: datetime | None = None
    seats_booked: int | None = None
    seats_remaining: int | None = None
    seats_total: int | None = None
    booking_uid: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _tolerant(cls, value: Any) -> Any:
        if isinstance(value, str):  # the spec's "array of strings" rendering
            return {"start": value}
        if isinstance(value, dict) and "start" not in value:
            # legacy /v2/slots/available: {"time": ...} or {"startTime", "endTime"}
            if "time" in value:
                return {**value, "start": value["time"]}
            if "startTime" in value:
                return {**value, "start": value["startTime"], "end": value.get("endTime")}
        return value


class Slots(CalModel):
    """Available slots grouped by day (``YYYY-MM-DD`` in the requested time zone), days in order."""

    days: dict[str, list[Slot]] = Field(default_factory=dict)

    def __iter__(self) -> Iterator[Slot]:  # type: ignore[override]
        for day in sorted(self.days):
            yield from self.days[day]

    def __len__(self) -> int:
        return sum(len(slots) for slots in self.days.values())

    def first(self) -> Slot | None:
        return next(iter(self), None)


class Reservation(CalModel):
    reservation_uid: str
    event_type_id: int
    slot_start: datetime
    slot_end: datetime | None = None
    slot_duration: int | None = None
    reservation_duration: int | None = None
    reservation_until: datetime | None = None


# --- bookings -----------------------------------------------------------------------------------


class Attendee(CalModel):
    """Who books: ``Attendee(name="Ada", email="ada@example.com", time_zone="Europe/London")``."""

    name: str
    time_zone: str
    email: str | None = None
    phone_number: str | None = None
    language: str | None = None


class BookingHost(CalModel):
    id: int | None = None
    name: str | None = None
    email: str | None = None
    username: str | None = None
    time_zone: str | None = None


class BookingAttendee(CalModel):
    name: str | None = None
    email: str | None = None
    time_zone: str | None = None
    language: str | None = None
    absent: bool | None = None
    phone_number: str | None = None


class EventTypeRef(CalModel):
    id: int | None = None
    slug: str | None = None


class Booking(CalModel):
    id: int
    uid: str
    status: str
    start: datetime
    end: datetime
    title: str | None = None
    description: str | None = None
    duration: int | None = None
    event_type_id: int | None = None
    event_type: EventTypeRef | None = None
    hosts: list[BookingHost] = Field(default_factory=list)
    attendees: list[BookingAttendee] = Field(default_factory=list)
    guests: list[str] | None = None
    location: str | None = None
    meeting_url: str | None = None
    absent_host: bool | None = None
    metadata: dict[str, Any] | None = None
    booking_fields_responses: dict[str, Any] | None = None
    cancellation_reason: str | None = None
    cancelled_by_email: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by_email: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    recurring_booking_uid: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_times(cls, value: Any) -> Any:
        # the legacy (no version header) rendering says startTime/endTime and upper-case statuses
        if isinstance(value, dict) and "start" not in value and "startTime" in value:
            value = {**value, "start": value["startTime"], "end": value.get("endTime")}
        if isinstance(value, dict) and isinstance(value.get("status"), str):
            value = {**value, "status": value["status"].lower()}
        return value


class Pagination(CalModel):
    total_items: int | None = None
    remaining_items: int | None = None
    returned_items: int | None = None
    items_per_page: int | None = None
    current_page: int | None = None
    total_pages: int | None = None
    has_next_page: bool = False
    has_previous_page: bool = False


class BookingPage(CalModel):
    """One page of ``GET /v2/bookings``; iterate it, or use ``iter_bookings`` for every page."""

    items: list[Booking] = Field(default_factory=list)
    pagination: Pagination | None = None

    def __iter__(self) -> Iterator[Booking]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class AbsentAttendee(CalModel):
    email: str
    absent: bool


# --- webhooks -----------------------------------------------------------------------------------


class Webhook(CalModel):
    id: int | str
    subscriber_url: str
    triggers: list[str] = Field(default_factory=list)
    active: bool = True
    payload_template: str | None = None
    secret: str | None = None
    signing_secret: str | None = None
    user_id: int | None = None
    event_type_id: int | None = None


class WebhookAttempt(CalModel):
    attempted_at: datetime | None = None
    status_code: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    response_excerpt: str | None = None


class WebhookDelivery(CalModel):
    """One event sent (or being sent) to a webhook, with every attempt (a Slotwise extension).

    ``id`` is the ``webhook-id`` header the receiver saw, stable across retries and redeliveries.
    """

    id: str
    trigger_event: str | None = None
    status: str | None = None
    webhook_id: int | str | None = None
    booking_uid: str | None = None
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    attempts: list[WebhookAttempt] = Field(default_factory=list)
    body: dict[str, Any] | None = None
