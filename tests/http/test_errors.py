from __future__ import annotations

import httpx2 as httpx

from slotwise.app import create_app
from slotwise.config import Settings
from tests.support.contract import assert_error


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
