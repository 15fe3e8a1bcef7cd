"""The 2024-04-15 ("legacy") slots shapes that older clients and agent skills still use.

* ``GET /v2/slots/available?startTime&endTime&eventTypeId...`` (and ``GET /v2/slots`` without a
  version header when it carries ``startTime``/``endTime``) answer
  ``{"slots": {"YYYY-MM-DD": [{"time": ISO}]}}``, or ``[{"startTime", "endTime"}]`` with
  ``slotFormat=range``. Times are UTC; the date keys are days in ``timeZone``.
* ``POST /v2/slots/reserve`` answers the reservation uid as ``data`` and sets a ``uid`` cookie;
  ``DELETE /v2/slots/selected-slot?uid=`` releases it.

As in Cal.com's legacy controller, unknown query parameters are ignored here.
"""

from collections.abc import Sequence
from typing import Literal

from pydantic import ConfigDict, Field

from slotwise.availability import Slot
from slotwise.http.model import ApiModel
from slotwise.http.types import Id, TimeZoneName
from slotwise.slots.schemas import Instant, Minutes
from slotwise.slots.times import EpochFormatter, zone_of

LEGACY_QUERY_NAMES = frozenset({"startTime", "endTime"})


class LegacyGetSlotsQuery(ApiModel):
    model_config = ConfigDict(extra="ignore")

    startTime: str = Field(max_length=64, description="Start of the range (ISO 8601 instant or date).")
    endTime: str = Field(max_length=64, description="End of the range (ISO 8601 instant or date).")
    eventTypeId: Id | None = None
    eventTypeSlug: str | None = Field(default=None, max_length=255)
    usernameList: list[str] = Field(default_factory=list, max_length=50)
    username: str | None = Field(default=None, max_length=255)
    duration: Minutes | None = None
    timeZone: TimeZoneName | None = None
    slotFormat: Literal["time", "range"] | None = None
    rescheduleUid: str | None = None
    orgSlug: str | None = Field(default=None, max_length=255)
    reservationUid: str | None = None


class LegacySlot(ApiModel):
    time: str | None = Field(default=None, examples=["2026-02-13T17:00:00.000Z"])
    startTime: str | None = None
    endTime: str | None = None
    attendees: int | None = None
    bookingUid: str | None = None


class LegacySlotsData(ApiModel):
    slots: dict[str, list[LegacySlot]]


class LegacySlotsOutput(ApiModel):
    status: Literal["success"] = "success"
    data: LegacySlotsData


class LegacyReserveSlotInput(ApiModel, defer_build=False):  # a route body: see ApiModel
    model_config = ConfigDict(extra="ignore")

    eventTypeId: Id
    slotUtcStartDate: Instant
    slotUtcEndDate: Instant
    bookingUid: str | None = Field(default=None, max_length=255)


class LegacyReserveSlotOutput(ApiModel):
    status: Literal["success"] = "success"
    data: str = Field(description="The reservation uid (also set as the `uid` cookie).")


class LegacyRemoveSelectedSlotOutput(ApiModel):
    status: Literal["success"] = "success"


def render_legacy_slots(
    slots: Sequence[Slot], *, time_zone: str | None, range_format: bool, seats_total: int | None
) -> LegacySlotsOutput:
    """Group by day in ``time_zone``; times always in UTC (as Cal.com's legacy endpoint)."""
    local = EpochFormatter(zone_of(time_zone))
    utc = EpochFormatter(None)
    days: dict[str, list[LegacySlot]] = {}
    for slot in slots:
        start = utc.instant(slot.start_epoch)
        if range_format:
            item = LegacySlot(startTime=start, endTime=utc.instant(slot.end_epoch))
        else:
            item = LegacySlot(time=start)
        if seats_total is not None:
            item.attendees = slot.seats_booked or 0
            item.bookingUid = slot.booking_uid or None
        days.setdefault(local.day_and_instant(slot.start_epoch)[0], []).append(item)
    return LegacySlotsOutput(data=LegacySlotsData(slots=days))
