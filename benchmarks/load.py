"""Mixed load over real HTTP against PostgreSQL, then an API process killed and PostgreSQL stopped
during that same load.

Run:  make bench   (or: .venv/bin/python benchmarks/load.py [--seconds 60] [--concurrency 16]
                        [--phases scale,crash,outage] [--pg-url postgresql+asyncpg://...])

Workload: 80 % ``GET /v2/slots`` (a week of one host's slots, 2024-09-04), 15 % ``POST /v2/bookings``
(2024-08-13 body, no API key, a random free-looking slot of a random host: some collide and get 409),
5 % ``POST /v2/bookings/{uid}/cancel`` of a booking this run made. 20 hosts, Mon-Fri 09:00-17:00 UTC,
30-minute event types. Every host has webhooks for BOOKING_CREATED and BOOKING_CANCELLED posting to a
loopback receiver, and each API process runs its webhook worker, as ``slotwise serve`` does by default.
``--concurrency`` clients each keep one connection open to one API process (``slotwise serve``),
spread evenly over the processes.

Phases, each on a fresh database of a private PostgreSQL cluster (``initdb``; the shared server is
never touched, and the outage phase needs to stop it):

* ``startup``: seven cold starts of ``slotwise serve`` (process start to the first 200 from
  ``/health``, wall and CPU time) and its resident memory when idle.
* ``scale``: ``--seconds`` with one API process, then with two; throughput, p50/p95/p99, error counts,
  resident memory of each process at the end, and the scaling ratio from one to two processes.
* ``crash``: two processes; one is SIGKILLed a third of the way in and restarted on its port. Then:
  every booking that got a 201 is in the database (cancelled only if its cancel got a 200), no host
  has two overlapping active bookings, and every webhook event in the outbox reaches the receiver.
* ``outage``: two processes; PostgreSQL is stopped (``pg_ctl stop -m immediate``) for a third of the
  run. While down: only 503s, none slower than 2 s; after: service resumes by itself, bookings kept.

Exits non-zero if an invariant breaks. The load generator is a minimal keep-alive HTTP/1.1 client on
asyncio streams so that it takes as little as possible of the machine's cores from the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the private PostgreSQL cluster helper lives with the reliability tests
from tests.reliability.pgcluster import PrivatePostgres, pg_bin_dir  # noqa: E402

SLOTWISE = str(Path(sys.executable).with_name("slotwise"))
MIX = (("slots", 0.80), ("book", 0.15), ("cancel", 0.05))
HOSTS = 20
FIRST_DAY = date(2031, 1, 6)  # a Monday
WEEKS = 8  # bookings and reads fall in these weeks: as they fill up, some bookings collide (409)
LENGTH = 30  # minutes; 16 slots a working day
SLOTS_VERSION = "cal-api-version: 2024-09-04\r\n"
BOOKINGS_VERSION = "cal-api-version: 2024-08-13\r\n"
OUTAGE_BOUND = 2.0  # seconds: the longest any request may take while PostgreSQL is down


# -----------------------------------------------------------------------------------------------
# The webhook receiver (its own process: ``uvicorn load:receiver``)

_received: dict[str, list[str]] = {"ids": [], "uids": []}


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Records each delivery's ``webhook-id`` and booking uid; ``GET /received`` lists them."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "GET":
        payload = json.dumps(_received).encode()
    else:
        headers = dict(scope["headers"])
        _received["ids"].append(headers.get(b"webhook-id", b"").decode())
        event = json.loads(body)
        _received["uids"].append(f"{event['triggerEvent']} {(event.get('payload') or {}).get('uid')}")
        payload = b"ok"
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(payload)).encode())]}
    )
    await send({"type": "http.response.body", "body": payload})


# -----------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    """Seconds from now until ``GET /health`` answers 200."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - began
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing healthy on port {port} after {timeout} s")


