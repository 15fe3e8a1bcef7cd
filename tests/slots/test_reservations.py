from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx2 as httpx
from sqlalchemy import func, select, update

from slotwise.db import Database, utcnow
from slotwise.slots.models import SlotReservation
from tests.conftest import MakeAccount
from tests.slots.conftest import V2024_09_04, Host, MakeHost
from tests.slots.contract import assert_reserved_slot_contract, assert_slots_contract
from tests.support.contract import assert_contract, assert_error

MONDAY = {"start": "2050-09-05", "end": "2050-09-05"}
TEN_ROME = "2050-09-05T08:00:00.000Z"  # 10:00 in Rome


async def starts(client: httpx.AsyncClient, event_type_id: int, **extra: str) -> list[str]:
    response = await client.get(
        "/v2/slots", params={**MONDAY, "eventTypeId": event_type_id, **extra}, headers=V2024_09_04
    )
    data = assert_slots_contract(response)["data"]
    return [slot["start"] for slot in data.get("2050-09-05", [])]


async def reserve(
    client: httpx.AsyncClient,
    event_type_id: int,
    slot_start: str,
    headers: dict[str, str] | None = None,
    **body: object,
) -> httpx.Response:
    return await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": event_type_id, "slotStart": slot_start, **body},
        headers={**V2024_09_04, **(headers or {})},
    )


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_reservation_lifecycle(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()
    before = utcnow()

    created = await reserve(client, host.event_type_id, "2050-09-05T08:00:00Z")

    assert created.status_code == 201, created.text
    assert_contract(created)
    data = created.json()["data"]
    uid = data.pop("reservationUid")
    until = instant(data.pop("reservationUntil"))
    assert uuid.UUID(uid).version == 4
    assert data == {
        "eventTypeId": host.event_type_id,
        "slotStart": TEN_ROME,
        "slotEnd": "2050-09-05T09:00:00.000Z",
        "slotDuration": 60,
        "reservationDuration": 5,
    }
    assert before + timedelta(minutes=5) <= until <= utcnow() + timedelta(minutes=5)

    # hidden from everyone else, visible to the holder (query, header or cookie)
    assert TEN_ROME not in await starts(client, host.event_type_id)
    assert TEN_ROME in await starts(client, host.event_type_id, reservationUid=uid)
    header = await client.get(
        "/v2/slots",
        params={**MONDAY, "eventTypeId": host.event_type_id},
        headers={**V2024_09_04, "X-Reservation-Uid": uid},
    )
    assert TEN_ROME in [s["start"] for s in header.json()["data"]["2050-09-05"]]

    fetched = await client.get(f"/v2/slots/reservations/{uid}", headers=V2024_09_04)
    body = assert_reserved_slot_contract(fetched)
    assert body["data"]["reservationUid"] == uid and "reservationDuration" not in body["data"]
    assert body["data"]["slotStart"] == TEN_ROME

    moved = await client.patch(
        f"/v2/slots/reservations/{uid}",
        json={"eventTypeId": host.event_type_id, "slotStart": "2050-09-05T12:00:00.000Z"},
        headers=V2024_09_04,
    )
    assert moved.status_code == 200, moved.text
    assert_contract(moved)
    assert moved.json()["data"]["reservationUid"] == uid
    assert moved.json()["data"]["slotStart"] == "2050-09-05T12:00:00.000Z"
    visible = await starts(client, host.event_type_id)
    assert TEN_ROME in visible and "2050-09-05T12:00:00.000Z" not in visible

    deleted = await client.delete(f"/v2/slots/reservations/{uid}", headers=V2024_09_04)
    assert deleted.status_code == 200
    assert_contract(deleted)
    assert deleted.json() == {"status": "success"}
    assert "2050-09-05T12:00:00.000Z" in await starts(client, host.event_type_id)

    gone = await client.get(f"/v2/slots/reservations/{uid}", headers=V2024_09_04)
    assert assert_reserved_slot_contract(gone)["data"] is None
    assert_error(await client.delete(f"/v2/slots/reservations/{uid}"), 404, uid)
    assert_error(
        await client.patch(
            f"/v2/slots/reservations/{uid}", json={"eventTypeId": host.event_type_id, "slotStart": TEN_ROME}
        ),
        404,
        uid,
    )


async def test_a_reservation_hides_the_hosts_time_for_their_other_event_types(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    assert (await reserve(client, host.event_type_id, TEN_ROME)).status_code == 201

    variable = await starts(client, host.variable_id, duration="30")
    assert "2050-09-05T08:00:00.000Z" not in variable and "2050-09-05T08:30:00.000Z" not in variable
    assert "2050-09-05T07:30:00.000Z" in variable and "2050-09-05T09:00:00.000Z" in variable


async def test_expired_reservations_free_the_slot(client: httpx.AsyncClient, db: Database, make_host: MakeHost) -> None:
    host = await make_host()
    uid = (await reserve(client, host.event_type_id, TEN_ROME)).json()["data"]["reservationUid"]
    async with db.session() as session:
        await session.execute(update(SlotReservation).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()

    assert TEN_ROME in await starts(client, host.event_type_id)
    assert assert_reserved_slot_contract(await client.get(f"/v2/slots/reservations/{uid}"))["data"] is None
    again = await reserve(client, host.event_type_id, TEN_ROME)
    assert again.status_code == 201, again.text
    async with db.session() as session:
        uids = (await session.scalars(select(SlotReservation.uid))).all()
    assert uids == [again.json()["data"]["reservationUid"]]  # the expired hold was cleaned up


OVERLAPS = [  # against a hold of 08:00-09:00Z
    ("2050-09-05T08:30:00Z", 45, False),  # starts inside
    ("2050-09-05T07:45:00Z", 45, False),  # ends inside
    ("2050-09-05T08:15:00Z", 15, False),  # contained
    ("2050-09-05T07:00:00Z", 180, False),  # containing
    ("2050-09-05T08:00:00Z", 60, False),  # the same slot
    ("2050-09-05T07:00:00Z", 60, True),  # ends exactly at its start
    ("2050-09-05T09:00:00Z", 15, True),  # starts exactly at its end
]


async def test_overlapping_reservations_are_refused(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()
    assert (await reserve(client, host.variable_id, TEN_ROME, slotDuration=60)).status_code == 201

    for slot_start, duration, allowed in OVERLAPS:
        response = await reserve(client, host.variable_id, slot_start, slotDuration=duration)

        assert_contract(response)
        if allowed:
            assert response.status_code == 201, (slot_start, response.text)
            uid = response.json()["data"]["reservationUid"]
            assert (await client.delete(f"/v2/slots/reservations/{uid}")).status_code == 200
        else:
            assert_error(response, 422, "already reserved by another user")


async def test_slot_duration_must_be_a_length_of_the_event_type(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    bad = await reserve(client, host.variable_id, TEN_ROME, slotDuration=20)
    good = await reserve(client, host.variable_id, TEN_ROME, slotDuration="30")

    assert_error(bad, 400, "slotDuration 20", "15, 30, 45, 60, 180")
    assert good.status_code == 201
    assert (good.json()["data"]["slotDuration"], good.json()["data"]["slotEnd"]) == (30, "2050-09-05T08:30:00.000Z")


async def test_only_offered_slots_can_be_reserved(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    for slot_start, reason in [
        ("2050-09-05T05:00:00Z", "outside the host's working hours"),
        ("2050-09-10T08:00:00Z", "outside the host's working hours"),  # a Saturday
        ("2050-09-05T08:20:00Z", "not one of the offered start times"),
        ("2020-09-07T08:00:00Z", "in the past"),
    ]:
        assert_error(await reserve(client, host.event_type_id, slot_start), 422, reason)


async def test_slot_start_in_every_spelling(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    for slot_start in [
        "2050-09-05T08:00:00Z",
        "2050-09-05T08:00:00.000Z",
        "2050-09-05T08:00:00.078042Z",
        "2050-09-05T10:00:00+02:00",
    ]:
        response = await reserve(client, float(host.event_type_id), slot_start)  # type: ignore[arg-type]
        assert response.status_code == 201, (slot_start, response.text)
        data = response.json()["data"]
        assert data["slotStart"] == TEN_ROME
        await client.delete(f"/v2/slots/reservations/{data['reservationUid']}")


async def test_bad_reservation_bodies_name_the_field(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    no_start = await client.post("/v2/slots/reservations", json={"eventTypeId": host.event_type_id})
    bad_start = await reserve(client, host.event_type_id, "tomorrow at ten")
    huge = await reserve(client, 10**30, TEN_ROME)
    unknown = await reserve(client, 999999, TEN_ROME)
    long_hold = await reserve(client, host.event_type_id, TEN_ROME, host.headers, reservationDuration=10**6)

    assert_error(no_start, 400, "slotStart")
    assert_error(bad_start, 400, "slotStart", "ISO 8601")
    assert_error(huge, 400, "eventTypeId")
    assert_error(unknown, 404, "Event Type not found")
    assert_error(long_hold, 400, "reservationDuration")


async def test_custom_reservation_duration_is_for_the_owner(
    client: httpx.AsyncClient, make_host: MakeHost, make_account: MakeAccount
) -> None:
    host = await make_host()
    mallory = await make_account("mallory")

    anonymous = await reserve(client, host.event_type_id, TEN_ROME, reservationDuration=30)
    stranger = await reserve(client, host.event_type_id, TEN_ROME, mallory.headers, reservationDuration=30)
    default_by_stranger = await reserve(client, host.event_type_id, "2050-09-05T09:00:00Z", mallory.headers)
    owner = await reserve(client, host.event_type_id, TEN_ROME, host.headers, reservationDuration=30)

    assert_error(anonymous, 401, "reservationDuration")
    assert_contract(anonymous)
    assert_error(stranger, 403, "owner")
    assert default_by_stranger.status_code == 201
    assert owner.status_code == 201, owner.text
    data = owner.json()["data"]
    assert data["reservationDuration"] == 30
    assert instant(data["reservationUntil"]) > utcnow() + timedelta(minutes=29)


async def test_seated_reservations_take_a_seat_instead_of_the_slot(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    first = await reserve(client, host.seated_id, TEN_ROME)
    second = await reserve(client, host.seated_id, TEN_ROME)

    assert (first.status_code, second.status_code) == (201, 201)
    response = await client.get("/v2/slots", params={**MONDAY, "eventTypeId": host.seated_id}, headers=V2024_09_04)
    slot = next(s for s in assert_slots_contract(response)["data"]["2050-09-05"] if s["start"] == TEN_ROME)
    assert (slot["seatsBooked"], slot["seatsRemaining"], slot["seatsTotal"]) == (2, 3, 5)
    assert "bookingUid" not in slot
    # the host's other event types see the time as taken
    assert TEN_ROME not in await starts(client, host.event_type_id)


async def concurrent_reservations(client: httpx.AsyncClient, host: Host, count: int) -> list[httpx.Response]:
    return list(await asyncio.gather(*(reserve(client, host.event_type_id, TEN_ROME) for _ in range(count))))


async def test_concurrent_reservations_of_one_slot_let_exactly_one_win(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()

    responses = await concurrent_reservations(client, host, 8)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [422] * 7, [r.text for r in responses]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(SlotReservation)) == 1

    # different slots of the same host do not conflict with each other
    others = await asyncio.gather(
        *(reserve(client, host.event_type_id, f"2050-09-05T{hour:02d}:00:00Z") for hour in (9, 10, 11, 12))
    )
    assert [r.status_code for r in others] == [201] * 4
