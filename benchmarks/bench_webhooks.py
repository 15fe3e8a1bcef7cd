"""Webhook delivery throughput: deliveries per second per worker, and with two workers.

Run:  python benchmarks/bench_webhooks.py [--events 10000] [--backends sqlite,postgresql]
      (part of `make bench`; PostgreSQL from SLOTWISE_BENCH_PG_URL, default 127.0.0.1:5432)

What runs, all on loopback and all in separate processes:

1. A receiver (uvicorn + a bare ASGI app answering 200) that records the time of its first and last
   request of each phase.
2. The receiver's own ceiling: a plain load generator (raw HTTP/1.1 over 64 keep-alive connections,
   a body of the same size) posting 10,000 requests, from one process and from two; the higher rate
   is the receiver's maximum. Then the worker's HTTP side alone (the same httpx2 clients, signing
   every request, no database), to show what the outbox costs on top.
3. Per backend (a fresh SQLite file; a fresh PostgreSQL database): 10,000 events queued through
   ``outbox.enqueue`` (the same call bookings make) and held back until the workers are up; then one
   ``slotwise worker`` process delivers them; then 10,000 more with two worker processes.
   Rate = events / (last - first request seen by the receiver).

Printed: deliveries/s and the ratio to the receiver's maximum. Target: >= 500 deliveries/s per worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
SLOTWISE = str(Path(sys.executable).with_name("slotwise"))
PG_ADMIN_URL = os.environ.get("SLOTWISE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
CONCURRENCY = 64


# -- the receiver process ------------------------------------------------------------------------


def run_receiver(port: int) -> None:
    import uvicorn

    state: dict[str, Any] = {"count": 0, "first": None, "last": None}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        if scope["path"] == "/stats":
            body = json.dumps(state).encode()
        elif scope["path"] == "/reset":
            state.update(count=0, first=None, last=None)
            body = b"{}"
        else:
            now = time.time()
            state["count"] += 1
            state["first"] = state["first"] or now
            state["last"] = now
            body = b"ok"
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False, lifespan="off")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ReceiverProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, str(HERE), "--receiver", str(self.port)])
        import httpx2 as httpx

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/stats", timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise SystemExit("the receiver did not start")

    def stats(self) -> dict[str, Any]:
        import httpx2 as httpx

        result: dict[str, Any] = httpx.get(self.url + "/stats", timeout=5).json()
        return result

    def reset(self) -> None:
        import httpx2 as httpx

        httpx.post(self.url + "/reset", timeout=5)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# -- load generators -----------------------------------------------------------------------------


def run_raw_load(url: str, total: int) -> None:
    """The receiver's ceiling: ``total`` POSTs over CONCURRENCY keep-alive connections, written and
    parsed by hand (no HTTP client library in the way)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    body = json.dumps({"triggerEvent": "BOOKING_CREATED", "payload": SAMPLE}).encode()
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def main() -> None:
        remaining = total

        async def one_connection() -> None:
            nonlocal remaining
            reader, writer = await asyncio.open_connection(host, port)
            while remaining > 0:
                remaining -= 1
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise SystemExit(f"receiver answered {head[:40]!r}")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
            writer.close()

        await asyncio.gather(*(one_connection() for _ in range(CONCURRENCY)))

    asyncio.run(main())


def run_client_load(url: str, total: int) -> None:
    """What the worker's HTTP side alone can do: signed POSTs through the worker's own sender, with no
    database."""
    from slotwise.webhooks import delivery

    body = {"triggerEvent": "BOOKING_CREATED", "createdAt": "2031-05-06T08:00:00.000Z", "payload": SAMPLE}
    target = delivery.Target(1, url, "secret", b"key", None, True)

    async def main() -> None:
        remaining = total
        sender = delivery.new_sender()

        async def one_sender() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                outcome = await delivery.attempt(sender, "msg_x", body, target, timeout_seconds=10)
                if not outcome.ok:
                    raise SystemExit(f"load failed: {outcome.error}")

        await asyncio.gather(*(one_sender() for _ in range(CONCURRENCY)))
        await sender.aclose()

    asyncio.run(main())


def load_rate(receiver: ReceiverProcess, kind: str, total: int, processes: int) -> float:
    receiver.reset()
    share = total // processes
    loads = [
        subprocess.Popen([sys.executable, str(HERE), f"--{kind}-load", receiver.url + "/hook", str(share)])
        for _ in range(processes)
    ]
    for load in loads:
        if load.wait(timeout=600) != 0:
            raise SystemExit(f"the {kind} load generator failed")
    stats = receiver.stats()
    return float(stats["count"] / (stats["last"] - stats["first"]))


# -- Slotwise ------------------------------------------------------------------------------------

SAMPLE: dict[str, Any] = {
    "type": "intro",
    "title": "Intro call between Alice and Jo Doe",
    "description": "",
    "startTime": "2031-05-06T08:00:00Z",
    "endTime": "2031-05-06T08:30:00Z",
    "organizer": {
        "id": 1,
        "name": "Alice",
        "email": "alice@example.com",
        "username": "alice",
        "timeZone": "Europe/Rome",
        "language": {"locale": "en"},
        "timeFormat": "HH:mm",
        "utcOffset": 120,
    },
    "attendees": [
        {
            "name": "Jo Doe",
            "email": "jo@example.com",
            "timeZone": "Asia/Kolkata",
            "language": {"locale": "en"},
            "utcOffset": 330,
        }
    ],
    "responses": {"name": {"label": "name", "value": "Jo Doe"}, "email": {"label": "email", "value": "jo@example.com"}},
    "location": "https://meet.example.com/abc",
    "uid": "bench",
    "status": "ACCEPTED",
}


