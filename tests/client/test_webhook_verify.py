"""``slotwise.client.webhooks.verify`` for receivers: Cal.com's signature and Standard Webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from slotwise.client.webhooks import WebhookVerificationError, sign_cal, sign_standard, verify

BODY = json.dumps(
    {"triggerEvent": "BOOKING_CREATED", "createdAt": "2026-12-01T09:00:00Z", "payload": {"uid": "u1"}}
).encode()
SECRET = "s3cret"


def _standard(body: bytes, secret: str, *, msg_id: str = "msg_1", at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_standard(body, secret, msg_id=msg_id, timestamp=timestamp),
    }


def test_cal_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

    event = verify(BODY, {"X-Cal-Signature-256": expected}, SECRET)

    assert sign_cal(BODY, SECRET) == expected
    assert event["payload"]["uid"] == "u1"


def test_a_tampered_body_or_wrong_secret_is_refused() -> None:
    headers = {"X-Cal-Signature-256": sign_cal(BODY, SECRET)}

    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify(BODY.replace(b"u1", b"u2"), headers, SECRET)
    with pytest.raises(WebhookVerificationError, match="does not match"):
        verify(BODY, headers, "other")


def test_standard_webhooks_signature_matches_the_spec_recipe() -> None:
    at = int(time.time())
    key = base64.b64encode(b"raw-key-bytes").decode()
    headers = _standard(BODY, "whsec_" + key, at=at)
    expected = base64.b64encode(hmac.new(b"raw-key-bytes", f"msg_1.{at}.".encode() + BODY, hashlib.sha256).digest())

    event = verify(BODY, headers, "whsec_" + key)

    assert headers["webhook-signature"] == "v1," + expected.decode()
    assert event["triggerEvent"] == "BOOKING_CREATED"


def test_both_signatures_must_hold_when_both_are_sent() -> None:
    headers = {**_standard(BODY, SECRET), "X-Cal-Signature-256": sign_cal(BODY, SECRET)}
    forged = {**headers, "X-Cal-Signature-256": "0" * 64}

    assert verify(BODY, headers, SECRET)["payload"] == {"uid": "u1"}
    with pytest.raises(WebhookVerificationError):
        verify(BODY, forged, SECRET)


def test_old_or_future_timestamps_are_replays() -> None:
    stale = _standard(BODY, SECRET, at=int(time.time()) - 600)
    future = _standard(BODY, SECRET, at=int(time.time()) + 600)

    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(BODY, stale, SECRET)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(BODY, future, SECRET)
    assert verify(BODY, stale, SECRET, tolerance=900)["payload"]["uid"] == "u1"


def test_rotated_keys_any_listed_v1_signature_is_enough() -> None:
    headers = _standard(BODY, SECRET)
    headers["webhook-signature"] = "v1,bm90LXRoaXMtb25l " + headers["webhook-signature"]

    assert verify(BODY, headers, SECRET)["payload"]["uid"] == "u1"


def test_require_timestamp_refuses_replayable_cal_only_deliveries() -> None:
    with pytest.raises(WebhookVerificationError, match="requires timestamped"):
        verify(BODY, {"X-Cal-Signature-256": sign_cal(BODY, SECRET)}, SECRET, require_timestamp=True)


def test_no_signature_and_no_secret_cases() -> None:
    with pytest.raises(WebhookVerificationError, match="no signature headers"):
        verify(BODY, {"Content-Type": "application/json"}, SECRET)
    with pytest.raises(WebhookVerificationError, match="no secret"):
        verify(BODY, {"X-Cal-Signature-256": "no-secret-provided"}, SECRET)
    signing_secret = "whsec_" + base64.b64encode(b"generated").decode()
    headers = {**_standard(BODY, signing_secret), "X-Cal-Signature-256": "no-secret-provided"}
    assert verify(BODY, headers, signing_secret)["payload"]["uid"] == "u1"
