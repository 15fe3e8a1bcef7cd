from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db import Base, UTCDateTime, utcnow
from slotwise.webhooks.signing import generate_signing_secret


class Webhook(Base):
    """A subscription: POST these triggers to ``subscriber_url``. Owned by a user, or attached to one
    of the user's event types (``event_type_id``)."""

    __tablename__ = "webhooks"
    __table_args__ = (
        # one subscription per URL per owner: at user level, and per event type
        Index(
            "uq_webhooks_user_url",
            "user_id",
            "subscriber_url",
            unique=True,
            sqlite_where=text("event_type_id IS NULL"),
            postgresql_where=text("event_type_id IS NULL"),
        ),
        Index(
            "uq_webhooks_event_type_url",
            "event_type_id",
            "subscriber_url",
            unique=True,
            sqlite_where=text("event_type_id IS NOT NULL"),
            postgresql_where=text("event_type_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_type_id: Mapped[int | None] = mapped_column(ForeignKey("event_types.id", ondelete="CASCADE"), index=True)
    subscriber_url: Mapped[str] = mapped_column(String(2048))
    triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    payload_template: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(255))
    # Standard Webhooks key used when ``secret`` is unset (``whsec_`` + base64), see signing.py
    signing_secret: Mapped[str] = mapped_column(String(64), default=generate_signing_secret)
    # set at the first failed attempt after a success; the webhook is deactivated when it gets too old
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event for one webhook, written in the same transaction as the change that
    caused it. ``id`` is the Standard Webhooks ``webhook-id``, stable across retries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_created", "webhook_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"triggerEvent", "createdAt", "payload"}
    booking_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    # for MEETING_STARTED / MEETING_ENDED: the booking time the event is due at (dropped if it moved)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))  # which claim holds the lease
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
