"""Several workers share one outbox without sending an attempt twice; a worker that stops cleanly
finishes what it started; one that dies leaves leases that expire, and nothing is lost."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.db import Database, utcnow
from slotwise.webhooks.models import WebhookDelivery
from slotwise.webhooks.outbox import enqueue
from slotwise.webhooks.worker import claim
from tests.conftest import Account, MakeAccount
from tests.support.server import SLOTWISE, start_server
from tests.webhooks.conftest import StartReceiver, StartWorker, deliveries, eventually, settled, subscribe
from tests.webhooks.receiver import Receiver, Reply


async def queue(db: Database, account: Account, count: int, trigger: str = "BOOKING_CREATED") -> None:
    """``count`` events for the account's webhooks, committed at once (one transaction)."""
    async with db.write_session() as session:
        for n in range(count):
            await enqueue(session, trigger, {"n": n}, user_id=account.user.id, event_type_id=None)
        await session.commit()


async def _delivered(db: Database, count: int) -> bool:
    async with db.session() as session:
        done = await session.scalar(
            select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "delivered")
        )
        return done == count


async def test_two_workers_never_send_the_same_delivery_twice(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(lambda _r, _i: Reply(delay=0.002))
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    # two workers with their own connection pools, as two processes would have
    second_db = Database(db.url)
    try:
        one = await worker_factory(webhook_concurrency=16)
        two = await worker_factory(second_db, webhook_concurrency=16)
        await queue(db, alice, 500)

        await eventually(lambda: _delivered(db, 500), within=30, what="500 deliveries")
    finally:
        await asyncio.sleep(0.1)
        for worker in (one, two):
            await worker.stop()
        await second_db.dispose()

    hits = Counter(receiver.ids())
    assert len(hits) == 500 and set(hits.values()) == {1}, hits.most_common(3)
    assert one.stats.delivered + two.stats.delivered == 500
    assert one.stats.delivered > 0 and two.stats.delivered > 0  # both took part
    assert not set(one.stats.sent_ids) & set(two.stats.sent_ids)


async def test_a_dead_workers_claims_are_sent_after_their_lease_expires(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 3)
    jobs, _dropped = await claim(db, 10, lease_seconds=0.5)  # ... and then that worker died
    assert len(jobs) == 3

    worker = await worker_factory()
    await asyncio.sleep(0.3)
    assert receiver.requests == []  # leased: nobody else sends them
    await eventually(lambda: _delivered(db, 3), what="the expired claims to be sent")

    assert sorted(receiver.ids()) == sorted(job.id for job in jobs)
    assert worker.stats.delivered == 3


async def test_stopping_a_worker_finishes_and_records_its_in_flight_attempts(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(lambda _r, _i: Reply(delay=0.4))
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    worker = await worker_factory()
    await queue(db, alice, 5)
    await eventually(lambda: _received(receiver, 5), what="five requests in flight")

    await worker.stop()

    rows = await deliveries(db)
    assert [row.status for row in rows] == ["delivered"] * 5
    assert all(row.locked_until is None and row.claim_token is None for row in rows)


async def test_stopping_a_worker_releases_claims_it_could_not_finish(
    db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, worker_factory: StartWorker
) -> None:
    receiver = receiver_factory(lambda _r, _i: Reply(delay=1.0))  # longer than the worker waits at stop
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    worker = await worker_factory(webhook_timeout_seconds=10.0)
    worker.stop_grace = 0.2  # wait only this long for in-flight attempts when stopping
    await queue(db, alice, 2)
    await eventually(lambda: _received(receiver, 2), what="two requests in flight")

    await worker.stop()

    rows = await deliveries(db)
    assert [row.status for row in rows] == ["pending"] * 2
    assert all(row.locked_until is None and row.next_attempt_at <= utcnow() for row in rows)  # due again now
    assert all(row.attempts == 0 for row in rows)  # an interrupted attempt is not counted


async def _received(receiver: Receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def test_slotwise_worker_runs_as_its_own_process(
    database_url: str, db: Database, make_account: MakeAccount, receiver: Receiver, log_dir: Path
) -> None:
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 20)
    env = {**os.environ, "SLOTWISE_DATABASE_URL": database_url, "SLOTWISE_WEBHOOK_POLL_INTERVAL": "0.05"}
    with (log_dir / "worker.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            SLOTWISE, "worker", "--concurrency", "4", env=env, stderr=log, stdout=log
        )
    try:
        await eventually(lambda: _delivered(db, 20), within=20, what="the worker process to deliver")
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 15)

    assert code == 0, (log_dir / "worker.log").read_text()
    assert len(set(receiver.ids())) == 20
    assert "20 delivered" in (log_dir / "worker.log").read_text()


async def test_nothing_is_lost_when_the_server_is_killed_mid_delivery(
    database_url: str, db: Database, make_account: MakeAccount, receiver_factory: StartReceiver, log_dir: Path
) -> None:
    """1,000 queued events, `slotwise serve` SIGKILLed part-way, restarted: every event arrives."""
    receiver = receiver_factory(lambda _r, _i: Reply(delay=0.01))
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 1000)
    env = {
        "SLOTWISE_DATABASE_URL": database_url,
        "SLOTWISE_WEBHOOK_CONCURRENCY": "8",
        "SLOTWISE_WEBHOOK_LEASE_SECONDS": "1",
        "SLOTWISE_WEBHOOK_TIMEOUT": "1",
        "SLOTWISE_WEBHOOK_POLL_INTERVAL": "0.1",
        "SLOTWISE_WEBHOOK_WORKER": "1",
    }

    server = start_server(env, log_dir)
    try:
        await eventually(lambda: _received(receiver, 250), within=20, what="a quarter of the deliveries")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        at_kill = len(set(receiver.ids()))
        assert at_kill < 1000, "the server finished before it could be killed: slow the receiver down"
    finally:
        server.stop()

    restarted = start_server(env, log_dir)
    try:
        await eventually(lambda: _delivered(db, 1000), within=60, what="all 1,000 deliveries after the restart")
    finally:
        restarted.stop()

    hits = Counter(receiver.ids())
    assert len(hits) == 1000  # every event arrived ...
    assert max(hits.values()) <= 2  # ... a few twice (in flight at the kill): receivers dedupe on webhook-id
    duplicates = sum(1 for count in hits.values() if count > 1)
    assert duplicates <= 8 + 200, duplicates  # at most what was in flight or not yet recorded
    rows = await settled(db)
    assert len(rows) == 1000 and {row.status for row in rows} == {"delivered"}
    assert utcnow() - min(row.created_at for row in rows) < timedelta(minutes=2)


