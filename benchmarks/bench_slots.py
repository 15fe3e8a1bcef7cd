"""GET /v2/slots: engine time, endpoint latency, and throughput against a bare endpoint of the same app.

Run:  make bench   (or: .venv/bin/python benchmarks/bench_slots.py [sqlite|postgresql ...])

Scenario (issue 3): one host (Mon-Fri 09:00-17:00 Europe/Berlin), a 31-day window, a 30-minute
event with a 15-minute interval, with 0 / 100 / 1,000 / 10,000 bookings inside the window and
100,000 outside it. The first row has no bookings at all, so the second row shows what 100,000
bookings outside the window cost (nothing, when the query is window-bounded).

Per row: the engine's time per call (``compute_offer`` alone, inside the service) and the whole
service call (database + engine), both in-process and uncached; the endpoint's p50/p95 over 500
sequential requests to a real server process; and the endpoint's throughput at 8 concurrent clients
as a ratio of a bare JSON endpoint of the same app measured in the same run. Each size is measured on
two server processes: the app as shipped (``cache on``: repeated questions are answered from memory
while the hosts' availability stamps and the answer's time bound hold, see docs/slots.md) and with
``SLOTWISE_SLOTS_CACHE_BYTES=0`` (``off``: every request computes).
Targets: engine < 2 ms at 1,000 bookings; p95 < 20 ms; throughput >= 30 % of bare; linear growth.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from _harness import load, start_server, throwaway_database
from sqlalchemy import delete, insert, text

from slotwise.availability import compute_offer
from slotwise.bookings.models import Booking
from slotwise.db import Database, migrate
from slotwise.event_types.models import EventType
from slotwise.slots import service as slots
from slotwise.users import service as users

WINDOW_START = datetime(2031, 3, 3, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=31)
SIZES = (0, 100, 1_000, 10_000)
OUTSIDE = 100_000
REQUESTS = 500
CONCURRENCY = 8


def _rows(host_id: int, event_type_id: int, count: int, first: datetime, span: timedelta) -> list[dict[str, Any]]:
    """``count`` 3-minute bookings spread evenly over ``span`` (they never overlap)."""
    step = span / max(count, 1)
    rows = []
    for index in range(count):
        start = first + step * index
        end = start + timedelta(minutes=3)
        rows.append(
            {
                "uid": secrets.token_urlsafe(16),
                "host_id": host_id,
                "event_type_id": event_type_id,
                "title": "bench",
                "start_time": start,
                "end_time": end,
                "block_start": start,
                "block_end": end,
                "status": "accepted",
                "ics_uid": secrets.token_hex(8),
            }
        )
    return rows


async def _insert(database: Database, rows: list[dict[str, Any]]) -> None:
    async with database.engine.begin() as connection:
        for chunk in range(0, len(rows), 5_000):
            await connection.execute(insert(Booking), rows[chunk : chunk + 5_000])
        await connection.execute(text("ANALYZE bookings" if not database.sqlite else "ANALYZE"))  # as autovacuum would


async def _seed(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        user = await users.create_user(
            session, email="bench@example.com", username="bench", time_zone="Europe/Berlin", name="Bench"
        )
        event_type = EventType(
            owner_id=user.id,
            title="Bench",
            slug="bench",
            length=30,
            slot_interval=15,
            minimum_booking_notice=0,
            locations=[],
            booking_fields=[],
            settings={},
            event_metadata={},
        )
        session.add(event_type)
        await session.commit()
        return user.id, event_type.id


async def _in_process(database: Database, event_type_id: int, calls: int = 50) -> tuple[float, float, int]:
    """(median engine ms, median service ms, slots) for one 31-day query."""
    engine_times: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        result = compute_offer(*args, **kwargs)
        engine_times.append(time.perf_counter() - began)
        return result

    service_times, count = [], 0
    query = slots.SlotQuery(start=WINDOW_START, end=WINDOW_END, event_type_id=event_type_id)
    now = WINDOW_START - timedelta(days=1)
    with patch.object(slots, "compute_offer", timed):  # the engine's share of each service call
        for _ in range(calls):
            async with database.session() as session:
                began = time.perf_counter()
                result = await slots.available_slots(session, query, now=now)
                service_times.append(time.perf_counter() - began)
                count = len(result.slots)
    return statistics.median(engine_times[5:]) * 1000, statistics.median(service_times[5:]) * 1000, count


async def _measure(base_url: str, path: str) -> tuple[Any, Any, Any]:
    """(sequential latency, throughput at CONCURRENCY, the bare endpoint's throughput) on one server."""
    versioned = {"cal-api-version": "2024-09-04"}
    await load(base_url, lambda _: ("GET", path, None), total=50, concurrency=4, headers=versioned)
    latency = await load(base_url, lambda _: ("GET", path, None), total=REQUESTS, concurrency=1, headers=versioned)
    busy = await load(
        base_url, lambda _: ("GET", path, None), total=REQUESTS, concurrency=CONCURRENCY, headers=versioned
    )
    bare = await load(base_url, lambda _: ("GET", "/bench/bare", None), total=REQUESTS, concurrency=CONCURRENCY)
    return latency, busy, bare


async def run(kind: str) -> list[str]:
    lines = []
    async with throwaway_database(kind) as url:
        await migrate(url)
        database = Database(url)
        host_id, event_type_id = await _seed(database)
        # the same app twice: as shipped (slot answers cached, exactly) and with the cache off
        servers = {
            "on": start_server(url, 8791),
            "off": start_server(url, 8792, extra_env={"SLOTWISE_SLOTS_CACHE_BYTES": "0"}),
        }
        path = (
            f"/v2/slots?eventTypeId={event_type_id}&start={WINDOW_START:%Y-%m-%d}"
            f"&end={(WINDOW_END - timedelta(days=1)):%Y-%m-%d}"
        )
        try:
            plan = [(0, 0), *[(size, OUTSIDE) for size in SIZES]]
            outside_loaded = False
            for inside, outside in plan:
                async with database.engine.begin() as connection:
                    await connection.execute(delete(Booking).where(Booking.start_time >= WINDOW_START))
                if outside and not outside_loaded:
                    await _insert(
                        database,
                        _rows(host_id, event_type_id, OUTSIDE, WINDOW_START - timedelta(days=400), timedelta(days=395)),
                    )
                    outside_loaded = True
                await _insert(database, _rows(host_id, event_type_id, inside, WINDOW_START, WINDOW_END - WINDOW_START))
                engine_ms, service_ms, count = await _in_process(database, event_type_id)
                for cache, server in servers.items():
                    latency, busy, bare = await _measure(server.base_url, path)
                    lines.append(
                        f"| {kind} | {cache:>5} | {inside:>6,} | {outside:>7,} | {count:>5} | {engine_ms:6.2f} | "
                        f"{service_ms:7.2f} | {latency.p50:6.2f} | {latency.percentile(95):6.2f} | "
                        f"{busy.per_second:7.0f} | {bare.per_second:7.0f} | {busy.per_second / bare.per_second:5.0%} | "
                        f"{latency.errors + busy.errors} |"
                    )
                    print(lines[-1], flush=True)
        finally:
            for server in servers.values():
                server.stop()
            await database.dispose()
    return lines


async def main(kinds: list[str]) -> None:
    print(
        "| db | cache | inside | outside | slots | engine ms | service ms | p50 ms | p95 ms | slots req/s "
        "| bare req/s | ratio | errors |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in kinds:
        await run(kind)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:] or ["sqlite", "postgresql"]))
