from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotwise.db import Base, UTCDateTime, utcnow

ACTIVE_STATUSES = ("accepted", "pending")  # these hold the host's time
STATUSES = ("accepted", "pending", "cancelled", "rejected")
# No booking's block (start/end widened by its buffers) is longer than this: a day-long meeting with
# day-long buffers on both sides is three days. The database checks it (``ck_bookings_block_span``),
# which lets every overlap query (the SQLite guard, the busy-time query) bound its index range scan.
MAX_BLOCK_SPAN = timedelta(days=4)


class Booking(Base):
    """One meeting on a host's calendar. ``block_start``/``block_end`` is the time it occupies
    including its event type's buffers; the database refuses two active bookings of one host whose
    blocks overlap (a PostgreSQL exclusion constraint, a SQLite trigger). Check constraints keep
    ``block_start <= start_time < end_time <= block_end`` and the block at most ``MAX_BLOCK_SPAN``
    long (the span check is dialect-specific SQL and lives in migration 0004 only)."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("block_start <= start_time AND start_time < end_time AND end_time <= block_end", name="order"),
        Index("ix_bookings_host_block", "host_id", "block_start", "block_end"),
        Index("ix_bookings_host_start", "host_id", "start_time"),
        Index("ix_bookings_event_type_start", "event_type_id", "start_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    event_type_id: Mapped[int | None] = mapped_column(ForeignKey("event_types.id", ondelete="SET NULL"))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    end_time: Mapped[datetime] = mapped_column(UTCDateTime)
    block_start: Mapped[datetime] = mapped_column(UTCDateTime)
    block_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    location: Mapped[str | None] = mapped_column(Text)
    meeting_url: Mapped[str | None] = mapped_column(Text)
    booking_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    responses: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # bookingFieldsResponses
    guests: Mapped[list[str]] = mapped_column(JSON, default=list)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_email: Mapped[str | None] = mapped_column(String(320))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # seats given up (seated event types): their attendee rows are gone, the uids stay known so that
    # cancelling a seat twice is harmless
    cancelled_seat_uids: Mapped[list[str]] = mapped_column(JSON, default=list)
    rescheduling_reason: Mapped[str | None] = mapped_column(Text)
    rescheduled_by_email: Mapped[str | None] = mapped_column(String(320))
    rescheduled_from_uid: Mapped[str | None] = mapped_column(String(64))
    rescheduled_to_uid: Mapped[str | None] = mapped_column(String(64))
    recurring_booking_uid: Mapped[str | None] = mapped_column(String(64), index=True)
    absent_host: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    ics_uid: Mapped[str] = mapped_column(String(128))
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Attendee.id", lazy="selectin"
    )


class Attendee(Base):
    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320), index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    phone_number: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    seat_uid: Mapped[str | None] = mapped_column(String(64), unique=True)
    responses: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # per-seat bookingFieldsResponses
    attendee_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="attendees")
