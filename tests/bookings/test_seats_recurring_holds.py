"""Seated and recurring event types, slot holds, and what GET /v2/slots shows after a booking."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
from sqlalchemy import func, select

from slotwise.bookings.models import Booking
from slotwise.db import Database
from tests.bookings.conftest import NINE, TEN, AddEventType, Host, V, assert_schema, attendee, book
from tests.support.contract import assert_contract, assert_error

SLOTS = {"cal-api-version": "2024-09-04"}
WEEKLY = {"frequency": "weekly", "interval": 1, "occurrences": 4}


async def _count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


async def _starts(client: httpx.AsyncClient, event_type_id: int, day: str = "2050-09-05", **query: Any) -> list[str]:
    response = await client.get(
        "/v2/slots", headers=SLOTS, params={"eventTypeId": event_type_id, "start": day, "end": day, **query}
    )
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["data"].get(day, [])]


# --- seats -------------------------------------------------------------------------------------


async def test_seats_share_one_booking_up_to_capacity(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, db: Database
) -> None:
    seated = await add_event_type(host, "seated", 60, seats_per_time_slot=2)

    first = await book(client, seated, NINE, attendee=attendee("Ann", "ann@example.com"), metadata={"seat": "1"})
    assert_contract(first)
    one = first.json()["data"]
    assert one["seatUid"] and "bookingFieldsResponses" not in one
    assert [(a["email"], a["seatUid"]) for a in one["attendees"]] == [("ann@example.com", one["seatUid"])]
    assert one["attendees"][0]["metadata"] == {"seat": "1"}
    second = (await book(client, seated, NINE, attendee=attendee("Ben", "ben@example.com"))).json()["data"]
    assert second["uid"] == one["uid"] and second["seatUid"] != one["seatUid"]
    # anonymous callers see only their own seat (the event type does not show attendees)
    assert [a["email"] for a in second["attendees"]] == ["ben@example.com"]

    full = await book(client, seated, NINE, attendee=attendee("Cy", "cy@example.com"), expect=None)
    assert assert_error(full, 409, "no seats left")["error"]["details"]["reason"] == "NO_SEATS"
    assert await _count(db) == 1

    as_host = await client.get(f"/v2/bookings/{one['uid']}", headers=host.v)
    assert_contract(as_host)
    assert [a["email"] for a in as_host.json()["data"]["attendees"]] == ["ann@example.com", "ben@example.com"]
    anonymous = await client.get(f"/v2/bookings/{one['uid']}", headers=V)
    assert anonymous.json()["data"]["attendees"] == []


async def test_the_same_attendee_cannot_take_two_seats(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    seated = await add_event_type(host, "seated", 60, seats_per_time_slot=5)
    await book(client, seated, NINE)

    assert_error(await book(client, seated, NINE, expect=None), 409, "john@example.com", "already has a seat")


async def test_slots_show_seats_until_full(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType) -> None:
    seated = await add_event_type(host, "seated", 60, seats_per_time_slot=2)
    uid = (await book(client, seated, NINE)).json()["data"]["uid"]

    response = await client.get(
        "/v2/slots", headers=SLOTS, params={"eventTypeId": seated, "start": "2050-09-05", "end": "2050-09-05"}
    )
    first = response.json()["data"]["2050-09-05"][0]
    assert (first["start"], first["seatsBooked"], first["seatsRemaining"], first["bookingUid"]) == (NINE, 1, 1, uid)
    await book(client, seated, NINE, attendee=attendee("Ben", "ben@example.com"))
    assert NINE not in await _starts(client, seated)


async def test_cancel_one_seat_or_the_whole_seated_booking(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    seated = await add_event_type(host, "seated", 60, seats_per_time_slot=3)
    ann = (await book(client, seated, NINE, attendee=attendee("Ann", "ann@example.com"))).json()["data"]
    ben = (await book(client, seated, NINE, attendee=attendee("Ben", "ben@example.com"))).json()["data"]
    uid = ann["uid"]

    whole = await client.post(f"/v2/bookings/{uid}/cancel", headers=V, json={"cancellationReason": "x"})
    assert_error(whole, 400, "seatUid")

    mine = await client.post(f"/v2/bookings/{uid}/cancel", headers=V, json={"seatUid": ann["seatUid"]})
    assert mine.status_code == 200, mine.text
    assert_contract(mine)
    assert mine.json()["data"]["status"] == "accepted"
    twice = await client.post(f"/v2/bookings/{uid}/cancel", headers=V, json={"seatUid": ann["seatUid"]})
    assert twice.status_code == 200
    bogus = await client.post(f"/v2/bookings/{uid}/cancel", headers=V, json={"seatUid": "nope"})
    assert_error(bogus, 400, "nope")
    left = (await client.get(f"/v2/bookings/{uid}", headers=host.v)).json()["data"]["attendees"]
    assert [a["seatUid"] for a in left] == [ben["seatUid"]]

    by_host = await client.post(f"/v2/bookings/{uid}/cancel", headers=host.v, json={"cancellationReason": "Closed"})
    assert by_host.json()["data"]["status"] == "cancelled"


async def test_reschedule_a_seat(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType) -> None:
    seated = await add_event_type(host, "seated", 60, seats_per_time_slot=3)
    ann = (await book(client, seated, NINE, attendee=attendee("Ann", "ann@example.com"))).json()["data"]
    await book(client, seated, NINE, attendee=attendee("Ben", "ben@example.com"))

    no_seat = await client.post(f"/v2/bookings/{ann['uid']}/reschedule", headers=V, json={"start": TEN})
    assert_error(no_seat, 400, "seatUid")
    moved = await client.post(
        f"/v2/bookings/{ann['uid']}/reschedule", headers=host.v, json={"start": TEN, "seatUid": ann["seatUid"]}
    )

    assert moved.status_code == 201, moved.text
    assert_contract(moved)
    data = moved.json()["data"]
    assert data["start"] == TEN and data["seatUid"] == ann["seatUid"] and data["uid"] != ann["uid"]
    stayed = (await client.get(f"/v2/bookings/{ann['uid']}", headers=host.v)).json()["data"]
    assert stayed["status"] == "accepted" and [a["email"] for a in stayed["attendees"]] == ["ben@example.com"]


# --- recurring ---------------------------------------------------------------------------------


async def test_recurring_creates_every_occurrence(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    weekly = await add_event_type(host, "weekly", 60, recurrence=WEEKLY)

    response = await book(client, weekly, NINE)

    assert_contract(response)
    data = response.json()["data"]
    assert [item["start"] for item in data] == [
        "2050-09-05T07:00:00.000Z",
        "2050-09-12T07:00:00.000Z",
        "2050-09-19T07:00:00.000Z",
        "2050-09-26T07:00:00.000Z",
    ]
    series = {item["recurringBookingUid"] for item in data}
    assert len(series) == 1 and len({item["uid"] for item in data}) == 4
    (series_uid,) = series

    whole = await client.get(f"/v2/bookings/{series_uid}", headers=V)
    assert_contract(whole)
    assert [item["uid"] for item in whole.json()["data"]] == [item["uid"] for item in data]
    one = await client.get(f"/v2/bookings/{data[1]['uid']}", headers=V)
    assert_schema(one.json()["data"], "RecurringBookingOutput_2024_08_13")

    two = await book(client, weekly, TEN, recurrenceCount=2)
    assert len(two.json()["data"]) == 2
    assert_error(
        await book(client, weekly, "2050-09-05T10:00:00Z", recurrenceCount=5, expect=None), 400, "recurrenceCount", "4"
    )
    assert_error(
        await book(client, host.event_type_id, "2050-09-05T10:00:00Z", recurrenceCount=3, expect=None),
        400,
        "not recurring",
    )


async def test_recurring_is_all_or_none(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, db: Database
) -> None:
    weekly = await add_event_type(host, "weekly", 60, recurrence=WEEKLY)
    await book(client, host.event_type_id, "2050-09-19T07:30:00Z", expect=None)  # off-grid for sixty: nothing
    await book(client, host.event_type_id, "2050-09-19T07:00:00Z")

    response = await book(client, weekly, NINE, expect=None)

    body = assert_error(response, 409, "occurrence 3 of 4", "2050-09-19T07:00:00.000Z", "nothing was booked")
    assert body["error"]["details"]["occurrence"] == 3
    assert await _count(db) == 1


async def test_recurring_keeps_the_attendees_wall_clock_across_dst(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    weekly = await add_event_type(
        host, "weekly", 60, recurrence={"frequency": "weekly", "interval": 1, "occurrences": 2}
    )

    response = await book(client, weekly, "2050-10-24T07:00:00Z", attendee=attendee(time_zone="Europe/Rome"))

    # 09:00 in Rome both times: CEST (+02:00) then CET (+01:00) after 2050-10-30
    assert [item["start"] for item in response.json()["data"]] == [
        "2050-10-24T07:00:00.000Z",
        "2050-10-31T08:00:00.000Z",
    ]


async def test_cancel_subsequent_and_cancel_the_series(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    weekly = await add_event_type(host, "weekly", 60, recurrence=WEEKLY)
    data = (await book(client, weekly, NINE)).json()["data"]

    response = await client.post(
        f"/v2/bookings/{data[2]['uid']}/cancel", headers=V, json={"cancelSubsequentBookings": True}
    )

    assert response.status_code == 200, response.text
    assert_contract(response)
    assert [item["status"] for item in response.json()["data"]] == ["accepted", "accepted", "cancelled", "cancelled"]
    series_uid = data[0]["recurringBookingUid"]
    wrong = await client.post(f"/v2/bookings/{series_uid}/cancel", headers=V, json={"cancelSubsequentBookings": True})
    assert_error(wrong, 400, "cancelSubsequentBookings")
    everything = await client.post(f"/v2/bookings/{series_uid}/cancel", headers=V, json={"cancellationReason": "done"})
    assert [item["status"] for item in everything.json()["data"]] == ["cancelled"] * 4


# --- holds and the slots view ------------------------------------------------------------------


async def test_a_held_slot_is_booked_only_by_its_holder(client: httpx.AsyncClient, host: Host) -> None:
    hold = await client.post(
        "/v2/slots/reservations", headers=SLOTS, json={"eventTypeId": host.event_type_id, "slotStart": NINE}
    )
    assert hold.status_code == 201, hold.text
    reservation = hold.json()["data"]["reservationUid"]

    other = await book(client, host.event_type_id, NINE, expect=None)
    assert assert_error(other, 409, "reserved")["error"]["details"]["reason"] == "RESERVED"

    mine = await book(client, host.event_type_id, NINE, reservationUid=reservation)

    assert mine.status_code == 201
    gone = await client.get(f"/v2/slots/reservations/{reservation}", headers=SLOTS)
    assert gone.json()["data"] is None  # the hold was used up


async def test_a_held_slot_by_header(client: httpx.AsyncClient, host: Host) -> None:
    hold = await client.post(
        "/v2/slots/reservations", headers=SLOTS, json={"eventTypeId": host.event_type_id, "slotStart": TEN}
    )
    reservation = hold.json()["data"]["reservationUid"]

    response = await book(client, host.event_type_id, TEN, headers={**V, "X-Reservation-Uid": reservation})

    assert response.status_code == 201


async def test_slots_hide_bookings_except_the_one_being_rescheduled(client: httpx.AsyncClient, host: Host) -> None:
    assert NINE in await _starts(client, host.event_type_id)
    uid = (await book(client, host.event_type_id, NINE)).json()["data"]["uid"]

    assert NINE not in await _starts(client, host.event_type_id)
    assert NINE in await _starts(client, host.event_type_id, bookingUidToReschedule=uid)
    await client.post(f"/v2/bookings/{uid}/cancel", headers=V)
    assert NINE in await _starts(client, host.event_type_id)
