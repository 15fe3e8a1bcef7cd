"""CPU per booking, without HTTP or a load generator: bookings passed straight to the ASGI app, one at a time.

Run:  .venv/bin/python benchmarks/booking_cpu.py [BOOKINGS] [BATCHES]
Needs the local PostgreSQL (as ``bench_bookings.py``; a fresh database is created and dropped).

Prints the process's CPU milliseconds per booking for each batch. Other processes on the machine change
these figures by 10-20 %; for a figure that does not move, count instructions with callgrind and take the
difference of two run lengths (start-up and warm-up cancel out):

    for n in 20 120; do WARM=30 HOSTS=8 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$n \\
        .venv/bin/python benchmarks/booking_cpu.py $n 1; done
    # instructions per booking = (total of cg.120 - total of cg.20) / 100  (the "summary:" line of each file)
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import bench_bookings as bench

HEADERS = [(b"host", b"bench"), (b"content-type", b"application/json"), (b"cal-api-version", b"2024-08-13")]


async def book(app: Callable[..., Awaitable[None]], body: bytes) -> int:
    """One ``POST /v2/bookings`` through the ASGI app; its status."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v2/bookings",
        "raw_path": b"/v2/bookings",
        "query_string": b"",
        "root_path": "",
        "headers": [*HEADERS, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages: list[dict[str, Any]] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never leaves
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    status: int = messages[0]["status"]
    return status


async def main(bookings: int, batches: int) -> int:
    url = await bench.create_database()
    try:
        os.environ.update(
            SLOTWISE_DATABASE_URL=url, SLOTWISE_LOG_LEVEL="warning", SLOTWISE_RATE_LIMIT_REQUESTS="100000000"
        )
        event_types, _, _ = await bench.seed(url, int(os.environ.get("HOSTS", "64")))
        from slotwise.app import create_app
        from slotwise.config import Settings

        app = create_app(Settings.from_env())
        bodies = bench.booking_bodies(event_types)
        async with app.router.lifespan_context(app):
            for _ in range(int(os.environ.get("WARM", "200"))):
                assert await book(app, next(bodies)) == 201
            per_batch = []
            for _ in range(batches):
                started = time.process_time()
                for _ in range(bookings):
                    assert await book(app, next(bodies)) == 201
                per_batch.append((time.process_time() - started) / bookings * 1000)
        print(
            "CPU ms per booking, by batch:", " ".join(f"{ms:.2f}" for ms in per_batch), f"(best {min(per_batch):.2f})"
        )
        return 0
    finally:
        await bench.drop_database(url)


if __name__ == "__main__":
    sys.exit(
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, int(sys.argv[2]) if len(sys.argv) > 2 else 4))
    )
