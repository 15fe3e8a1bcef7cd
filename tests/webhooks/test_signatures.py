"""Receivers can trust what they get: Cal.com's X-Cal-Signature-256 and the Standard Webhooks headers,
checked here with independent implementations (hashlib/hmac by hand, and the ``standardwebhooks``
reference library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from slotwise.db import Database
from slotwise.webhooks import signing
from tests.conftest import Account, MakeAccount
from tests.webhooks.conftest import StartWorker, book, eventually, settled
from tests.webhooks.receiver import Receiver

START = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)


async def _create(client: httpx.AsyncClient, account: Account, url: str, **fields: Any) -> dict[str, Any]:
    body = {"subscriberUrl": url, "triggers": ["BOOKING_CREATED"], "active": True, **fields}
    response = await client.post("/v2/webhooks", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _deliver_one(db: Database, account: Account, receiver: Receiver, worker_factory: StartWorker) -> Any:
    await book(db, account, START)
    await worker_factory()
    (delivery,) = await eventually(lambda: settled(db), what="the delivery")
    (request,) = receiver.requests
    return delivery, request


def _standard_by_hand(key: bytes, request: Any) -> str:
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def test_a_delivery_is_signed_both_ways_with_the_webhooks_secret(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    alice = await make_account()
    hook = await _create(client, alice, receiver.url, secret="s3cr3t-ünïcode")
    assert hook["secret"] == "s3cr3t-ünïcode"
    assert base64.b64decode(hook["signingSecret"].removeprefix("whsec_")) == "s3cr3t-ünïcode".encode()

    delivery, request = await _deliver_one(db, alice, receiver, worker_factory)

    # Cal.com's header: lowercase hex HMAC-SHA256 of the exact body, keyed with the secret
    expected = hmac.new("s3cr3t-ünïcode".encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-cal-signature-256"] == expected
    # Standard Webhooks: the reference library accepts it with signingSecret, and parses the body
    verified = StandardWebhook(hook["signingSecret"]).verify(request.body, request.headers)
    assert verified["triggerEvent"] == "BOOKING_CREATED" and verified["payload"]["startTime"] == "2031-05-06T08:00:00Z"
    assert request.headers["webhook-signature"] == _standard_by_hand("s3cr3t-ünïcode".encode(), request)
    assert request.headers["webhook-id"] == delivery.id and delivery.id.startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 10
    assert request.headers["content-type"] == "application/json"
    assert set(json.loads(request.body)) == {"triggerEvent", "createdAt", "payload"}


async def test_a_tampered_or_replayed_delivery_does_not_verify(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    alice = await make_account()
    hook = await _create(client, alice, receiver.url, secret="topsecret")
    _delivery, request = await _deliver_one(db, alice, receiver, worker_factory)
    tampered = request.body.replace(b"Intro call", b"Outro call")
    assert tampered != request.body

    with pytest.raises(WebhookVerificationError):
        StandardWebhook(hook["signingSecret"]).verify(tampered, request.headers)
    assert not signing.verify_cal_signature("topsecret", tampered, request.headers["x-cal-signature-256"])
    assert signing.verify_cal_signature("topsecret", request.body, request.headers["x-cal-signature-256"])
    # our receiver helper agrees with the reference library, and refuses a replay ten minutes later
    assert signing.verify_standard(hook["signingSecret"], request.body, request.headers) == request.webhook_id
    with pytest.raises(signing.SignatureError, match="too far"):
        signing.verify_standard(hook["signingSecret"], request.body, request.headers, now=time.time() + 600)
    with pytest.raises(signing.SignatureError, match="matches"):
        signing.verify_standard(hook["signingSecret"], tampered, request.headers)


async def test_without_a_secret_cal_com_says_so_and_standard_webhooks_uses_a_generated_key(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    alice = await make_account()
    hook = await _create(client, alice, receiver.url)
    assert "secret" not in hook and hook["signingSecret"].startswith("whsec_")
    again = (await client.get(f"/v2/webhooks/{hook['id']}", headers=alice.headers)).json()["data"]
    assert again["signingSecret"] == hook["signingSecret"]  # stable

    _delivery, request = await _deliver_one(db, alice, receiver, worker_factory)

    assert request.headers["x-cal-signature-256"] == "no-secret-provided"
    StandardWebhook(hook["signingSecret"]).verify(request.body, request.headers)


async def test_a_whsec_secret_is_used_as_the_standard_webhooks_key_itself(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    alice = await make_account()
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    hook = await _create(client, alice, receiver.url, secret=secret)
    assert hook["signingSecret"] == secret

    _delivery, request = await _deliver_one(db, alice, receiver, worker_factory)

    StandardWebhook(secret).verify(request.body, request.headers)
    assert request.headers["x-cal-signature-256"] == hmac.new(secret.encode(), request.body, "sha256").hexdigest()


async def test_retries_keep_the_webhook_id_and_sign_a_fresh_timestamp(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver_factory: Any,
    worker_factory: StartWorker,
) -> None:
    from tests.webhooks.receiver import Reply, fail_first

    receiver = receiver_factory(fail_first(1, Reply(500)))
    alice = await make_account()
    hook = await _create(client, alice, receiver.url, secret="k")
    await book(db, alice, START)
    await worker_factory(webhook_retry_schedule=(1.1,))

    await eventually(lambda: settled(db), what="the delivery")

    first, second = receiver.requests
    assert first.webhook_id == second.webhook_id
    assert first.body == second.body
    assert int(second.headers["webhook-timestamp"]) > int(first.headers["webhook-timestamp"])
    for request in (first, second):
        StandardWebhook(hook["signingSecret"]).verify(request.body, request.headers)


async def test_the_client_packages_verify_helper_accepts_our_deliveries(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    webhooks = pytest.importorskip("slotwise.client.webhooks")
    alice = await make_account()
    await _create(client, alice, receiver.url, secret="s3cr3t")

    _delivery, request = await _deliver_one(db, alice, receiver, worker_factory)

    event = webhooks.verify(request.body, request.headers, secret="s3cr3t")
    assert event["triggerEvent"] == "BOOKING_CREATED"
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify(request.body, request.headers, secret="wrong")
