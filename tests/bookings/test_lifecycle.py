"""After creation: read, cancel, reschedule, confirm/decline, mark absent; each change announced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select, update

from slotwise.bookings.models import Booking
from slotwise.db import Database
from slotwise.webhooks.models import Webhook, WebhookDelivery
from tests.bookings.conftest import ELEVEN, NINE, TEN, AddEventType, Host, V, book
from tests.support.contract import assert_contract, assert_error

ALL_TRIGGERS = [
    "BOOKING_CREATED",
    "BOOKING_REQUESTED",
    "BOOKING_CONFIRMED",
    "BOOKING_REJECTED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CANCELLED",
    "BOOKING_NO_SHOW_UPDATED",
]


@pytest.fixture
async def announced(db: Database, host: Host) -> Any:
    """Subscribe the host to every booking trigger; returns a reader of the announced triggers."""
    async with db.session() as session:
        session.add(Webhook(user_id=host.user.id, subscriber_url="http://127.0.0.1:9/hook", triggers=ALL_TRIGGERS))
        await session.commit()

    async def triggers(uid: str | None = None) -> list[str]:
        async with db.session() as session:
            query = select(WebhookDelivery.trigger).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
            if uid is not None:
                query = query.where(WebhookDelivery.booking_uid == uid)
            return [t for t in (await session.scalars(query)).all() if t.startswith("BOOKING_")]

    return triggers


async def test_get_unknown_uid_is_404(client: httpx.AsyncClient, host: Host) -> None:
    response = await client.get("/v2/bookings/doesnotexist", headers=V)
    assert_error(response, 404, "doesnotexist")


async def test_cancel_then_cancel_again_is_harmless(client: httpx.AsyncClient, host: Host, announced: Any) -> None:
    uid = (await book(client, host.event_type_id)).json()["data"]["uid"]

    response = await client.post(
        f"/v2/bookings/{uid}/cancel", headers=host.v, json={"cancellationReason": "Schedule conflict"}
    )

    assert response.status_code == 200, response.text
    assert_contract(response)
    data = response.json()["data"]
    assert (data["status"], data["cancellationReason"], data["cancelledByEmail"]) == (
        "cancelled",
        "Schedule conflict",
        "alice@example.com",
    )
    again = await client.post(f"/v2/bookings/{uid}/cancel", headers=V, json={"cancellationReason": "again"})
    assert again.status_code == 200 and again.json()["data"]["cancellationReason"] == "Schedule conflict"
    assert await announced(uid) == ["BOOKING_CREATED", "BOOKING_CANCELLED"]
    # the time is free again
    await book(client, host.event_type_id)


@pytest.mark.parametrize(
    "send",
    [
        {"json": {"cancellationReason": "r"}},
        {"json": {"uid": "ignored", "cancellationReason": "r"}},
        {"content": b"", "headers": {"Content-Type": "application/json"}},
        {"content": b"{}", "headers": {"Content-Type": "application/json"}},
        {},
    ],
    ids=["reason", "uid-and-reason", "empty-json", "empty-object", "no-body"],
)
async def test_cancel_accepts_every_body_clients_send(
    client: httpx.AsyncClient, host: Host, send: dict[str, Any]
) -> None:
    uid = (await book(client, host.event_type_id)).json()["data"]["uid"]

    response = await client.post(f"/v2/bookings/{uid}/cancel", **send)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "CANCELLED"  # header-less: the legacy shape


async def test_reschedule_moves_to_a_new_booking(client: httpx.AsyncClient, host: Host, announced: Any) -> None:
    old = (await book(client, host.event_type_id, NINE, metadata={"k": "v"})).json()["data"]

    response = await client.post(
        f"/v2/bookings/{old['uid']}/reschedule",
        headers=V,
        json={"start": TEN, "reschedulingReason": "Conflict with another meeting", "rescheduledBy": "john@example.com"},
    )

    assert response.status_code == 201, response.text
    assert_contract(response)
    new = response.json()["data"]
    assert new["uid"] != old["uid"] and new["rescheduledFromUid"] == old["uid"]
    assert (new["start"], new["end"], new["status"]) == (TEN, ELEVEN, "accepted")
    assert (
        new["reschedulingReason"] == "Conflict with another meeting" and new["rescheduledByEmail"] == "john@example.com"
    )
    assert new["attendees"] == old["attendees"] and new["metadata"] == {"k": "v"} and new["icsUid"] == old["icsUid"]
    previous = (await client.get(f"/v2/bookings/{old['uid']}", headers=V)).json()["data"]
    assert previous["status"] == "cancelled" and previous["rescheduledToUid"] == new["uid"]
    assert await announced(new["uid"]) == ["BOOKING_RESCHEDULED"]
    # the old time is free again; moving again from the old booking points at the new one
    await book(client, host.event_type_id, NINE)
    again = await client.post(f"/v2/bookings/{old['uid']}/reschedule", headers=V, json={"start": ELEVEN})
    assert_error(again, 400, "already rescheduled", new["uid"])


async def test_reschedule_may_overlap_its_own_old_time(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    half = await add_event_type(host, "half", 60, slot_interval=30)
    uid = (await book(client, half, NINE)).json()["data"]["uid"]

    response = await client.post(f"/v2/bookings/{uid}/reschedule", headers=V, json={"start": "2050-09-05T07:30:00Z"})

    assert response.status_code == 201, response.text


async def test_reschedule_refusals(client: httpx.AsyncClient, host: Host) -> None:
    first = (await book(client, host.event_type_id, NINE)).json()["data"]["uid"]
    await book(client, host.event_type_id, TEN)

    assert_error(await client.post(f"/v2/bookings/{first}/reschedule", headers=V), 400, "start")
    assert_error(await client.post(f"/v2/bookings/{first}/reschedule", headers=V, json={}), 400, "start")
    taken = await client.post(f"/v2/bookings/{first}/reschedule", headers=V, json={"start": TEN})
    assert_error(taken, 409, "already booked")
    assert_error(await client.post("/v2/bookings/nope/reschedule", headers=V, json={"start": TEN}), 404, "nope")
    await client.post(f"/v2/bookings/{first}/cancel", headers=V)
    cancelled = await client.post(f"/v2/bookings/{first}/reschedule", headers=V, json={"start": ELEVEN})
    assert_error(cancelled, 400, "cancelled")


async def test_legacy_create_with_reschedule_uid_moves_the_booking(client: httpx.AsyncClient, host: Host) -> None:
    old = (await book(client, host.event_type_id, NINE)).json()["data"]["uid"]
    body = {
        "eventTypeId": host.event_type_id,
        "start": TEN,
        "timeZone": "Europe/Paris",
        "language": "fr",
        "responses": {"name": "Jean", "email": "jean@example.com"},
        "rescheduleUid": old,
    }

    response = await client.post("/v2/bookings", json=body)

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert (
        data["fromReschedule"] == old
        and data["startTime"] == TEN
        and data["attendees"][0]["email"] == "jean@example.com"
    )
    previous = (await client.get(f"/v2/bookings/{old}")).json()["data"]
    assert previous["status"] == "CANCELLED" and previous["rescheduled"] is True


async def test_confirmation_policy_makes_pending_bookings_that_hold_the_slot(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, announced: Any
) -> None:
    confirm = await add_event_type(host, "confirm", 60, confirmation_policy={"type": "always"})
    pending = (await book(client, confirm, NINE)).json()["data"]
    assert pending["status"] == "pending"
    assert_error(await book(client, host.event_type_id, NINE, expect=None), 409, "already booked")

    response = await client.post(f"/v2/bookings/{pending['uid']}/confirm", headers=host.v)

    assert response.status_code == 200, response.text
    assert_contract(response)
    assert response.json()["data"]["status"] == "accepted"
    assert await announced(pending["uid"]) == ["BOOKING_REQUESTED", "BOOKING_CONFIRMED", "BOOKING_CREATED"]
    twice = await client.post(f"/v2/bookings/{pending['uid']}/confirm", headers=host.v)
    assert twice.status_code == 200 and await announced(pending["uid"]) == [
        "BOOKING_REQUESTED",
        "BOOKING_CONFIRMED",
        "BOOKING_CREATED",
    ]
    assert_error(await client.post(f"/v2/bookings/{pending['uid']}/decline", headers=host.v), 400, "pending", "Cancel")


async def test_decline_frees_the_time(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, announced: Any
) -> None:
    confirm = await add_event_type(host, "confirm", 60, confirmation_policy={"type": "always"})
    uid = (await book(client, confirm, NINE)).json()["data"]["uid"]

    response = await client.post(f"/v2/bookings/{uid}/decline", headers=host.v, json={"reason": "Busy"})

    assert response.status_code == 200, response.text
    assert_contract(response)
    assert response.json()["data"]["status"] == "rejected"
    assert await announced(uid) == ["BOOKING_REQUESTED", "BOOKING_REJECTED"]
    await book(client, host.event_type_id, NINE)
    assert_error(await client.post(f"/v2/bookings/{uid}/confirm", headers=host.v), 400, "rejected")


async def test_a_time_threshold_policy_confirms_far_bookings_at_once(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    policy = {"type": "time", "noticeThreshold": {"unit": "hours", "count": 24}}
    threshold = await add_event_type(host, "threshold", 60, confirmation_policy=policy)

    assert (await book(client, threshold, NINE)).json()["data"]["status"] == "accepted"  # years ahead


async def test_mark_absent_only_after_the_start(
    client: httpx.AsyncClient, host: Host, db: Database, announced: Any
) -> None:
    uid = (await book(client, host.event_type_id)).json()["data"]["uid"]
    body = {"host": True, "attendees": [{"email": "john@example.com", "absent": True}]}
    assert_error(
        await client.post(f"/v2/bookings/{uid}/mark-absent", headers=host.v, json=body), 400, "after", "starts"
    )

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    async with db.session() as session:
        await session.execute(
            update(Booking)
            .where(Booking.uid == uid)
            .values(
                start_time=start,
                end_time=start + timedelta(hours=1),
                block_start=start,
                block_end=start + timedelta(hours=1),
            )
        )
        await session.commit()

    response = await client.post(f"/v2/bookings/{uid}/mark-absent", headers=host.v, json=body)

    assert response.status_code == 200, response.text
    assert_contract(response)
    data = response.json()["data"]
    assert data["absentHost"] is True and data["attendees"][0]["absent"] is True
    assert (await announced(uid))[-1] == "BOOKING_NO_SHOW_UPDATED"
    stranger = {"attendees": [{"email": "who@example.com", "absent": True}]}
    assert_error(
        await client.post(f"/v2/bookings/{uid}/mark-absent", headers=host.v, json=stranger), 400, "who@example.com"
    )
    legacy = await client.post(
        f"/v2/bookings/{uid}/mark-no-show",
        headers=host.headers,
        json={"attendees": [{"email": "john@example.com", "noShow": False}]},
    )
    assert legacy.status_code == 200 and legacy.json()["data"]["attendees"][0]["noShow"] is False


async def test_calendar_links_and_ics(client: httpx.AsyncClient, host: Host) -> None:
    from icalendar import Calendar

    uid = (await book(client, host.event_type_id, NINE, guests=["bob@example.com"])).json()["data"]["uid"]

    links = await client.get(f"/v2/bookings/{uid}/calendar-links", headers=host.v)

    assert links.status_code == 200, links.text
    data = links.json()["data"]
    by_label = {item["label"]: item["link"] for item in data}
    assert set(by_label) == {"googleCalendar", "microsoftOffice", "microsoftOutlook", "yahooCalendar", "ics"}
    assert "dates=20500905T070000Z%2F20500905T080000Z" in by_label["googleCalendar"]
    assert "startdt=2050-09-05T07%3A00%3A00Z" in by_label["microsoftOutlook"]
    assert "st=20500905T070000Z" in by_label["yahooCalendar"]
    assert by_label["ics"].endswith(f"/v2/bookings/{uid}/ics")

    ics = await client.get(f"/v2/bookings/{uid}/ics")  # public by uid, like the booking itself
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert f'filename="{uid}.ics"' in ics.headers["content-disposition"]
    calendar = Calendar.from_ical(ics.content)
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "PUBLISH"
    assert event.decoded("DTSTART") == datetime(2050, 9, 5, 7, tzinfo=UTC)
    assert str(event["DTSTART"].params["TZID"]) == "America/New_York"  # the attendee's zone
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["ORGANIZER"]) == "mailto:alice@example.com"
    assert {str(a) for a in event["ATTENDEE"]} == {"mailto:john@example.com", "mailto:bob@example.com"}
    assert event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0

    moved = (await client.post(f"/v2/bookings/{uid}/reschedule", headers=V, json={"start": TEN})).json()["data"]
    later = Calendar.from_ical((await client.get(f"/v2/bookings/{moved['uid']}/ics")).content)
    (moved_event,) = later.walk("VEVENT")
    assert moved_event["UID"] == event["UID"] and moved_event["SEQUENCE"] == 1  # calendars update, not duplicate
    gone = Calendar.from_ical((await client.get(f"/v2/bookings/{uid}/ics")).content)
    assert gone["METHOD"] == "CANCEL" and gone.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


async def test_calendar_links_of_unknown_booking_is_404(client: httpx.AsyncClient, host: Host) -> None:
    assert_error(await client.get("/v2/bookings/nope/calendar-links", headers=host.v), 404, "nope")
    assert_error(await client.get("/v2/bookings/nope/ics"), 404, "nope")
