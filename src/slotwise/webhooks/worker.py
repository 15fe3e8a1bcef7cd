"""The delivery worker: drains the outbox with leases, retries with backoff, keeps the log.

Cycle: claim due deliveries (one ``UPDATE ... RETURNING`` that sets a lease, ``locked_until``, and a
``claim_token``; on PostgreSQL its subquery is ``FOR UPDATE SKIP LOCKED``, on SQLite the write lock
serialises claims), send each claimed delivery concurrently (at most ``concurrency`` in flight), and
write the outcomes in batches: one ``webhook_attempts`` row per HTTP attempt, the delivery's new
state (delivered, pending again at ``next_attempt_at``, or failed), and the webhook's failure streak.

Several workers (in ``slotwise serve`` processes and ``slotwise worker`` processes) can share one
database: a claimed delivery is invisible to other claims until its lease expires, so nobody sends
the same attempt twice. A worker that dies mid-flight leaves its leases to expire (after
``webhook_lease_seconds``) and the deliveries are sent again, with the same ``webhook-id``: delivery
is at least once, and receivers dedupe on ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from slotwise.bookings.models import Booking
from slotwise.config import Settings
from slotwise.db import Database, utcnow
from slotwise.observability import WEBHOOK_DELIVERIES
from slotwise.webhooks import delivery, outbox, signing
from slotwise.webhooks.http import Sender
from slotwise.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery

logger = logging.getLogger("slotwise.webhooks")

MEETING_TRIGGERS = frozenset({"MEETING_STARTED", "MEETING_ENDED"})
FLUSH_SIZE = 200  # write outcomes once this many are waiting ...
FLUSH_INTERVAL = 0.05  # ... or this often (seconds)
PURGE_INTERVAL = 600.0  # seconds between delivery log trims
MAX_RECORD = 1000  # outcomes written per transaction at most

DELIVERIES = cast(Table, WebhookDelivery.__table__)
WEBHOOKS = cast(Table, Webhook.__table__)
ATTEMPTS = cast(Table, WebhookAttempt.__table__)
BOOKINGS = cast(Table, Booking.__table__)


@dataclass(frozen=True)
class Job:
    """A claimed delivery, ready to send."""

    id: str
    trigger: str
    body: dict[str, Any]
    attempts: int
    claim_token: str
    target: delivery.Target
    retry: bool = True  # False for pings: one attempt, no retries


@dataclass
class WorkerStats:
    claimed: int = 0
    attempts: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dropped: int = 0
    sent_ids: list[str] = field(default_factory=list)  # filled only when ``keep_ids`` is on (tests)


def target_of(row: Any) -> delivery.Target:
    """A :class:`delivery.Target` from a webhooks row or ORM object."""
    return delivery.Target(
        webhook_id=row.id,
        url=row.subscriber_url,
        secret=row.secret or None,
        signing_key=signing.signing_key(row.secret or None, row.signing_secret),
        payload_template=row.payload_template or None,
        active=bool(row.active),
    )


@asynccontextmanager
async def write_transaction(database: Database) -> AsyncIterator[AsyncConnection]:
    """A Core transaction that takes SQLite's write lock up front (``BEGIN IMMEDIATE``)."""
    async with database.engine.connect() as connection:
        if database.sqlite:
            connection = await connection.execution_options(sqlite_immediate=True)
        async with connection.begin():
            yield connection


def _drop_reason(row: Any, hook: Any, booking: Any) -> str | None:
    if hook is None:
        return "the webhook no longer exists"
    if not hook.active:
        why = f" ({hook.deactivated_reason})" if hook.deactivated_reason else ""
        return f"not sent: the webhook is inactive{why}"
    if row.trigger in MEETING_TRIGGERS and row.booking_uid:
        moment = "start" if row.trigger == "MEETING_STARTED" else "end"
        if booking is None:
            return f"not sent: booking {row.booking_uid} no longer exists"
        if booking.status != "accepted":
            return f"not sent: the booking was {booking.status} before its {moment}"
        current = booking.start_time if row.trigger == "MEETING_STARTED" else booking.end_time
        if row.scheduled_for is not None and current != row.scheduled_for:
            return f"not sent: the booking was moved (its {moment} is now {outbox.iso_utc(current)})"
    return None


