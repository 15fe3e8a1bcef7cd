from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx2 as httpx
from fastapi import HTTPException
from sqlalchemy import func, select, update

from slotwise.db import Database, utcnow
from slotwise.http.idempotency import IdempotencyMiddleware
from slotwise.http.idempotency_models import IdempotencyRecord
from slotwise.users.models import ApiKey
from tests.conftest import MakeAccount
from tests.support.contract import assert_error, bare_app


async def test_a_retried_post_is_replayed_not_repeated(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()
    headers = {**alice.headers, "Idempotency-Key": "rotate-1"}

    first = await client.post("/v2/api-keys/refresh", headers=headers, json={"apiKeyDaysValid": 10})
    retry = await client.post("/v2/api-keys/refresh", headers=headers, json={"apiKeyDaysValid": 10})

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ApiKey)) == 2  # the original + one new key


async def test_same_key_with_a_different_body_is_a_422(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    headers = {**alice.headers, "Idempotency-Key": "rotate-2"}
    await client.post("/v2/api-keys/refresh", headers=headers, json={"apiKeyDaysValid": 10})

    other = await client.post("/v2/api-keys/refresh", headers=headers, json={"apiKeyDaysValid": 11})

    assert_error(other, 422, "already used with a different request")


async def test_keys_are_scoped_to_the_caller(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice, bob = await make_account("alice"), await make_account("bob")

    a = await client.post("/v2/api-keys/refresh", headers={**alice.headers, "Idempotency-Key": "k"}, json={})
    b = await client.post("/v2/api-keys/refresh", headers={**bob.headers, "Idempotency-Key": "k"}, json={})

    assert a.status_code == b.status_code == 200
    assert a.json()["data"]["apiKey"] != b.json()["data"]["apiKey"]


def _app_with(db: Database) -> tuple[object, asyncio.Event, asyncio.Event, list[int]]:
    app = bare_app((IdempotencyMiddleware, {"database": db}))
    entered, release = asyncio.Event(), asyncio.Event()
    calls: list[int] = []

    @app.post("/slow")
    async def slow() -> dict[str, int]:
        calls.append(1)
        entered.set()
        await release.wait()
        return {"calls": len(calls)}

    @app.post("/flaky")
    async def flaky() -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise HTTPException(503, "try again")
        return {"calls": len(calls)}

    return app, entered, release, calls


async def test_a_concurrent_duplicate_gets_409(db: Database) -> None:
    app, entered, release, calls = _app_with(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        first = asyncio.create_task(http.post("/slow", headers={"Idempotency-Key": "dup"}))
        await entered.wait()
        duplicate = await http.post("/slow", headers={"Idempotency-Key": "dup"})
        release.set()
        original = await first

    assert_error(duplicate, 409, "still in progress")
    assert original.status_code == 200 and calls == [1]


async def test_server_errors_are_not_stored(db: Database) -> None:
    app, *_ = _app_with(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        failed = await http.post("/flaky", headers={"Idempotency-Key": "f"})
        retried = await http.post("/flaky", headers={"Idempotency-Key": "f"})

    assert failed.status_code == 503
    assert retried.status_code == 200 and retried.json() == {"calls": 2}


async def test_an_abandoned_pending_key_is_taken_over_and_expired_keys_are_fresh(db: Database) -> None:
    app, _, release, _ = _app_with(db)
    release.set()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        await http.post("/slow", headers={"Idempotency-Key": "old"})
        async with db.session() as session:  # as if the first process died mid-request long ago
            await session.execute(
                update(IdempotencyRecord).values(state="pending", created_at=utcnow() - timedelta(minutes=5))
            )
            await session.commit()
        taken_over = await http.post("/slow", headers={"Idempotency-Key": "old"})
        async with db.session() as session:
            await session.execute(update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1)))
            await session.commit()
        after_expiry = await http.post("/slow", headers={"Idempotency-Key": "old"})

    assert taken_over.json() == {"calls": 2}
    assert after_expiry.json() == {"calls": 3}


async def test_an_overlong_key_is_a_400(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/v2/api-keys/refresh", headers={"Idempotency-Key": "x" * 256}), 400, "255")
