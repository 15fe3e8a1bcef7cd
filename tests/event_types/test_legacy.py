"""Callers without ``cal-api-version: 2024-06-14``: legacy clients and the seed documents, as written."""

from __future__ import annotations

import httpx2 as httpx

from tests.conftest import MakeAccount
from tests.event_types.helpers import create
from tests.support.contract import assert_contract, assert_error

LEGACY_ITEM_KEYS = {
    "id",
    "title",
    "slug",
    "length",
    "hidden",
    "locations",
    "requiresConfirmation",
    "description",
    "userId",
    "teamId",
}


async def test_the_legacy_body_with_length_creates_and_answers_length(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")

    # the managed-OAuth proxy seed, as written
    response = await client.post(
        "/v2/event-types", headers=alice.headers, json={"title": "Meeting", "slug": "meeting", "length": 30}
    )

    assert response.status_code == 201
    data = response.json()["data"]
    assert isinstance(data["id"], int) and data["length"] == 30 and data["lengthInMinutes"] == 30
    assert data["userId"] == alice.user.id and data["requiresConfirmation"] is False
    assert_contract(response)  # also readable as the current shape


async def test_the_seed_skill_body_without_a_header_works_as_written(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    body = {
        "title": "30 Minute Meeting",
        "slug": "30min",
        "lengthInMinutes": 30,
        "locations": [{"type": "integration", "integration": "cal-video"}],
    }

    created = await client.post("/v2/event-types", headers=alice.headers, json=body)
    listed = await client.get("/v2/event-types", headers=alice.headers)
    fetched = await client.get(f"/v2/event-types/{created.json()['data']['id']}", headers=alice.headers)

    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["title"], data["slug"], data["lengthInMinutes"], data["length"]) == (
        "30 Minute Meeting",
        "30min",
        30,
        30,
    )
    assert data["locations"] == body["locations"]
    assert listed.status_code == 200 and isinstance(listed.json()["data"], dict)
    assert fetched.status_code == 200 and fetched.json()["data"] == data
    assert_contract(fetched)


async def test_listing_without_the_header_answers_event_type_groups(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    visible = await create(client, alice, slug="visible", description="Say hi", confirmationPolicy={"type": "always"})
    secret = await create(client, alice, slug="secret", hidden=True)

    response = await client.get("/v2/event-types", headers={**alice.headers, "Content-Type": "application/json"})

    assert response.status_code == 200
    data = response.json()["data"]
    assert isinstance(data, dict), "legacy clients crash when data is a list here"
    (group,) = data["eventTypeGroups"]
    assert group["profile"] == {"slug": "alice", "name": "Alice", "image": None} and group["teamId"] is None
    items = {item["slug"]: item for item in group["eventTypes"]}
    assert set(items) == {"visible", "secret"}, "the owner sees hidden event types too"
    assert set(items["visible"]) >= LEGACY_ITEM_KEYS
    assert items["visible"]["id"] == visible["id"] and items["visible"]["length"] == 30
    assert items["visible"]["requiresConfirmation"] is True and items["visible"]["description"] == "Say hi"
    assert items["visible"]["locations"] == [{"type": "integrations:daily"}]
    assert items["secret"]["hidden"] is True and items["secret"]["id"] == secret["id"]
    assert items["visible"]["userId"] == alice.user.id and items["visible"]["teamId"] is None


async def test_an_older_version_date_gets_the_legacy_shapes(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    older = {**alice.headers, "cal-api-version": "2024-06-11"}

    created = await client.post("/v2/event-types", headers=older, json={"title": "Old", "slug": "old", "length": 20})
    listed = await client.get("/v2/event-types", headers=older)
    newer = await client.get("/v2/event-types", headers={**alice.headers, "cal-api-version": "2025-01-01"})

    assert created.status_code == 201 and created.json()["data"]["length"] == 20
    assert "eventTypeGroups" in listed.json()["data"]
    assert isinstance(newer.json()["data"], list), "a later date speaks 2024-06-14"


async def test_legacy_locations_and_names_are_understood(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")

    response = await client.post(
        "/v2/event-types",
        headers=alice.headers,
        json={
            "title": "Office hours",
            "slug": "office-hours",
            "length": 60,
            "requiresConfirmation": True,
            "eventName": "Office hours with {Scheduler}",
            "locations": [
                {"type": "inPerson", "address": "1 Main St", "displayLocationPublicly": True},
                {"type": "integrations:daily"},
                {"type": "somewhereElse"},
            ],
        },
    )

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["locations"] == [
        {"type": "address", "address": "1 Main St", "public": True},
        {"type": "integration", "integration": "cal-video"},
        {"type": "attendeeDefined"},
    ]
    assert data["confirmationPolicy"]["type"] == "always" and data["requiresConfirmation"] is True
    assert data["customName"] == data["eventName"] == "Office hours with {Scheduler}"
    listed = (await client.get("/v2/event-types", headers=alice.headers)).json()["data"]
    assert listed["eventTypeGroups"][0]["eventTypes"][0]["locations"] == [
        {"type": "inPerson", "address": "1 Main St", "displayLocationPublicly": True},
        {"type": "integrations:daily"},
        {"type": "somewhereElse"},
    ]


async def test_legacy_errors_use_the_names_the_caller_sent(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")

    zero = await client.post("/v2/event-types", headers=alice.headers, json={"title": "x", "slug": "x", "length": 0})
    both = await client.post(
        "/v2/event-types", headers=alice.headers, json={"title": "x", "slug": "x", "length": 30, "lengthInMinutes": 60}
    )
    neither = await client.post("/v2/event-types", headers=alice.headers, json={"title": "x", "slug": "x"})

    body = assert_error(zero, 400, "'length'")
    assert body["error"]["details"]["errors"][0]["property"] == "length"
    assert_error(both, 400, "length", "lengthInMinutes")
    assert_error(neither, 400, "lengthInMinutes", "length")


async def test_the_proxy_seeds_update_and_delete_work_without_the_header(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    created = await create(client, alice)

    patched = await client.patch(
        f"/v2/event-types/{created['id']}",
        headers=alice.headers,
        json={"title": "Updated Meeting Title", "description": "Updated description", "length": 45},
    )
    deleted = await client.delete(f"/v2/event-types/{created['id']}", headers=alice.headers)

    assert patched.status_code == 200
    data = patched.json()["data"]
    assert (data["title"], data["description"], data["length"], data["lengthInMinutes"]) == (
        "Updated Meeting Title",
        "Updated description",
        45,
        45,
    )
    assert deleted.status_code == 200
    assert deleted.json()["data"] == {
        "id": created["id"],
        "length": 45,
        "lengthInMinutes": 45,
        "title": "Updated Meeting Title",
        "slug": "intro",
    }


async def test_legacy_reads_need_a_key_or_a_username(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    await create(client, alice, slug="visible")
    await create(client, alice, slug="secret", hidden=True)

    anonymous = await client.get("/v2/event-types")
    by_username = await client.get("/v2/event-types", params={"username": "alice"})
    unknown = await client.get("/v2/event-types", params={"username": "nobody"})

    assert_error(anonymous, 401, "API key", "username")
    groups = by_username.json()["data"]["eventTypeGroups"]
    assert [e["slug"] for e in groups[0]["eventTypes"]] == ["visible"]
    assert unknown.json()["data"] == {"eventTypeGroups": [], "profiles": []}

    # the 2024-04-15 public routes
    listed = await client.get("/v2/event-types/alice/public")
    one = await client.get("/v2/event-types/alice/visible/public")
    hidden = await client.get("/v2/event-types/alice/secret/public")

    assert [(e["slug"], e["length"]) for e in listed.json()["data"]] == [("visible", 30)]
    assert one.json()["data"]["slug"] == "visible" and one.json()["data"]["length"] == 30
    assert_error(hidden, 404, "secret", "alice")
