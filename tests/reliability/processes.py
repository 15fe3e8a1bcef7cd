"""Real server processes for the fault tests: their memory, their logs, load against them, and the
checks that no booking, slot or webhook was lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from slotwise.bookings.models import ACTIVE_STATUSES, Booking
from slotwise.db import Database
from slotwise.webhooks.models import WebhookDelivery
from tests.reliability.world import BOOKINGS, World
from tests.webhooks.receiver import Receiver

# Fast webhook retries and short leases, so a killed worker's claims come back within seconds.
FAST_WEBHOOKS = {
    "SLOTWISE_WEBHOOK_TIMEOUT": "2",
    "SLOTWISE_WEBHOOK_LEASE_SECONDS": "3",  # the lease is at least timeout + 2 s
    "SLOTWISE_WEBHOOK_RETRY_SCHEDULE": "0.2,0.5,1,1,1,1,1,1",
    "SLOTWISE_WEBHOOK_RETRY_JITTER": "0",
    "SLOTWISE_WEBHOOK_POLL_INTERVAL": "0.2",
}


def rss_mb(pid: int) -> float:
    """Resident memory of a process (``VmRSS``), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def log_entries(text: str) -> list[dict[str, Any]]:
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                entries.append(json.loads(line))
    return entries


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "SLOTWISE_DATABASE_URL": database_url,
        "SLOTWISE_RATE_LIMIT_REQUESTS": "100000000",
        "SLOTWISE_LOG_FORMAT": "json",
        "SLOTWISE_WEBHOOK_WORKER": "1",
        **FAST_WEBHOOKS,
        **extra,
    }


@dataclass
class Outcome:
    """One request of a load run."""

    kind: str
    status: int  # -1: no answer (connection refused, reset, timed out)
    seconds: float
    at: float  # monotonic time the request started
    uid: str | None = None
    start: str | None = None
    body: dict[str, Any] | None = None
    retry_after: str | None = None


@dataclass
class Load:
    """Clients that book (and read slots) against ``base_url`` until stopped; ``base_url`` may be
    changed while they run (a restarted server)."""

    world: World
    base_url: str
    starts: list[str]
    clients: int = 8
    read_share: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._client(index)) for index in range(self.clients)]

    async def stop(self) -> list[Outcome]:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return self.outcomes

    async def _client(self, index: int) -> None:
        rng = random.Random(index)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        while not self._stop.is_set():
            base_url = self.base_url
            async with httpx.AsyncClient(base_url=base_url, timeout=5, limits=limits) as http:
                while not self._stop.is_set() and self.base_url == base_url:
                    if rng.random() < self.read_share:
                        await self._one(http, "slots", "GET", "/v2/slots", params=self._slot_query(rng))
                    else:
                        start = rng.choice(self.starts)
                        body = {
                            "start": start,
                            "eventTypeId": self.world.event_type_id,
                            "attendee": {
                                "name": f"Client {index}",
                                "email": f"c{index}@example.com",
                                "timeZone": "UTC",
                            },
                        }
                        await self._one(http, "book", "POST", "/v2/bookings", json=body, start=start)

    def _slot_query(self, rng: random.Random) -> dict[str, Any]:
        day = rng.choice(self.starts)[:10]
        return {"eventTypeId": self.world.event_type_id, "start": day, "end": day}

    async def _one(self, http: httpx.AsyncClient, kind: str, method: str, path: str, **options: Any) -> None:
        start = options.pop("start", None)
        headers = {"cal-api-version": "2024-09-04"} if kind == "slots" else BOOKINGS
        began = time.monotonic()
        try:
            response = await http.request(method, path, headers=headers, **options)
        except httpx.TransportError:
            self.outcomes.append(Outcome(kind, -1, time.monotonic() - began, began, start=start))
            await asyncio.sleep(0.05)
            return
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        uid = body["data"]["uid"] if response.status_code == 201 and body else None
        retry_after = response.headers.get("retry-after")
        self.outcomes.append(
            Outcome(kind, response.status_code, time.monotonic() - began, began, uid, start, body, retry_after)
        )


async def active_bookings(db: Database, host_id: int) -> dict[str, tuple[Any, Any]]:
    """uid -> (start, end) of the host's active bookings."""
    async with db.session() as session:
        rows = await session.execute(
            select(Booking.uid, Booking.start_time, Booking.end_time).where(
                Booking.host_id == host_id, Booking.status.in_(ACTIVE_STATUSES)
            )
        )
        return {row.uid: (row.start_time, row.end_time) for row in rows}


async def overlapping_pairs(db: Database) -> list[tuple[str, str]]:
    """Pairs of active bookings of one host whose blocked times overlap: a double booking."""
    other = aliased(Booking)
    async with db.session() as session:
        rows = await session.execute(
            select(Booking.uid, other.uid)
            .join(
                other,
                and_(
                    other.host_id == Booking.host_id,
                    other.id > Booking.id,
                    other.block_start < Booking.block_end,
                    Booking.block_start < other.block_end,
                    other.status.in_(ACTIVE_STATUSES),
                ),
            )
            .where(Booking.status.in_(ACTIVE_STATUSES))
        )
        return [(a, b) for a, b in rows]


async def undelivered(db: Database, trigger: str = "BOOKING_CREATED") -> list[tuple[str, str]]:
    async with db.session() as session:
        rows = await session.execute(
            select(WebhookDelivery.id, WebhookDelivery.status).where(
                WebhookDelivery.trigger == trigger, WebhookDelivery.status != "delivered"
            )
        )
        return [(row.id, row.status) for row in rows]


async def outbox_ids(db: Database, trigger: str = "BOOKING_CREATED") -> set[str]:
    async with db.session() as session:
        return set((await session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.trigger == trigger))).all())


def received_uids(receiver: Receiver, trigger: str = "BOOKING_CREATED") -> set[str]:
    uids = set()
    for request in receiver.requests:
        body = json.loads(request.body)
        if body.get("triggerEvent") == trigger:
            uids.add(body["payload"]["uid"])
    return uids


async def eventually(check: Callable[[], Awaitable[Any]], *, within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.1)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
