"""What the sync and async clients share: describing a call, building its request, deciding on
retries and turning the answer into a model or an exception. Only the send loop differs between
:class:`~slotwise.client.Client` and :class:`~slotwise.client.AsyncClient`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx2 as httpx

from slotwise import __version__
from slotwise.client.errors import (
    CalApiError,
    CalConnectionError,
    CalDecodeError,
    CalTimeoutError,
    RateLimitError,
    error_class,
)

logger = logging.getLogger("slotwise.client")

T = TypeVar("T")

USER_AGENT = f"slotwise-python/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRY_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


class _NoBody:
    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One API call, described without doing any I/O.

    ``parse`` receives the decoded JSON body (the whole envelope, so lists can read ``pagination``) and
    returns the typed result. ``version`` is the ``cal-api-version`` header, if the resource has one.
    """

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, Any] | None = None
    json: Any = NO_BODY
    version: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter on 429, 502, 503, 504 and connection errors.

    A ``Retry-After`` header wins over the computed delay; one longer than ``max_retry_after`` is not
    waited for (the error is raised with ``retry_after`` set).
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return self.rng.uniform(ceiling / 2, ceiling)

    def delay_after_error(self, attempt: int, error: Exception) -> float | None:
        if attempt >= self.max_retries or not isinstance(error, RETRY_ERRORS):
            return None
        return self.backoff(attempt)

    def delay_after_response(self, attempt: int, response: httpx.Response, *, idempotent: bool) -> float | None:
        if attempt >= self.max_retries:
            return None
        status = response.status_code
        if status not in RETRY_STATUSES and not (idempotent and _in_flight_conflict(response)):
            return None
        wait = retry_after_seconds(response)
        if wait is None:
            return self.backoff(attempt)
        if wait > self.max_retry_after:
            return None
        return wait


def _in_flight_conflict(response: httpx.Response) -> bool:
    """409 "a request with this Idempotency-Key is still in progress": an earlier request with our key
    (a previous attempt, or the caller's previous call) is still being finished on the server, so
    waiting and asking again returns its stored answer."""
    if response.status_code != 409 or response.headers.get("idempotent-replayed"):
        return False
    message = _error_fields(_json_or_none(response))[1] or ""
    return "idempotency-key" in message.lower() and "progress" in message.lower()


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (number or HTTP date); for 429 also Cal.com's ``X-RateLimit-Reset-*``."""
    raw = response.headers.get("retry-after")
    if raw is not None:
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return max(0.0, (moment - datetime.now(UTC)).total_seconds())
    if response.status_code == 429:
        for name, value in response.headers.items():
            if name.lower().startswith("x-ratelimit-reset"):
                try:
                    return max(0.0, float(value))
                except ValueError:
                    continue
    return None


# --- building requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """Everything a request needs besides the operation: where, who, and extra headers."""

    base_url: str
    api_key: str | None
    headers: Mapping[str, str] = field(default_factory=dict)


def path(template: str, **values: str | int) -> str:
    """``path("/v2/bookings/{uid}", uid="a/b")`` -> ``/v2/bookings/a%2Fb`` (values are always quoted)."""
    return template.format(**{name: quote(str(value), safe="") for name, value in values.items()})


def wire_value(value: Any) -> Any:
    """Query values as Cal.com reads them: ISO instants in UTC, lowercase booleans, comma lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(wire_value(item)) for item in value)
    return value


def iso_instant(moment: datetime) -> str:
    """An aware datetime as ``2026-12-01T09:00:00Z``; a naive one is refused (its zone is unknowable)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{moment.isoformat()} has no time zone: pass an aware datetime "
            "(e.g. datetime(..., tzinfo=ZoneInfo('Europe/Berlin'))) so the instant is unambiguous"
        )
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def new_request_id() -> str:
    return "req_" + uuid.uuid4().hex


