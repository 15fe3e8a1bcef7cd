from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx2 as httpx
import pytest

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.http.errors import _OutageLog
from tests.support.contract import assert_error
from tests.support.server import start_server


async def test_unknown_route_is_404_in_the_envelope(client: httpx.AsyncClient) -> None:
    body = assert_error(await client.get("/v2/no-such-thing?x=1"), 404, "Cannot GET /v2/no-such-thing")
    assert body["path"] == "/v2/no-such-thing?x=1"
    assert body["error"]["code"] == "NotFoundException"


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    assert_error(await client.delete("/v2/me"), 405, "DELETE", "not allowed")


async def test_oversized_body_is_413_and_nothing_runs(client: httpx.AsyncClient, settings: Settings) -> None:
    small = create_app(Settings(database_url=settings.database_url, max_body_bytes=1000))
    transport = httpx.ASGITransport(app=small)
    async with httpx.AsyncClient(transport=transport, base_url="http://slotwise.test") as http:
        declared = await http.patch("/v2/me", content=b"x" * 5000, headers={"Content-Type": "application/json"})

        async def chunked() -> object:
            for _ in range(10):
                yield b"y" * 500

        streamed = await http.patch("/v2/me", content=chunked(), headers={"Content-Type": "application/json"})
    await small.state.database.dispose()

    assert_error(declared, 413, "too large", "1000 bytes")
    assert_error(streamed, 413, "too large")


async def test_health_and_readiness(client: httpx.AsyncClient, backend: str) -> None:
    health = await client.get("/health")
    ready = await client.get("/ready")

    assert (health.status_code, health.text) == (200, "OK")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "database": backend}


async def test_readiness_reports_an_unreachable_database() -> None:
    app = create_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/ready")
    await app.state.database.dispose()

    assert_error(response, 503, "database")


async def test_our_openapi_is_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/v2/docs-json")).json()
    docs = await client.get("/v2/docs")

    assert spec["openapi"].startswith("3.")
    assert "/v2/me" in spec["paths"] and "/v2/api-keys/refresh" in spec["paths"]
    assert spec["paths"]["/v2/me"]["get"]["operationId"] == "MeController_getMe"
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_an_outage_is_reported_once_per_period_with_the_count_of_503s(caplog: pytest.LogCaptureFixture) -> None:
    outage = _OutageLog(every=60.0)
    with caplog.at_level(logging.ERROR, logger="slotwise.errors"):
        for _ in range(500):
            outage.record(ConnectionRefusedError("connection refused"))
        outage._last -= 60.0  # a minute later
        outage.record(ConnectionRefusedError("connection refused"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "database unavailable: connection refused",
        "database unavailable: connection refused (499 more 503s since the last report)",
    ]


async def test_a_client_that_leaves_in_the_middle_of_its_body_is_no_server_error(
    database_url: str, log_dir: Path
) -> None:
    server = start_server({"SLOTWISE_DATABASE_URL": database_url}, log_dir, "--no-migrate")
    try:
        host, port = server.base_url.removeprefix("http://").split(":")
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /v2/bookings HTTP/1.1\r\nHost: slotwise\r\nContent-Type: application/json\r\n"
            b'Content-Length: 5000\r\n\r\n{"start": "2050-09-05T'
        )
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.close()  # gone, 4,978 bytes short
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            assert (await http.get("/health")).status_code == 200
    finally:
        server.stop()
    log = server.log()
    assert "Traceback" not in log and "unhandled error" not in log, log[-2000:]
