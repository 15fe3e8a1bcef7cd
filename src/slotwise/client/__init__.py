"""Python client for the Cal.com API v2: Slotwise, https://api.cal.com, or a proxy in front of it.

>>> from slotwise.client import Client
>>> with Client() as cal:                       # CAL_API_URL / CAL_API_KEY, or arguments
...     me = cal.me()
...     slots = cal.get_slots(event_type_id=12, start="2026-12-01", end="2026-12-05")

:class:`AsyncClient` has the same methods, awaited.
"""

from slotwise.client._async import AsyncClient
from slotwise.client._core import Operation, RetryPolicy
from slotwise.client._sync import Client
from slotwise.client.config import DEFAULT_BASE_URL
from slotwise.client.errors import (
    AuthenticationError,
    BadRequestError,
    CalApiError,
    CalConnectionError,
    CalDecodeError,
    CalError,
    CalTimeoutError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from slotwise.client.models import (
    AbsentAttendee,
    Attendee,
    Availability,
    Booking,
    BookingPage,
    EventType,
    Me,
    Override,
    Pagination,
    Reservation,
    Schedule,
    Slot,
    Slots,
    Webhook,
    WebhookDelivery,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "AbsentAttendee",
    "AsyncClient",
    "Attendee",
    "AuthenticationError",
    "Availability",
    "BadRequestError",
    "Booking",
    "BookingPage",
    "CalApiError",
    "CalConnectionError",
    "CalDecodeError",
    "CalError",
    "CalTimeoutError",
    "Client",
    "ConflictError",
    "EventType",
    "Me",
    "NotFoundError",
    "Operation",
    "Override",
    "Pagination",
    "PermissionDeniedError",
    "RateLimitError",
    "Reservation",
    "RetryPolicy",
    "Schedule",
    "ServerError",
    "Slot",
    "Slots",
    "UnprocessableEntityError",
    "Webhook",
    "WebhookDelivery",
]
