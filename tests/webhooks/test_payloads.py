"""What receivers get: Cal.com's envelope, custom ``payloadTemplate`` bodies, and MEETING_STARTED /
MEETING_ENDED sent at the meeting's start and end unless the booking was cancelled or moved first."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings.events import record_booking_event
from slotwise.bookings.models import Booking
from slotwise.db import Database, utcnow
from slotwise.webhooks import templates
from tests.conftest import MakeAccount
from tests.webhooks.conftest import StartWorker, book, deliveries, eventually, settled, subscribe
from tests.webhooks.receiver import Receiver

START = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)


async def test_a_json_template_renders_nested_paths_and_missing_variables_as_empty(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    host = await make_account()
    template = json.dumps(
        {
            "content": "{{triggerEvent}}: {{title}} with {{organizer.name}}",
            "booker": "{{attendees.0.email}}",
            "offset": "{{attendees.0.utcOffset}}",
            "nothing": "{{attendees.5.email}}|{{no.such.thing}}|{{ responses.name.value }}",
            "when": ["{{startTime}}", "{{createdAt}}"],
        }
    )
    await subscribe(db, host, receiver.url, payload_template=template, secret="k")
    await book(db, host, START, title='Say "hi"\nthen go')
    await worker_factory()

    await eventually(lambda: settled(db), what="the delivery")

    (request,) = receiver.requests
    body = json.loads(request.body)
    assert request.headers["content-type"] == "application/json"
    assert body["content"] == 'BOOKING_CREATED: Say "hi"\nthen go with Alice'
    assert body["booker"] == "jo@example.com" and body["offset"] == "330"
    assert body["nothing"] == "||Jo Doe"
    assert body["when"][0] == "2031-05-06T08:00:00Z" and body["when"][1].endswith("Z")
    assert request.headers["x-cal-signature-256"] == hmac.new(b"k", request.body, hashlib.sha256).hexdigest()


async def test_a_non_json_template_is_sent_as_a_form_body(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    host = await make_account()
    await subscribe(db, host, receiver.url, payload_template="event={{triggerEvent}}&uid={{uid}}&who={{organizer}}")
    booking = await book(db, host, START)
    await worker_factory()

    await eventually(lambda: settled(db), what="the delivery")

    (request,) = receiver.requests
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = parse_qs(request.body.decode())
    assert form["event"] == ["BOOKING_CREATED"] and form["uid"] == [booking.uid]
    assert json.loads(form["who"][0])["email"] == "alice@example.com"  # objects render as JSON


@pytest.mark.parametrize(
    ("template", "body", "content_type"),
    [
        ('{"n": {{length}}}', b'{"n":30}', templates.JSON),  # JSON only once rendered: still JSON
        ("{{{title}}}", b"Intro", templates.FORM),  # triple braces as Handlebars writes them
        ("plain text", b"plain text", templates.FORM),
        ('["{{attendees.0.name}}", {{attendees.0.noShow}}]', b'["Jo",false]', templates.JSON),
    ],
)
def test_template_rendering_rules(template: str, body: bytes, content_type: str) -> None:
    context = {"length": 30, "title": "Intro", "attendees": [{"name": "Jo", "noShow": False}]}
    assert templates.render(template, context) == (body, content_type)


async def test_the_default_body_is_cal_coms_envelope_with_the_booking_payload(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    host = await make_account(time_zone="America/St_Johns")
    await subscribe(db, host, receiver.url, ["BOOKING_CANCELLED"])
    async with db.session() as session:
        from tests.webhooks.conftest import new_booking

        booking = new_booking(host, START, status="cancelled", cancellation_reason="Sick")
        session.add(booking)
        await record_booking_event(session, "BOOKING_CANCELLED", booking, cancellationReason="Sick")
        await session.commit()
    await worker_factory()

    await eventually(lambda: settled(db), what="the delivery")

    body = json.loads(receiver.requests[0].body)
    assert body["triggerEvent"] == "BOOKING_CANCELLED"
    payload = body["payload"]
    assert payload["status"] == "CANCELLED" and payload["cancellationReason"] == "Sick"
    assert payload["uid"] == booking.uid and payload["bookingId"] == booking.id
    assert payload["organizer"]["utcOffset"] == -150  # St John's, -02:30 in May


async def test_meetings_are_announced_at_their_start_and_end_unless_cancelled_or_moved(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    hosts = [await make_account(name) for name in ("kim", "cal", "mo", "bo")]
    for host in hosts:
        await subscribe(db, host, receiver.url, ["MEETING_STARTED", "MEETING_ENDED"])
    kept_host, cancelled_host, moved_host, back_host = hosts
    begin = utcnow().replace(microsecond=0) + timedelta(seconds=2)
    # one-second meetings, so the test need not wait long for their end
    kept = await book(db, kept_host, begin, minutes=1 / 60)
    cancelled = await book(db, cancelled_host, begin, minutes=1 / 60)
    moved = await book(db, moved_host, begin, minutes=1 / 60)
    back = await book(db, back_host, begin, minutes=1 / 60)
    async with db.session() as session:
        (await session.get(Booking, cancelled.id)).status = "cancelled"  # type: ignore[union-attr]
        await _move(session, moved.id, begin + timedelta(days=1))
        await session.commit()
    for when in (begin + timedelta(days=1), begin):  # moved away, announced, and moved back again
        async with db.session() as session:
            await record_booking_event(session, "BOOKING_RESCHEDULED", await _move(session, back.id, when))
            await session.commit()
    await worker_factory()
    await asyncio.sleep(0.3)
    assert receiver.requests == []  # not before the meeting starts

    rows = await eventually(
        lambda: _settled_meetings(db, expected=10), within=8, what="the meetings' events and the drops"
    )

    got = sorted((json.loads(r.body)["triggerEvent"], json.loads(r.body)["payload"]["uid"]) for r in receiver.requests)
    expected = [(trigger, booking.uid) for booking in (kept, back) for trigger in ("MEETING_STARTED", "MEETING_ENDED")]
    assert got == sorted(expected)  # the booking moved back announces its start and end once
    assert all(r.at >= begin.timestamp() for r in receiver.requests)
    dropped = {(d.trigger, d.booking_uid): d.last_error for d in rows if d.status == "dropped"}
    for trigger in ("MEETING_STARTED", "MEETING_ENDED"):
        assert "was cancelled" in (dropped[(trigger, cancelled.uid)] or "")
        assert "was moved" in (dropped[(trigger, moved.uid)] or "")
        assert "queued again later" in (dropped[(trigger, back.uid)] or "")
    waiting = sorted((d.trigger, d.booking_uid, d.scheduled_for) for d in rows if d.status == "pending")
    far = begin + timedelta(days=1)
    assert waiting == [("MEETING_ENDED", back.uid, far + timedelta(seconds=1)), ("MEETING_STARTED", back.uid, far)]


async def _move(session: AsyncSession, booking_id: int, start: datetime) -> Booking:
    booking = await session.get(Booking, booking_id)
    assert booking is not None
    booking.start_time = booking.block_start = start
    booking.end_time = booking.block_end = start + timedelta(seconds=1)
    return booking


async def _settled_meetings(db: Database, *, expected: int) -> list[object]:
    """Deliveries once ``expected`` of them are no longer pending."""
    rows = await deliveries(db)
    done = [row for row in rows if row.status != "pending"]
    return rows if len(done) >= expected else []


async def test_scheduled_meeting_events_survive_a_restart(
    db: Database, make_account: MakeAccount, receiver: Receiver, worker_factory: StartWorker
) -> None:
    host = await make_account()
    await subscribe(db, host, receiver.url, ["MEETING_STARTED"])
    begin = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    booking = await book(db, host, begin)
    first = await worker_factory()
    await first.stop()  # the process goes away before the meeting starts

    await worker_factory()  # ... and a new one comes up
    (started,) = await eventually(lambda: settled(db), what="MEETING_STARTED")

    assert started.status == "delivered" and started.trigger == "MEETING_STARTED"
    assert json.loads(receiver.requests[0].body)["payload"]["uid"] == booking.uid
    async with db.session() as session:
        assert await session.scalar(select(Booking.uid)) == booking.uid
