"""The delivery log, redelivery and ping (Slotwise extensions, documented in our OpenAPI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
from standardwebhooks.webhooks import Webhook as StandardWebhook

from slotwise.db import Database
from tests.conftest import Account, MakeAccount
from tests.support.contract import assert_error
from tests.webhooks.conftest import StartReceiver, StartWorker, book, eventually, settled
from tests.webhooks.contract import assert_our_contract
from tests.webhooks.receiver import Receiver, Reply, fail_first, free_port

START = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)


async def _hook(client: httpx.AsyncClient, account: Account, url: str, **fields: object) -> dict[str, object]:
    body = {"subscriberUrl": url, "triggers": ["BOOKING_CREATED"], "active": True, **fields}
    response = await client.post("/v2/webhooks", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()["data"]
    return data


async def test_the_log_shows_every_attempt_its_status_duration_and_the_next_retry(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver_factory: StartReceiver,
    worker_factory: StartWorker,
) -> None:
    receiver = receiver_factory(fail_first(2, Reply(500, b"try later")))
    alice = await make_account()
    hook = await _hook(client, alice, receiver.url)
    booking = await book(db, alice, START)
    worker = await worker_factory(webhook_retry_schedule=(0.05, 600.0))

    async def two_attempts() -> list[dict[str, object]]:
        response = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=alice.headers)
        data: list[dict[str, object]] = response.json()["data"]
        return data if data and len(data[0]["attempts"]) == 2 else []  # type: ignore[arg-type]

    (waiting,) = await eventually(two_attempts, what="two failed attempts in the log")
    await worker.stop()
    response = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=alice.headers)
    await assert_our_contract(client, response)
    assert response.json()["pagination"]["totalItems"] == 1
    assert waiting["status"] == "pending" and waiting["triggerEvent"] == "BOOKING_CREATED"
    assert waiting["bookingUid"] == booking.uid and waiting["id"] == receiver.requests[0].webhook_id
    assert [a["statusCode"] for a in waiting["attempts"]] == [500, 500]  # type: ignore[union-attr]
    assert all(a["responseExcerpt"] == "try later" and a["durationMs"] >= 0 for a in waiting["attempts"])  # type: ignore[union-attr, index]
    next_at = datetime.fromisoformat(str(waiting["nextAttemptAt"]).replace("Z", "+00:00"))
    assert timedelta(minutes=9) < next_at - datetime.now(UTC) < timedelta(minutes=11)  # the 600 s step
    assert waiting["lastError"] == "HTTP 500" and waiting["deliveredAt"] is None

    one = await client.get(f"/v2/webhooks/{hook['id']}/deliveries/{waiting['id']}", headers=alice.headers)
    detail = (await assert_our_contract(client, one))["data"]
    assert detail["body"]["payload"]["uid"] == booking.uid and detail["attempts"] == waiting["attempts"]

    # redeliver now instead of in ten minutes: same webhook-id, a fresh schedule
    redelivered = await client.post(
        f"/v2/webhooks/{hook['id']}/deliveries/{waiting['id']}/redeliver", headers=alice.headers
    )
    assert redelivered.status_code == 202
    assert (await assert_our_contract(client, redelivered))["data"]["status"] == "pending"
    await worker_factory()
    (done,) = await eventually(lambda: settled(db), what="the redelivery")
    assert done.status == "delivered" and receiver.ids() == [waiting["id"]] * 3

    filtered = await client.get(
        f"/v2/webhooks/{hook['id']}/deliveries", headers=alice.headers, params={"status": "failed"}
    )
    assert filtered.json()["data"] == []
    assert_error(
        await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=alice.headers, params={"status": "lost"}),
        400,
        "status",
    )


async def test_a_delivered_event_can_be_sent_again_with_the_same_id(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    alice = await make_account()
    hook = await _hook(client, alice, receiver.url)
    await book(db, alice, START)
    await worker_factory()
    (delivery,) = await eventually(lambda: settled(db), what="the first delivery")

    response = await client.post(f"/v2/webhooks/{hook['id']}/deliveries/{delivery.id}/redeliver", headers=alice.headers)

    assert response.status_code == 202
    await eventually(lambda: _received(receiver, 2), what="the redelivery")
    assert receiver.ids() == [delivery.id, delivery.id]
    (again,) = await eventually(lambda: settled(db), what="the redelivery to be logged")
    assert again.status == "delivered"


async def _received(receiver: Receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def test_redelivery_errors(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    alice, mallory = await make_account("alice"), await make_account("mallory")
    hook = await _hook(client, alice, receiver.url)
    other = await _hook(client, alice, receiver.url + "/other", triggers=["BOOKING_CANCELLED"])
    await book(db, alice, START)
    await worker_factory()
    (delivery,) = await eventually(lambda: settled(db), what="the delivery")
    base = f"/v2/webhooks/{hook['id']}/deliveries"

    assert_error(await client.post(f"{base}/msg_nope/redeliver", headers=alice.headers), 404, "msg_nope")
    assert_error(await client.get(f"{base}/{'x' * 64}", headers=alice.headers), 404, "not found")
    assert_error(
        await client.post(f"/v2/webhooks/{other['id']}/deliveries/{delivery.id}/redeliver", headers=alice.headers),
        404,
        "not found",
    )
    assert_error(await client.post(f"{base}/{delivery.id}/redeliver", headers=mallory.headers), 403, "another user")
    await client.patch(f"/v2/webhooks/{hook['id']}", headers=alice.headers, json={"active": False})
    assert_error(await client.post(f"{base}/{delivery.id}/redeliver", headers=alice.headers), 409, "inactive")


async def test_ping_sends_a_signed_test_event_and_answers_with_the_result(
    client: httpx.AsyncClient, make_account: MakeAccount, receiver: Receiver
) -> None:
    alice = await make_account()
    hook = await _hook(client, alice, receiver.url, secret="pingme", payloadTemplate='{"e":"{{triggerEvent}}"}')

    response = await client.post(f"/v2/webhooks/{hook['id']}/ping", headers=alice.headers)

    assert response.status_code == 200
    data = (await assert_our_contract(client, response))["data"]
    assert data["triggerEvent"] == "PING" and data["status"] == "delivered"
    assert [a["statusCode"] for a in data["attempts"]] == [200]
    (request,) = receiver.requests
    assert json.loads(request.body) == {"e": "PING"}  # the template applies to pings too
    StandardWebhook(str(hook["signingSecret"])).verify(request.body, request.headers)
    assert request.webhook_id == data["id"]
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=alice.headers)
    assert [d["id"] for d in log.json()["data"]] == [data["id"]]


async def test_a_failed_ping_reports_why_and_is_not_retried(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount, worker_factory: StartWorker
) -> None:
    alice = await make_account()
    hook = await _hook(client, alice, f"http://127.0.0.1:{free_port()}/nobody-home")
    worker = await worker_factory()

    response = await client.post(f"/v2/webhooks/{hook['id']}/ping", headers=alice.headers)

    data = (await assert_our_contract(client, response))["data"]
    assert data["status"] == "failed" and data["nextAttemptAt"] is None
    assert data["attempts"][0]["statusCode"] is None
    assert data["attempts"][0]["error"].startswith("connection failed")
    assert worker.stats.attempts == 0
