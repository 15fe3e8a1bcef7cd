"""Verify webhook deliveries in a receiver.

Cal.com signs the raw body with ``X-Cal-Signature-256`` (lowercase hex HMAC-SHA256 keyed with the
webhook's secret). That signature has no timestamp, so a captured delivery can be replayed. Slotwise
also sends the Standard Webhooks headers (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64>``, HMAC-SHA256 over ``id.timestamp.body``); when they are present
:func:`verify` checks them too and refuses timestamps outside ``tolerance``.

>>> from slotwise.client.webhooks import verify
>>> event = verify(request_body, request_headers, secret="my-webhook-secret")
>>> event["triggerEvent"], event["payload"]["uid"]
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from slotwise.client.errors import CalError

CAL_SIGNATURE = "x-cal-signature-256"
WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"
DEFAULT_TOLERANCE = timedelta(minutes=5)
NO_SECRET = "no-secret-provided"


class WebhookVerificationError(CalError):
    """The delivery is not authentic (bad or missing signature) or too old/new (replay)."""


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _standard_key(secret: str | bytes) -> bytes:
    """The Standard Webhooks HMAC key: a ``whsec_<base64>`` secret (Slotwise's ``signingSecret``) is
    decoded; any other secret is used as its UTF-8 bytes."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith("whsec_"):
        raw = secret[len("whsec_") :]
        try:
            return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("a whsec_ secret must be base64 after the prefix") from exc
    return secret.encode()


def _cal_key(secret: str | bytes) -> bytes:
    """Cal.com keys ``X-Cal-Signature-256`` with the webhook's secret exactly as set (UTF-8)."""
    return secret if isinstance(secret, bytes) else secret.encode()


def sign_cal(body: bytes, secret: str | bytes) -> str:
    """The ``X-Cal-Signature-256`` value for ``body``."""
    return hmac.new(_cal_key(secret), body, hashlib.sha256).hexdigest()


def sign_standard(body: bytes, secret: str | bytes, *, msg_id: str, timestamp: int) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for ``body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()).decode()


def _check_standard(body: bytes, headers: dict[str, str], secret: str | bytes, tolerance: float, now: float) -> None:
    msg_id = headers.get(WEBHOOK_ID, "")
    raw_timestamp = headers.get(WEBHOOK_TIMESTAMP, "")
    signatures = headers.get(WEBHOOK_SIGNATURE, "")
    if not (msg_id and raw_timestamp and signatures):
        raise WebhookVerificationError(
            "incomplete Standard Webhooks headers: webhook-id, webhook-timestamp and webhook-signature are all needed"
        )
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp {raw_timestamp!r} is not a Unix time in seconds") from None
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {int(now - timestamp)} s away from now (tolerance {int(tolerance)} s): "
            "a replayed or delayed delivery, or a clock out of sync"
        )
    expected = sign_standard(body, secret, msg_id=msg_id, timestamp=timestamp).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise WebhookVerificationError("webhook-signature does not match: wrong secret, or the body was changed")


def _check_cal(body: bytes, headers: dict[str, str], secret: str | bytes, *, standard_verified: bool) -> None:
    received = headers.get(CAL_SIGNATURE, "").strip().lower()
    if received == NO_SECRET:
        if standard_verified:  # no Cal.com secret, but the Standard Webhooks signature (signingSecret) held
            return
        raise WebhookVerificationError(
            "the webhook has no secret (X-Cal-Signature-256: no-secret-provided); set one on the webhook"
        )
    if not hmac.compare_digest(received, sign_cal(body, secret)):
        raise WebhookVerificationError("X-Cal-Signature-256 does not match: wrong secret, or the body was changed")


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance: timedelta | float = DEFAULT_TOLERANCE,
    require_timestamp: bool = False,
    now: float | None = None,
) -> dict[str, Any]:
    """Check a delivery and return its decoded JSON body (``{"triggerEvent", "createdAt", "payload"}``).

    ``secret`` is the webhook's ``secret``; for a Slotwise webhook created without one, its
    ``signingSecret`` (``whsec_...``). ``payload`` must be the raw request body, byte for byte (not
    re-serialised JSON). Every signature present must verify: ``X-Cal-Signature-256`` and, when sent, the Standard Webhooks headers, whose
    timestamp must be within ``tolerance`` of ``now``. ``require_timestamp=True`` refuses deliveries
    without the Standard Webhooks headers (i.e. only Cal.com's replayable signature). Raises
    :class:`WebhookVerificationError`.
    """
    if not secret:
        raise ValueError("secret is empty: pass the webhook's secret")
    body = payload.encode() if isinstance(payload, str) else bytes(payload)
    lowered = _lower(headers)
    seconds = tolerance.total_seconds() if isinstance(tolerance, timedelta) else float(tolerance)
    has_standard = any(name in lowered for name in (WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE))
    has_cal = CAL_SIGNATURE in lowered
    if not has_standard and not has_cal:
        raise WebhookVerificationError(
            "no signature headers: expected X-Cal-Signature-256 and/or webhook-id/webhook-timestamp/webhook-signature"
        )
    if require_timestamp and not has_standard:
        raise WebhookVerificationError(
            "no webhook-timestamp/webhook-signature headers: this receiver requires timestamped signatures"
        )
    if has_standard:
        _check_standard(body, lowered, secret, seconds, time.time() if now is None else now)
    if has_cal:
        _check_cal(body, lowered, secret, standard_verified=has_standard)
    try:
        decoded: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        # a payloadTemplate may render a non-JSON body; the signature is fine, hand back the text
        return {"raw": body.decode(errors="replace")}
    return decoded if isinstance(decoded, dict) else {"data": decoded}