async def prepare(url: str, receiver_url: str) -> int:
    from slotwise.db import Database, migrate
    from slotwise.users import service as users
    from slotwise.webhooks.models import Webhook

    await migrate(url)
    database = Database(url)
    try:
        async with database.session() as session:
            user = await users.create_user(session, email="bench@example.com", username="bench", time_zone="UTC")
            session.add(
                Webhook(
                    user_id=user.id, subscriber_url=receiver_url, triggers=["BOOKING_CREATED"], active=True, secret="s"
                )
            )
            await session.commit()
            return user.id
    finally:
        await database.dispose()


async def enqueue_events(url: str, user_id: int, count: int) -> float:
    """Queue ``count`` events, held back an hour for now; returns events queued per second."""
    from datetime import timedelta

    from slotwise.db import Database, utcnow
    from slotwise.webhooks.outbox import enqueue

    database = Database(url)
    started = time.perf_counter()
    later = utcnow() + timedelta(hours=1)
    try:
        done = 0
        while done < count:
            async with database.session() as session:
                for _ in range(min(1000, count - done)):
                    await enqueue(session, "BOOKING_CREATED", SAMPLE, user_id=user_id, event_type_id=None, due_at=later)
                    done += 1
                await session.commit()
    finally:
        await database.dispose()
    return count / (time.perf_counter() - started)


async def release_events(url: str) -> None:
    """Make every queued event due now (the workers are up and polling)."""
    from sqlalchemy import update

    from slotwise.db import Database, utcnow
    from slotwise.webhooks.models import WebhookDelivery

    database = Database(url)
    try:
        async with database.session() as session:
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.status == "pending").values(next_attempt_at=utcnow())
            )
            await session.commit()
    finally:
        await database.dispose()


def deliver(url: str, receiver: ReceiverProcess, user_id: int, count: int, workers: int) -> tuple[float, float]:
    """``count`` events through ``workers`` worker processes; returns (deliveries/s, enqueue/s)."""
    receiver.reset()
    env = {
        **os.environ,
        "SLOTWISE_DATABASE_URL": url,
        "SLOTWISE_WEBHOOK_POLL_INTERVAL": "0.05",
        "SLOTWISE_LOG_LEVEL": "warning",
    }
    enqueue_rate = asyncio.run(enqueue_events(url, user_id, count))
    processes = [subprocess.Popen([SLOTWISE, "worker"], env=env, stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        time.sleep(4)  # every worker process is up and polling
        asyncio.run(release_events(url))
        deadline = time.monotonic() + 600
        while receiver.stats()["count"] < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {receiver.stats()['count']} of {count} delivered in 10 minutes")
            time.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    stats = receiver.stats()
    return stats["count"] / (stats["last"] - stats["first"]), enqueue_rate


async def create_pg_database() -> tuple[str, str]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = "slotwise_bench_" + uuid.uuid4().hex[:8]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(name: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--raw-load", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--client-load", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        run_receiver(args.receiver)
        return
    if args.raw_load:
        run_raw_load(args.raw_load[0], int(args.raw_load[1]))
        return
    if args.client_load:
        run_client_load(args.client_load[0], int(args.client_load[1]))
        return

    print(f"webhook delivery, {args.events:,} events per run, {os.cpu_count()} CPUs, loopback receiver")
    receiver = ReceiverProcess()
    try:
        ceiling = max(load_rate(receiver, "raw", args.events, 1), load_rate(receiver, "raw", args.events, 2))
        print(f"receiver maximum (raw HTTP/1.1 load generator, {CONCURRENCY} connections): {ceiling:,.0f} req/s")
        client = load_rate(receiver, "client", args.events, 1)
        print(
            f"sender without database (the worker's HTTP client, 1 process): {client:,.0f} req/s ({client / ceiling:.0%} of max)"
        )
        print(f"{'backend':<12}{'workers':>8}{'deliveries/s':>15}{'per worker':>12}{'of max':>9}{'enqueue/s':>12}")
        failed = False
        for backend in (b.strip() for b in args.backends.split(",") if b.strip()):
            with tempfile.TemporaryDirectory() as folder:
                pg_name = None
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{folder}/bench.db"
                else:
                    try:
                        pg_name, url = asyncio.run(create_pg_database())
                    except Exception as exc:  # no PostgreSQL here: say so, measure the rest
                        print(f"{backend:<12}skipped: cannot create a database at {PG_ADMIN_URL} ({exc})")
                        continue
                try:
                    user_id = asyncio.run(prepare(url, receiver.url + "/hook"))
                    for workers in (1, 2):
                        rate, enqueue_rate = deliver(url, receiver, user_id, args.events, workers)
                        failed |= workers == 1 and rate < 500
                        print(
                            f"{backend:<12}{workers:>8}{rate:>15,.0f}{rate / workers:>12,.0f}"
                            f"{rate / ceiling:>9.0%}{enqueue_rate:>12,.0f}"
                        )
                finally:
                    if pg_name:
                        asyncio.run(drop_pg_database(pg_name))
        print("target: >= 500 deliveries/s per worker" + ("  (MISSED)" if failed else "  (met)"))
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
