"""The whole path as a user meets it: subscribe over the API, book and cancel over the API, and the
receiver gets both events, signed, from the delivery worker."""

from __future__ import annotations

import json

import httpx2 as httpx
from standardwebhooks.webhooks import Webhook as StandardWebhook

from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.schedules.models import Schedule
from slotwise.users.models import User
from tests.conftest import Account, MakeAccount
from tests.webhooks.conftest import StartWorker, eventually
from tests.webhooks.receiver import Receiver

BOOKINGS = {"cal-api-version": "2024-08-13"}
NINE_IN_ROME = "2050-09-05T07:00:00.000Z"  # a Monday, 09:00 in Rome


async def _bookable(db: Database, account: Account) -> int:
    """Mon-Fri 09:00-17:00 Rome working hours and a 60-minute event type; returns its id."""
    async with db.session() as session:
        schedule = Schedule(
            user_id=account.user.id,
            name="Working hours",
            time_zone="Europe/Rome",
            availability=[{"days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00"}],
            overrides=[],
        )
        session.add(schedule)
        await session.flush()
        user = await session.get(User, account.user.id)
        assert user is not None
        user.default_schedule_id = schedule.id
        event_type = EventType(
            owner_id=account.user.id,
            title="Intro",
            slug="intro",
            length=60,
            locations=[{"type": "integration", "integration": "cal-video"}],
            booking_fields=[],
            settings={},
            event_metadata={},
        )
        session.add(event_type)
        await session.commit()
        return event_type.id


async def test_a_booking_made_and_cancelled_over_the_api_reaches_the_subscriber(
    client: httpx.AsyncClient,
    db: Database,
    make_account: MakeAccount,
    receiver: Receiver,
    worker_factory: StartWorker,
) -> None:
    alice = await make_account(time_zone="Europe/Rome")
    event_type_id = await _bookable(db, alice)
    hook = await client.post(
        f"/v2/event-types/{event_type_id}/webhooks",
        headers=alice.headers,
        json={"subscriberUrl": receiver.url, "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"], "active": True},
    )
    assert hook.status_code == 201, hook.text
    signing_secret = hook.json()["data"]["signingSecret"]
    await worker_factory()

    booked = await client.post(
        "/v2/bookings",
        headers=BOOKINGS,
        json={
            "start": NINE_IN_ROME,
            "eventTypeId": event_type_id,
            "attendee": {"name": "Jo Doe", "email": "jo@example.com", "timeZone": "Asia/Kolkata"},
        },
    )
    assert booked.status_code == 201, booked.text
    uid = booked.json()["data"]["uid"]
    cancelled = await client.post(f"/v2/bookings/{uid}/cancel", headers=BOOKINGS, json={"cancellationReason": "clash"})
    assert cancelled.status_code == 200, cancelled.text

    async def both() -> bool:
        return len(receiver.requests) >= 2

    await eventually(both, what="BOOKING_CREATED and BOOKING_CANCELLED")

    events = {}
    for request in receiver.requests:
        event = StandardWebhook(signing_secret).verify(request.body, request.headers)
        events[event["triggerEvent"]] = event["payload"]
    assert set(events) == {"BOOKING_CREATED", "BOOKING_CANCELLED"}
    assert events["BOOKING_CREATED"]["uid"] == uid and events["BOOKING_CREATED"]["startTime"] == "2050-09-05T07:00:00Z"
    assert events["BOOKING_CANCELLED"]["status"] == "CANCELLED"
    assert events["BOOKING_CANCELLED"]["cancellationReason"] == "clash"
    assert json.loads(receiver.requests[0].body)["payload"]["eventTypeId"] == event_type_id
