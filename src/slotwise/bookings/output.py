"""Bookings as the 2024-08-13 API answers them (``BookingOutput_2024_08_13`` and its seated and
recurring variants).

Which variant: a seated event type's booking lists ``SeatedAttendee`` objects and no top-level
``bookingFieldsResponses`` (each seat has its own); ``seatUid`` is added when a seat was just created
or moved; ``recurringBookingUid`` is added for an occurrence of a recurring series. Seated attendees
are visible to the host, or to everyone when the event type shows attendees; otherwise an anonymous
caller sees only the seat they just took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from slotwise.bookings.models import Attendee, Booking
from slotwise.bookings.schemas import (
    BookingAttendee,
    BookingOutput_2024_08_13,
    CreateRecurringSeatedBookingOutput_2024_08_13,
    CreateSeatedBookingOutput_2024_08_13,
    GetRecurringSeatedBookingOutput_2024_08_13,
    GetSeatedBookingOutput_2024_08_13,
    RecurringBookingOutput_2024_08_13,
    SeatedAttendee,
)
from slotwise.event_types.models import EventType as EventTypeRow
from slotwise.slots.times import format_instant
from slotwise.users.models import User


def instant(moment: datetime) -> str:
    """``2050-09-05T09:00:00.000Z``."""
    return format_instant(moment)


@dataclass(frozen=True)
class View:
    """Who looks at a booking and what they just did."""

    host: User
    event_type: EventTypeRow | None
    caller_is_host: bool = False
    seat_uid: str | None = None  # the seat this request created or moved

    @property
    def seated(self) -> bool:
        return self.event_type is not None and self.event_type.seats_per_time_slot is not None

    def shows_seat(self, attendee: Attendee) -> bool:
        if self.caller_is_host or (self.event_type is not None and self.event_type.seats_show_attendees):
            return True
        return self.seat_uid is not None and attendee.seat_uid == self.seat_uid


def _omittable(*models: type[BaseModel]) -> frozenset[str]:
    """The models' optional fields that are left out of the JSON when they have no value."""
    return frozenset(
        name for model in models for name, info in model.model_fields.items() if info.exclude_if is not None
    )


# The output models stay the spec (OpenAPI, tests); answers are built as plain dicts in the models'
# field order and leave out the same fields, which costs a fraction of building and dumping the models
# (a test checks the two agree byte for byte).
_BOOKING_OMITTABLE = _omittable(
    BookingOutput_2024_08_13,
    RecurringBookingOutput_2024_08_13,
    GetSeatedBookingOutput_2024_08_13,
    GetRecurringSeatedBookingOutput_2024_08_13,
    CreateSeatedBookingOutput_2024_08_13,
    CreateRecurringSeatedBookingOutput_2024_08_13,
)
_ATTENDEE_OMITTABLE = _omittable(BookingAttendee, SeatedAttendee)


def _compact(values: dict[str, Any], omittable: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None or key not in omittable}


def host_output(user: User) -> dict[str, Any]:
    """``BookingHost``."""
    return {
        "id": user.id,
        "name": user.name or user.username,
        "email": user.email,
        "username": user.username,
        "timeZone": user.time_zone,
    }


def attendee_output(attendee: Attendee) -> dict[str, Any]:
    """``BookingAttendee``, with every field (``None`` where it has no value)."""
    return {
        "name": attendee.name,
        "email": attendee.email,
        "timeZone": attendee.time_zone,
        "language": attendee.language,
        "absent": attendee.absent,
        "phoneNumber": attendee.phone_number,
    }


def seated_attendee_output(attendee: Attendee) -> dict[str, Any]:
    """``SeatedAttendee``, with every field (``None`` where it has no value)."""
    return {
        **attendee_output(attendee),
        "seatUid": attendee.seat_uid or "",
        "bookingFieldsResponses": dict(attendee.responses or {}),
        "metadata": dict(attendee.attendee_metadata or {}),
    }


def duration_minutes(booking: Booking) -> int:
    return round((booking.end_time - booking.start_time).total_seconds() / 60)


def common_fields(booking: Booking, view: View) -> dict[str, Any]:
    """The fields every booking shape has, in ``_BookingCore``'s order (``None`` where there is no value)."""
    cancelled = booking.status == "cancelled"
    event_type = view.event_type
    return {
        "id": booking.id,
        "uid": booking.uid,
        "title": booking.title,
        "description": booking.description or "",
        "hosts": [host_output(view.host)],
        "status": booking.status,
        "cancellationReason": booking.cancellation_reason if cancelled else None,
        "cancelledByEmail": booking.cancelled_by_email if cancelled else None,
        "reschedulingReason": booking.rescheduling_reason,
        "rescheduledByEmail": booking.rescheduled_by_email,
        "rescheduledFromUid": booking.rescheduled_from_uid,
        "rescheduledToUid": booking.rescheduled_to_uid,
        "start": instant(booking.start_time),
        "end": instant(booking.end_time),
        "duration": duration_minutes(booking),
        "eventTypeId": booking.event_type_id or 0,
        "eventType": {"id": booking.event_type_id or 0, "slug": event_type.slug if event_type else ""},
        "meetingUrl": booking.meeting_url,
        "location": booking.location or "",
        "absentHost": booking.absent_host,
        "createdAt": instant(booking.created_at),
        "updatedAt": instant(booking.updated_at),
        "metadata": dict(booking.booking_metadata or {}),
        "rating": booking.rating,
        "icsUid": booking.ics_uid,
    }


def booking_output(booking: Booking, view: View) -> dict[str, Any]:
    """The booking as JSON-ready data of the variant that fits (see the module), as
    :data:`slotwise.bookings.schemas.AnyBooking` would serialise it."""
    fields = common_fields(booking, view)
    recurring = booking.recurring_booking_uid
    if view.seated:
        # GetSeated..., plus seatUid (CreateSeated...), plus recurringBookingUid (...Recurring...)
        fields["attendees"] = [
            _compact(seated_attendee_output(a), _ATTENDEE_OMITTABLE) for a in booking.attendees if view.shows_seat(a)
        ]
        if view.seat_uid is not None:
            fields["seatUid"] = view.seat_uid
    else:
        # BookingOutput_2024_08_13, plus recurringBookingUid (RecurringBookingOutput_2024_08_13)
        fields["attendees"] = [_compact(attendee_output(a), _ATTENDEE_OMITTABLE) for a in booking.attendees]
        fields["guests"] = list(booking.guests or [])
        fields["bookingFieldsResponses"] = dict(booking.responses or {})
    if recurring:
        fields["recurringBookingUid"] = recurring
    return _compact(fields, _BOOKING_OMITTABLE)