async def test_the_server_delivers_unless_its_worker_is_switched_off(
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    fast_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    monkeypatch.setenv("SLOTWISE_WEBHOOK_WORKER", "0")
    assert Settings.from_env().webhook_worker is False
    quiet = create_app(dataclasses.replace(fast_settings, webhook_worker=False))
    async with quiet.router.lifespan_context(quiet):
        await queue(db, alice, 1)
        await asyncio.sleep(0.3)
        assert receiver.requests == []

    serving = create_app(fast_settings)  # the default: a worker in the server process
    async with serving.router.lifespan_context(serving):
        await eventually(lambda: _delivered(db, 1), what="the server's worker to deliver")


def test_delivery_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTWISE_WEBHOOK_RETRY_SCHEDULE", "1, 2.5,60")
    monkeypatch.setenv("SLOTWISE_WEBHOOK_TIMEOUT", "3")
    monkeypatch.setenv("SLOTWISE_WEBHOOK_DISABLE_AFTER_DAYS", "0.5")
    settings = Settings.from_env()
    assert settings.webhook_retry_schedule == (1.0, 2.5, 60.0)
    assert settings.webhook_timeout_seconds == 3.0 and settings.webhook_disable_after_days == 0.5
    assert settings.webhook_worker is True and settings.webhook_concurrency == 64

    monkeypatch.setenv("SLOTWISE_WEBHOOK_RETRY_SCHEDULE", "5,soon")
    with pytest.raises(ValueError, match="SLOTWISE_WEBHOOK_RETRY_SCHEDULE"):
        Settings.from_env()
    monkeypatch.setenv("SLOTWISE_WEBHOOK_RETRY_SCHEDULE", "5")
    monkeypatch.setenv("SLOTWISE_WEBHOOK_WORKER", "maybe")
    with pytest.raises(ValueError, match="SLOTWISE_WEBHOOK_WORKER"):
        Settings.from_env()


async def test_a_slow_database_holds_sending_back_and_then_it_resumes(
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slotwise.webhooks import worker as worker_module

    record = worker_module.record_outcomes
    calls = 0

    async def slow_first_write(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(1.0)  # outcomes pile up meanwhile: the worker must stop claiming ...
        await record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_module, "record_outcomes", slow_first_write)
    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 600)
    worker = await worker_factory(webhook_concurrency=16)

    await eventually(lambda: _delivered(db, 600), within=20, what="every delivery after the stall")  # ... and resume

    assert worker.stats.delivered == 600 and len(set(receiver.ids())) == 600


async def test_an_outcome_that_cannot_be_written_does_not_hold_up_the_others(
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slotwise.webhooks import worker as worker_module

    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 5)
    poison = (await deliveries(db))[0].id
    record = worker_module.record_outcomes

    async def refuse_poison(database: Database, results: list[object], *args: object) -> None:
        if any(job.id == poison for job, _outcome in results):  # type: ignore[attr-defined]
            raise RuntimeError("cannot write this one")
        await record(database, results, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_module, "record_outcomes", refuse_poison)
    await worker_factory(webhook_lease_seconds=60.0)

    await eventually(lambda: _delivered(db, 4), within=10, what="the other four to be recorded")
    stuck = [row for row in await deliveries(db) if row.status != "delivered"]
    assert [row.id for row in stuck] == [poison] and stuck[0].locked_until is not None  # left to its lease


async def test_the_delivery_log_keeps_finished_deliveries_for_the_retention_period(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    from slotwise.webhooks.models import WebhookAttempt
    from slotwise.webhooks.worker import purge_finished

    alice = await make_account()
    await subscribe(db, alice, receiver.url)
    await queue(db, alice, 3)
    await worker_factory()
    await eventually(lambda: _delivered(db, 3), what="three deliveries")
    async with db.write_session() as session:  # one delivered long ago, one still waiting to be sent
        rows = list((await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))).all())
        rows[0].created_at = utcnow() - timedelta(days=31)
        rows[1].created_at = utcnow() - timedelta(days=31)
        rows[1].status, rows[1].next_attempt_at = "pending", utcnow() + timedelta(days=1)
        await session.commit()

    removed = await purge_finished(db, utcnow() - timedelta(days=30))

    assert removed == 1
    remaining = await deliveries(db)
    assert sorted(row.id for row in remaining) == sorted([rows[1].id, rows[2].id])
    async with db.session() as session:
        attempts = await session.scalars(select(WebhookAttempt.delivery_id))
        assert rows[0].id not in set(attempts)
