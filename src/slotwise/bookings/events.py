"""The one path every booking change takes to announce itself (API, CLI, MCP alike).

``record_booking_event`` runs inside the change's own transaction: it writes the webhook outbox rows
for every subscriber of the trigger, and on an accepted booking it also schedules MEETING_STARTED and
MEETING_ENDED for its start and end (the worker drops them if the booking is cancelled or moved).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from slotwise.bookings.models import Attendee, Booking
from slotwise.event_types.models import EventType
from slotwise.observability import BOOKING_EVENTS
from slotwise.users.models import User
from slotwise.webhooks.models import Webhook
from slotwise.webhooks.outbox import active_webhooks, enqueue

BOOKING_TRIGGERS = frozenset(
    {
        "BOOKING_CREATED",
        "BOOKING_REQUESTED",
        "BOOKING_CONFIRMED",
        "BOOKING_REJECTED",
        "BOOKING_RESCHEDULED",
        "BOOKING_CANCELLED",
        "BOOKING_NO_SHOW_UPDATED",
    }
)
MEETING_TRIGGERS = ("MEETING_STARTED", "MEETING_ENDED")


_COUNTED_FLAG = "slotwise.bookings.events_to_count"


def _count_after_commit(session: AsyncSession, trigger: str) -> None:
    """Count the event in metrics only if its transaction commits. The triggers wait in the session's
    ``info`` for the two listeners below (registering a listener on the session per event cost more
    than the rest of the event's bookkeeping)."""
    session.info.setdefault(_COUNTED_FLAG, []).append(trigger)


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for trigger in session.info.pop(_COUNTED_FLAG, ()):
        BOOKING_EVENTS.labels(trigger).inc()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_COUNTED_FLAG, None)


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _utc_offset_minutes(zone: str, at: datetime) -> int:
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    except (KeyError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


def _person(attendee: Attendee, at: datetime) -> dict[str, Any]:
    first, _, last = attendee.name.partition(" ")
    person: dict[str, Any] = {
        "name": attendee.name,
        "firstName": first,
        "lastName": last,
        "email": attendee.email,
        "timeZone": attendee.time_zone,
        "language": {"locale": attendee.language or "en"},
        "utcOffset": _utc_offset_minutes(attendee.time_zone, at),
        "noShow": attendee.absent,
    }
    if attendee.phone_number:
        person["phoneNumber"] = attendee.phone_number
    if attendee.seat_uid:
        person["seatUid"] = attendee.seat_uid
    return person


def booking_payload(booking: Booking, host: User, event_type: EventType | None) -> dict[str, Any]:
    """Cal.com's webhook ``payload`` for booking triggers (the fields its receivers read)."""
    start = booking.start_time
    responses = {key: {"label": key, "value": value} for key, value in (booking.responses or {}).items()}
    return {
        "type": event_type.slug if event_type else None,
        "title": booking.title,
        "description": booking.description or "",
        "additionalNotes": (booking.responses or {}).get("notes", ""),
        "startTime": _instant(start),
        "endTime": _instant(booking.end_time),
        "length": int((booking.end_time - start).total_seconds() // 60),
        "organizer": {
            "id": host.id,
            "name": host.name or host.username,
            "email": host.email,
            "username": host.username,
            "timeZone": host.time_zone,
            "language": {"locale": host.locale or "en"},
            "timeFormat": "h:mma" if host.time_format == 12 else "HH:mm",
            "utcOffset": _utc_offset_minutes(host.time_zone, start),
        },
        "attendees": [_person(attendee, start) for attendee in booking.attendees],
        "responses": responses,
        "location": booking.location,
        "requiresConfirmation": bool(event_type and event_type.confirmation_policy),
        "eventTypeId": booking.event_type_id,
        "seatsPerTimeSlot": event_type.seats_per_time_slot if event_type else None,
        "seatsShowAttendees": event_type.seats_show_attendees if event_type else None,
        "uid": booking.uid,
        "bookingId": booking.id,
        "iCalUID": booking.ics_uid,
        "iCalSequence": booking.ics_sequence,
        "status": booking.status.upper(),
        "metadata": dict(booking.booking_metadata or {}),
        "eventTitle": event_type.title if event_type else booking.title,
        "eventDescription": event_type.description if event_type else None,
        "price": 0,
        "currency": "usd",
        "recurringEventId": booking.recurring_booking_uid,
        "rescheduledFromUid": booking.rescheduled_from_uid,
        "rescheduledToUid": booking.rescheduled_to_uid,
    }


async def record_booking_event(
    session: AsyncSession, trigger: str, booking: Booking, *, webhooks: list[Webhook] | None = None, **extra: Any
) -> None:
    """Announce ``trigger`` for ``booking`` to its subscribers, in the caller's transaction.

    ``webhooks``: the active webhooks of the booking's host and event type when the caller knows them
    already in this transaction (``[]``: nobody listens), else they are looked up.
    ``extra`` lands in the payload: e.g. ``cancellationReason``, ``cancelledBy``, ``rejectionReason``,
    ``rescheduleUid``, ``rescheduleStartTime``, ``rescheduledBy``. BOOKING_NO_SHOW_UPDATED uses Cal.com's
    short payload ``{message, bookingUid, bookingId, attendees: [{email, noShow}]}``.
    """
    if trigger not in BOOKING_TRIGGERS:
        raise ValueError(f"unknown booking trigger {trigger}")
    _count_after_commit(session, trigger)
    await session.flush()  # ids and defaults are needed in the payload
    candidates = webhooks
    if candidates is None:
        candidates = await active_webhooks(session, user_id=booking.host_id, event_type_id=booking.event_type_id)
    if not candidates:
        return  # nobody listens: no payload to build (most changes of most hosts)

    async def announce(name: str, payload: dict[str, Any], due_at: datetime | None = None) -> None:
        await enqueue(
            session,
            name,
            payload,
            user_id=booking.host_id,
            event_type_id=booking.event_type_id,
            booking_uid=booking.uid,
            due_at=due_at,
            candidates=candidates,
        )

    if trigger == "BOOKING_NO_SHOW_UPDATED":
        payload = {
            "message": extra.pop("message", "No-show status updated"),
            "bookingUid": booking.uid,
            "bookingId": booking.id,
            "attendees": [{"email": a.email, "noShow": a.absent} for a in booking.attendees],
            "absentHost": booking.absent_host,
            **extra,
        }
        await announce(trigger, payload)
        return
    host = await session.get(User, booking.host_id)
    if host is None:  # pragma: no cover - the FK guarantees the host
        raise ValueError(f"booking {booking.uid} has no host")
    event_type = await session.get(EventType, booking.event_type_id) if booking.event_type_id else None
    payload = {**booking_payload(booking, host, event_type), **extra}
    await announce(trigger, payload)
    if booking.status == "accepted" and trigger in {"BOOKING_CREATED", "BOOKING_RESCHEDULED"}:
        await announce("MEETING_STARTED", payload, booking.start_time)
        await announce("MEETING_ENDED", payload, booking.end_time)
