"""Booking changes write the webhook outbox in their own transaction: all or nothing."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from slotwise.bookings.events import record_booking_event
from slotwise.bookings.models import Attendee, Booking
from slotwise.db import Database
from slotwise.webhooks.models import Webhook, WebhookDelivery
from tests.conftest import Account, MakeAccount

START = datetime(2031, 5, 6, 8, 0, tzinfo=UTC)


def _booking(host: Account) -> Booking:
    return Booking(
        uid=secrets.token_urlsafe(16),
        host_id=host.user.id,
        title="Intro call",
        start_time=START,
        end_time=START + timedelta(minutes=30),
        block_start=START,
        block_end=START + timedelta(minutes=30),
        status="accepted",
        ics_uid="ics-1",
        responses={"name": "Jo Doe", "email": "jo@example.com"},
        attendees=[Attendee(name="Jo Doe", email="jo@example.com", time_zone="Asia/Kolkata", language="en")],
    )


async def _subscribe(db: Database, host: Account, triggers: list[str], url: str = "http://127.0.0.1:9/hook") -> None:
    async with db.session() as session:
        session.add(Webhook(user_id=host.user.id, subscriber_url=url, triggers=triggers, active=True))
        await session.commit()


async def _deliveries(db: Database) -> list[WebhookDelivery]:
    async with db.session() as session:
        return list((await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.next_attempt_at))).all())


async def test_a_rolled_back_change_sends_nothing(db: Database, make_account: MakeAccount) -> None:
    host = await make_account()
    await _subscribe(db, host, ["BOOKING_CREATED"])

    async with db.session() as session:
        booking = _booking(host)
        session.add(booking)
        await record_booking_event(session, "BOOKING_CREATED", booking)
        await session.rollback()

    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 0
    assert await _deliveries(db) == []


async def test_a_committed_change_queues_cal_com_shaped_events(db: Database, make_account: MakeAccount) -> None:
    host = await make_account(time_zone="Europe/Rome")
    await _subscribe(db, host, ["BOOKING_CREATED", "MEETING_STARTED", "MEETING_ENDED"])
    await _subscribe(db, host, ["BOOKING_CANCELLED"], url="http://127.0.0.1:9/other")  # not subscribed

    async with db.session() as session:
        booking = _booking(host)
        session.add(booking)
        await record_booking_event(session, "BOOKING_CREATED", booking)
        await session.commit()

    created, started, ended = await _deliveries(db)
    assert [d.trigger for d in (created, started, ended)] == ["BOOKING_CREATED", "MEETING_STARTED", "MEETING_ENDED"]
    assert started.next_attempt_at == START and ended.next_attempt_at == START + timedelta(minutes=30)
    body = created.body
    assert body["triggerEvent"] == "BOOKING_CREATED" and body["createdAt"].endswith("Z")
    payload = body["payload"]
    assert payload["uid"] == booking.uid and payload["status"] == "ACCEPTED"
    assert (payload["startTime"], payload["endTime"]) == ("2031-05-06T08:00:00Z", "2031-05-06T08:30:00Z")
    assert payload["organizer"]["email"] == "alice@example.com"
    assert payload["organizer"]["utcOffset"] == 120  # Rome in May
    assert payload["attendees"][0]["utcOffset"] == 330  # Kolkata, +05:30
    assert created.id.startswith("msg_") and created.status == "pending"