async def claim(database: Database, limit: int, lease_seconds: float) -> tuple[list[Job], int]:
    """Lease up to ``limit`` due deliveries; returns the jobs to send and how many were dropped."""
    now = utcnow()
    token = uuid.uuid4().hex
    due = (
        select(DELIVERIES.c.id)
        .where(
            DELIVERIES.c.status == "pending",
            DELIVERIES.c.next_attempt_at <= now,
            or_(DELIVERIES.c.locked_until.is_(None), DELIVERIES.c.locked_until < now),
        )
        .order_by(DELIVERIES.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    lease = (
        update(DELIVERIES)
        .where(DELIVERIES.c.id.in_(due))
        .values(locked_until=now + timedelta(seconds=lease_seconds), claim_token=token)
        .returning(
            DELIVERIES.c.id,
            DELIVERIES.c.webhook_id,
            DELIVERIES.c.trigger,
            DELIVERIES.c.body,
            DELIVERIES.c.booking_uid,
            DELIVERIES.c.scheduled_for,
            DELIVERIES.c.attempts,
            DELIVERIES.c.created_at,
        )
    )
    async with write_transaction(database) as connection:
        rows = (await connection.execute(lease)).all()
        if not rows:
            return [], 0
        hooks = {
            hook.id: hook
            for hook in await connection.execute(
                select(
                    WEBHOOKS.c.id,
                    WEBHOOKS.c.subscriber_url,
                    WEBHOOKS.c.secret,
                    WEBHOOKS.c.signing_secret,
                    WEBHOOKS.c.payload_template,
                    WEBHOOKS.c.active,
                    WEBHOOKS.c.deactivated_reason,
                ).where(WEBHOOKS.c.id.in_({row.webhook_id for row in rows}))
            )
        }
        uids = {row.booking_uid for row in rows if row.trigger in MEETING_TRIGGERS and row.booking_uid}
        bookings: dict[str, Any] = {}
        superseded: set[str] = set()
        if uids:
            bookings = {
                booking.uid: booking
                for booking in await connection.execute(
                    select(BOOKINGS.c.uid, BOOKINGS.c.status, BOOKINGS.c.start_time, BOOKINGS.c.end_time).where(
                        BOOKINGS.c.uid.in_(uids)
                    )
                )
            }
            superseded = await _superseded(connection, rows, uids)
        jobs: list[Job] = []
        drops: list[dict[str, Any]] = []
        for row in rows:
            hook = hooks.get(row.webhook_id)
            reason = _drop_reason(row, hook, bookings.get(row.booking_uid))
            if reason is None and row.id in superseded:
                reason = "not sent: the same meeting event was queued again later (the booking moved back)"
            if reason is not None:
                drops.append({"b_id": row.id, "b_error": reason})
                continue
            jobs.append(Job(row.id, row.trigger, row.body, row.attempts, token, target_of(hook), row.trigger != "PING"))
        if drops:
            await connection.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == bindparam("b_id"))
                .values(status="dropped", locked_until=None, claim_token=None, last_error=bindparam("b_error")),
                drops,
            )
    return jobs, len(drops)


async def _superseded(connection: AsyncConnection, rows: Any, uids: set[str]) -> set[str]:
    """Claimed MEETING_* deliveries that another one for the same webhook, booking, trigger and time
    makes redundant (already delivered, or queued later): a booking moved away and back again must
    not announce its start twice."""
    siblings = await connection.execute(
        select(
            DELIVERIES.c.id,
            DELIVERIES.c.webhook_id,
            DELIVERIES.c.booking_uid,
            DELIVERIES.c.trigger,
            DELIVERIES.c.scheduled_for,
            DELIVERIES.c.status,
            DELIVERIES.c.created_at,
        ).where(
            DELIVERIES.c.booking_uid.in_(uids),
            DELIVERIES.c.trigger.in_(MEETING_TRIGGERS),
            DELIVERIES.c.status.in_(("pending", "delivered")),
        )
    )
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for sibling in siblings:
        key = (sibling.webhook_id, sibling.booking_uid, sibling.trigger, sibling.scheduled_for)
        by_key.setdefault(key, []).append(sibling)
    redundant: set[str] = set()
    for row in rows:
        if row.trigger not in MEETING_TRIGGERS:
            continue
        for other in by_key.get((row.webhook_id, row.booking_uid, row.trigger, row.scheduled_for), []):
            if other.id != row.id and (
                other.status == "delivered" or (other.created_at, other.id) > (row.created_at, row.id)
            ):
                redundant.add(row.id)
    return redundant


