"""Durable delivery against real receivers on 127.0.0.1: failures are retried with backoff, every
retry carries the same webhook-id, and each story ends delivered exactly once more than it failed."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from slotwise.db import Database, utcnow
from slotwise.webhooks.models import Webhook
from tests.conftest import MakeAccount
from tests.webhooks.conftest import (
    StartReceiver,
    StartWorker,
    attempts_of,
    book,
    deliveries,
    eventually,
    settled,
    subscribe,
)
from tests.webhooks.receiver import Receiver, Reply, fail_first, free_port

START = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)


async def test_a_receiver_that_fails_with_500_three_times_gets_it_on_the_fourth(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(fail_first(3, Reply(500, b"boom")))
    host = await make_account()
    await subscribe(db, host, receiver.url)
    booking = await book(db, host, START)
    await worker_factory()

    (delivery,) = await eventually(lambda: settled(db), what="the delivery to settle")

    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.id] * 4
    assert {r.body for r in receiver.requests} == {receiver.requests[0].body}  # the same event each time
    assert json.loads(receiver.requests[-1].body)["payload"]["uid"] == booking.uid
    assert delivery.status == "delivered" and delivery.last_status_code == 200
    log = await attempts_of(db, delivery.id)
    assert [a.status_code for a in log] == [500, 500, 500, 200]
    assert [a.error for a in log[:3]] == ["HTTP 500"] * 3 and log[3].error is None
    assert log[0].response_excerpt == "boom"
    gaps = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in itertools.pairwise(log)]
    assert all(gap >= 0.04 for gap in gaps), gaps  # the backoff schedule was respected


async def test_a_receiver_that_hangs_past_the_timeout_is_retried(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(fail_first(3, Reply(200, delay=1.0)))
    host = await make_account()
    await subscribe(db, host, receiver.url)
    await book(db, host, START)
    await worker_factory(webhook_timeout_seconds=0.3)

    (delivery,) = await eventually(lambda: settled(db), what="the delivery to settle")

    assert receiver.ids() == [delivery.id] * 4
    assert delivery.status == "delivered"
    log = await attempts_of(db, delivery.id)
    assert [a.status_code for a in log] == [None, None, None, 200]
    assert all("timed out after 0.3 s" in (a.error or "") for a in log[:3])
    assert all(250 <= a.duration_ms < 2000 for a in log[:3]), [a.duration_ms for a in log]


async def test_a_receiver_that_refuses_connections_gets_it_once_it_listens(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    port = free_port()  # nothing listens here yet: connections are refused
    host = await make_account()
    await subscribe(db, host, f"http://127.0.0.1:{port}/hook")
    await book(db, host, START)
    # the third retry waits long enough for the receiver to come up
    await worker_factory(webhook_retry_schedule=(0.05, 0.05, 1.0, 0.05))

    async def three_refusals() -> bool:
        rows = await deliveries(db)
        return bool(rows) and len(await attempts_of(db, rows[0].id)) >= 3

    await eventually(three_refusals, what="three refused attempts")
    receiver = receiver_factory(port=port)
    (delivery,) = await eventually(lambda: settled(db), what="the delivery to settle")

    assert receiver.ids() == [delivery.id]
    log = await attempts_of(db, delivery.id)
    assert [a.status_code for a in log] == [None, None, None, 200]
    assert all((a.error or "").startswith("connection failed") for a in log[:3])
    assert delivery.status == "delivered"


async def test_redirects_are_not_followed_and_count_as_failures(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    elsewhere = receiver_factory()
    redirecting = receiver_factory(lambda _r, _i: Reply(302, headers={"Location": elsewhere.url}))
    host = await make_account()
    await subscribe(db, host, redirecting.url)
    await book(db, host, START)
    await worker_factory(webhook_retry_schedule=(0.05,))

    (delivery,) = await eventually(lambda: settled(db), what="the delivery to settle")

    assert delivery.status == "failed" and delivery.last_status_code == 302
    assert len(redirecting.requests) == 2 and elsewhere.requests == []
    assert "redirects are not followed" in (delivery.last_error or "")
    assert elsewhere.url in (delivery.last_error or "")


async def test_exhausted_retries_fail_the_delivery_and_a_webhook_failing_for_days_is_deactivated(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(lambda _r, _i: Reply(503, b"down"))
    host = await make_account()
    webhook = await subscribe(
        db, host, receiver.url, ["BOOKING_CREATED"], failing_since=utcnow() - timedelta(days=2, hours=23)
    )
    await book(db, host, START)
    worker = await worker_factory(webhook_retry_schedule=(0.05, 0.05), webhook_disable_after_days=3.0)

    (delivery,) = await eventually(lambda: settled(db), what="the delivery to fail")
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.last_error == "HTTP 503"
    async with db.write_session() as session:
        still = await session.get(Webhook, webhook.id)
        assert still is not None and still.active  # 2 days 23 hours of failures: not yet
        still.failing_since = utcnow() - timedelta(days=3, minutes=1)
        await session.commit()

    await book(db, host, START + timedelta(days=1))
    await book(db, host, START + timedelta(days=2))

    async def deactivated() -> object:
        async with db.session() as session:
            row = await session.get(Webhook, webhook.id)
            return row if row is not None and not row.active else None

    row = await eventually(deactivated, what="the webhook to be deactivated")
    assert row.deactivated_at is not None
    assert "every delivery failed for 3 days" in (row.deactivated_reason or "")
    assert "HTTP 503" in (row.deactivated_reason or "")
    rows = await eventually(lambda: settled(db), what="the later deliveries to settle")
    dropped = [r for r in rows if r.status == "dropped"]
    assert dropped and all("inactive" in (r.last_error or "") for r in dropped)
    assert worker.stats.delivered == 0


async def test_a_success_ends_a_failure_streak(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    host = await make_account()
    webhook = await subscribe(db, host, receiver.url, failing_since=utcnow() - timedelta(days=2))
    await book(db, host, START)
    await worker_factory(webhook_disable_after_days=0.0)

    await eventually(lambda: settled(db), what="the delivery")

    async with db.session() as session:
        row = await session.get(Webhook, webhook.id)
        assert row is not None and row.active and row.failing_since is None


async def test_retry_after_from_a_busy_receiver_is_honoured(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(fail_first(1, Reply(429, headers={"Retry-After": "1"})))
    host = await make_account()
    await subscribe(db, host, receiver.url)
    await book(db, host, START)
    await worker_factory()  # its own schedule would retry after 0.05 s

    (delivery,) = await eventually(lambda: settled(db), what="the delivery")

    first, second = receiver.requests
    assert second.at - first.at >= 0.9
    assert delivery.status == "delivered" and [a.status_code for a in await attempts_of(db, delivery.id)] == [429, 200]


async def test_whatever_a_receiver_answers_is_logged(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(lambda _r, _i: Reply(200, b"ok\x00\xff\xfe" + b"z" * 5000))
    host = await make_account()
    await subscribe(db, host, receiver.url)
    await book(db, host, START)
    await worker_factory()

    (delivery,) = await eventually(lambda: settled(db), what="the delivery")

    assert delivery.status == "delivered"
    (attempt,) = await attempts_of(db, delivery.id)
    assert attempt.response_excerpt is not None and attempt.response_excerpt.startswith("ok\ufffd\ufffd\ufffd")
    assert len(attempt.response_excerpt) <= 1024
