"""Subscriptions: ``/v2/webhooks`` and ``/v2/event-types/{id}/webhooks`` in Cal.com's shapes, with its
409/403/404 rules, the inputs real clients send, and clear 400s for the rest."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, select

from slotwise.db import Database, utcnow
from slotwise.event_types.models import EventType
from slotwise.webhooks.models import Webhook
from tests.conftest import Account, MakeAccount
from tests.support.contract import assert_error
from tests.webhooks.contract import assert_webhook_contract

URL = "https://receiver.example.com/cal"


async def _create(client: httpx.AsyncClient, account: Account, **fields: Any) -> httpx.Response:
    body = {"subscriberUrl": URL, "triggers": ["BOOKING_CREATED"], "active": True, **fields}
    return await client.post("/v2/webhooks", headers=account.headers, json=body)


async def _event_type(db: Database, account: Account, slug: str = "intro") -> int:
    async with db.session() as session:
        event_type = EventType(owner_id=account.user.id, title="Intro", slug=slug, length=30)
        session.add(event_type)
        await session.commit()
        return event_type.id


async def _count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Webhook)) or 0


async def test_a_user_webhook_round_trips_in_cal_coms_shape(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    created = await _create(client, alice, triggers=["BOOKING_CREATED", "MEETING_ENDED"])

    assert created.status_code == 201
    data = assert_webhook_contract(created)["data"]
    assert data["userId"] == alice.user.id and isinstance(data["id"], int)
    assert data["subscriberUrl"] == URL and data["active"] is True
    assert data["triggers"] == ["BOOKING_CREATED", "MEETING_ENDED"]
    assert data["payloadTemplate"] is None and "secret" not in data
    assert data["deactivatedReason"] is None and data["signingSecret"].startswith("whsec_")

    listed = await client.get("/v2/webhooks", headers=alice.headers)
    assert listed.status_code == 200
    assert assert_webhook_contract(listed)["data"] == [data]
    one = await client.get(f"/v2/webhooks/{data['id']}", headers=alice.headers)
    assert assert_webhook_contract(one)["data"] == data

    patched = await client.patch(
        f"/v2/webhooks/{data['id']}",
        headers=alice.headers,
        json={"triggers": "BOOKING_CANCELLED", "payloadTemplate": '{"t":"{{title}}"}', "secret": "abc", "x": 1},
    )
    assert patched.status_code == 200
    changed = assert_webhook_contract(patched)["data"]
    assert changed["triggers"] == ["BOOKING_CANCELLED"]  # a bare string, as older clients send it
    assert changed["payloadTemplate"] == '{"t":"{{title}}"}' and changed["secret"] == "abc"
    assert changed["subscriberUrl"] == URL and changed["active"] is True  # untouched

    cleared = await client.patch(
        f"/v2/webhooks/{data['id']}", headers=alice.headers, json={"payloadTemplate": None, "secret": None}
    )
    assert cleared.json()["data"]["payloadTemplate"] is None and "secret" not in cleared.json()["data"]

    deleted = await client.delete(
        f"/v2/webhooks/{data['id']}", headers={**alice.headers, "Content-Type": "application/json"}
    )
    assert deleted.status_code == 200
    assert assert_webhook_contract(deleted)["data"]["id"] == data["id"]
    assert_error(await client.get(f"/v2/webhooks/{data['id']}", headers=alice.headers), 404, "not found")


async def test_the_same_url_twice_is_a_conflict_per_owner(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice, bob = await make_account("alice"), await make_account("bob")
    first = (await _create(client, alice)).json()["data"]

    again = await _create(client, alice, triggers=["BOOKING_CANCELLED"])
    other_owner = await _create(client, bob)
    second = (await _create(client, alice, subscriberUrl=URL + "/2")).json()["data"]
    moved_onto = await client.patch(f"/v2/webhooks/{second['id']}", headers=alice.headers, json={"subscriberUrl": URL})

    assert_error(again, 409, "already exists")
    assert_webhook_contract(again)
    assert other_owner.status_code == 201
    assert_error(moved_onto, 409, "already exists")
    assert await _count(db) == 3
    assert (await client.get(f"/v2/webhooks/{first['id']}", headers=alice.headers)).json()["data"] == first


async def test_someone_elses_webhook_is_403_and_an_unknown_one_404(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice, mallory = await make_account("alice"), await make_account("mallory")
    hook = (await _create(client, alice, secret="alice-only")).json()["data"]
    path = f"/v2/webhooks/{hook['id']}"

    for response in (
        await client.get(path, headers=mallory.headers),
        await client.patch(path, headers=mallory.headers, json={"active": False}),
        await client.delete(path, headers=mallory.headers),
        await client.get(path + "/deliveries", headers=mallory.headers),
        await client.post(path + "/ping", headers=mallory.headers),
    ):
        body = assert_error(response, 403, "another user")
        assert "alice-only" not in str(body)
    assert (await client.get(path, headers=alice.headers)).json()["data"]["active"] is True
    assert (await client.get("/v2/webhooks", headers=mallory.headers)).json()["data"] == []

    for unknown in ("999999", "3f1c1e0a-5b7e-4b5e-9c3e-1d2a3b4c5d6e", "99999999999999999999999", "0", "-1"):
        response = await client.get(f"/v2/webhooks/{unknown}", headers=alice.headers)
        assert_error(response, 404, "not found")
        assert_webhook_contract(response)
    assert_error(await client.get("/v2/webhooks"), 401)


BAD_INPUT: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    ({"subscriberUrl": "ftp://example.com/hook"}, ("subscriberUrl", "http")),
    ({"subscriberUrl": "javascript:alert(1)"}, ("subscriberUrl", "http")),
    ({"subscriberUrl": "example.com/hook"}, ("subscriberUrl", "http")),
    ({"subscriberUrl": "https://"}, ("subscriberUrl", "host")),
    ({"subscriberUrl": "http://example.com:99999/x"}, ("subscriberUrl", "valid URL")),
    ({"subscriberUrl": "https://example.com/" + "a" * 2100}, ("subscriberUrl", "2048")),
    ({"subscriberUrl": "https://example.com/" + "\u00e9" * 1100}, ("subscriberUrl", "2048 bytes")),
    ({"subscriberUrl": 42}, ("subscriberUrl",)),
    ({"triggers": ["BOOKING_CREATED", "BOOKING_EXPLODED"]}, ("triggers", "BOOKING_EXPLODED", "BOOKING_CREATED")),
    ({"triggers": {"a": 1}}, ("triggers", "list")),
    ({"triggers": [{}]}, ("triggers", "strings")),
    ({"triggers": ["BOOKING_CREATED", ["x"], 3]}, ("triggers", "strings")),
    ({"active": "maybe"}, ("active",)),
    ({"secret": "s" * 300}, ("secret", "255")),
    ({"secret": "a\x00b"}, ("secret", "control characters")),
    ({"subscriberUrl": "https://example.com/\udcff"}, ("subscriberUrl", "Unicode")),
    ({"payloadTemplate": "\x07{{title}}"}, ("payloadTemplate", "control characters")),
    ({"payloadTemplate": "x" * 70_000}, ("payloadTemplate",)),
]


async def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()

    for fields, fragments in BAD_INPUT:
        body = {"subscriberUrl": URL, "triggers": ["BOOKING_CREATED"], "active": True, **fields}
        raw = json.dumps(body).encode()  # ASCII JSON: a lone surrogate travels as an escape
        headers = {**alice.headers, "Content-Type": "application/json"}
        response = await client.post("/v2/webhooks", headers=headers, content=raw)
        assert_error(response, 400, *fragments)

    assert await _count(db) == 0


async def test_missing_required_fields_are_named(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.post("/v2/webhooks", headers=alice.headers, json={"subscriberUrl": URL})

    assert_error(response, 400, "triggers", "active")


async def test_patch_rejects_nulls_for_required_fields_and_bad_values(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    hook = (await _create(client, alice)).json()["data"]
    path = f"/v2/webhooks/{hook['id']}"

    assert_error(await client.patch(path, headers=alice.headers, json={"subscriberUrl": None}), 400, "subscriberUrl")
    assert_error(await client.patch(path, headers=alice.headers, json={"triggers": ["NOPE"]}), 400, "triggers")
    assert_error(
        await client.patch(path, headers=alice.headers, json={"subscriberUrl": "mailto:x@y.z"}), 400, "subscriberUrl"
    )
    unchanged = await client.patch(path, headers=alice.headers, json={})
    assert unchanged.status_code == 200 and unchanged.json()["data"] == hook


async def test_loopback_and_any_http_url_are_accepted(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    urls = ["http://127.0.0.1:8787/hooks/cal", "http://localhost/cal", "http://[::1]:9000/x", "HTTPS://Example.com"]

    for url in urls:
        response = await _create(client, alice, subscriberUrl=f"  {url}  ")
        assert response.status_code == 201, response.text
        assert response.json()["data"]["subscriberUrl"] == url


async def test_lists_page_with_take_and_skip(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    ids = [(await _create(client, alice, subscriberUrl=f"{URL}/{n}")).json()["data"]["id"] for n in range(3)]

    page = await client.get("/v2/webhooks", headers=alice.headers, params={"take": "2.0", "skip": 1})

    assert [hook["id"] for hook in assert_webhook_contract(page)["data"]] == ids[1:]
    assert page.json()["pagination"]["totalItems"] == 3
    assert_error(await client.get("/v2/webhooks", headers=alice.headers, params={"take": 0}), 400, "take")
    assert_error(await client.get("/v2/webhooks", headers=alice.headers, params={"take": 251}), 400, "take")
    assert_error(await client.get("/v2/webhooks", headers=alice.headers, params={"skip": -1}), 400, "skip")


async def test_event_type_webhooks_live_in_their_own_scope(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()
    intro, other = await _event_type(db, alice), await _event_type(db, alice, "other")
    base = f"/v2/event-types/{intro}/webhooks"
    user_hook = (await _create(client, alice)).json()["data"]

    created = await client.post(
        base, headers=alice.headers, json={"subscriberUrl": URL, "triggers": ["BOOKING_CREATED"], "active": False}
    )
    assert created.status_code == 201  # the same URL as the user-level webhook: another scope
    hook = assert_webhook_contract(created)["data"]
    assert hook["eventTypeId"] == intro and hook["active"] is False and "userId" not in hook
    duplicate = await client.post(
        base, headers=alice.headers, json={"subscriberUrl": URL, "triggers": [], "active": True}
    )
    assert_error(duplicate, 409, "already exists")
    second = await client.post(
        base, headers=alice.headers, json={"subscriberUrl": URL + "/b", "triggers": "MEETING_STARTED", "active": True}
    )
    elsewhere = await client.post(
        f"/v2/event-types/{other}/webhooks",
        headers=alice.headers,
        json={"subscriberUrl": URL, "triggers": ["BOOKING_CREATED"], "active": True},
    )
    assert second.status_code == elsewhere.status_code == 201

    listed = await client.get(base, headers=alice.headers)
    assert [h["id"] for h in assert_webhook_contract(listed)["data"]] == [hook["id"], second.json()["data"]["id"]]
    one = await client.get(f"{base}/{hook['id']}", headers=alice.headers)
    assert assert_webhook_contract(one)["data"] == hook
    patched = await client.patch(f"{base}/{hook['id']}", headers=alice.headers, json={"active": True})
    assert assert_webhook_contract(patched)["data"]["active"] is True
    # the user-level and event type endpoints do not mix
    assert_error(await client.get(f"/v2/webhooks/{hook['id']}", headers=alice.headers), 404, f"event-types/{intro}")
    assert_error(await client.get(f"{base}/{user_hook['id']}", headers=alice.headers), 404, "not found")
    assert [h["id"] for h in (await client.get("/v2/webhooks", headers=alice.headers)).json()["data"]] == [
        user_hook["id"]
    ]

    removed = await client.delete(f"{base}/{second.json()['data']['id']}", headers=alice.headers)
    assert assert_webhook_contract(removed)["data"]["eventTypeId"] == intro
    deleted_all = await client.delete(base, headers=alice.headers)
    assert deleted_all.status_code == 200
    assert assert_webhook_contract(deleted_all)["data"] == "1 webhooks deleted"
    assert (await client.get(base, headers=alice.headers)).json()["data"] == []
    assert await _count(db) == 2  # the user-level one and the other event type's are still there


async def test_someone_elses_event_type_is_403_and_an_unknown_one_404(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice, mallory = await make_account("alice"), await make_account("mallory")
    intro = await _event_type(db, alice)
    body = {"subscriberUrl": URL, "triggers": ["BOOKING_CREATED"], "active": True}
    hook = (await client.post(f"/v2/event-types/{intro}/webhooks", headers=alice.headers, json=body)).json()["data"]
    mallorys = await _event_type(db, mallory, "m")

    for response in (
        await client.post(f"/v2/event-types/{intro}/webhooks", headers=mallory.headers, json=body),
        await client.get(f"/v2/event-types/{intro}/webhooks", headers=mallory.headers),
        await client.delete(f"/v2/event-types/{intro}/webhooks", headers=mallory.headers),
        await client.get(f"/v2/event-types/{intro}/webhooks/{hook['id']}", headers=mallory.headers),
        await client.delete(f"/v2/event-types/{intro}/webhooks/{hook['id']}", headers=mallory.headers),
    ):
        assert_error(response, 403, "another user")
        assert_webhook_contract(response)
    # mallory's own event type, alice's webhook id: still not hers
    assert_error(await client.get(f"/v2/event-types/{mallorys}/webhooks/{hook['id']}", headers=mallory.headers), 403)
    assert_error(await client.get("/v2/event-types/987654/webhooks", headers=alice.headers), 404, "Event type 987654")
    assert_error(await client.get("/v2/event-types/99999999999999/webhooks", headers=alice.headers), 400, "eventTypeId")
    assert_error(await client.get("/v2/event-types/abc/webhooks", headers=alice.headers), 400, "eventTypeId")
    assert await _count(db) == 1


async def test_our_openapi_reads_like_cal_coms(client: httpx.AsyncClient) -> None:
    document = (await client.get("/v2/docs-json")).json()
    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "webhooks" in path
    }

    assert operations[("/v2/webhooks", "post")]["operationId"] == "WebhooksController_createWebhook"
    assert operations[("/v2/webhooks/{webhookId}", "patch")]["operationId"] == "WebhooksController_updateWebhook"
    assert (
        operations[("/v2/event-types/{eventTypeId}/webhooks", "delete")]["operationId"]
        == "EventTypeWebhooksController_deleteAllEventTypeWebhooks"
    )
    assert operations[("/v2/event-types/{eventTypeId}/webhooks/{webhookId}", "get")]["tags"] == [
        "Event Types / Webhooks"
    ]
    assert "201" in operations[("/v2/webhooks", "post")]["responses"]
    log = operations[("/v2/webhooks/{webhookId}/deliveries", "get")]
    assert "Slotwise extension" in log["description"]
    assert "202" in operations[("/v2/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", "post")]["responses"]


async def test_an_automatic_deactivation_is_visible_and_undone_by_reactivating(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    alice = await make_account()
    hook = (await _create(client, alice)).json()["data"]
    async with db.session() as session:
        row = await session.get(Webhook, hook["id"])
        assert row is not None
        row.active, row.deactivated_at = False, utcnow()
        row.deactivated_reason, row.failing_since = "every delivery failed for 3 days (last error: HTTP 500)", utcnow()
        await session.commit()

    seen = assert_webhook_contract(await client.get(f"/v2/webhooks/{hook['id']}", headers=alice.headers))["data"]
    back = await client.patch(f"/v2/webhooks/{hook['id']}", headers=alice.headers, json={"active": True})

    assert seen["active"] is False and "HTTP 500" in seen["deactivatedReason"] and seen["deactivatedAt"].endswith("Z")
    data = assert_webhook_contract(back)["data"]
    assert data["active"] is True and data["deactivatedReason"] is None and data["deactivatedAt"] is None
    async with db.session() as session:
        row = await session.get(Webhook, hook["id"])
        assert row is not None and row.failing_since is None
