"""Booking answers are built as plain data and serialised without their output models (a hot-path
saving): here every variant must come out byte for byte as its model would serialise it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import to_json

from slotwise.bookings.models import Attendee, Booking
from slotwise.bookings.output import View, booking_output
from slotwise.bookings.schemas import (
    BookingOutput_2024_08_13,
    CreateBookingOutput_2024_08_13,
    CreateRecurringSeatedBookingOutput_2024_08_13,
    CreateSeatedBookingOutput_2024_08_13,
    GetRecurringSeatedBookingOutput_2024_08_13,
    GetSeatedBookingOutput_2024_08_13,
    RecurringBookingOutput_2024_08_13,
)
from slotwise.event_types.models import EventType
from slotwise.users.models import User

START = datetime(2050, 9, 5, 7, 0, tzinfo=UTC)
HOST = User(id=7, username="ada", email="ada@example.com", name=None, time_zone="Europe/Rome")
PLAIN = EventType(id=3, owner_id=7, slug="intro", length=30)
SEATED = EventType(id=4, owner_id=7, slug="class", length=60, seats_per_time_slot=5, seats_show_attendees=False)


def _attendee(n: int, **fields: Any) -> Attendee:
    values: dict[str, Any] = {
        "id": n,
        "name": f"Bööker {n}",
        "email": f"booker{n}@example.com",
        "time_zone": "Asia/Kolkata",
        "phone_number": None,
        "language": "en",
        "absent": False,
        "seat_uid": None,
        "responses": {},
        "attendee_metadata": {},
        **fields,
    }
    return Attendee(**values)


def _booking(event_type: EventType, attendees: list[Attendee], **fields: Any) -> Booking:
    values: dict[str, Any] = {
        "id": 11,
        "uid": "uid-11",
        "event_type_id": event_type.id,
        "host_id": HOST.id,
        "title": "Intro between Ada and Bööker",
        "description": None,
        "start_time": START,
        "end_time": START + timedelta(minutes=30),
        "block_start": START,
        "block_end": START + timedelta(minutes=30),
        "status": "accepted",
        "location": "https://meet.example/x",
        "meeting_url": None,
        "booking_metadata": {"source": "web", "n": 1.5, "nested": {"a": [1, None, True]}},
        "responses": {"name": "Bööker 1", "email": "booker1@example.com", "guests": [], "notes": "ünïcode ✓"},
        "guests": ["guest@example.com"],
        "cancellation_reason": None,
        "cancelled_by_email": None,
        "rejection_reason": None,
        "cancelled_seat_uids": [],
        "rescheduling_reason": None,
        "rescheduled_by_email": None,
        "rescheduled_from_uid": None,
        "rescheduled_to_uid": None,
        "recurring_booking_uid": None,
        "absent_host": False,
        "rating": None,
        "ics_uid": "uid-11@slotwise",
        "ics_sequence": 0,
        "created_at": START - timedelta(days=3, microseconds=1234),
        "updated_at": START - timedelta(days=1),
        **fields,
    }
    return Booking(**values, attendees=attendees)


SEATS = [
    _attendee(1, seat_uid="seat-1", responses={"name": "Bööker 1"}, attendee_metadata={"k": "v"}),
    _attendee(2, seat_uid="seat-2", language=None, phone_number="+15555550123"),
]
CASES: list[tuple[str, Booking, View, type[BaseModel]]] = [
    ("plain", _booking(PLAIN, [_attendee(1)]), View(HOST, PLAIN), BookingOutput_2024_08_13),
    (
        "every optional field",
        _booking(
            PLAIN,
            [_attendee(1, language=None, phone_number="+15555550123", absent=True)],
            status="cancelled",
            description="Bring the numbers",
            cancellation_reason="Sick",
            cancelled_by_email="ada@example.com",
            rescheduling_reason="Clash",
            rescheduled_by_email="ada@example.com",
            rescheduled_from_uid="uid-1",
            rescheduled_to_uid="uid-12",
            meeting_url="https://meet.example/x",
            rating=4,
            absent_host=True,
            booking_metadata={},
            guests=[],
        ),
        View(HOST, PLAIN, caller_is_host=True),
        BookingOutput_2024_08_13,
    ),
    (
        "reasons of a booking that is not cancelled",
        _booking(PLAIN, [_attendee(1)], status="pending", cancellation_reason="old", cancelled_by_email="x@y.z"),
        View(HOST, PLAIN),
        BookingOutput_2024_08_13,
    ),
    (
        "recurring",
        _booking(PLAIN, [_attendee(1), _attendee(2)], recurring_booking_uid="series-1"),
        View(HOST, PLAIN),
        RecurringBookingOutput_2024_08_13,
    ),
    ("deleted event type", _booking(PLAIN, [], event_type_id=None), View(HOST, None), BookingOutput_2024_08_13),
    (
        "seated, host",
        _booking(SEATED, SEATS),
        View(HOST, SEATED, caller_is_host=True),
        GetSeatedBookingOutput_2024_08_13,
    ),
    ("seated, a stranger", _booking(SEATED, SEATS), View(HOST, SEATED), GetSeatedBookingOutput_2024_08_13),
    (
        "seated, the seat just taken",
        _booking(SEATED, SEATS),
        View(HOST, SEATED, seat_uid="seat-2"),
        CreateSeatedBookingOutput_2024_08_13,
    ),
    (
        "seated and recurring",
        _booking(SEATED, SEATS, recurring_booking_uid="series-2"),
        View(HOST, SEATED, caller_is_host=True),
        GetRecurringSeatedBookingOutput_2024_08_13,
    ),
    (
        "seated and recurring, the seat just taken",
        _booking(SEATED, SEATS, recurring_booking_uid="series-2"),
        View(HOST, SEATED, seat_uid="seat-1"),
        CreateRecurringSeatedBookingOutput_2024_08_13,
    ),
]


@pytest.mark.parametrize(("booking", "view", "model"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_plain_output_is_what_the_output_model_serialises(booking: Booking, view: View, model: type[BaseModel]) -> None:
    data = booking_output(booking, view)
    expected = CreateBookingOutput_2024_08_13(data=model.model_validate(data)).model_dump_json()
    assert to_json({"status": "success", "data": data}).decode() == expected
    assert to_json({"status": "success", "data": [data, data]}).decode() == (
        CreateBookingOutput_2024_08_13(data=[model.model_validate(data)] * 2).model_dump_json()
    )
