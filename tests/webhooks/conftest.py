"""Webhook test fixtures: real receivers on 127.0.0.1, in-process delivery workers with fast retries,
bookings written the way every entry point writes them (``record_booking_event``).

Writes that may run while a worker is delivering use ``write_session`` (``BEGIN IMMEDIATE`` on
SQLite), as the server's own writes do: a read-then-write transaction could otherwise lose its
snapshot to the worker's commits."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from slotwise.bookings.events import record_booking_event
from slotwise.bookings.models import Attendee, Booking
from slotwise.config import Settings
from slotwise.db import Database
from slotwise.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from slotwise.webhooks.worker import DeliveryWorker
from tests.conftest import Account
from tests.webhooks.receiver import Behaviour, Receiver, always_ok

T = TypeVar("T")

# Retries in tenths of a second, no jitter: a whole retry story takes well under a second.
FAST = {
    "webhook_retry_schedule": (0.05, 0.05, 0.05),
    "webhook_retry_jitter": 0.0,
    "webhook_timeout_seconds": 2.0,
    "webhook_poll_interval_seconds": 0.05,
    "webhook_lease_seconds": 5.0,
}


async def eventually(check: Callable[[], Awaitable[T]], *, within: float = 10.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what} (last: {value!r})")
        await asyncio.sleep(0.02)


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, **FAST)


StartReceiver = Callable[..., Receiver]


@pytest.fixture
def receiver_factory() -> Iterator[StartReceiver]:
    started: list[Receiver] = []

    def start(behaviour: Behaviour = always_ok, *, port: int | None = None) -> Receiver:
        receiver = Receiver(behaviour, port=port).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(receiver_factory: StartReceiver) -> Receiver:
    return receiver_factory()


StartWorker = Callable[..., Awaitable[DeliveryWorker]]


@pytest.fixture
async def worker_factory(db: Database, fast_settings: Settings) -> AsyncIterator[StartWorker]:
    started: list[DeliveryWorker] = []

    async def start(database: Database | None = None, **overrides: Any) -> DeliveryWorker:
        settings = dataclasses.replace(fast_settings, **overrides)
        worker = DeliveryWorker(database or db, settings, keep_ids=True)
        await worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        await worker.stop()


async def subscribe(
    db: Database,
    account: Account,
    url: str,
    triggers: list[str] | None = None,
    **fields: Any,
) -> Webhook:
    async with db.write_session() as session:
        webhook = Webhook(
            user_id=account.user.id,
            subscriber_url=url,
            triggers=triggers or ["BOOKING_CREATED"],
            active=True,
            **fields,
        )
        session.add(webhook)
        await session.commit()
        return webhook


def new_booking(account: Account, start: datetime, minutes: float = 30, **fields: Any) -> Booking:
    end = start + timedelta(minutes=minutes)
    values: dict[str, Any] = {
        "uid": secrets.token_urlsafe(16),
        "host_id": account.user.id,
        "title": "Intro call",
        "start_time": start,
        "end_time": end,
        "block_start": start,
        "block_end": end,
        "status": "accepted",
        "ics_uid": secrets.token_hex(8),
        "responses": {"name": "Jo Doe", "email": "jo@example.com"},
        "attendees": [Attendee(name="Jo Doe", email="jo@example.com", time_zone="Asia/Kolkata", language="en")],
    }
    values.update(fields)
    return Booking(**values)


async def book(
    db: Database, account: Account, start: datetime, trigger: str = "BOOKING_CREATED", **fields: Any
) -> Booking:
    """Create a booking and announce it in the same transaction, as every entry point does."""
    async with db.write_session() as session:
        booking = new_booking(account, start, **fields)
        session.add(booking)
        await record_booking_event(session, trigger, booking)
        await session.commit()
        return booking


async def deliveries(db: Database, **where: Any) -> list[WebhookDelivery]:
    async with db.session() as session:
        query = select(WebhookDelivery).filter_by(**where).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        return list((await session.scalars(query)).all())


async def attempts_of(db: Database, delivery_id: str) -> list[WebhookAttempt]:
    async with db.session() as session:
        query = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
        )
        return list((await session.scalars(query)).all())


async def settled(db: Database) -> list[WebhookDelivery]:
    """All deliveries once none is pending any more (else an empty list, for ``eventually``)."""
    rows = await deliveries(db)
    return rows if rows and all(row.status != "pending" for row in rows) else []
