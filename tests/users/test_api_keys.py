from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
from sqlalchemy import select

from slotwise.db import Database, utcnow
from slotwise.users.keys import hash_key
from slotwise.users.models import ApiKey
from tests.conftest import MakeAccount
from tests.support.contract import assert_contract, assert_error


async def _expiry_of(db: Database, key: str) -> object:
    async with db.session() as session:
        return await session.scalar(select(ApiKey.expires_at).where(ApiKey.key_hash == hash_key(key)))


async def test_refresh_issues_a_new_key_and_revokes_the_old(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()

    response = await client.post("/v2/api-keys/refresh", headers=alice.headers, json={})

    assert response.status_code == 200
    assert_contract(response)
    new_key = response.json()["data"]["apiKey"]
    assert new_key.startswith("cal_") and new_key != alice.key
    assert (await client.get("/v2/me", headers={"Authorization": f"Bearer {new_key}"})).status_code == 200
    assert_error(await client.get("/v2/me", headers=alice.headers), 401, "revoked")
    expires_at = await _expiry_of(db, new_key)
    assert isinstance(expires_at, type(utcnow()))
    assert abs(expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)


async def test_refresh_honours_validity_choices(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()

    sixty = await client.post("/v2/api-keys/refresh", headers=alice.headers, json={"apiKeyDaysValid": 60})
    key_60 = sixty.json()["data"]["apiKey"]
    forever = await client.post(
        "/v2/api-keys/refresh",
        headers={"Authorization": f"Bearer {key_60}"},
        json={"apiKeyNeverExpires": True},
    )

    expires_60 = await _expiry_of(db, key_60)
    assert isinstance(expires_60, type(utcnow()))
    assert abs(expires_60 - (utcnow() + timedelta(days=60))) < timedelta(minutes=1)
    assert await _expiry_of(db, forever.json()["data"]["apiKey"]) is None


async def test_refresh_with_both_choices_is_a_400(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.post(
        "/v2/api-keys/refresh", headers=alice.headers, json={"apiKeyDaysValid": 5, "apiKeyNeverExpires": True}
    )

    assert_error(response, 400, "apiKeyDaysValid", "apiKeyNeverExpires")
    assert (await client.get("/v2/me", headers=alice.headers)).status_code == 200


async def test_refresh_without_a_key_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/v2/api-keys/refresh", json={}), 401)
