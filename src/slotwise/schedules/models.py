from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db import Base, UTCDateTime, utcnow


class Schedule(Base):
    """Weekly working hours plus date overrides, in the schedule's own time zone.

    ``availability``: ``[{"days": [0..6] (0 = Sunday), "startTime": "HH:MM", "endTime": "HH:MM"}]``.
    ``overrides``: ``[{"date": "YYYY-MM-DD", "startTime": "HH:MM", "endTime": "HH:MM"}]``; the
    overrides of a date replace that date's weekly hours (00:00-00:00 = unavailable all day).
    Whether it is the default lives on the user (``users.default_schedule_id``).
    """

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64))
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
