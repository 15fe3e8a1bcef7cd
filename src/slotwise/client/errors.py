"""Exceptions raised by :mod:`slotwise.client`.

Every failure is a :class:`CalError`. An answer from the server that is not a success is a
:class:`CalApiError` (or the subclass for its status) carrying the HTTP status, the error code, the
message and the request id, so a log line or a bug report can point at the exact request.
A request that never got an answer is a :class:`CalConnectionError`.
"""

from __future__ import annotations

from typing import Any


class CalError(Exception):
    """Base class of everything this client raises."""


class CalConnectionError(CalError):
    """The server could not be reached, or did not answer in time (after all retries)."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class CalTimeoutError(CalConnectionError):
    """The request timed out (after all retries)."""


class CalApiError(CalError):
    """The server answered with an error status.

    ``status_code`` is the HTTP status, ``code`` Cal.com's error code (``NotFoundException``,
    ``BAD_REQUEST``, ...), ``message`` the human message, ``request_id`` the id to quote to the
    server's operators, ``details`` the structured details and ``body`` the decoded body.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        details: Any = None,
        body: Any = None,
        method: str = "",
        url: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.code = code
        self.request_id = request_id
        self.details = details
        self.body = body
        self.method = method
        self.url = url
        self.headers = headers or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"{self.status_code}"]
        if self.code:
            parts.append(self.code)
        text = " ".join(parts) + f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(CalApiError):
    """400: the request is invalid; ``message`` says which field and what to send."""


class AuthenticationError(CalApiError):
    """401 (or 498): the API key is missing, invalid, revoked or expired."""


class PermissionDeniedError(CalApiError):
    """403: the resource belongs to someone else."""


class NotFoundError(CalApiError):
    """404: no such resource (or route)."""


class ConflictError(CalApiError):
    """409: the change conflicts with the current state (taken slot, duplicate, request in flight)."""


class UnprocessableEntityError(CalApiError):
    """422: understood but not possible (e.g. the slot is already reserved)."""


class RateLimitError(CalApiError):
    """429: too many requests; ``retry_after`` is the wait the server asked for, in seconds."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(CalApiError):
    """5xx: the server failed (after all retries for 502/503/504)."""


class CalDecodeError(CalError):
    """A success status whose body is not the JSON envelope expected (e.g. an HTML page from a proxy)."""

    def __init__(self, message: str, *, status_code: int, body: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.request_id = request_id


_BY_STATUS: dict[int, type[CalApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    498: AuthenticationError,
}


def error_class(status_code: int) -> type[CalApiError]:
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, CalApiError)
