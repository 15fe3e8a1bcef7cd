"""Every feature's ORM models, imported once so ``Base.metadata`` is complete (Alembic, tests)."""

from slotwise.bookings.models import Attendee, Booking
from slotwise.db import Base
from slotwise.event_types.models import EventType
from slotwise.http.idempotency_models import IdempotencyRecord
from slotwise.schedules.models import Schedule
from slotwise.slots.models import AvailabilityStamp, SlotReservation
from slotwise.users.models import ApiKey, User
from slotwise.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "ApiKey",
    "Attendee",
    "AvailabilityStamp",
    "Base",
    "Booking",
    "EventType",
    "IdempotencyRecord",
    "Schedule",
    "SlotReservation",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
