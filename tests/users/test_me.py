from __future__ import annotations

import httpx2 as httpx

from tests.conftest import MakeAccount
from tests.support.contract import assert_contract, assert_error


async def test_get_me_returns_the_keys_owner(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice", time_zone="Europe/Rome")
    await make_account("bob")

    response = await client.get("/v2/me", headers=alice.headers)

    assert response.status_code == 200
    assert_contract(response)
    data = response.json()["data"]
    assert (data["id"], data["username"], data["email"]) == (alice.user.id, "alice", "alice@example.com")
    assert data["timeZone"] == "Europe/Rome"
    assert data["timeFormat"] == 24 and data["weekStart"] == "Monday"


async def test_api_prefix_is_an_alias(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.get("/api/v2/me", headers=alice.headers)

    assert response.status_code == 200
    assert response.json()["data"]["username"] == "alice"


async def test_patch_me_updates_and_normalises_the_time_zone(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    response = await client.patch(
        "/v2/me",
        headers=alice.headers,
        json={"timeZone": "America/New_york", "timeFormat": 12, "weekStart": "Sunday", "name": "Alice A."},
    )

    assert response.status_code == 200
    assert_contract(response)
    data = response.json()["data"]
    assert (data["timeZone"], data["timeFormat"], data["weekStart"]) == ("America/New_York", 12, "Sunday")
    again = (await client.get("/v2/me", headers=alice.headers)).json()["data"]
    assert again["timeZone"] == "America/New_York" and again["name"] == "Alice A."


async def test_patch_me_names_each_invalid_field(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.patch(
        "/v2/me",
        headers=alice.headers,
        json={"timeZone": "Mars/Olympus", "timeFormat": 13, "weekStart": "Funday"},
    )

    body = assert_error(response, 400, "timeZone", "Mars/Olympus", "timeFormat", "weekStart")
    assert {e["property"] for e in body["error"]["details"]["errors"]} == {
        "timeZone",
        "timeFormat",
        "weekStart",
    }
    unchanged = (await client.get("/v2/me", headers=alice.headers)).json()["data"]
    assert unchanged["timeZone"] == "Europe/Berlin" and unchanged["timeFormat"] == 24


async def test_patch_me_rejects_an_email_someone_else_has(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    await make_account("bob")

    response = await client.patch("/v2/me", headers=alice.headers, json={"email": "bob@example.com"})

    assert_error(response, 409, "bob@example.com")


async def test_patch_me_enforces_metadata_limits(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    too_many = {f"k{i}": "v" for i in range(51)}

    response = await client.patch("/v2/me", headers=alice.headers, json={"metadata": too_many})

    assert_error(response, 400, "metadata", "50 keys")


async def test_patch_me_with_invalid_json_is_a_400(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.patch(
        "/v2/me", headers={**alice.headers, "Content-Type": "application/json"}, content=b'{"name": '
    )

    assert_error(response, 400, "not valid JSON")
