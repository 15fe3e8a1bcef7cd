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

from slotwise.bookings.models import Attendee, Booking
from slotwise.bookings.schemas import (
    AnyBooking,
    BookingAttendee,
    BookingHost,
    BookingOutput_2024_08_13,
    CreateRecurringSeatedBookingOutput_2024_08_13,
    CreateSeatedBookingOutput_2024_08_13,
    EventType,
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


def host_output(user: User) -> BookingHost:
    return BookingHost(
        id=user.id, name=user.name or user.username, email=user.email, username=user.username, timeZone=user.time_zone
    )


def attendee_output(attendee: Attendee) -> BookingAttendee:
    return BookingAttendee(
        name=attendee.name,
        email=attendee.email,
        timeZone=attendee.time_zone,
        language=attendee.language,
        absent=attendee.absent,
        phoneNumber=attendee.phone_number,
    )


def seated_attendee_output(attendee: Attendee) -> SeatedAttendee:
    return SeatedAttendee(
        name=attendee.name,
        email=attendee.email,
        timeZone=attendee.time_zone,
        language=attendee.language,
        absent=attendee.absent,
        phoneNumber=attendee.phone_number,
        seatUid=attendee.seat_uid or "",
        bookingFieldsResponses=dict(attendee.responses or {}),
        metadata=dict(attendee.attendee_metadata or {}),
    )


def duration_minutes(booking: Booking) -> int:
    return round((booking.end_time - booking.start_time).total_seconds() / 60)


def common_fields(booking: Booking, view: View) -> dict[str, Any]:
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
        "eventType": EventType(id=booking.event_type_id or 0, slug=event_type.slug if event_type else ""),
        "meetingUrl": booking.meeting_url,
        "location": booking.location or "",
        "absentHost": booking.absent_host,
        "createdAt": instant(booking.created_at),
        "updatedAt": instant(booking.updated_at),
        "metadata": dict(booking.booking_metadata or {}),
        "rating": booking.rating,
        "icsUid": booking.ics_uid,
    }


def booking_output(booking: Booking, view: View) -> AnyBooking:
    fields = common_fields(booking, view)
    recurring = booking.recurring_booking_uid
    if view.seated:
        seats = [seated_attendee_output(a) for a in booking.attendees if view.shows_seat(a)]
        if view.seat_uid is not None:
            if recurring:
                return CreateRecurringSeatedBookingOutput_2024_08_13(
                    **fields, attendees=seats, seatUid=view.seat_uid, recurringBookingUid=recurring
                )
            return CreateSeatedBookingOutput_2024_08_13(**fields, attendees=seats, seatUid=view.seat_uid)
        if recurring:
            return GetRecurringSeatedBookingOutput_2024_08_13(**fields, attendees=seats, recurringBookingUid=recurring)
        return GetSeatedBookingOutput_2024_08_13(**fields, attendees=seats)
    attendees = [attendee_output(a) for a in booking.attendees]
    guests = list(booking.guests or [])
    responses = dict(booking.responses or {})
    if recurring:
        return RecurringBookingOutput_2024_08_13(
            **fields,
            attendees=attendees,
            guests=guests,
            bookingFieldsResponses=responses,
            recurringBookingUid=recurring,
        )
    return BookingOutput_2024_08_13(**fields, attendees=attendees, guests=guests, bookingFieldsResponses=responses)
