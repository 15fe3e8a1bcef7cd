from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db import Base, UTCDateTime, utcnow


class SlotReservation(Base):
    """A short hold on a slot: hidden from everyone else until ``expires_at``; only the holder
    (who presents ``uid``) may book it. ``host_id`` is the user whose time is held (the event
    type's owner); live holds are found by ``(host_id, slot_start)`` and expired ones are deleted
    lazily by the next write for the same host."""

    __tablename__ = "slot_reservations"
    __table_args__ = (Index("ix_slot_reservations_host_start", "host_id", "slot_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id", ondelete="CASCADE"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # how long the hold lasts from its last write (the API's ``reservationDuration``, minutes)
    reservation_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AvailabilityStamp(Base):
    """A random number per host, replaced by database triggers in the same transaction as any change of
    the host's availability (bookings, seats, reservations, schedules, event types, the user's zone or
    default schedule; migration 0006). Cached slot answers are served only while it is unchanged."""

    __tablename__ = "availability_stamps"

    host_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)
