"""``GET /v2/event-types?username=U[&eventSlug=S]`` (2024-06-14): anyone may read a user's visible event types."""

from __future__ import annotations

import httpx2 as httpx

from tests.conftest import Account, MakeAccount
from tests.event_types.helpers import CURRENT, create, current
from tests.support.contract import assert_contract, assert_error


async def _alice_with_a_hidden_type(client: httpx.AsyncClient, make_account: MakeAccount) -> Account:
    alice = await make_account("alice")
    await create(client, alice, slug="intro")
    await create(client, alice, slug="vip", hidden=True)
    return alice


async def test_anyone_reads_a_users_visible_event_types(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await _alice_with_a_hidden_type(client, make_account)
    bob = await make_account("bob")

    anonymous = await client.get("/v2/event-types", params={"username": "alice"}, headers=CURRENT)
    other_user = await client.get("/v2/event-types", params={"username": "alice"}, headers=current(bob))
    owner = await client.get("/v2/event-types", params={"username": "alice"}, headers=current(alice))

    assert anonymous.status_code == 200
    assert_contract(anonymous)
    assert [e["slug"] for e in anonymous.json()["data"]] == ["intro"]
    assert [e["slug"] for e in other_user.json()["data"]] == ["intro"]
    assert [e["slug"] for e in owner.json()["data"]] == ["intro", "vip"], "the owner also sees hidden ones"


async def test_event_slug_narrows_to_one(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    await _alice_with_a_hidden_type(client, make_account)

    found = await client.get("/v2/event-types", params={"username": "Alice", "eventSlug": "intro"}, headers=CURRENT)
    hidden = await client.get("/v2/event-types", params={"username": "alice", "eventSlug": "vip"}, headers=CURRENT)
    missing = await client.get("/v2/event-types", params={"username": "alice", "eventSlug": "nope"}, headers=CURRENT)

    assert [e["slug"] for e in found.json()["data"]] == ["intro"], "usernames match regardless of case"
    assert hidden.json()["data"] == [] and missing.json()["data"] == []
    assert_contract(missing)


async def test_lists_that_find_nothing_are_empty_and_bad_filters_say_why(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    await _alice_with_a_hidden_type(client, make_account)

    unknown_user = await client.get("/v2/event-types", params={"username": "nobody"}, headers=CURRENT)
    no_filter = await client.get("/v2/event-types", headers=CURRENT)

    assert unknown_user.status_code == 200 and unknown_user.json()["data"] == []
    assert no_filter.status_code == 200 and no_filter.json()["data"] == []
    slug_alone = await client.get("/v2/event-types", params={"eventSlug": "intro"}, headers=CURRENT)
    group = await client.get("/v2/event-types", params={"usernames": "alice,bob"}, headers=CURRENT)
    assert_error(slug_alone, 400, "eventSlug", "username")
    assert_error(group, 400, "usernames", "username")


async def test_with_a_key_and_no_filter_the_caller_gets_all_their_own(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await _alice_with_a_hidden_type(client, make_account)
    bob = await make_account("bob")
    await create(client, bob, slug="bobs")

    response = await client.get("/v2/event-types", headers=current(alice))

    assert_contract(response)
    assert [e["slug"] for e in response.json()["data"]] == ["intro", "vip"]
