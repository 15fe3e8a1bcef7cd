"""Slots API shapes of ``cal-api-version: 2024-09-04`` (names follow Cal.com's spec components)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema

from slotwise.availability import Slot
from slotwise.http.model import ApiModel
from slotwise.http.types import Id, TimeZoneName, WholeNumber
from slotwise.slots.models import SlotReservation
from slotwise.slots.times import EpochFormatter, InstantError, format_instant, parse_instant, zone_of

MAX_DURATION_MINUTES = 1440  # a slot is at most a day long
MAX_RESERVATION_MINUTES = 1440  # a hold lasts at most a day


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("needs a time zone offset, e.g. 2050-09-05T09:00:00Z")
        return value.replace(microsecond=0)
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string such as 2050-09-05T09:00:00Z")
    try:
        return parse_instant(value).replace(microsecond=0)
    except InstantError as exc:
        raise ValueError(str(exc)) from None


# An ISO-8601 instant in a body; a time without offset is UTC (Cal.com: "in UTC timezone").
# Fractions of a second are dropped (clients send ".078042Z" for the 08:00:00 slot).
Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2050-09-05T09:00:00Z"}),
]
Minutes = Annotated[WholeNumber, Field(ge=1, le=MAX_DURATION_MINUTES)]


class GetSlotsQuery_2024_09_04(ApiModel):
    """The query of ``GET /v2/slots``; any other parameter is a 400 (as in Cal.com)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(
        max_length=64,
        description="Start of the range: a date (`2050-09-05`, the start of that day in `timeZone`) or an "
        "ISO 8601 instant (`2050-09-05T09:00:00Z`).",
        examples=["2050-09-05"],
    )
    end: str = Field(
        max_length=64,
        description="End of the range: a date (`2050-09-09`, the end of that day in `timeZone`) or an "
        "ISO 8601 instant. Slots starting before it are returned; at most 93 days after `start`.",
        examples=["2050-09-09"],
    )
    eventTypeId: Id | None = Field(default=None, description="The event type's id.", examples=[100])
    eventTypeSlug: str | None = Field(
        default=None, max_length=255, description="The event type's slug; send `username` with it."
    )
    username: str | None = Field(
        default=None, max_length=255, description="The owner of the event type named by `eventTypeSlug`."
    )
    usernames: str | None = Field(
        default=None,
        max_length=4000,
        description="At least two usernames, comma-separated: the times when all of them are free "
        "(a dynamic event of `duration` minutes, default 30).",
        examples=["alice,bob"],
    )
    teamSlug: str | None = Field(default=None, max_length=255, description="A team's slug (teams: not yet).")
    organizationSlug: str | None = Field(
        default=None, max_length=255, description="Accepted for compatibility; usernames are global here."
    )
    timeZone: TimeZoneName | None = Field(
        default=None,
        description="Zone of the date keys and of the rendered times, and of dates/times sent without an "
        "offset. Defaults to UTC.",
        examples=["Europe/Rome"],
    )
    duration: Minutes | None = Field(
        default=None,
        description="Slot length in minutes: one of the event type's lengths, or any length (default 30) "
        "for `usernames`.",
        examples=[60],
    )
    format: Literal["time", "range"] | None = Field(
        default=None, description="`range` adds `end` to every slot; `time` (default) gives `start` only."
    )
    bookingUidToReschedule: str | None = Field(
        default=None, description="The booking being rescheduled (any string): its own time is shown as free."
    )
    reservationUid: str | None = Field(
        default=None,
        description="Slotwise extension: your reservation's uid, so the slot you hold stays visible to you "
        "(also read from the `X-Reservation-Uid` header or the `uid` cookie).",
    )


class SlotOutput_2024_09_04(ApiModel):
    """One offered slot: ``start`` (+ ``end`` with ``format=range``; + seats for seated events)."""

    start: str = Field(examples=["2050-09-05T09:00:00.000+02:00"])
    end: str | None = Field(default=None, examples=["2050-09-05T10:00:00.000+02:00"])
    seatsBooked: int | None = None
    seatsRemaining: int | None = None
    seatsTotal: int | None = None
    bookingUid: str | None = None