async def record_outcomes(
    database: Database,
    results: list[tuple[Job, delivery.Outcome]],
    settings: Settings,
    rng: random.Random | None = None,
) -> None:
    """Write the attempts, the deliveries' new state and the webhooks' failure streaks (one transaction)."""
    if not results:
        return
    rng = rng or random.Random()
    now = utcnow()
    changes: list[dict[str, Any]] = []
    last_by_hook: dict[int, delivery.Outcome] = {}
    for job, outcome in results:
        made = job.attempts + 1
        status, next_at, delivered_at = "delivered", None, None
        if outcome.ok:
            delivered_at = outcome.attempted_at
        else:
            delay = (
                delivery.retry_delay(made, settings.webhook_retry_schedule, settings.webhook_retry_jitter, rng)
                if job.retry
                else None
            )
            if delay is None:
                status = "failed"
            else:
                status = "pending"
                next_at = now + timedelta(seconds=max(delay, outcome.retry_after or 0.0))
        changes.append(
            {
                "b_id": job.id,
                "b_token": job.claim_token,
                "b_status": status,
                "b_attempts": made,
                "b_next": next_at or now,
                "b_code": outcome.status_code,
                "b_error": outcome.error,
                "b_delivered": delivered_at,
            }
        )
        previous = last_by_hook.get(job.target.webhook_id)
        if previous is None or previous.attempted_at <= outcome.attempted_at:
            last_by_hook[job.target.webhook_id] = outcome

    async with write_transaction(database) as connection:
        ids = [job.id for job, _ in results]
        existing = set((await connection.execute(select(DELIVERIES.c.id).where(DELIVERIES.c.id.in_(ids)))).scalars())
        attempts = [
            {
                "delivery_id": job.id,
                "attempted_at": outcome.attempted_at,
                "status_code": outcome.status_code,
                "duration_ms": outcome.duration_ms,
                "error": outcome.error,
                "response_excerpt": outcome.response_excerpt,
            }
            for job, outcome in results
            if job.id in existing  # the webhook (and its log) may have been deleted meanwhile
        ]
        if attempts:
            await connection.execute(insert(ATTEMPTS), attempts)
        await connection.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id == bindparam("b_id"), DELIVERIES.c.claim_token == bindparam("b_token"))
            .values(
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                locked_until=None,
                claim_token=None,
                last_status_code=bindparam("b_code"),
                last_error=bindparam("b_error"),
                delivered_at=bindparam("b_delivered"),
            ),
            changes,
        )
        await _track_failures(connection, last_by_hook, now, settings)


async def _track_failures(
    connection: AsyncConnection, last_by_hook: dict[int, delivery.Outcome], now: datetime, settings: Settings
) -> None:
    healthy = [hook for hook, outcome in last_by_hook.items() if outcome.ok]
    failing = {hook: outcome for hook, outcome in last_by_hook.items() if not outcome.ok}
    if healthy:
        await connection.execute(
            update(WEBHOOKS)
            .where(WEBHOOKS.c.id.in_(healthy), WEBHOOKS.c.failing_since.is_not(None))
            .values(failing_since=None)
        )
    if not failing:
        return
    await connection.execute(
        update(WEBHOOKS)
        .where(WEBHOOKS.c.id.in_(list(failing)), WEBHOOKS.c.failing_since.is_(None))
        .values(failing_since=now)
    )
    days = settings.webhook_disable_after_days
    cutoff = now - timedelta(days=days)
    result = await connection.execute(
        update(WEBHOOKS)
        .where(
            WEBHOOKS.c.id == bindparam("b_id"),
            WEBHOOKS.c.active.is_(True),
            WEBHOOKS.c.failing_since <= cutoff,
        )
        .values(active=False, deactivated_at=now, deactivated_reason=bindparam("b_reason"))
        .returning(WEBHOOKS.c.id),
        [
            {
                "b_id": hook,
                "b_reason": (
                    f"Deactivated automatically on {outbox.iso_utc(now)}: every delivery failed for {days:g} days "
                    f"(last error: {outcome.error}). Fix the receiver, then PATCH active=true to resume."
                ),
            }
            for hook, outcome in failing.items()
        ],
    )
    for hook_id in result.scalars():
        logger.warning("webhook %s deactivated: every delivery failed for %g days", hook_id, days)