def build_request(
    connection: Connection, operation: Operation[Any], *, idempotency_key: str | None, request_id: str
) -> httpx.Request:
    headers: dict[str, str] = {"Accept": "application/json", "User-Agent": USER_AGENT, "X-Request-Id": request_id}
    headers.update(connection.headers)
    if connection.api_key:
        headers["Authorization"] = f"Bearer {connection.api_key}"
    if operation.version:
        headers["cal-api-version"] = operation.version
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    params = {name: wire_value(value) for name, value in (operation.params or {}).items() if value is not None}
    url = connection.base_url + operation.path
    if operation.json is NO_BODY:
        return httpx.Request(operation.method, url, params=params, headers=headers)
    return httpx.Request(operation.method, url, params=params, headers=headers, json=operation.json)


def idempotency_key_for(operation: Operation[Any]) -> str | None:
    """POSTs carry an ``Idempotency-Key`` (the caller's, or a fresh one) that stays the same across retries."""
    if operation.method.upper() != "POST":
        return None
    return operation.idempotency_key or new_idempotency_key()


# --- reading responses --------------------------------------------------------------------------


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _error_fields(body: Any) -> tuple[str | None, str | None, Any, str | None]:
    """(code, message, details, request id) from any of the error bodies Cal.com (or a proxy) sends."""
    if not isinstance(body, dict):
        return None, None, None, None
    error = body.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        return (
            _str_or_none(error.get("code")),
            _message_text(message),
            error.get("details"),
            _str_or_none(error.get("requestId")),
        )
    message = body.get("message")
    if message is None and isinstance(error, str):
        message = error
    code = body.get("code") or (error if isinstance(error, str) and body.get("message") is not None else None)
    return _str_or_none(code), _message_text(message), body.get("details"), _str_or_none(body.get("requestId"))


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _message_text(message: Any) -> str | None:
    if message is None:
        return None
    if isinstance(message, list):  # NestJS validation: a list of messages
        return "; ".join(str(item) for item in message)
    return str(message)


def error_from_response(response: httpx.Response) -> CalApiError:
    body = _json_or_none(response)
    code, message, details, body_request_id = _error_fields(body)
    if not message:
        text = response.text.strip() if response.content else ""
        message = (text[:300] if text and body is None else None) or response.reason_phrase or "request failed"
    request_id = response.headers.get("x-request-id") or body_request_id
    if request_id == "unknown-request-id":
        request_id = body_request_id
    cls = error_class(response.status_code)
    kwargs: dict[str, Any] = {
        "code": code,
        "request_id": request_id,
        "details": details,
        "body": body if body is not None else (response.text if response.content else None),
        "method": response.request.method,
        "url": str(response.request.url),
        "headers": dict(response.headers),
    }
    if cls is RateLimitError:
        return RateLimitError(response.status_code, message, retry_after=retry_after_seconds(response), **kwargs)
    return cls(response.status_code, message, **kwargs)


def parse_response(response: httpx.Response, operation: Operation[T]) -> T:
    if response.status_code >= 400:
        raise error_from_response(response)
    if not response.content:
        return operation.parse(None)
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CalDecodeError(
            f"{operation.method} {operation.path} answered {response.status_code} with a body that is not JSON "
            "(is the base URL right? it should be the API root, e.g. https://api.cal.com)",
            status_code=response.status_code,
            body=response.text[:1000],
            request_id=response.headers.get("x-request-id"),
        ) from None
    if isinstance(body, dict) and body.get("status") == "error":
        raise error_from_response(response)
    return operation.parse(body)


def data_of(body: Any) -> Any:
    """The ``data`` of Cal.com's ``{"status": "success", "data": ...}`` envelope."""
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def log_retry(request: httpx.Request, reason: str, delay: float, attempt: int, max_retries: int) -> None:
    logger.info(
        "retrying %s %s in %.2fs after %s (retry %d of %d)",
        request.method,
        request.url,
        delay,
        reason,
        attempt + 1,
        max_retries,
    )


def connection_error(request: httpx.Request, exc: httpx.TransportError) -> CalConnectionError:
    cls = CalTimeoutError if isinstance(exc, httpx.TimeoutException) else CalConnectionError
    what = "timed out" if cls is CalTimeoutError else "could not be completed"
    return cls(
        f"{request.method} {request.url} {what}: {exc or type(exc).__name__}",
        method=request.method,
        url=str(request.url),
    )
