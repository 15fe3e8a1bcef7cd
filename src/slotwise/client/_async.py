"""The asynchronous client: the same methods as :class:`~slotwise.client.Client`, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx2 as httpx

from slotwise.client import operations as ops
from slotwise.client._base import BaseClient, TimeoutTypes, async_method, next_skip
from slotwise.client._core import (
    DEFAULT_TIMEOUT,
    Operation,
    RetryPolicy,
    build_request,
    connection_error,
    idempotency_key_for,
    log_retry,
    new_request_id,
    parse_response,
)
from slotwise.client.models import Booking, EventType

T = TypeVar("T")


class AsyncClient(BaseClient):
    """Cal.com API v2 client (Slotwise, https://api.cal.com or a proxy in front of it).

    ``Client()`` reads ``CAL_API_URL`` and ``CAL_API_KEY``; arguments win. Use it as a context manager
    (or call :meth:`close`) to release connections. ``transport`` plugs in any httpx transport (tests
    pass ``httpx.MockTransport``).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, headers=headers, retry=retry
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, transport=transport, follow_redirects=False)

    async def send(self, operation: Operation[T]) -> T:
        """Send one operation, retrying as :class:`RetryPolicy` says, and parse its answer."""
        key = idempotency_key_for(operation)
        request_id = new_request_id()
        attempt = 0
        while True:
            request = build_request(self.connection, operation, idempotency_key=key, request_id=request_id)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                delay = self.retry.delay_after_error(attempt, exc)
                if delay is None:
                    raise connection_error(request, exc) from exc
                log_retry(request, type(exc).__name__, delay, attempt, self.retry.max_retries)
            else:
                delay = self.retry.delay_after_response(attempt, response, idempotent=key is not None)
                if delay is None:
                    return parse_response(response, operation)
                log_retry(request, f"HTTP {response.status_code}", delay, attempt, self.retry.max_retries)
                await response.aclose()
            await asyncio.sleep(delay)
            attempt += 1

    # --- me -----------------------------------------------------------------------------------
    me = async_method(ops.me)
    update_me = async_method(ops.update_me)
    refresh_api_key = async_method(ops.refresh_api_key)
    # --- event types --------------------------------------------------------------------------
    list_event_types = async_method(ops.list_event_types)
    get_event_type = async_method(ops.get_event_type)
    create_event_type = async_method(ops.create_event_type)
    update_event_type = async_method(ops.update_event_type)
    delete_event_type = async_method(ops.delete_event_type)
    # --- schedules ----------------------------------------------------------------------------
    list_schedules = async_method(ops.list_schedules)
    get_default_schedule = async_method(ops.get_default_schedule)
    get_schedule = async_method(ops.get_schedule)
    create_schedule = async_method(ops.create_schedule)
    update_schedule = async_method(ops.update_schedule)
    delete_schedule = async_method(ops.delete_schedule)
    # --- slots --------------------------------------------------------------------------------
    get_slots = async_method(ops.get_slots)
    reserve_slot = async_method(ops.reserve_slot)
    get_reservation = async_method(ops.get_reservation)
    update_reservation = async_method(ops.update_reservation)
    delete_reservation = async_method(ops.delete_reservation)
    # --- bookings -----------------------------------------------------------------------------
    create_booking = async_method(ops.create_booking)
    list_bookings = async_method(ops.list_bookings)
    get_booking = async_method(ops.get_booking)
    cancel_booking = async_method(ops.cancel_booking)
    reschedule_booking = async_method(ops.reschedule_booking)
    confirm_booking = async_method(ops.confirm_booking)
    decline_booking = async_method(ops.decline_booking)
    mark_absent = async_method(ops.mark_absent)
    # --- webhooks -----------------------------------------------------------------------------
    list_webhooks = async_method(ops.list_webhooks)
    get_webhook = async_method(ops.get_webhook)
    create_webhook = async_method(ops.create_webhook)
    update_webhook = async_method(ops.update_webhook)
    delete_webhook = async_method(ops.delete_webhook)
    list_webhook_deliveries = async_method(ops.list_webhook_deliveries)
    get_webhook_delivery = async_method(ops.get_webhook_delivery)
    redeliver_webhook_delivery = async_method(ops.redeliver_webhook_delivery)
    ping_webhook = async_method(ops.ping_webhook)

    async def iter_bookings(
        self, *, page_size: int = 100, limit: int | None = None, **filters: Any
    ) -> AsyncIterator[Booking]:
        """Every booking matching ``filters`` (those of :meth:`list_bookings`), fetching pages of
        ``page_size`` as the iteration goes; stops after ``limit`` bookings if given."""
        skip, seen = 0, 0
        while True:
            page = await self.list_bookings(take=page_size, skip=skip, **filters)
            for booking in page.items:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield booking
            following = next_skip(page, skip, page_size)
            if following is None:
                return
            skip = following

    async def my_event_types(self) -> list[EventType]:
        """Your event types, on Slotwise and on Cal.com alike (which lists nothing without a username)."""
        return await self.list_event_types(username=(await self.me()).username)

    # --- lifecycle ----------------------------------------------------------------------------
    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