@dataclass
class Api:
    """One ``slotwise serve`` process on a fixed port (a restart reuses the port)."""

    database_url: str
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        env = {
            **os.environ,
            "SLOTWISE_DATABASE_URL": self.database_url,
            "SLOTWISE_RATE_LIMIT_REQUESTS": "1000000000",
            "SLOTWISE_LOG_LEVEL": "warning",
            "SLOTWISE_LOG_FORMAT": "json",
            "SLOTWISE_WEBHOOK_TIMEOUT": "3",
            "SLOTWISE_WEBHOOK_LEASE_SECONDS": "5",
            "SLOTWISE_WEBHOOK_RETRY_SCHEDULE": "1,2,5,10,30,60",
        }
        command = [SLOTWISE, "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            began = time.perf_counter()
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_healthy(self.port, self.process)
        return time.perf_counter() - began

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rss(self) -> float:
        return rss_mb(self.process.pid) if self.process is not None and self.process.poll() is None else float("nan")


# -----------------------------------------------------------------------------------------------
# The world


@dataclass
class World:
    event_types: list[int]  # one per host
    receiver_port: int


async def seed(url: str, receiver_url: str) -> World:
    from slotwise.db import Database, migrate
    from slotwise.event_types.models import EventType
    from slotwise.schedules.models import Schedule
    from slotwise.users.models import User
    from slotwise.webhooks.models import Webhook

    await migrate(url)
    database = Database(url)
    event_types = []
    async with database.session() as session:
        for index in range(HOSTS):
            user = User(
                username=f"host{index}", email=f"host{index}@example.com", name=f"Host {index}", time_zone="UTC"
            )
            session.add(user)
            await session.flush()
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
                title="Call",
                slug="call",
                length=LENGTH,
                locations=[{"type": "integration", "integration": "cal-video"}],
                booking_fields=[],
                minimum_booking_notice=0,
                settings={},
                event_metadata={},
            )
            session.add(event_type)
            session.add(
                Webhook(
                    user_id=user.id,
                    subscriber_url=receiver_url,
                    triggers=["BOOKING_CREATED", "BOOKING_CANCELLED"],
                    active=True,
                )
            )
            await session.flush()
            event_types.append(event_type.id)
        await session.commit()
    await database.dispose()
    return World(event_types, 0)


# -----------------------------------------------------------------------------------------------
# The load generator


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects on the next request after a failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> tuple[int, bytes]:
        """(status, body); status -1 when no answer came (refused, reset, timed out)."""
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            if body:
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            self.writer.write(head.encode() + b"\r\n" + body)
            header = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
            match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", header)
            payload = await self.reader.readexactly(int(match.group(1))) if match else b""
            if re.search(rb"(?i)\r\nconnection:\s*close", header):
                await self.close()
            return int(header[9:12]), payload
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            await self.close()
            return -1, b""

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass
class Sample:
    kind: str
    status: int
    seconds: float
    at: float  # monotonic start


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    confirmed: dict[str, str] = field(default_factory=dict)  # uid -> start, from 201s
    cancelled: set[str] = field(default_factory=set)  # uids whose cancel got a 200
    # uids whose cancel got no answer (its process was killed, its connection dropped): done or not, both are right
    unanswered_cancels: set[str] = field(default_factory=set)
    events: dict[str, float] = field(default_factory=dict)  # what happened when (monotonic)
    seconds: float = 0.0


