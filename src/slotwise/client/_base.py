"""Options shared by :class:`~slotwise.client.Client` and :class:`~slotwise.client.AsyncClient`, and
the two adapters that turn each operation of :mod:`slotwise.client.operations` into a method."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import httpx2 as httpx

from slotwise.client._core import DEFAULT_TIMEOUT, Connection, Operation, RetryPolicy
from slotwise.client.config import resolve_api_key, resolve_base_url
from slotwise.client.models import BookingPage

if TYPE_CHECKING:
    from slotwise.client._async import AsyncClient
    from slotwise.client._sync import Client

P = ParamSpec("P")
T = TypeVar("T")

TimeoutTypes = float | httpx.Timeout | None


class BaseClient:
    """Configuration only: where to send requests, with which key, how long to wait, how often to retry."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        resolved = resolve_base_url(base_url)
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries}")
        self.connection = Connection(
            base_url=resolved,
            api_key=resolve_api_key(api_key, resolved),
            headers=dict(headers or {}),
        )
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)

    @property
    def base_url(self) -> str:
        return self.connection.base_url

    @property
    def api_key(self) -> str | None:
        return self.connection.api_key

    def __repr__(self) -> str:
        key = "set" if self.connection.api_key else "none"
        return f"{type(self).__name__}(base_url={self.connection.base_url!r}, api_key={key})"


def sync_method(operation: Callable[P, Operation[T]]) -> Callable[Concatenate[Client, P], T]:
    """``Client.<name>(...)``: build the operation and send it."""

    @functools.wraps(operation)
    def method(self: Client, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.send(operation(*args, **kwargs))

    return _as_method(method, operation)


def async_method(operation: Callable[P, Operation[T]]) -> Callable[Concatenate[AsyncClient, P], Coroutine[Any, Any, T]]:
    """``await AsyncClient.<name>(...)``: build the operation and send it."""

    @functools.wraps(operation)
    async def method(self: AsyncClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.send(operation(*args, **kwargs))

    return _as_method(method, operation)


_M = TypeVar("_M", bound=Callable[..., Any])


def _as_method(method: _M, operation: Callable[..., Any]) -> _M:
    """help() and IDEs show ``(self, <the operation's parameters>) -> <its result>``."""
    signature = inspect.signature(operation)
    result = signature.return_annotation
    if isinstance(result, str) and result.startswith("Operation[") and result.endswith("]"):
        result = result[len("Operation[") : -1]
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[this, *signature.parameters.values()], return_annotation=result
    )
    return method


def next_skip(page: BookingPage, skip: int, take: int) -> int | None:
    """Where the next page starts, or ``None`` after the last one (``hasNextPage``, else a short page)."""
    if not page.items:
        return None
    if page.pagination is not None:
        return skip + len(page.items) if page.pagination.has_next_page else None
    return skip + len(page.items) if len(page.items) >= take else None
