"""Booking creation throughput on PostgreSQL, beside two baselines measured in the same run.

Run:  make bench     (or:  .venv/bin/python benchmarks/bench_bookings.py [--seconds 5] [--hosts 64])
Needs the local PostgreSQL (``SLOTWISE_BENCH_PG_URL``, default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres);
a fresh database is created for the run and dropped afterwards.

What is measured, each at 1, 8 and 32 concurrent clients with keep-alive connections:

* **slotwise**: ``POST /v2/bookings`` (2024-08-13 body, no API key, as a booking page sends it) against
  ``slotwise serve`` (one process, uvicorn). The whole path: validation, event type, the host's lock,
  the same availability check as ``GET /v2/slots``, insert of booking + attendee under the overlap guard,
  the domain event (webhook outbox), commit, the spec's response. Bookings go to 64 hosts (each client
  books the next free slot), as on a multi-tenant server.
* **bare**: a bare FastAPI + asyncpg endpoint (pydantic body and response, one ``INSERT ... RETURNING``
  into the same ``bookings`` table), under uvicorn in its own process: the floor of the Python stack.
* **pgbench**: raw single-row ``INSERT`` transactions into the same table (with the exclusion
  constraint), by ``pgbench`` (or an asyncpg loop when pgbench is not installed): the database's ceiling.

Printed: successful requests per second and p95 latency per system and concurrency, and the ratio of
Slotwise to the bare endpoint. Targets: >= 250 bookings/s with p95 < 50 ms at 8 clients.
The load generator is a minimal HTTP/1.1 client on asyncio streams, so that it takes as little of the
two cores as possible from the servers it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("SLOTWISE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
LEVELS = (1, 8, 32)
VERSION_HEADER = "cal-api-version: 2024-08-13\r\n"
FIRST_DAY = date(2050, 9, 5)  # a Monday
SLOT_MINUTES = 15
SLOTS_PER_DAY = 32  # 09:00-17:00 in UTC


# ---------------------------------------------------------------------------------------------
# The bare FastAPI + asyncpg endpoint (run by uvicorn in its own process: ``bench_bookings:bare_app``)


class BareAttendee(BaseModel):
    name: str
    email: str
    timeZone: str


class BareBookingIn(BaseModel):
    start: datetime
    attendee: BareAttendee


class BareBookingOut(BaseModel):
    id: int
    uid: str
    start: datetime
    end: datetime
    status: str


class BareCreated(BaseModel):
    status: str
    data: BareBookingOut


BARE_INSERT = (
    "INSERT INTO bookings (uid, host_id, title, start_time, end_time, block_start, block_end, status, metadata, "
    "responses, guests, absent_host, ics_uid, ics_sequence, created_at, updated_at, cancelled_seat_uids) "
    "VALUES ($1, $2, $3, $4, $5, $4, $5, 'accepted', '{}', '{}', '[]', false, $1, 0, now(), now(), '[]') "
    "RETURNING id"
)


def bare_app() -> Any:
    import asyncpg  # type: ignore[import-untyped]
    from fastapi import FastAPI

    dsn = os.environ["BENCH_DSN"]
    host_id = int(os.environ["BENCH_HOST_ID"])
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/bookings", status_code=201, response_model=BareCreated)
    async def create(body: BareBookingIn) -> BareCreated:
        uid = secrets.token_urlsafe(16)
        end = body.start + timedelta(minutes=SLOT_MINUTES)
        async with state["pool"].acquire() as connection:
            booking_id = await connection.fetchval(BARE_INSERT, uid, host_id, body.attendee.name, body.start, end)
        data = BareBookingOut(id=booking_id, uid=uid, start=body.start, end=end, status="accepted")
        return BareCreated(status="success", data=data)

    return app


# ---------------------------------------------------------------------------------------------
# A minimal keep-alive HTTP/1.1 client


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes, extra_headers: str = "") -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}\r\n"
        )
        self.writer.write(head.encode() + body)
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", header)
        payload = await self.reader.readexactly(int(match.group(1))) if match else b""
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


@dataclass
class Result:
    rate: float
    p95_ms: float
    ok: int
    failed: int


def _p95(latencies: list[float]) -> float:
    if not latencies:
        return float("nan")
    if len(latencies) < 20:
        return max(latencies) * 1000
    return statistics.quantiles(latencies, n=20)[-1] * 1000


async def load(
    port: int, path: str, bodies: Iterator[bytes], clients: int, seconds: float, headers: str = ""
) -> Result:
    connections = [Connection("127.0.0.1", port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds

    async def worker(connection: Connection) -> None:
        while time.perf_counter() < deadline:
            body = next(bodies)
            started = time.perf_counter()
            status, payload = await connection.post(path, body, headers)
            if status == 201:
                latencies.append(time.perf_counter() - started)
            else:
                failures.append(f"{status} {payload[:200]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(c.close() for c in connections))
    if failures:
        print(f"    {len(failures)} failed requests, e.g. {failures[0]}", file=sys.stderr)
    return Result(len(latencies) / elapsed, _p95(latencies), len(latencies), len(failures))


# ---------------------------------------------------------------------------------------------
# Setup: a fresh database, hosts with event types, the servers


def _sync_url(url: str) -> str:
    return url.replace("+asyncpg", "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def create_database() -> str:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = "slotwise_bench_" + uuid.uuid4().hex[:10]
    admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def drop_database(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    await admin.dispose()


async def seed(url: str, hosts: int) -> tuple[list[int], int, int]:
    """``hosts`` users with Mon-Fri 09:00-17:00 UTC and a 15-minute event type; plus two users whose
    time the baselines insert into. Returns (event type ids, bare host id, pgbench host id)."""
    from sqlalchemy import text

    from slotwise.db import Database, migrate
    from slotwise.event_types.models import EventType
    from slotwise.schedules.models import Schedule
    from slotwise.users.models import User

    await migrate(url)
    database = Database(url)
    event_types = []
    async with database.session() as session:
        for index in range(hosts + 2):
            user = User(
                username=f"host{index}", email=f"host{index}@example.com", name=f"Host {index}", time_zone="UTC"
            )
            session.add(user)
            await session.flush()
            if index >= hosts:
                continue
            schedule = Schedule(
                user_id=user.id,
                name="Working hours",
                time_zone="UTC",
                availability=[{"days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00"}],
                overrides=[],
            )
            session.add(schedule)
            await session.flush()
            user.default_schedule_id = schedule.id
            event_type = EventType(
                owner_id=user.id,
                title="Quick chat",
                slug="quick",
                length=SLOT_MINUTES,
                locations=[{"type": "integration", "integration": "cal-video"}],
                booking_fields=[],
                minimum_booking_notice=0,
                settings={},
                event_metadata={},
            )
            session.add(event_type)
            await session.flush()
            event_types.append(event_type.id)
        users = list((await session.execute(text("SELECT id FROM users ORDER BY id DESC LIMIT 2"))).scalars())
        await session.execute(text("CREATE SEQUENCE bench_seq"))
        await session.commit()
    await database.dispose()
    return event_types, users[1], users[0]


def slot_starts() -> Iterator[datetime]:
    day = FIRST_DAY
    while True:
        if day.weekday() < 5:
            for k in range(SLOTS_PER_DAY):
                yield datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=SLOT_MINUTES * k)
        day += timedelta(days=1)


def booking_bodies(event_types: list[int]) -> Iterator[bytes]:
    """Every (host, start) once; consecutive requests go to different hosts."""
    counter = itertools.count()
    for start in slot_starts():
        for event_type_id in event_types:
            n = next(counter)
            yield json.dumps(
                {
                    "start": start.isoformat().replace("+00:00", "Z"),
                    "eventTypeId": event_type_id,
                    "attendee": {"name": f"Booker {n}", "email": f"booker{n}@example.com", "timeZone": "Europe/Rome"},
                }
            ).encode()


def bare_bodies() -> Iterator[bytes]:
    moment = datetime(2070, 1, 1, tzinfo=UTC)
    for n in itertools.count():
        yield json.dumps(
            {
                "start": (moment + timedelta(minutes=SLOT_MINUTES * n)).isoformat(),
                "attendee": {"name": f"Booker {n}", "email": f"b{n}@example.com", "timeZone": "UTC"},
            }
        ).encode()


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)

    async def ready(self, path: str = "/health", within: float = 30) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                await reader.readuntil(b"\r\n\r\n")
                writer.close()
                return
            except (OSError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------------------------------------
# pgbench


PGBENCH_SCRIPT = """
INSERT INTO bookings (uid, host_id, title, start_time, end_time, block_start, block_end, status, metadata, responses,
  guests, absent_host, ics_uid, ics_sequence, created_at, updated_at, cancelled_seat_uids)