def _slot(rng: random.Random) -> str:
    day = FIRST_DAY + timedelta(days=7 * rng.randrange(WEEKS) + rng.randrange(5))
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=LENGTH * rng.randrange(16))
    return start.strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def drive(
    world: World,
    ports: list[int],
    *,
    seconds: float,
    concurrency: int,
    seed: int = 7,
    script: Callable[[Run], Coroutine[Any, Any, None]] | None = None,
) -> Run:
    """``concurrency`` clients for ``seconds``; ``script`` runs alongside (kills, outages)."""
    run = Run()
    open_uids: list[str] = []
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    began = time.monotonic()
    deadline = began + seconds

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        connection = Connection(ports[index % len(ports)])
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "cancel" and not open_uids:
                kind = "book"
            event_type = rng.choice(world.event_types)
            uid = start = None
            if kind == "slots":
                first = FIRST_DAY + timedelta(days=7 * rng.randrange(WEEKS))
                path = f"/v2/slots?eventTypeId={event_type}&start={first}&end={first + timedelta(days=6)}"
                request: tuple[str, str, bytes, str] = ("GET", path, b"", SLOTS_VERSION)
            elif kind == "book":
                start = _slot(rng)
                body = {
                    "start": start,
                    "eventTypeId": event_type,
                    "attendee": {"name": f"Guest {index}", "email": f"guest{index}@example.com", "timeZone": "UTC"},
                }
                request = ("POST", "/v2/bookings", json.dumps(body).encode(), BOOKINGS_VERSION)
            else:
                uid = open_uids.pop(rng.randrange(len(open_uids)))
                path = f"/v2/bookings/{uid}/cancel"
                request = ("POST", path, b'{"cancellationReason":"load"}', BOOKINGS_VERSION)
            at = time.monotonic()
            status, payload = await connection.request(*request)
            run.samples.append(Sample(kind, status, time.monotonic() - at, at))
            if kind == "book" and status == 201:
                created = json.loads(payload)["data"]["uid"]
                run.confirmed[created] = str(start)
                open_uids.append(created)
            elif kind == "cancel" and status == 200:
                run.cancelled.add(str(uid))
            elif status == -1:
                if kind == "cancel":
                    run.unanswered_cancels.add(str(uid))
                await asyncio.sleep(0.05)  # a dead port: don't spin
        await connection.close()

    tasks = [asyncio.create_task(client(index)) for index in range(concurrency)]
    if script is not None:
        tasks.append(asyncio.create_task(script(run)))
    await asyncio.gather(*tasks)
    run.seconds = time.monotonic() - began
    return run


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


@dataclass
class Summary:
    label: str
    processes: int
    rate: float
    p50: float
    p95: float
    p99: float
    counts: Counter[str]
    rss: list[float]

    def row(self) -> str:
        c = self.counts
        errors = c["5xx"] + c["no answer"] + c["other 4xx"]
        return (
            f"| {self.label} | {self.processes} | {self.rate:,.0f} | {self.p50:.1f} | {self.p95:.1f} | {self.p99:.1f} | "
            f"{c['slots']:,} | {c['book 201']:,} | {c['book 409']:,} | {c['cancel 200']:,} | "
            f"{errors:,} ({c['5xx']} 5xx, {c['no answer']} no answer) | {' / '.join(f'{r:.0f}' for r in self.rss)} |"
        )


def summarise(label: str, run: Run, apis: list[Api]) -> Summary:
    answered = [s for s in run.samples if s.status != -1]
    counts: Counter[str] = Counter()
    for sample in run.samples:
        if sample.status == -1:
            counts["no answer"] += 1
        elif sample.status >= 500:
            counts["5xx"] += 1
        elif sample.kind == "slots" and sample.status == 200:
            counts["slots"] += 1
        elif sample.kind == "book" and sample.status in (201, 409):
            counts[f"book {sample.status}"] += 1
        elif sample.kind == "cancel" and sample.status == 200:
            counts["cancel 200"] += 1
        else:
            counts["other 4xx"] += 1
    latencies = [s.seconds for s in answered]
    return Summary(
        label,
        len(apis),
        len(answered) / run.seconds,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
        counts,
        [api.rss() for api in apis],
    )


HEADER = (
    "| phase | API processes | req/s | p50 ms | p95 ms | p99 ms | slot reads | bookings 201 | 409 (taken) | "
    "cancels | errors | RSS MiB at end |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
)


# -----------------------------------------------------------------------------------------------
# Checks after a run


