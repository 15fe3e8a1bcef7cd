"""What an operator sees of one API process: its cold start and memory, a graceful shutdown that lets
the request in flight and the webhook delivery in flight finish, and the metrics at ``/metrics``.

The issue's bars are a cold start under 1 s and under 150 MB resident when idle; the test asserts a
looser start-up bound (``COLD_START``) so that a busy CI machine does not fail it, and
``docs/reliability.md`` records the figures ``benchmarks/load.py`` measures, with the load average.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select, text

from slotwise.db import Database
from slotwise.schedules.models import Schedule
from slotwise.webhooks.models import WebhookDelivery
from tests.reliability.conftest import create_account
from tests.reliability.processes import eventually, log_entries, rss_mb, server_env
from tests.reliability.world import BOOKINGS, SCHEDULES, make_world, ok
from tests.support.server import SLOTWISE, free_port, start_server
from tests.webhooks.receiver import Receiver, Reply

pytestmark = pytest.mark.slow

COLD_START = 4.0  # seconds; the bar is 1 s (see docs/reliability.md for measured figures)
IDLE_RSS = 150.0  # MiB
RECEIVER_DELAY = 2.0  # seconds: longer than the slow request, so the delivery is in flight at shutdown


async def test_cold_start_memory_and_metrics_of_one_api_process(own_database_url: str, own_db: Database) -> None:
    env = {**os.environ, **server_env(own_database_url), "SLOTWISE_LOG_LEVEL": "warning"}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    receiver = Receiver().start()
    began = time.perf_counter()
    process = _serve(env, port)
    try:
        started = _first_healthy(base_url, began, process)
        await asyncio.sleep(0.5)
        idle = rss_mb(process.pid)
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
            world = await make_world(http, await create_account(own_db), hook_url=receiver.url)
            uid = await world.book()
            ok(await http.post(f"/v2/bookings/{uid}/cancel", headers=BOOKINGS, json={"cancellationReason": "x"}))
            # 2 bookings x 2 webhooks (the host's and the event type's), counted as their outcomes are recorded
            delivered = 'slotwise_webhook_delivery_attempts_total{outcome="delivered"} 4.0'
            metrics = await eventually(
                lambda: _metrics_with(http, delivered), within=10, what="four delivered attempts in /metrics"
            )
        warm = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
        receiver.stop()

    print(f"cold start {started:.2f} s, idle RSS {idle:.0f} MiB, after first requests {warm:.0f} MiB")
    assert started < COLD_START, f"cold start took {started:.2f} s"
    assert idle < IDLE_RSS and warm < IDLE_RSS, (idle, warm)
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line and not line.startswith("#")
    }
    assert samples['slotwise_http_requests_total{method="POST",route="/v2/bookings",status="201"}'] == 2
    cancel = 'slotwise_http_requests_total{method="POST",route="/v2/bookings/{bookingUid}/cancel",status="200"}'
    assert samples[cancel] == 1  # by route template, not by raw path
    assert samples['slotwise_http_request_duration_seconds_count{method="POST",route="/v2/bookings"}'] == 2
    assert samples['slotwise_booking_events_total{trigger="BOOKING_CREATED"}'] == 2
    assert samples['slotwise_booking_events_total{trigger="BOOKING_CANCELLED"}'] == 1


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """``slotwise serve`` as users start it (migrations checked on start)."""
    command = [SLOTWISE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _first_healthy(base_url: str, began: float, process: subprocess.Popen[bytes]) -> float:
    while time.perf_counter() - began < 30:
        assert process.poll() is None, "the server exited during start-up"
        try:
            if httpx.get(base_url + "/health", timeout=1).status_code == 200:
                return time.perf_counter() - began
        except httpx.TransportError:
            time.sleep(0.005)
    raise AssertionError("the server did not answer /health within 30 s")


async def test_sigterm_lets_the_request_and_the_delivery_in_flight_finish(
    own_database_url: str, own_db: Database, log_dir: Path
) -> None:
    db = own_db
    receiver = Receiver(lambda _request, _index: Reply(delay=RECEIVER_DELAY)).start()
    env = server_env(own_database_url, SLOTWISE_LOG_LEVEL="info", SLOTWISE_WEBHOOK_TIMEOUT="5")
    server = start_server(env, log_dir, "--no-migrate")
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            world = await make_world(http, await create_account(db), hook_url=receiver.url)
            uid = await world.book()
            # its BOOKING_CREATED is now in flight (the receiver takes 2 s to answer)
            await eventually(
                lambda: _now(any(uid.encode() in request.body for request in receiver.requests)),
                within=10,
                what="the delivery to start",
            )

            # a slow request: its INSERT waits on a lock this test holds
            async with _locked_schedules(db):
                slow = asyncio.create_task(
                    http.post(
                        "/v2/schedules",
                        headers={**world.auth, **SCHEDULES},
                        json={"name": "Late shift", "timeZone": "UTC", "isDefault": False},
                    )
                )
                await asyncio.sleep(0.5)
                assert not slow.done(), "the request should be waiting on the lock"
                signalled = time.monotonic()
                server.process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
                with pytest.raises(httpx.ConnectError):  # a stopping server takes no new connections
                    await httpx.AsyncClient(base_url=server.base_url).get("/health")
            response = await slow
            code = await asyncio.to_thread(server.process.wait, 20)
            stopped_in, exited_at = time.monotonic() - signalled, time.time()
    finally:
        server.stop()
        receiver.stop()

    assert response.status_code == 201, response.text  # the request in flight finished
    # uvicorn re-raises the SIGTERM it handled once it has shut down, so that supervisors see it
    assert code in (0, -signal.SIGTERM) and stopped_in < 10, (code, stopped_in)
    async with db.session() as session:
        assert await session.scalar(select(Schedule.id).where(Schedule.name == "Late shift"))
        deliveries = (await session.scalars(select(WebhookDelivery).where(WebhookDelivery.booking_uid == uid))).all()
    # the worker waited for its attempts in flight and recorded them before the process exited
    assert deliveries and all(d.status == "delivered" and d.attempts == 1 for d in deliveries), [
        (d.status, d.attempts, d.last_error) for d in deliveries
    ]
    assert all(d.locked_until is None for d in deliveries)
    arrived = min(r.at for r in receiver.requests if uid.encode() in r.body)
    assert exited_at >= arrived + RECEIVER_DELAY - 0.1, "the process exited before the delivery in flight finished"
    entries = log_entries(server.log())
    messages = [entry["message"] for entry in entries]
    assert "Waiting for application shutdown." in messages and "Application shutdown complete." in messages
    assert any(message.startswith("Finished server process") for message in messages)
    problems = [entry for entry in entries if entry["level"] in ("error", "critical")]
    assert not problems, problems
    assert "Traceback" not in server.log()


class _locked_schedules:
    """Hold a write lock on ``schedules`` (SQLite: the database's write lock) until the block ends."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __aenter__(self) -> None:
        self.connection = await self.db.engine.connect()
        if self.db.sqlite:
            self.connection = await self.connection.execution_options(sqlite_immediate=True)
            await self.connection.begin()
            await self.connection.execute(text("SELECT 1"))
        else:
            await self.connection.begin()
            await self.connection.execute(text("LOCK TABLE schedules IN EXCLUSIVE MODE"))

    async def __aexit__(self, *_exc: object) -> None:
        await self.connection.rollback()
        await self.connection.close()


async def _now(value: bool) -> bool:
    return value


async def _metrics_with(http: httpx.AsyncClient, line: str) -> str | None:
    text = (await http.get("/metrics")).text
    return text if line in text.splitlines() else None