class SlotsOutput_2024_09_04(ApiModel):
    """``data`` maps a date (``YYYY-MM-DD`` in ``timeZone``) to that day's slots; days without slots
    are absent."""

    status: Literal["success"] = "success"
    data: dict[str, list[SlotOutput_2024_09_04]]


class ReserveSlotInput_2024_09_04(ApiModel, defer_build=False):  # a route body: see ApiModel
    model_config = ConfigDict(extra="ignore")

    eventTypeId: Id = Field(description="The event type to reserve a slot of.", examples=[1])
    slotStart: Instant = Field(description="The slot's start, an ISO 8601 instant (UTC when no offset).")
    slotDuration: Minutes | None = Field(
        default=None, description="For variable-length event types: one of its lengths. Defaults to its length."
    )
    reservationDuration: Annotated[WholeNumber, Field(ge=1, le=MAX_RESERVATION_MINUTES)] | None = Field(
        default=None,
        description="Minutes the hold lasts (default 5). Only the event type's owner, authenticated, may set it.",
    )


class ReserveSlotOutput_2024_09_04(ApiModel):
    eventTypeId: int
    slotStart: str = Field(examples=["2050-09-05T09:00:00.000Z"])
    slotEnd: str = Field(examples=["2050-09-05T10:00:00.000Z"])
    slotDuration: int
    reservationUid: str = Field(examples=["e84be5a3-4696-49e3-acc7-b2f3999c3b94"])
    reservationDuration: int
    reservationUntil: str


class ReserveSlotOutputResponse_2024_09_04(ApiModel):
    status: Literal["success"] = "success"
    data: ReserveSlotOutput_2024_09_04


class GetReservedSlotData_2024_09_04(ApiModel):
    eventTypeId: int
    slotStart: str
    slotEnd: str
    slotDuration: int
    reservationUid: str
    reservationUntil: str


class GetReservedSlotOutput_2024_09_04(ApiModel):
    """``data`` is null when no live reservation has that uid (as in Cal.com)."""

    status: Literal["success"] = "success"
    data: GetReservedSlotData_2024_09_04 | None


class DeleteReservedSlotOutput_2024_09_04(ApiModel):
    status: Literal["success"] = "success"


def render_slots(
    slots: Sequence[Slot], *, time_zone: str | None, range_format: bool, seats_total: int | None
) -> dict[str, Any]:
    """The ``SlotsOutput_2024_09_04`` body as plain data (a month holds hundreds of slots: building a
    model per slot cost more than computing them). Days are keyed in ``time_zone``; instants are UTC
    (``Z``) when no zone was asked for."""
    clock = EpochFormatter(zone_of(time_zone))
    days: dict[str, list[dict[str, Any]]] = {}
    for slot in slots:
        day, start = clock.day_and_instant(slot.start_epoch)
        item: dict[str, Any] = {"start": start}
        if range_format:
            item["end"] = clock.instant(slot.end_epoch)
        if seats_total is not None:
            booked = slot.seats_booked or 0
            item |= {"seatsBooked": booked, "seatsRemaining": max(0, seats_total - booked), "seatsTotal": seats_total}
            if slot.booking_uid:
                item["bookingUid"] = slot.booking_uid
        day_items = days.get(day)
        if day_items is None:
            days[day] = [item]
        else:
            day_items.append(item)
    return {"status": "success", "data": days}


def reservation_output(reservation: SlotReservation) -> ReserveSlotOutput_2024_09_04:
    return ReserveSlotOutput_2024_09_04(
        eventTypeId=reservation.event_type_id,
        slotStart=format_instant(reservation.slot_start),
        slotEnd=format_instant(reservation.slot_end),
        slotDuration=round((reservation.slot_end - reservation.slot_start).total_seconds() / 60),
        reservationUid=reservation.uid,
        reservationDuration=reservation.reservation_minutes,
        reservationUntil=format_instant(reservation.expires_at),
    )


def reserved_slot_output(reservation: SlotReservation) -> GetReservedSlotData_2024_09_04:
    full = reservation_output(reservation)
    return GetReservedSlotData_2024_09_04(**full.model_dump(exclude={"reservationDuration"}))