async def check_integrity(url: str, run: Run, receiver_port: int, *, within: float = 90) -> list[str]:
    """Every 201 booking stored (cancelled only if its cancel got a 200), no overlap, and every
    webhook event of the outbox received. Returns the problems found."""
    from sqlalchemy import and_, select
    from sqlalchemy.orm import aliased

    from slotwise.bookings.models import ACTIVE_STATUSES, Booking
    from slotwise.db import Database
    from slotwise.webhooks.models import WebhookDelivery

    problems = []
    database = Database(url)
    try:
        async with database.session() as session:
            rows = {row.uid: row.status for row in await session.execute(select(Booking.uid, Booking.status))}
            other = aliased(Booking)
            overlaps = (
                await session.execute(
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
            ).all()
        lost = [uid for uid in run.confirmed if uid not in rows]
        wrong = [
            uid
            for uid in run.confirmed
            if uid in rows
            and uid not in run.unanswered_cancels
            and (rows[uid] == "cancelled") != (uid in run.cancelled)
        ]
        if lost:
            problems.append(f"{len(lost)} bookings confirmed with a 201 are missing, e.g. {lost[:3]}")
        if wrong:
            problems.append(f"{len(wrong)} bookings have a status their last answer contradicts, e.g. {wrong[:3]}")
        if overlaps:
            problems.append(f"{len(overlaps)} double bookings, e.g. {overlaps[:3]}")

        deadline = time.monotonic() + within
        while True:
            async with database.session() as session:
                states = Counter((await session.scalars(select(WebhookDelivery.status))).all())
                outbox = set((await session.scalars(select(WebhookDelivery.id))).all())
            if not states["pending"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        if set(states) - {"delivered"}:
            problems.append(f"webhook deliveries not delivered after {within:.0f} s: {dict(states)}")
        received = json.loads(await _get(receiver_port, "/received"))
        mine = [delivery for delivery in received["ids"] if delivery in outbox]  # the receiver serves every phase
        missing = outbox - set(mine)
        if missing:
            problems.append(f"{len(missing)} webhook events of the outbox never reached the receiver")
        uids = {line.split(" ", 1)[1] for line in received["uids"] if line.startswith("BOOKING_CREATED ")}
        unannounced = [uid for uid in run.confirmed if uid not in uids]
        if unannounced:
            problems.append(f"{len(unannounced)} confirmed bookings without a BOOKING_CREATED webhook")
        print(
            f"    integrity: all {len(run.confirmed):,} bookings confirmed with a 201 are stored (cancelled exactly "
            f"when the cancel got a 200; {len(run.unanswered_cancels)} cancels got no answer, either way is right), "
            f"no overlaps; all {len(outbox):,} webhook events of the outbox received "
            f"({len(mine) - len(set(mine)):,} sent twice after a lease expired)"
            if not problems
            else f"    integrity problems: {problems}",
            flush=True,
        )
    finally:
        await database.dispose()
    return problems


async def _get(port: int, path: str) -> bytes:
    connection = Connection(port)
    status, payload = await connection.request("GET", path)
    await connection.close()
    if status != 200:
        raise RuntimeError(f"GET {path} on port {port}: {status}")
    return payload


# -----------------------------------------------------------------------------------------------
# Phases


class Bench:
    def __init__(self, cluster: PrivatePostgres | None, pg_url: str | None, logs: Path) -> None:
        self.cluster = cluster
        self.pg_url = pg_url
        self.logs = logs
        self.counter = 0
        self.receiver_port = free_port()
        command = [
            sys.executable, "-m", "uvicorn", "load:receiver", "--app-dir", str(ROOT / "benchmarks"),
            "--host", "127.0.0.1", "--port", str(self.receiver_port), "--log-level", "warning", "--no-access-log",
            "--lifespan", "off",
        ]  # fmt: skip
        self.receiver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_healthy_any(self.receiver_port, self.receiver)

    def close(self) -> None:
        self.receiver.terminate()
        self.receiver.wait()

    async def fresh_database(self) -> tuple[str, World]:
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        self.counter += 1
        name = f"slotwise_load_{os.getpid()}_{self.counter}"
        admin_url = self.cluster.url() if self.cluster else str(self.pg_url)
        admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        world = await seed(url, f"http://127.0.0.1:{self.receiver_port}/hook")
        world.receiver_port = self.receiver_port
        return url, world

    def apis(self, url: str, count: int) -> list[Api]:
        apis = [Api(url, free_port(), self.logs / f"api-{self.counter}-{i}.log") for i in range(count)]
        for api in apis:
            api.start()
        return apis


def wait_healthy_any(port: int, process: subprocess.Popen[bytes]) -> None:
    began = time.monotonic()
    while time.monotonic() - began < 30:
        if process.poll() is not None:
            raise RuntimeError("the webhook receiver did not start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the webhook receiver did not start")


@dataclass
class ColdStarts:
    walls: list[float] = field(default_factory=list)  # seconds from process start to the first healthy answer
    cpus: list[float] = field(default_factory=list)  # CPU seconds spent by then
    rss: list[float] = field(default_factory=list)  # MiB when idle, a second later
    # milliseconds of the first slot read and the first booking right after the first healthy answer (models and
    # response fields are built on first use), then of a second read and booking
    first: list[tuple[float, float]] = field(default_factory=list)
    second: list[tuple[float, float]] = field(default_factory=list)


def _read_and_book(port: int, event_type: int, start: datetime) -> tuple[float, float]:
    """Milliseconds of one ``GET /v2/slots`` (a week) and one ``POST /v2/bookings`` at ``start``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        week = f"start={start.date()}&end={start.date() + timedelta(days=6)}"
        began = time.perf_counter()
        connection.request(
            "GET", f"/v2/slots?eventTypeId={event_type}&{week}", headers={"cal-api-version": "2024-09-04"}
        )
        read = connection.getresponse()
        read.read()
        middle = time.perf_counter()
        attendee = {"name": "First", "email": "first@example.com", "timeZone": "UTC"}
        body = {"start": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "eventTypeId": event_type, "attendee": attendee}
        headers = {"cal-api-version": "2024-08-13", "Content-Type": "application/json"}
        connection.request("POST", "/v2/bookings", body=json.dumps(body), headers=headers)
        booked = connection.getresponse()
        booked.read()
        if (read.status, booked.status) != (200, 201):
            raise RuntimeError(f"first requests answered {read.status} and {booked.status}")
        return (middle - began) * 1000, (time.perf_counter() - middle) * 1000
    finally:
        connection.close()


def cold_start(command: list[str], url: str, found: ColdStarts) -> tuple[int, subprocess.Popen[bytes]]:
    """Start ``command`` (given ``--host`` and ``--port``) and record its cold start; returns the running process."""
    port = free_port()
    env = {**os.environ, "SLOTWISE_DATABASE_URL": url, "SLOTWISE_LOG_LEVEL": "warning"}
    began = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port, process)
    except BaseException:
        process.kill()
        process.wait()
        raise
    found.walls.append(time.perf_counter() - began)
    with open(f"/proc/{process.pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    found.cpus.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))  # utime + stime
    return port, process


def cold_starts(url: str, world: World, runs: int) -> tuple[ColdStarts, ColdStarts]:
    """``runs`` starts of ``slotwise serve`` (each followed by two slot reads and two bookings), each right
    after a start of the same stack without Slotwise (``bare_serve.py``): the machine's speed drifts, and
    the baseline shows how much of a start is the libraries'."""
    ours, bare = ColdStarts(), ColdStarts()
    for run in range(runs):
        _port, baseline = cold_start([sys.executable, str(ROOT / "benchmarks" / "bare_serve.py")], url, bare)
        baseline.terminate()
        baseline.wait()
        port, process = cold_start([SLOTWISE, "serve"], url, ours)
        try:
            monday = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 9, tzinfo=UTC) + timedelta(weeks=run)
            event_type = world.event_types[run % len(world.event_types)]
            ours.first.append(_read_and_book(port, event_type, monday))
            ours.second.append(_read_and_book(port, event_type, monday + timedelta(days=1)))
            time.sleep(1.0)
            ours.rss.append(rss_mb(process.pid))
        finally:
            process.terminate()
            process.wait()
    return ours, bare


async def phase_startup(bench: Bench, runs: int = 7) -> list[str]:
    """Cold start of ``slotwise serve`` (process start to the first 200 from ``/health``; migrations are
    checked on start, as by default) next to the bare stack's, its first requests and its idle memory."""
    url, world = await bench.fresh_database()
    ours, bare = cold_starts(url, world, runs)
    walls, cpus, rss = ours.walls, ours.cpus, ours.rss

    def median_ms(pairs: list[tuple[float, float]], which: int) -> str:
        return f"{statistics.median(pair[which] for pair in pairs):.0f}"

    print(
        f"startup ({runs} starts of `slotwise serve`): first healthy answer after {min(walls):.2f} s at best, "
        f"{statistics.median(walls):.2f} s median (CPU time {min(cpus):.2f} s best, {statistics.median(cpus):.2f} s "
        f"median); the bare stack (bare_serve.py, started before each) {min(bare.walls):.2f} s best, "
        f"{statistics.median(bare.walls):.2f} s median, so ours is {statistics.median(walls) / statistics.median(bare.walls):.2f}x "
        f"(+{statistics.median(w - b for w, b in zip(walls, bare.walls, strict=True)):.2f} s median); "
        f"then the first slot read {median_ms(ours.first, 0)} ms and first booking "
        f"{median_ms(ours.first, 1)} ms (median; the second {median_ms(ours.second, 0)} and "
        f"{median_ms(ours.second, 1)} ms); idle RSS {statistics.median(rss):.0f} MiB; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if statistics.median(rss) > 150:
        return [f"startup: idle RSS {statistics.median(rss):.0f} MiB is over 150 MiB"]
    return []


async def phase_scale(bench: Bench, seconds: float, concurrency: int) -> tuple[list[Summary], list[str]]:
    summaries, problems = [], []
    for processes in (1, 2):
        url, world = await bench.fresh_database()
        apis = bench.apis(url, processes)
        try:
            await drive(world, [a.port for a in apis], seconds=min(5.0, seconds / 6), concurrency=concurrency, seed=1)
            run = await drive(world, [a.port for a in apis], seconds=seconds, concurrency=concurrency)
            summary = summarise(f"steady, {processes} process{'es' if processes > 1 else ''}", run, apis)
            print(summary.row(), flush=True)
            summaries.append(summary)
            if summary.counts["5xx"] or summary.counts["no answer"] or summary.counts["other 4xx"]:
                problems.append(f"{summary.label}: errors under steady load: {dict(summary.counts)}")
            problems += await check_integrity(url, run, world.receiver_port)
        finally:
            for api in apis:
                api.stop()
    return summaries, problems


async def phase_crash(bench: Bench, seconds: float, concurrency: int) -> tuple[Summary, list[str]]:
    url, world = await bench.fresh_database()
    apis = bench.apis(url, 2)
    victim = apis[0]

    async def script(run: Run) -> None:
        await asyncio.sleep(seconds / 3)
        victim.kill()
        run.events["killed"] = time.monotonic()
        await asyncio.sleep(0.5)
        restart = await asyncio.to_thread(victim.start)
        run.events["restarted"] = time.monotonic()
        print(
            f"    SIGKILLed process 1 of 2 at {seconds / 3:.0f} s; it answered again {restart:.2f} s after its restart",
            flush=True,
        )

    try:
        run = await drive(world, [a.port for a in apis], seconds=seconds, concurrency=concurrency, script=script)
        summary = summarise("SIGKILL + restart, 2 processes", run, apis)
        print(summary.row(), flush=True)
        problems = []
        if summary.counts["5xx"] or summary.counts["other 4xx"]:
            problems.append(f"crash: unexpected answers: {dict(summary.counts)}")
        problems += await check_integrity(url, run, world.receiver_port)
    finally:
        for api in apis:
            api.stop()
    return summary, problems


async def phase_outage(bench: Bench, seconds: float, concurrency: int) -> tuple[Summary, list[str]]:
    assert bench.cluster is not None
    cluster = bench.cluster
    url, world = await bench.fresh_database()
    apis = bench.apis(url, 2)

    async def script(run: Run) -> None:
        await asyncio.sleep(seconds / 3)
        await asyncio.to_thread(cluster.stop)
        run.events["down"] = time.monotonic()
        await asyncio.sleep(seconds / 3)
        # PostgreSQL accepts connections a little before `pg_ctl start -w` returns: "down" ends here
        run.events["starting"] = time.monotonic()
        await asyncio.to_thread(cluster.start)
        run.events["up"] = time.monotonic()

    try:
        run = await drive(world, [a.port for a in apis], seconds=seconds, concurrency=concurrency, script=script)
        summary = summarise("PostgreSQL down for a third, 2 processes", run, apis)
        print(summary.row(), flush=True)
    finally:
        for api in apis:
            api.stop()
    down, starting, up = run.events["down"], run.events["starting"], run.events["up"]
    during = [s for s in run.samples if down + 0.5 < s.at and s.at + s.seconds < starting]
    after_up = [s for s in run.samples if s.at > up and s.status in (200, 201)]
    recovered = (min(s.at for s in after_up) - up) if after_up else float("inf")
    statuses = Counter(s.status for s in during)
    worst = max((s.seconds for s in during), default=float("nan"))
    print(
        f"    while down ({starting - down:.1f} s): {len(during):,} requests, answers {dict(statuses)}, "
        f"p50 {percentile([s.seconds for s in during], 50):.1f} ms, slowest {worst * 1000:.0f} ms; "
        f"first success {recovered:.2f} s after PostgreSQL was back",
        flush=True,
    )
    problems = []
    if set(statuses) != {503}:
        problems.append(f"outage: answers other than 503 while PostgreSQL was down: {dict(statuses)}")
    if worst > OUTAGE_BOUND:
        problems.append(f"outage: a request took {worst:.1f} s while PostgreSQL was down")
    if summary.counts["5xx"] != sum(1 for s in run.samples if s.status == 503):
        problems.append("outage: 5xx other than 503")
    if recovered > 10:
        problems.append(f"outage: service did not resume within 10 s ({recovered:.1f} s)")
    late = [s for s in run.samples if s.at > up + recovered + 1 and s.status not in (200, 201, 409)]
    if late:
        problems.append(f"outage: {len(late)} failures after recovery: {Counter(s.status for s in late)}")
    problems += await check_integrity(url, run, world.receiver_port)
    return summary, problems


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of each measured run (default 60)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients, one connection each (default 16)")
    parser.add_argument(
        "--phases", default="startup,scale,crash,outage", help="comma-separated: startup, scale, crash, outage"
    )
    parser.add_argument(
        "--pg-url", help="an existing PostgreSQL admin URL instead of a private cluster (no outage phase)"
    )
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]

    cluster = None
    if not args.pg_url:
        if pg_bin_dir() is None:
            print(
                "load.py needs initdb/pg_ctl (the postgresql package) for its private cluster, or --pg-url",
                file=sys.stderr,
            )
            return 2
        cluster = PrivatePostgres()
        cluster.start()
    elif "outage" in phases:
        print("    (--pg-url given: the outage phase needs a private cluster and is skipped)")
        phases.remove("outage")
    logs = Path(tempfile.mkdtemp(prefix="slotwise-load-"))
    print(
        f"# load.py: {args.concurrency} clients, {args.seconds:.0f} s per run, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start; logs in {logs}",
        flush=True,
    )
    bench = Bench(cluster, args.pg_url, logs)
    problems: list[str] = []
    try:
        summaries: list[Summary] = []
        if "startup" in phases:
            problems += await phase_startup(bench)
        print(HEADER, flush=True)
        if "scale" in phases:
            scaled, found = await phase_scale(bench, args.seconds, args.concurrency)
            summaries += scaled
            problems += found
        if "crash" in phases:
            _summary, found = await phase_crash(bench, max(15.0, args.seconds / 2), args.concurrency)
            problems += found
        if "outage" in phases:
            _summary, found = await phase_outage(bench, max(15.0, args.seconds / 2), args.concurrency)
            problems += found
        if len(summaries) == 2:
            one, two = summaries
            print(
                f"\nscaling 1 -> 2 API processes: {two.rate / one.rate:.2f}x throughput "
                f"({one.rate:,.0f} -> {two.rate:,.0f} req/s); p99 {one.p99:.0f} -> {two.p99:.0f} ms",
                flush=True,
            )
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        bench.close()
        if cluster is not None:
            cluster.destroy()
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main()))
    sys.exit(uvloop.run(main()))
