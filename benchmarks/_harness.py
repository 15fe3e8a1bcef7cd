"""Shared benchmark plumbing: throwaway databases, a server process, and a small load generator."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PG_ADMIN_URL = os.environ.get("SLOTWISE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent


@asynccontextmanager
async def throwaway_database(kind: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    name = "slotwise_bench_" + uuid.uuid4().hex[:8]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def start_server(
    database_url: str,
    port: int,
    *,
    app: str = "bench_app:create",
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Server:
    """Our app (plus a bare JSON endpoint at /bench/bare) under uvicorn, as in production."""
    env = {
        **os.environ,
        "SLOTWISE_DATABASE_URL": database_url,
        "SLOTWISE_RATE_LIMIT_REQUESTS": "100000000",
        "SLOTWISE_LOG_LEVEL": "warning",
        "SLOTWISE_WEBHOOK_WORKER": "0",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--app-dir",
        str(ROOT),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.base_url + "/health", timeout=0.5).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("server did not start")


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000


async def load(
    base_url: str,
    make_request: Callable[[int], tuple[str, str, dict[str, object] | None]],
    *,
    total: int,
    concurrency: int,
    expect: tuple[int, ...] = (200,),
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """``total`` requests from ``concurrency`` workers; ``make_request(i)`` gives (method, path, json)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30, headers=headers) as http:

        async def worker() -> None:
            nonlocal errors
            for index in counter:
                method, path, body = make_request(index)
                began = time.perf_counter()
                response = await http.request(method, path, json=body)
                latencies.append(time.perf_counter() - began)
                if response.status_code not in expect:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return LoadResult(total, seconds, latencies, errors)
