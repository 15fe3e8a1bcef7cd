"""GET /v2/slots answers from memory only what a fresh computation would answer.

Each test first makes the server cache an answer, then changes something behind its back (a row
written by hand, another server process, the clock) and checks that the next answer shows the change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from slotwise.db import Database
from slotwise.slots.cache import CachedAnswer, SlotCache
from slotwise.slots.models import SlotReservation
from tests.slots.conftest import V2024_09_04, MakeHost
from tests.slots.test_reservations import MONDAY, TEN_ROME, reserve, starts
from tests.slots.test_with_bookings import TEN, add_booking
from tests.support.server import start_server


def cache_of(app: FastAPI) -> SlotCache:
    cache: SlotCache = app.state.slot_cache
    return cache


async def test_a_repeated_question_is_answered_from_memory_until_a_booking_changes_it(
    client: httpx.AsyncClient, app: FastAPI, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    cache = cache_of(app)
    first = await starts(client, host.event_type_id)
    hits = cache.hits
    assert await starts(client, host.event_type_id) == first
    assert cache.hits == hits + 1

    await add_booking(db, host, host.event_type_id, TEN)  # by hand: no API call to notice it
    after = await starts(client, host.event_type_id)
    assert cache.hits == hits + 1, "the host's stamp changed: the answer was computed again"
    assert TEN_ROME in first and TEN_ROME not in after
    assert after == [start for start in first if start != TEN_ROME]


async def test_each_shape_and_zone_is_its_own_answer(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    params = {**MONDAY, "eventTypeId": host.event_type_id}
    utc = await client.get("/v2/slots", params=params, headers=V2024_09_04)
    rome = await client.get("/v2/slots", params={**params, "timeZone": "Europe/Rome"}, headers=V2024_09_04)
    ranges = await client.get("/v2/slots", params={**params, "format": "range"}, headers=V2024_09_04)
    legacy = await client.get(
        "/v2/slots", params={"startTime": "2050-09-05", "endTime": "2050-09-05", "eventTypeId": host.event_type_id}
    )
    assert utc.json()["data"]["2050-09-05"][0] == {"start": "2050-09-05T07:00:00.000Z"}
    assert rome.json()["data"]["2050-09-05"][0] == {"start": "2050-09-05T09:00:00.000+02:00"}
    assert ranges.json()["data"]["2050-09-05"][0] == {
        "start": "2050-09-05T07:00:00.000Z",
        "end": "2050-09-05T08:00:00.000Z",
    }
    assert legacy.json()["data"]["slots"]["2050-09-05"][0] == {"time": "2050-09-05T07:00:00.000Z"}


async def test_a_reservation_that_expires_frees_its_slot_in_the_cached_answer(
    client: httpx.AsyncClient, app: FastAPI, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    held = await reserve(client, host.event_type_id, TEN_ROME)
    assert held.status_code == 201, held.text
    async with db.session() as session:  # the hold ends in two seconds
        await session.execute(update(SlotReservation).values(expires_at=datetime.now(UTC) + timedelta(seconds=2)))
        await session.commit()
    assert TEN_ROME not in await starts(client, host.event_type_id)
    hits = cache_of(app).hits
    assert TEN_ROME not in await starts(client, host.event_type_id)
    assert cache_of(app).hits == hits + 1  # still held: from memory

    await asyncio.sleep(2.2)  # nothing is written when a hold expires; the answer's expiry covers it
    assert TEN_ROME in await starts(client, host.event_type_id)


@pytest.mark.slow
async def test_a_booking_made_through_another_process_shows_at_once(
    database_url: str, log_dir: Path, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    env = {"SLOTWISE_DATABASE_URL": database_url, "SLOTWISE_RATE_LIMIT_REQUESTS": "1000000"}
    servers = list(await asyncio.gather(*(asyncio.to_thread(start_server, env, log_dir) for _ in range(2))))
    try:
        reader, writer = (httpx.AsyncClient(base_url=server.base_url) for server in servers)
        async with reader, writer:
            before = await starts(reader, host.event_type_id)
            assert await starts(reader, host.event_type_id) == before  # now cached in the reader
            booked = await writer.post(
                "/v2/bookings",
                json={
                    "start": TEN_ROME,
                    "eventTypeId": host.event_type_id,
                    "attendee": {"name": "Ada", "email": "ada@example.com", "timeZone": "Europe/Rome"},
                },
                headers={"cal-api-version": "2024-08-13"},
            )
            assert booked.status_code == 201, booked.text
            after = await starts(reader, host.event_type_id)
    finally:
        for server in servers:
            server.stop()
    assert TEN_ROME in before and after == [start for start in before if start != TEN_ROME]


def test_the_cache_keeps_within_its_bytes_and_drops_the_least_recently_used() -> None:
    cache = SlotCache(max_bytes=25)

    def answer(size: int, expires: float = 100.0) -> CachedAnswer:
        return CachedAnswer(b"x" * size, (1,), ((1, 7),), expires)

    cache.put("a", answer(10))
    cache.put("b", answer(10))
    assert cache.get("a", now=0) is not None  # "a" is now the most recently used
    cache.put("c", answer(10))  # 30 bytes: "b" goes
    assert cache.get("b", now=0) is None and cache.get("a", now=0) is not None and cache.get("c", now=0) is not None
    cache.put("huge", answer(26))  # larger than the whole cache: not kept, nothing else lost
    assert cache.get("huge", now=0) is None and len(cache) == 2
    cache.put("old", answer(1, expires=5.0))
    assert cache.get("old", now=4.9) is not None and cache.get("old", now=5.0) is None