SELECT 'pgb' || s.n, {host}, 'pgbench', t, t + interval '15 minutes', t, t + interval '15 minutes', 'accepted', '{{}}',
  '{{}}', '[]', false, 'pgb' || s.n, 0, now(), now(), '[]'
FROM (SELECT nextval('bench_seq') AS n) AS s, LATERAL (SELECT timestamptz '2080-01-01 00:00:00Z' + s.n * interval '15 minutes' AS t) AS x;
"""


def run_pgbench(url: str, host_id: int, clients: int, seconds: float, workdir: Path) -> Result:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    script = workdir / "insert.sql"
    script.write_text(PGBENCH_SCRIPT.format(host=host_id))
    prefix = workdir / f"pgbench_{clients}"
    command = [
        "pgbench", "-n", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
        "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(int(seconds)), "-f", str(script),
        "-l", f"--log-prefix={prefix}", str(parsed.database),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=True).stdout
    tps = float(re.search(r"tps = ([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latencies = []
    for log in workdir.glob(f"pgbench_{clients}*"):
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]) / 1e6)
        log.unlink()
    return Result(tps, _p95(latencies), len(latencies), 0)


async def run_asyncpg_inserts(url: str, host_id: int, clients: int, seconds: float) -> Result:
    import asyncpg

    statement = PGBENCH_SCRIPT.format(host=host_id)
    pool = await asyncpg.create_pool(_sync_url(url), min_size=clients, max_size=clients)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        async with pool.acquire() as connection:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                await connection.execute(statement)
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return Result(len(latencies) / elapsed, _p95(latencies), len(latencies), 0)


# ---------------------------------------------------------------------------------------------


async def main(seconds: float, hosts: int) -> int:
    sys.path.insert(0, str(ROOT / "src"))
    url = await create_database()
    workdir = Path(tempfile.mkdtemp(prefix="slotwise_bench_"))
    servers: list[Server] = []
    try:
        event_types, bare_host, pgbench_host = await seed(url, hosts)
        slotwise_port, bare_port = _free_port(), _free_port()
        slotwise = Server(
            [str(Path(sys.executable).with_name("slotwise")), "serve", "--port", str(slotwise_port)],
            {
                "SLOTWISE_DATABASE_URL": url,
                "SLOTWISE_LOG_LEVEL": "warning",
                "SLOTWISE_RATE_LIMIT_REQUESTS": "100000000",
            },
            slotwise_port,
            workdir / "slotwise.log",
        )
        bare = Server(
            [
                sys.executable, "-m", "uvicorn", "bench_bookings:bare_app", "--factory", "--app-dir", str(ROOT / "benchmarks"),
                "--host", "127.0.0.1", "--port", str(bare_port), "--workers", "1", "--log-level", "warning",
            ],
            {"BENCH_DSN": _sync_url(url), "BENCH_HOST_ID": str(bare_host)},
            bare_port,
            workdir / "bare.log",
        )  # fmt: skip
        servers = [slotwise, bare]
        await asyncio.gather(slotwise.ready(), bare.ready("/docs"))

        bookings = booking_bodies(event_types)
        bare_requests = bare_bodies()
        # warm-up: imports, connection pools, caches
        await load(slotwise_port, "/v2/bookings", bookings, 4, 1.0, VERSION_HEADER)
        await load(bare_port, "/bookings", bare_requests, 4, 1.0)

        use_pgbench = shutil.which("pgbench") is not None
        rows: list[tuple[int, Result, Result, Result]] = []
        for clients in LEVELS:
            ours = await load(slotwise_port, "/v2/bookings", bookings, clients, seconds, VERSION_HEADER)
            floor = await load(bare_port, "/bookings", bare_requests, clients, seconds)
            if use_pgbench:
                raw = await asyncio.to_thread(run_pgbench, url, pgbench_host, clients, seconds, workdir)
            else:
                raw = await run_asyncpg_inserts(url, pgbench_host, clients, seconds)
            rows.append((clients, ours, floor, raw))

        print(
            f"\nBooking creation on PostgreSQL, {hosts} hosts, {seconds:.0f} s per cell, 2 cores shared by server and client"
        )
        print(
            f"(raw inserts by {'pgbench' if use_pgbench else 'an asyncpg loop'}; successful requests per second, p95 latency)\n"
        )
        header = (
            f"{'clients':>7} | {'slotwise /s':>11} {'p95 ms':>7} | {'bare FastAPI+asyncpg /s':>23} {'p95 ms':>7} | "
            f"{'raw INSERT /s':>13} {'p95 ms':>7} | {'slotwise/bare':>13} {'slotwise/raw':>12}"
        )
        print(header)
        print("-" * len(header))
        for clients, ours, floor, raw in rows:
            print(
                f"{clients:>7} | {ours.rate:>11.0f} {ours.p95_ms:>7.1f} | {floor.rate:>23.0f} {floor.p95_ms:>7.1f} | "
                f"{raw.rate:>13.0f} {raw.p95_ms:>7.1f} | {ours.rate / floor.rate:>13.2f} {ours.rate / raw.rate:>12.2f}"
            )
        eight = next(ours for clients, ours, _, _ in rows if clients == 8)
        met = eight.rate >= 250 and eight.p95_ms < 50
        print(
            f"\nTarget at 8 clients: >= 250 bookings/s with p95 < 50 ms -> {eight.rate:.0f}/s, p95 {eight.p95_ms:.1f} ms: "
            f"{'met' if met else 'NOT met'}"
        )
        failed = sum(ours.failed for _, ours, _, _ in rows)
        if failed:
            print(f"{failed} Slotwise requests did not answer 201 (see above)")
        return 0
    finally:
        for server in servers:
            server.stop()
        await drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per cell (default 5)")
    parser.add_argument("--hosts", type=int, default=64, help="hosts the bookings are spread over (default 64)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.seconds, arguments.hosts)))