async def purge_finished(database: Database, older_than: datetime, *, limit: int = 1000) -> int:
    """Delete up to ``limit`` finished deliveries (and, by cascade, their attempts) created before
    ``older_than``; returns how many. Pending ones are never deleted."""
    old = (
        select(DELIVERIES.c.id)
        .where(DELIVERIES.c.status.in_(("delivered", "failed", "dropped")), DELIVERIES.c.created_at < older_than)
        .limit(limit)
    )
    async with write_transaction(database) as connection:
        ids = list((await connection.execute(old)).scalars())
        if ids:
            await connection.execute(ATTEMPTS.delete().where(ATTEMPTS.c.delivery_id.in_(ids)))
            await connection.execute(DELIVERIES.delete().where(DELIVERIES.c.id.in_(ids)))
    return len(ids)


async def release(database: Database, jobs: list[Job]) -> None:
    """Give unsent claims back at once (clean shutdown) instead of waiting for their lease to expire."""
    if not jobs:
        return
    async with write_transaction(database) as connection:
        await connection.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id == bindparam("b_id"), DELIVERIES.c.claim_token == bindparam("b_token"))
            .values(locked_until=None, claim_token=None),
            [{"b_id": job.id, "b_token": job.claim_token} for job in jobs],
        )


class DeliveryWorker:
    """Sends due deliveries until stopped. ``async with DeliveryWorker(db, settings): ...``"""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        sender: Sender | None = None,
        batch_size: int = 100,
        keep_ids: bool = False,
        rng: random.Random | None = None,
        stop_grace: float | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.concurrency = max(1, settings.webhook_concurrency)
        self.batch_size = max(1, min(batch_size, self.concurrency))
        self.timeout = settings.webhook_timeout_seconds
        # a lease outlives any attempt, its queueing and the write of its outcome
        self.lease_seconds = max(settings.webhook_lease_seconds, self.timeout + 2)
        # at stop, wait this long for in-flight attempts; unfinished ones are released, not lost
        self.stop_grace = self.timeout + 1 if stop_grace is None else stop_grace
        self.stats = WorkerStats()
        self._keep_ids = keep_ids
        self._rng = rng or random.Random()
        self._sender = sender
        self._owns_sender = sender is None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._claimed: dict[str, Job] = {}
        self._results: list[tuple[Job, delivery.Outcome]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._min_claim = max(1, self.batch_size // 4)
        self._record_failures = 0

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        if self._sender is None:
            self._sender = delivery.new_sender()
        outbox.add_wake_listener(self.wake)
        self._task = asyncio.create_task(self._run(), name="slotwise-webhook-worker")

    async def stop(self) -> None:
        """Stop claiming, let in-flight attempts finish (up to the timeout), record them, release the rest."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        self._room.set()
        try:
            await self._task
        finally:
            outbox.remove_wake_listener(self.wake)
            if self._owns_sender and self._sender is not None:
                await self._sender.aclose()
                self._sender = None
            self._task = None

    async def __aenter__(self) -> DeliveryWorker:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        """Look for due deliveries now (thread-safe)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    # -- the loop --------------------------------------------------------------------------------
    async def _run(self) -> None:
        flusher = asyncio.create_task(self._flush_loop(), name="slotwise-webhook-flusher")
        purger = asyncio.create_task(self._purge_loop(), name="slotwise-webhook-log-retention")
        idle = True
        try:
            while not self._stopping:
                # outcomes waiting to be written count against the room too: no claiming ahead of a slow database
                backlog = max(0, len(self._results) - FLUSH_SIZE)
                room = self.concurrency - len(self._inflight) - backlog
                if room < self._min_claim:
                    # wait for attempts to finish or outcomes to be written (both set _room)
                    self._room.clear()
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._room.wait(), timeout=self.settings.webhook_poll_interval_seconds)
                    continue
                want = min(room, self.batch_size)
                self._wake.clear()
                try:
                    jobs, taken = await self._claim(want, check_first=idle)
                except Exception:
                    logger.exception("webhook worker: claiming deliveries failed; retrying")
                    await self._sleep(max(1.0, self.settings.webhook_poll_interval_seconds))
                    continue
                for job in jobs:
                    self._launch(job)
                idle = not taken
                if taken < want:  # nothing more is due right now
                    await self._sleep(self.settings.webhook_poll_interval_seconds)
        finally:
            purger.cancel()
            await self._drain()
            self._flush_now.set()
            await flusher
            with suppress(asyncio.CancelledError):
                await purger

    async def _claim(self, want: int, *, check_first: bool) -> tuple[list[Job], int]:
        """Jobs to send, and how many due deliveries were taken (sent or dropped)."""
        if check_first and not await self._anything_due():
            return [], 0
        jobs, dropped = await claim(self.database, want, self.lease_seconds)
        self.stats.claimed += len(jobs)
        self.stats.dropped += dropped
        return jobs, len(jobs) + dropped

    async def _anything_due(self) -> bool:
        now = utcnow()
        async with self.database.engine.connect() as connection:
            found = await connection.scalar(
                select(DELIVERIES.c.id)
                .where(
                    DELIVERIES.c.status == "pending",
                    DELIVERIES.c.next_attempt_at <= now,
                    or_(DELIVERIES.c.locked_until.is_(None), DELIVERIES.c.locked_until < now),
                )
                .limit(1)
            )
            await connection.rollback()
        return found is not None

    async def _sleep(self, seconds: float) -> None:
        if self._stopping:
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    def _launch(self, job: Job) -> None:
        self._claimed[job.id] = job
        task = asyncio.create_task(self._send(job))
        self._inflight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        if self.concurrency - len(self._inflight) >= self._min_claim:
            self._room.set()

    async def _send(self, job: Job) -> None:
        assert self._sender is not None
        outcome = await delivery.attempt(self._sender, job.id, job.body, job.target, timeout_seconds=self.timeout)
        self.stats.attempts += 1
        WEBHOOK_DELIVERIES.labels("delivered" if outcome.ok else "failed").inc()
        if outcome.ok:
            self.stats.delivered += 1
            if self._keep_ids:
                self.stats.sent_ids.append(job.id)
        else:
            self.stats.failed_attempts += 1
        self._results.append((job, outcome))
        if len(self._results) >= FLUSH_SIZE:
            self._flush_now.set()

    async def _drain(self) -> None:
        if self._inflight:
            _done, pending = await asyncio.wait(set(self._inflight), timeout=self.stop_grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def _purge_loop(self) -> None:
        """Keep the delivery log to ``webhook_log_retention_days`` (a few thousand rows at a time)."""
        days = self.settings.webhook_log_retention_days
        if days <= 0:
            return
        while True:
            await asyncio.sleep(PURGE_INTERVAL)
            try:
                for _chunk in range(100):  # at most 100,000 rows per round
                    if not await purge_finished(self.database, utcnow() - timedelta(days=days)):
                        break
                    await asyncio.sleep(0.1)  # let deliveries through between chunks
            except Exception:
                logger.exception("webhook worker: trimming the delivery log failed; trying again later")

    async def _record_one_by_one(self, batch: list[tuple[Job, delivery.Outcome]]) -> None:
        for item in batch:
            try:
                await record_outcomes(self.database, [item], self.settings, self._rng)
            except Exception:
                logger.exception("webhook worker: cannot record the outcome of delivery %s", item[0].id)

    async def _flush_loop(self) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), timeout=FLUSH_INTERVAL)
            self._flush_now.clear()
            finishing = self._stopping and not self._inflight
            if self._results:
                batch, self._results = self._results[:MAX_RECORD], self._results[MAX_RECORD:]
                try:
                    await record_outcomes(self.database, batch, self.settings, self._rng)
                    self._record_failures = 0
                except Exception:
                    self._record_failures += 1
                    logger.exception("webhook worker: recording %d outcomes failed", len(batch))
                    if self._record_failures >= 3 or finishing:
                        # one bad outcome must not wedge the rest: write them one by one; what still
                        # fails is left to its lease (it will be sent again, same webhook-id)
                        await self._record_one_by_one(batch)
                        self._record_failures = 0
                    else:
                        self._results[:0] = batch
                        await asyncio.sleep(0.5)
                        continue
                for job, _outcome in batch:
                    self._claimed.pop(job.id, None)
                if len(self._results) >= FLUSH_SIZE:
                    self._flush_now.set()
                self._room.set()  # the claim loop may have been holding back for this backlog
            if finishing and not self._results:
                unsent = list(self._claimed.values())
                self._claimed.clear()
                try:
                    await release(self.database, unsent)
                except Exception:
                    logger.exception(
                        "webhook worker: releasing %d claims failed; their leases will expire", len(unsent)
                    )
                return
