"""Zero double bookings under concurrency, over real HTTP against real server processes.

50 clients fire at once at three one-hour slots and at a three-seat slot: exactly one booking per
slot (three seats in one booking for the seated slot), a clear 409 for every other client, and not a
row more in the database. On PostgreSQL the same runs against two server processes sharing it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from slotwise.bookings.models import ACTIVE_STATUSES, Attendee, Booking
from slotwise.db import Database
from slotwise.webhooks.models import Webhook, WebhookDelivery
from tests.bookings.conftest import NINE, TEN, AddEventType, Host, V
from tests.support.server import ServerProcess, start_server

pytestmark = pytest.mark.slow

CLIENTS = 50
SLOTS = (NINE, TEN, "2050-09-05T10:00:00.000Z")
SEATED = "2050-09-05T12:00:00.000Z"
SEATS = 3


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    # the webhook worker stays off so that the outbox shows exactly what the bookings announced
    return {
        "SLOTWISE_DATABASE_URL": database_url,
        "SLOTWISE_RATE_LIMIT_REQUESTS": "1000000",
        "SLOTWISE_WEBHOOK_WORKER": "0",
    }


def _requests(host: Host, seated_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(target, body) per client: most clients race for the three slots, ten for the three seats."""
    plan = []
    for client in range(CLIENTS):
        person = {"name": f"Client {client}", "email": f"client{client}@example.com", "timeZone": "Europe/Rome"}
        if client % 5 == 4:
            plan.append((f"seat {SEATED}", {"start": SEATED, "eventTypeId": seated_id, "attendee": person}))
        else:
            start = SLOTS[client % len(SLOTS)]
            plan.append((start, {"start": start, "eventTypeId": host.event_type_id, "attendee": person}))
    return plan


async def _fire(servers: list[ServerProcess], plan: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    clients = [httpx.AsyncClient(base_url=server.base_url, timeout=60, limits=limits) for server in servers]
    try:
        for client in clients:  # open connections first so that the bookings really start together
            await asyncio.gather(*(client.get("/health") for _ in range(CLIENTS // len(clients))))
        start = asyncio.Event()

        async def one(index: int, body: dict[str, Any]) -> httpx.Response:
            await start.wait()
            return await clients[index % len(clients)].post("/v2/bookings", json=body, headers=V)

        tasks = [asyncio.create_task(one(index, body)) for index, (_, body) in enumerate(plan)]
        await asyncio.sleep(0.05)
        start.set()
        return await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.aclose()


async def _race(db: Database, host: Host, add_event_type: AddEventType, servers: list[ServerProcess]) -> None:
    seated_id = await add_event_type(host, "seated", 60, seats_per_time_slot=SEATS)
    async with db.session() as session:
        session.add(
            Webhook(user_id=host.user.id, subscriber_url="http://127.0.0.1:9/hook", triggers=["BOOKING_CREATED"])
        )
        await session.commit()
    plan = _requests(host, seated_id)

    responses = await _fire(servers, plan)

    won: Counter[str] = Counter()
    seated_uids = set()
    for (target, _), response in zip(plan, responses, strict=True):
        if response.status_code == 201:
            won[target] += 1
            if target.startswith("seat"):
                seated_uids.add(response.json()["data"]["uid"])
            continue
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["details"]["reason"] in ("TAKEN", "NO_SEATS"), error
        assert "already booked" in error["message"] or "no seats left" in error["message"], error
    assert won == {**dict.fromkeys(SLOTS, 1), f"seat {SEATED}": SEATS}, won
    assert len(seated_uids) == 1  # the seats share one booking

    async with db.session() as session:
        bookings = (await session.execute(select(Booking.start_time, Booking.status))).all()
        attendees = await session.scalar(select(func.count()).select_from(Attendee))
        announced = await session.scalar(
            select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.trigger == "BOOKING_CREATED")
        )
    assert len(bookings) == len(SLOTS) + 1 and all(status in ACTIVE_STATUSES for _, status in bookings)
    assert attendees == len(SLOTS) + SEATS
    assert announced == len(SLOTS) + SEATS  # one announcement per booking and per seat, none for losers


async def test_fifty_clients_one_server(
    env: dict[str, str], log_dir: Path, db: Database, host: Host, add_event_type: AddEventType
) -> None:
    server = start_server(env, log_dir)
    try:
        await _race(db, host, add_event_type, [server])
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()[-3000:]


async def test_fifty_clients_two_servers_sharing_postgresql(
    env: dict[str, str], log_dir: Path, db: Database, host: Host, add_event_type: AddEventType, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("several server processes share a PostgreSQL database (SQLite is the single-process mode)")
    servers = list(await asyncio.gather(*(asyncio.to_thread(start_server, env, log_dir) for _ in range(2))))
    try:
        await _race(db, host, add_event_type, servers)
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.log(), server.log()[-3000:]
