"""Cal.com's error envelope and the exception handlers that produce it.

``{"status": "error", "timestamp", "path", "error": {"code", "message", "details"}}``; ``code`` is the
exception class name Cal.com's NestJS server reports (clients read ``error.message``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

logger = logging.getLogger("slotwise.errors")

ERROR_CODES = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    409: "ConflictException",
    410: "GoneException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    422: "UnprocessableEntityException",
    429: "ThrottlerException",
    500: "InternalServerErrorException",
    503: "ServiceUnavailableException",
}


class ApiError(Exception):
    """Raise anywhere in a request to answer with the error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.details = details
        self.headers = headers


def bad_request(message: str, **details: Any) -> ApiError:
    return ApiError(400, message, details=details or None)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def conflict(message: str, **details: Any) -> ApiError:
    return ApiError(409, message, details=details or None)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


def request_path(scope_or_request: Request | MutableMapping[str, Any]) -> str:
    scope = scope_or_request.scope if isinstance(scope_or_request, Request) else scope_or_request
    path = scope.get("slotwise.original_path") or scope.get("path", "")
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else str(path)


def request_id_of(scope: MutableMapping[str, Any]) -> str | None:
    state = scope.get("state") or {}
    value = state.get("request_id")
    return value if isinstance(value, str) else None


def error_body(
    status: int,
    message: str,
    path: str,
    *,
    code: str | None = None,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    merged_details: dict[str, Any] = {"message": message, "error": phrase, "statusCode": status}
    if details:
        merged_details.update(details)
    error: dict[str, Any] = {
        "code": code or ERROR_CODES.get(status, phrase.replace(" ", "") + "Exception"),
        "message": message,
        "details": merged_details,
    }
    if request_id:
        error["requestId"] = request_id
    return {
        "status": "error",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "path": path,
        "error": error,
    }


def error_response(
    scope: MutableMapping[str, Any],
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = error_body(status, message, request_path(scope), code=code, details=details, request_id=request_id_of(scope))
    headers = dict(headers or {})
    request_id = request_id_of(scope)
    if request_id:  # errors answered outside the middleware stack still carry the id
        headers.setdefault("X-Request-Id", request_id)
    return JSONResponse(body, status_code=status, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> tuple[str, str]:
    location = str(loc[0]) if loc else "body"
    rest = [str(part) for part in loc[1:]]
    return location, ".".join(rest) if rest else location


def describe_validation_errors(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    parts: list[str] = []
    for err in errors:
        location, field = _field_path(tuple(err.get("loc", ())))
        text = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            parts.append(f"request body is not valid JSON ({err.get('ctx', {}).get('error', text)})")
            items.append({"location": "body", "property": "", "message": "invalid JSON"})
            continue
        if err.get("type") == "missing" and field == location:
            parts.append(f"the request {location} is missing")
        else:
            parts.append(f"{location} field '{field}': {text}")
        items.append({"location": location, "property": field, "message": text, "type": err.get("type")})
    return "Invalid request: " + "; ".join(parts), items


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        request.scope, exc.status, exc.message, code=exc.code, details=exc.details, headers=exc.headers
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404 and exc.detail == "Not Found":
        message = f"Cannot {request.method} {request.url.path}"
    elif status == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    elif status == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's words for a body json.loads cannot read (invalid UTF-8, nested too deeply)
        message = "Invalid request: request body is not valid JSON; send a UTF-8 encoded JSON object."
    else:
        message = str(exc.detail)
    return error_response(request.scope, status, message, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, items = describe_validation_errors(list(exc.errors()))
    return error_response(request.scope, 400, message, details={"errors": items})


class _OutageLog:
    """One error line per ``every`` seconds while the database is down (with how many requests were
    answered 503 meanwhile), not one per request: an outage under load would flood the log."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self._last = float("-inf")
        self._quiet = 0

    def record(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            self._quiet += 1
            return
        suppressed, self._quiet, self._last = self._quiet, 0, now
        more = f" ({suppressed} more 503s since the last report)" if suppressed else ""
        logger.error("database unavailable: %s%s", exc, more)


_outage_log = _OutageLog()


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    _outage_log.record(exc)
    return error_response(
        request.scope,
        503,
        "The database is unavailable; retry shortly.",
        headers={"Retry-After": "5"},
    )


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    logger.info("integrity error: %s", exc)
    return error_response(
        request.scope, 409, "Invalid Input: Trying to create a record that already exists.", code="CONFLICT"
    )


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    logger.info("data error: %s", exc)
    return error_response(request.scope, 400, "Invalid input: a value is out of range or malformed.")


# SQLSTATE classes that mean "the database cannot serve right now": connection exception (08),
# insufficient resources (53, e.g. too many connections), shutting down or starting up (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """Driver errors SQLAlchemy reports as a bare ``DBAPIError`` (asyncpg's, by SQLSTATE)."""
    assert isinstance(exc, DBAPIError)
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    if exc.connection_invalidated or state.startswith(_UNAVAILABLE_SQLSTATES):
        return await _database_unavailable(request, exc)
    if state == "22021":  # PostgreSQL text cannot hold NUL characters
        logger.info("data error: %s", exc)
        return error_response(
            request.scope, 400, "Invalid input: text values must not contain NUL (\\u0000) characters."
        )
    if state.startswith("22"):  # data exception
        return await _data_error(request, exc)
    return await _unexpected(request, exc)


async def _client_disconnect(request: Request, exc: Exception) -> JSONResponse:
    # the client went away before its body arrived: nothing to answer, nothing went wrong here
    logger.info("client disconnected during %s %s", request.method, request.url.path)
    return error_response(request.scope, 400, "The request body did not arrive: the client disconnected.")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request.scope, 500, "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(DBAPIError, _database_error)
    # the driver's own socket errors (connection refused, reset, timed out) escape SQLAlchemy's wrapping
    # when the database is down; in a request the only sockets are the database's (and Redis')
    app.add_exception_handler(OSError, _database_unavailable)
    app.add_exception_handler(ClientDisconnect, _client_disconnect)
    app.add_exception_handler(Exception, _unexpected)
