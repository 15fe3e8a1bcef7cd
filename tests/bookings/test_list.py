"""GET /v2/bookings: filters, sorting, take/skip with the pagination object, and the legacy list with
cursor paging; and who may see or change which booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import update

from slotwise.bookings.models import Booking
from slotwise.db import Database
from tests.bookings.conftest import NINE, TEN, AddEventType, Host, MakeHost, V, assert_list_contract, attendee, book
from tests.support.contract import assert_error


async def _uids(client: httpx.AsyncClient, host: Host, **params: Any) -> list[str]:
    response = await client.get("/v2/bookings", headers=host.v, params=params)
    assert_list_contract(response)
    return [item["uid"] for item in response.json()["data"]]


async def _move_to_past(db: Database, uid: str, days: int) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
    async with db.session() as session:
        await session.execute(
            update(Booking)
            .where(Booking.uid == uid)
            .values(
                start_time=start,
                end_time=start + timedelta(hours=1),
                block_start=start,
                block_end=start + timedelta(hours=1),
            )
        )
        await session.commit()


@pytest.fixture
async def mixed(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, db: Database) -> dict[str, str]:
    """upcoming (two), pending, cancelled, past, and a recurring pair."""
    confirm = await add_event_type(host, "confirm", 60, confirmation_policy={"type": "always"})
    weekly = await add_event_type(
        host, "weekly", 60, recurrence={"frequency": "weekly", "interval": 1, "occurrences": 2}
    )
    uids = {
        "nine": (
            await book(client, host.event_type_id, NINE, attendee=attendee("Ann Smith", "Ann@Example.com"))
        ).json()["data"]["uid"],
        "ten": (await book(client, host.event_type_id, TEN, attendee=attendee("Ben Jones", "ben@example.com"))).json()[
            "data"
        ]["uid"],
        "pending": (await book(client, confirm, "2050-09-06T07:00:00Z")).json()["data"]["uid"],
        "cancelled": (await book(client, host.event_type_id, "2050-09-07T07:00:00Z")).json()["data"]["uid"],
        "past": (await book(client, host.event_type_id, "2050-09-08T07:00:00Z")).json()["data"]["uid"],
    }
    series = (await book(client, weekly, "2050-09-09T07:00:00Z")).json()["data"]
    uids["series1"], uids["series2"] = series[0]["uid"], series[1]["uid"]
    await client.post(f"/v2/bookings/{uids['cancelled']}/cancel", headers=V)
    await _move_to_past(db, uids["past"], days=3)
    return uids


async def test_status_filters(client: httpx.AsyncClient, host: Host, mixed: dict[str, str]) -> None:
    m = mixed
    assert await _uids(client, host, status="upcoming") == [
        m["nine"],
        m["ten"],
        m["pending"],
        m["series1"],
        m["series2"],
    ]
    assert await _uids(client, host, status="unconfirmed") == [m["pending"]]
    assert await _uids(client, host, status="cancelled") == [m["cancelled"]]
    assert await _uids(client, host, status="past") == [m["past"]]
    assert await _uids(client, host, status="recurring") == [m["series1"], m["series2"]]
    both = [m["nine"], m["ten"], m["pending"], m["series1"], m["series2"], m["past"]]
    assert sorted(await _uids(client, host, status="upcoming,past")) == sorted(both)
    repeated = await client.get("/v2/bookings?status=past&status=cancelled", headers=host.v)
    assert {i["uid"] for i in repeated.json()["data"]} == {m["past"], m["cancelled"]}
    bracketed = await client.get("/v2/bookings?status[]=past&status[]=cancelled", headers=host.v)
    assert {i["uid"] for i in bracketed.json()["data"]} == {m["past"], m["cancelled"]}
    assert len(await _uids(client, host)) == 7
    assert_error(await client.get("/v2/bookings?status=soon", headers=host.v), 400, "status", "upcoming")


async def test_filters_and_sorting(client: httpx.AsyncClient, host: Host, mixed: dict[str, str]) -> None:
    m = mixed
    assert await _uids(client, host, attendeeEmail="ann@EXAMPLE.com") == [m["nine"]]
    assert await _uids(client, host, attendeeName="ben jo") == [m["ten"]]
    assert await _uids(client, host, bookingUid=m["ten"]) == [m["ten"]]
    sixty = [m["past"], m["nine"], m["ten"], m["cancelled"]]  # by start
    assert await _uids(client, host, eventTypeId=str(float(host.event_type_id))) == sixty
    assert await _uids(client, host, eventTypeIds=f"{host.event_type_id},999") == sixty
    window = await _uids(client, host, afterStart="2050-09-05T07:30:00Z", beforeEnd="2050-09-07T00:00:00Z")
    assert window == [m["ten"], m["pending"]]
    assert (await _uids(client, host, sortStart="desc"))[:2] == [m["series2"], m["series1"]]
    assert (await _uids(client, host, sortCreated="desc"))[0] == m["series2"]
    assert await _uids(client, host, teamId="5") == []
    assert_error(await client.get("/v2/bookings?afterStart=yesterday", headers=host.v), 400, "afterStart")
    assert_error(await client.get("/v2/bookings?sortStart=up", headers=host.v), 400, "sortStart")
    assert_error(await client.get("/v2/bookings?dateFrom=2050-01-01", headers=host.v), 400, "dateFrom", "afterStart")


async def test_take_skip_and_the_pagination_object(
    client: httpx.AsyncClient, host: Host, mixed: dict[str, str]
) -> None:
    response = await client.get("/v2/bookings", headers=host.v, params={"take": "3.0", "skip": 3})

    assert_list_contract(response)
    body = response.json()
    assert len(body["data"]) == 3
    assert body["pagination"] == {
        "totalItems": 7,
        "remainingItems": 1,
        "returnedItems": 3,
        "itemsPerPage": 3,
        "currentPage": 2,
        "totalPages": 3,
        "hasNextPage": True,
        "hasPreviousPage": True,
    }
    assert_error(await client.get("/v2/bookings?take=251", headers=host.v), 400, "take", "250")
    assert_error(await client.get("/v2/bookings?take=0", headers=host.v), 400, "take")
    assert_error(await client.get("/v2/bookings?skip=-1", headers=host.v), 400, "skip")
    assert_error(await client.get(f"/v2/bookings?skip={10**20}", headers=host.v), 400, "skip")


async def test_the_legacy_list_and_its_cursor(client: httpx.AsyncClient, host: Host, mixed: dict[str, str]) -> None:
    first = await client.get("/v2/bookings", headers=host.headers, params={"take": 4})

    assert first.status_code == 200, first.text
    data = first.json()["data"]
    assert data["totalCount"] == 7 and len(data["bookings"]) == 4 and data["nextCursor"]
    item = data["bookings"][0]
    assert {"id", "uid", "title", "startTime", "endTime", "status"} <= set(item) and item["status"] == "ACCEPTED"
    second = (
        await client.get("/v2/bookings", headers=host.headers, params={"take": 4, "cursor": data["nextCursor"]})
    ).json()
    assert second["data"]["nextCursor"] is None
    seen = [b["uid"] for b in data["bookings"] + second["data"]["bookings"]]
    assert len(seen) == len(set(seen)) == 7

    upcoming = (await client.get("/v2/bookings?status=upcoming&take=10", headers=host.headers)).json()["data"]
    assert upcoming["totalCount"] == 5
    accepted = (await client.get("/v2/bookings?status=accepted", headers=host.headers)).json()["data"]
    assert {b["status"] for b in accepted["bookings"]} == {"ACCEPTED"}
    dated = await client.get(
        "/v2/bookings",
        headers=host.headers,
        params={"dateFrom": "2050-09-05T00:00:00Z", "dateTo": "2050-09-06T00:00:00Z"},
    )
    assert [b["uid"] for b in dated.json()["data"]["bookings"]] == [mixed["nine"], mixed["ten"]]
    assert_error(await client.get("/v2/bookings?cursor=garbage", headers=host.headers), 400, "cursor")


async def test_listing_needs_a_key(client: httpx.AsyncClient, host: Host) -> None:
    assert_error(await client.get("/v2/bookings", headers=V), 401, "API key")


# --- tenant isolation --------------------------------------------------------------------------


async def test_nobody_reaches_another_hosts_bookings(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    alice = await make_host("alice")
    bob = await make_host("bob")
    uid = (await book(client, alice.event_type_id, NINE, attendee=attendee("Bob", "bob@example.com"))).json()["data"][
        "uid"
    ]

    assert await _uids(client, bob) == []
    assert await _uids(client, bob, eventTypeId=alice.event_type_id, bookingUid=uid) == []
    legacy = await client.get("/v2/bookings", headers=bob.headers, params={"userId": alice.user.id})
    assert_error(legacy, 403, "userId")
    for action, body in (("confirm", None), ("decline", {}), ("mark-absent", {"host": True})):
        response = await client.post(f"/v2/bookings/{uid}/{action}", headers=bob.v, json=body)
        assert_error(response, 403, "another user")
    assert_error(await client.get(f"/v2/bookings/{uid}/calendar-links", headers=bob.v), 403, "another user")
    assert_error(await client.post(f"/v2/bookings/{uid}/confirm", headers=V), 401)

    # the uid-based public actions Cal.com allows
    assert (await client.get(f"/v2/bookings/{uid}", headers=bob.v)).status_code == 200
    moved = await client.post(f"/v2/bookings/{uid}/reschedule", headers=bob.v, json={"start": TEN})
    assert moved.status_code == 201
    cancelled = await client.post(f"/v2/bookings/{moved.json()['data']['uid']}/cancel", headers=bob.v)
    assert cancelled.json()["data"]["status"] == "cancelled"
