"""Every change of a host's availability replaces the host's stamp, in the same transaction: the
cached answers of GET /v2/slots depend on it. Changes are made through the API where there is one and
by hand-written SQL elsewhere (the triggers must catch both)."""

from __future__ import annotations

import httpx2 as httpx
from sqlalchemy import select, text, update

from slotwise.bookings.models import Attendee, Booking
from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.slots.models import AvailabilityStamp
from slotwise.users.models import User
from tests.slots.conftest import V2024_09_04, MakeHost
from tests.slots.test_with_bookings import TEN, add_booking


async def stamp(db: Database, host_id: int) -> int | None:
    async with db.session() as session:
        value: int | None = await session.scalar(
            select(AvailabilityStamp.stamp).where(AvailabilityStamp.host_id == host_id)
        )
        return value


async def test_bookings_seats_and_their_changes_replace_the_hosts_stamp(db: Database, make_host: MakeHost) -> None:
    host, other = await make_host("alice"), await make_host("bob")
    host_id = host.account.user.id
    seen = {await stamp(db, host_id)}
    others = await stamp(db, other.account.user.id)
    assert None not in seen  # the schedule and event types of make_host already stamped the host

    uid = await add_booking(db, host, host.seated_id, TEN)
    seen.add(await stamp(db, host_id))
    async with db.session() as session:
        booking_id = await session.scalar(select(Booking.id).where(Booking.uid == uid))
        assert booking_id is not None
        session.add(Attendee(booking_id=booking_id, name="Seat", email="seat@example.com", time_zone="UTC"))
        await session.commit()
    seen.add(await stamp(db, host_id))
    async with db.session() as session:
        await session.execute(update(Booking).where(Booking.uid == uid).values(status="cancelled"))
        await session.commit()
    seen.add(await stamp(db, host_id))
    async with db.session() as session:
        await session.execute(text("DELETE FROM bookings WHERE uid = :uid"), {"uid": uid})
        await session.commit()
    seen.add(await stamp(db, host_id))

    assert len(seen) == 5, "insert, seat, cancel and delete each give a new stamp"
    assert await stamp(db, other.account.user.id) == others, "another host's stamp stays"


async def test_reservations_schedules_event_types_and_zones_replace_the_hosts_stamp(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    host_id = host.account.user.id
    seen = [await stamp(db, host_id)]

    reserved = await client.post(
        "/v2/slots/reservations",
        json={"eventTypeId": host.event_type_id, "slotStart": "2050-09-05T08:00:00.000Z"},
        headers=V2024_09_04,
    )
    assert reserved.status_code == 201, reserved.text
    seen.append(await stamp(db, host_id))
    uid = reserved.json()["data"]["reservationUid"]
    assert (await client.delete(f"/v2/slots/reservations/{uid}", headers=V2024_09_04)).status_code == 200
    seen.append(await stamp(db, host_id))

    schedule = await client.get("/v2/schedules/default", headers={**host.headers, "cal-api-version": "2024-06-11"})
    schedule_id = schedule.json()["data"]["id"]
    patched = await client.patch(
        f"/v2/schedules/{schedule_id}",
        json={"overrides": [{"date": "2050-09-05", "startTime": "10:00", "endTime": "11:00"}]},
        headers={**host.headers, "cal-api-version": "2024-06-11"},
    )
    assert patched.status_code == 200, patched.text
    seen.append(await stamp(db, host_id))

    changed = await client.patch(
        f"/v2/event-types/{host.event_type_id}",
        json={"minimumBookingNotice": 60},
        headers={**host.headers, "cal-api-version": "2024-06-14"},
    )
    assert changed.status_code == 200, changed.text
    seen.append(await stamp(db, host_id))

    moved = await client.patch("/v2/me", json={"timeZone": "Asia/Tokyo"}, headers=host.headers)
    assert moved.status_code == 200, moved.text
    seen.append(await stamp(db, host_id))
    assert len(set(seen)) == len(seen), seen

    renamed = await client.patch("/v2/me", json={"name": "Alice Renamed"}, headers=host.headers)
    assert renamed.status_code == 200, renamed.text
    assert await stamp(db, host_id) == seen[-1], "a change that cannot move a slot keeps the stamp"


async def test_a_rolled_back_change_keeps_the_stamp(db: Database, make_host: MakeHost) -> None:
    host = await make_host()
    before = await stamp(db, host.account.user.id)
    async with db.session() as session:
        await session.execute(update(EventType).where(EventType.id == host.event_type_id).values(length=30))
        await session.execute(update(User).where(User.id == host.account.user.id).values(time_zone="UTC"))
        await session.rollback()
    assert await stamp(db, host.account.user.id) == before


async def test_one_transaction_changing_several_hosts_gives_each_a_new_stamp(db: Database, make_host: MakeHost) -> None:
    alice, bob = await make_host("alice"), await make_host("bob")
    before = [await stamp(db, host.account.user.id) for host in (alice, bob)]
    async with db.session() as session:  # both hosts, each twice, in one transaction
        for host in (alice, bob, alice, bob):
            await session.execute(
                update(EventType).where(EventType.id == host.event_type_id).values(length=EventType.length + 1)
            )
        await session.commit()
    after = [await stamp(db, host.account.user.id) for host in (alice, bob)]
    assert after[0] != before[0] and after[1] != before[1]
