"""One HTTP attempt of a delivery: the exact bytes, the signature headers, the outcome.

No database here: the worker (and the ping endpoint) pass plain data in and record the outcome.
"""

from __future__ import annotations

import asyncio
import functools
import random
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from slotwise import __version__
from slotwise.db import utcnow
from slotwise.webhooks import signing, templates
from slotwise.webhooks.http import ProtocolError, Sender

USER_AGENT = f"Slotwise-Webhooks/{__version__}"
MAX_RETRY_AFTER_SECONDS = 3600.0
MAX_ERROR_LENGTH = 1000


def _storable(text: str, limit: int) -> str:
    """Receiver-controlled text as the database can store it (PostgreSQL refuses NUL characters)."""
    return text[:limit].replace("\x00", "\ufffd")


@dataclass(frozen=True)
class Target:
    """Where and how one webhook is delivered (a snapshot of its row)."""

    webhook_id: int
    url: str
    secret: str | None
    signing_key: bytes
    payload_template: str | None
    active: bool


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime
    response_excerpt: str | None = None
    retry_after: float | None = None


def encode_body(body: dict[str, Any], template: str | None) -> tuple[bytes, str]:
    """The bytes sent for a stored event ``body`` and its ``Content-Type``."""
    if template:
        return templates.render(template, templates.template_context(body))
    return templates.dumps(body).encode(), templates.JSON


def build_request(
    delivery_id: str, body: dict[str, Any], target: Target, *, timestamp: int
) -> tuple[bytes, dict[str, str]]:
    content, content_type = encode_body(body, target.payload_template)
    headers = {
        "Content-Type": content_type,
        "User-Agent": USER_AGENT,
        "X-Cal-Signature-256": signing.cal_signature(target.secret, content),
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.standard_signature(target.signing_key, delivery_id, timestamp, content),
    }
    return content, headers


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - utcnow()).total_seconds(), MAX_RETRY_AFTER_SECONDS))


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection failed: refused"
    if isinstance(exc, socket.gaierror):
        return f"connection failed: cannot resolve the host ({exc.strerror or exc})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, (ConnectionError, OSError)):
        return f"connection failed: {exc.strerror or exc or type(exc).__name__}"
    if isinstance(exc, ProtocolError):
        return f"invalid HTTP answer: {exc}"
    return f"{type(exc).__name__}: {exc}"


async def attempt(
    sender: Sender, delivery_id: str, body: dict[str, Any], target: Target, *, timeout_seconds: float
) -> Outcome:
    """POST the delivery once. 2xx is success; redirects are not followed (a 3xx is a failure)."""
    attempted_at = utcnow()
    started = time.perf_counter()
    try:
        content, headers = build_request(delivery_id, body, target, timestamp=int(time.time()))
        async with asyncio.timeout(timeout_seconds):
            answer = await sender.post(target.url, content, headers)
    except Exception as exc:  # any failure to get an answer is a failed attempt, recorded with its reason
        return Outcome(
            ok=False,
            status_code=None,
            error=_storable(_describe(exc, timeout_seconds), MAX_ERROR_LENGTH),
            duration_ms=int((time.perf_counter() - started) * 1000),
            attempted_at=attempted_at,
        )
    duration_ms = int((time.perf_counter() - started) * 1000)
    status = answer.status
    text = _storable(answer.excerpt.decode("utf-8", "replace"), len(answer.excerpt)) or None
    if 200 <= status < 300:
        return Outcome(True, status, None, duration_ms, attempted_at, text)
    if 300 <= status < 400:
        where = answer.headers.get("location")
        error = _storable(f"HTTP {status}: redirects are not followed" + (f" (to {where})" if where else ""), 1000)
    else:
        error = f"HTTP {status}"
    retry_after = _retry_after(answer.headers.get("retry-after")) if status in (429, 503) else None
    return Outcome(False, status, error, duration_ms, attempted_at, text, retry_after)


def retry_delay(attempts_made: int, schedule: tuple[float, ...], jitter: float, rng: random.Random) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` attempts, or None when exhausted."""
    if attempts_made < 1 or attempts_made > len(schedule):
        return None
    base = schedule[attempts_made - 1]
    return max(0.0, base * rng.uniform(1 - jitter, 1 + jitter)) if jitter else base


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context (the system trust store, as httpx builds it) for every sender; each build costs ~0.15 s.
    httpx2 is imported here, at the first delivery to an https URL, not with the server (~15 ms of its start)."""
    import httpx2

    return httpx2.create_ssl_context()


def new_sender() -> Sender:
    return Sender(make_ssl_context=_tls)
