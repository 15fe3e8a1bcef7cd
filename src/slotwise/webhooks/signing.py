"""Webhook signatures: Cal.com's ``X-Cal-Signature-256`` and the Standard Webhooks headers.

* ``X-Cal-Signature-256``: lowercase hex HMAC-SHA256 of the exact body, keyed with the webhook's
  ``secret`` (UTF-8); the literal ``no-secret-provided`` when the webhook has no secret (as Cal.com).
* ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature``: the Standard Webhooks scheme,
  ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``. Its key is the webhook's ``signingSecret``
  (``whsec_`` + base64), shown in the API output:
  - a secret that is already a ``whsec_`` key is used as is;
  - any other secret is used as its UTF-8 bytes (``signingSecret`` = ``whsec_`` + base64 of them);
  - without a secret, a random key generated when the webhook was created.
  So the value to hand to a Standard Webhooks library is always ``signingSecret``.

The verify helpers here are what a Python receiver needs (no Slotwise server code involved).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

NO_SECRET = "no-secret-provided"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A webhook's signature headers are missing, stale or do not match its body."""


def generate_signing_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _decode_whsec(value: str) -> bytes | None:
    if not value.startswith(SECRET_PREFIX):
        return None
    raw = value[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key or None


def signing_key(secret: str | None, generated: str) -> bytes:
    """The Standard Webhooks HMAC key of a webhook (see the module docstring)."""
    if secret:
        return _decode_whsec(secret) or secret.encode()
    return _decode_whsec(generated) or generated.encode()


def signing_secret(secret: str | None, generated: str) -> str:
    """The ``whsec_...`` form of :func:`signing_key`, as shown to the webhook's owner."""
    if secret and _decode_whsec(secret):
        return secret
    return SECRET_PREFIX + base64.b64encode(signing_key(secret, generated)).decode()


def cal_signature(secret: str | None, body: bytes) -> str:
    """``X-Cal-Signature-256`` for ``body``."""
    if not secret:
        return NO_SECRET
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature`` (one ``v1`` entry) for ``body`` sent as ``message_id`` at ``timestamp``."""
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify_cal_signature(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``X-Cal-Signature-256`` matches ``body`` signed with ``secret``."""
    if not header:
        return False
    return hmac.compare_digest(cal_signature(secret, body), header.strip().lower())


def verify_standard(
    signing_secret_value: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> str:
    """Check the Standard Webhooks headers of a delivery; returns its ``webhook-id``.

    Raises :class:`SignatureError` when a header is missing, the timestamp is more than
    ``tolerance_seconds`` away (a replay) or no ``v1`` signature matches.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (message_id and stamp and signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a whole number of seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise SignatureError("webhook-timestamp is too far from now (replayed or delayed delivery)")
    key = _decode_whsec(signing_secret_value) or signing_secret_value.encode()
    expected = standard_signature(key, message_id, timestamp, body).partition(",")[2]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return message_id
    raise SignatureError("no webhook-signature matches the body")
