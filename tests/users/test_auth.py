from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
from sqlalchemy import update

from slotwise.db import Database, utcnow
from slotwise.users.models import ApiKey
from tests.conftest import MakeAccount
from tests.support.contract import assert_contract, assert_error


async def test_missing_key_is_401_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/me")

    body = assert_error(response, 401, "No API key provided")
    assert body["error"]["code"] == "UnauthorizedException"
    assert body["path"] == "/v2/me"
    assert_contract(response)


async def test_malformed_header_says_how_to_send_the_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})

    assert_error(response, 401, "Malformed Authorization header", "Bearer")


async def test_key_without_prefix_is_malformed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/me", headers={"Authorization": "Bearer sk_live_123"})

    assert_error(response, 401, "Malformed API key", "cal_")


async def test_unknown_key_is_rejected(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    await make_account()

    response = await client.get("/v2/me", headers={"Authorization": "Bearer cal_" + "0" * 32})

    assert_error(response, 401, "Invalid API key")


async def test_expired_key_is_rejected(client: httpx.AsyncClient, db: Database, make_account: MakeAccount) -> None:
    alice = await make_account(expires_in_days=1)
    assert (await client.get("/v2/me", headers=alice.headers)).status_code == 200
    async with db.session() as session:
        await session.execute(update(ApiKey).values(expires_at=utcnow() - timedelta(minutes=1)))
        await session.commit()

    response = await client.get("/v2/me", headers=alice.headers)

    assert_error(response, 401, "expired")


async def test_keys_are_stored_only_as_hashes(db: Database, make_account: MakeAccount) -> None:
    alice = await make_account()
    async with db.session() as session:
        stored = (await session.execute(ApiKey.__table__.select())).mappings().all()

    assert len(stored) == 1
    assert all(alice.key not in str(value) for value in stored[0].values())
    assert alice.key.startswith("cal_") and len(alice.key) == 36


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/health", headers={"X-Request-Id": "trace-123"})
    generated = await client.get("/v2/nowhere")

    assert echoed.headers["x-request-id"] == "trace-123"
    assert len(generated.headers["x-request-id"]) == 32
    assert generated.json()["error"]["requestId"] == generated.headers["x-request-id"]
