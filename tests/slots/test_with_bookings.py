"""Existing bookings in slots and reservations (rows written directly; booking creation has its own tests)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx2 as httpx

from slotwise.bookings.models import Attendee, Booking
from slotwise.db import Database
from tests.slots.conftest import V2024_09_04, Host, MakeHost
from tests.slots.contract import assert_slots_contract
from tests.slots.test_reservations import MONDAY, TEN_ROME, reserve, starts
from tests.support.contract import assert_error

TEN = datetime.fromisoformat("2050-09-05T08:00:00Z")


async def add_booking(
    db: Database, host: Host, event_type_id: int, start: datetime, *, status: str = "accepted", seats: int = 1
) -> str:
    uid = uuid.uuid4().hex[:22]
    end = start + timedelta(minutes=60)
    async with db.session() as session:
        session.add(
            Booking(
                uid=uid,
                event_type_id=event_type_id,
                host_id=host.account.user.id,
                title="Meeting",
                start_time=start,
                end_time=end,
                block_start=start,
                block_end=end,
                status=status,
                ics_uid=f"{uid}@slotwise",
                attendees=[
                    Attendee(name=f"Guest {i}", email=f"guest{i}@example.com", time_zone="UTC", seat_uid=f"{uid}-{i}")
                    for i in range(seats)
                ],
            )
        )
        await session.commit()
    return uid


async def test_a_booking_takes_its_slot_unless_it_is_being_rescheduled(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    uid = await add_booking(db, host, host.event_type_id, TEN)
    await add_booking(db, host, host.event_type_id, TEN + timedelta(hours=2), status="cancelled")

    visible = await starts(client, host.event_type_id)
    rescheduling = await starts(client, host.event_type_id, bookingUidToReschedule=uid)

    assert TEN_ROME not in visible
    assert "2050-09-05T07:00:00.000Z" in visible and "2050-09-05T09:00:00.000Z" in visible
    assert "2050-09-05T10:00:00.000Z" in visible  # the cancelled booking holds nothing
    assert TEN_ROME in rescheduling
    # the host's other event types see the time as taken too
    assert "2050-09-05T08:30:00.000Z" not in await starts(client, host.variable_id, duration="30")


async def test_reservations_cannot_overlap_a_booking(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    await add_booking(db, host, host.event_type_id, TEN)

    same = await reserve(client, host.event_type_id, TEN_ROME)
    inside = await reserve(client, host.variable_id, "2050-09-05T08:30:00Z", slotDuration=30)
    before = await reserve(client, host.variable_id, "2050-09-05T07:30:00Z", slotDuration=30)
    after = await reserve(client, host.variable_id, "2050-09-05T09:00:00Z", slotDuration=30)

    assert_error(same, 422, "Can't reserve a slot if the event is already booked.")
    assert_error(inside, 422, "already booked")
    assert (before.status_code, after.status_code) == (201, 201)


async def test_seated_slots_count_booked_seats_and_holds(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    uid = await add_booking(db, host, host.seated_id, TEN, seats=2)
    assert (await reserve(client, host.seated_id, TEN_ROME)).status_code == 201

    response = await client.get(
        "/v2/slots", params={**MONDAY, "eventTypeId": host.seated_id, "format": "range"}, headers=V2024_09_04
    )

    slot = next(s for s in assert_slots_contract(response)["data"]["2050-09-05"] if s["start"] == TEN_ROME)
    assert slot == {
        "start": TEN_ROME,
        "end": "2050-09-05T09:00:00.000Z",
        "seatsBooked": 3,
        "seatsRemaining": 2,
        "seatsTotal": 5,
        "bookingUid": uid,
    }


async def test_a_full_seated_slot_cannot_be_reserved(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    await add_booking(db, host, host.seated_id, TEN, seats=5)

    assert TEN_ROME not in await starts(client, host.seated_id)
    assert_error(await reserve(client, host.seated_id, TEN_ROME), 422, "no more seats")
