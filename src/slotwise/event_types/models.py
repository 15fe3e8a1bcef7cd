from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db import Base, UTCDateTime, utcnow


class EventType(Base):
    """A bookable kind of meeting. Columns hold what the slot engine and bookings read; the rest of
    the API's round-trip fields (color, bookerLayouts, customName, ...) live in ``settings``."""

    __tablename__ = "event_types"
    __table_args__ = (
        UniqueConstraint("owner_id", "slug", name="uq_event_types_owner_id_slug"),
        {"sqlite_autoincrement": True},  # a deleted event type's id is never handed out again
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)  # minutes (the default length)
    length_options: Mapped[list[int] | None] = mapped_column(JSON)  # variable-length choices
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    booking_fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # custom fields only
    disable_guests: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_interval: Mapped[int | None] = mapped_column(Integer)
    minimum_booking_notice: Mapped[int] = mapped_column(Integer, default=120)
    before_event_buffer: Mapped[int] = mapped_column(Integer, default=0)
    after_event_buffer: Mapped[int] = mapped_column(Integer, default=0)
    offset_start: Mapped[int] = mapped_column(Integer, default=0)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    # {"day": n, "week": n, "month": n, "year": n}; None = no limit
    booking_limits_count: Mapped[dict[str, int] | None] = mapped_column(JSON)
    booking_limits_duration: Mapped[dict[str, int] | None] = mapped_column(JSON)
    only_show_first_available_slot: Mapped[bool] = mapped_column(Boolean, default=False)
    # the API's bookingWindow object as sent ({type, value, rolling}); None = unlimited
    booking_window: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seats_per_time_slot: Mapped[int | None] = mapped_column(Integer)
    seats_show_attendees: Mapped[bool] = mapped_column(Boolean, default=False)
    seats_show_availability_count: Mapped[bool] = mapped_column(Boolean, default=True)
    # the API's confirmationPolicy object; None = bookings are accepted at once
    confirmation_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"frequency": "weekly", "interval": n, "occurrences": n}; None = not recurring
    recurrence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # API fields kept as sent (color, bookerLayouts, customName, successRedirectUrl, ...) and
    # "bookingFieldOverrides": {slug: changes} for the default booking questions
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
