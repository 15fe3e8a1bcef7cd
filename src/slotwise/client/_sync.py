"""The synchronous client."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx2 as httpx

from slotwise.client import operations as ops
from slotwise.client._base import BaseClient, TimeoutTypes, next_skip, sync_method
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


class Client(BaseClient):
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
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, headers=headers, retry=retry
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout, transport=transport, follow_redirects=False)

    def send(self, operation: Operation[T]) -> T:
        """Send one operation, retrying as :class:`RetryPolicy` says, and parse its answer."""
        key = idempotency_key_for(operation)
        request_id = new_request_id()
        attempt = 0
        while True:
            request = build_request(self.connection, operation, idempotency_key=key, request_id=request_id)
            try:
                response = self._http.send(request)
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
                response.close()
            time.sleep(delay)
            attempt += 1

    # --- me -----------------------------------------------------------------------------------
    me = sync_method(ops.me)
    update_me = sync_method(ops.update_me)
    refresh_api_key = sync_method(ops.refresh_api_key)
    # --- event types --------------------------------------------------------------------------
    list_event_types = sync_method(ops.list_event_types)
    get_event_type = sync_method(ops.get_event_type)
    create_event_type = sync_method(ops.create_event_type)
    update_event_type = sync_method(ops.update_event_type)
    delete_event_type = sync_method(ops.delete_event_type)
    # --- schedules ----------------------------------------------------------------------------
    list_schedules = sync_method(ops.list_schedules)
    get_default_schedule = sync_method(ops.get_default_schedule)
    get_schedule = sync_method(ops.get_schedule)
    create_schedule = sync_method(ops.create_schedule)
    update_schedule = sync_method(ops.update_schedule)
    delete_schedule = sync_method(ops.delete_schedule)
    # --- slots --------------------------------------------------------------------------------
    get_slots = sync_method(ops.get_slots)
    reserve_slot = sync_method(ops.reserve_slot)
    get_reservation = sync_method(ops.get_reservation)
    update_reservation = sync_method(ops.update_reservation)
    delete_reservation = sync_method(ops.delete_reservation)
    # --- bookings -----------------------------------------------------------------------------
    create_booking = sync_method(ops.create_booking)
    list_bookings = sync_method(ops.list_bookings)
    get_booking = sync_method(ops.get_booking)
    cancel_booking = sync_method(ops.cancel_booking)
    reschedule_booking = sync_method(ops.reschedule_booking)
    confirm_booking = sync_method(ops.confirm_booking)
    decline_booking = sync_method(ops.decline_booking)
    mark_absent = sync_method(ops.mark_absent)
    # --- webhooks -----------------------------------------------------------------------------
    list_webhooks = sync_method(ops.list_webhooks)
    get_webhook = sync_method(ops.get_webhook)
    create_webhook = sync_method(ops.create_webhook)
    update_webhook = sync_method(ops.update_webhook)
    delete_webhook = sync_method(ops.delete_webhook)
    list_webhook_deliveries = sync_method(ops.list_webhook_deliveries)
    get_webhook_delivery = sync_method(ops.get_webhook_delivery)
    redeliver_webhook_delivery = sync_method(ops.redeliver_webhook_delivery)
    ping_webhook = sync_method(ops.ping_webhook)

    def iter_bookings(self, *, page_size: int = 100, limit: int | None = None, **filters: Any) -> Iterator[Booking]:
        """Every booking matching ``filters`` (those of :meth:`list_bookings`), fetching pages of
        ``page_size`` as the iteration goes; stops after ``limit`` bookings if given."""
        skip, seen = 0, 0
        while True:
            page = self.list_bookings(take=page_size, skip=skip, **filters)
            for booking in page.items:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield booking
            following = next_skip(page, skip, page_size)
            if following is None:
                return
            skip = following

    def my_event_types(self) -> list[EventType]:
        """Your event types, on Slotwise and on Cal.com alike (which lists nothing without a username)."""
        return self.list_event_types(username=self.me().username)

    # --- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
