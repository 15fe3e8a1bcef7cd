"""The client against a live Slotwise process over real HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotwise.client import (
    AsyncClient,
    Attendee,
    AuthenticationError,
    Availability,
    BadRequestError,
    CalApiError,
    Client,
    NotFoundError,
    Override,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from tests.client.live import LiveAccount, next_monday, unique

BERLIN = ZoneInfo("Europe/Berlin")


def _event_type(client: Client, minutes: int = 30) -> int:
    return client.create_event_type(title="Intro", slug=unique("intro-"), length_in_minutes=minutes).id


def test_me_and_event_types_round_trip(account: LiveAccount) -> None:
    with Client(account.key, base_url=account.base_url) as client:
        me = client.me()
        created = client.create_event_type(
            title="Deep dive", slug=unique("deep-"), length_in_minutes=60, description="Bring questions"
        )
        mine = client.my_event_types()
        updated = client.update_event_type(created.id, lengthInMinutes=45, hidden=True)
        fetched = client.get_event_type(created.id)
        deleted = client.delete_event_type(created.id)
        with pytest.raises(NotFoundError) as gone:
            client.get_event_type(created.id)

    assert me.username == account.username and me.time_zone == "Europe/Berlin"
    assert created.length_in_minutes == 60 and created.description == "Bring questions"
    assert created.id in {e.id for e in mine}
    assert updated.length_in_minutes == 45 and fetched.hidden is True
    assert deleted.id == created.id
    assert gone.value.status_code == 404 and gone.value.request_id


def test_schedules_round_trip(account: LiveAccount) -> None:
    with Client(account.key, base_url=account.base_url) as client:
        default = client.get_default_schedule()
        created = client.create_schedule(
            name="Evenings",
            time_zone="Asia/Kathmandu",
            availability=[Availability(days=["Tuesday", "Thursday"], start_time="18:00", end_time="21:00")],
            overrides=[Override(date="2026-12-24", start_time="10:00", end_time="12:00")],
        )
        changed = client.update_schedule(created.id, name="Late evenings", overrides=[])
        listed = client.list_schedules()
        client.delete_schedule(created.id)
        remaining = client.list_schedules()

    assert default is not None and default.is_default
    assert created.time_zone == "Asia/Kathmandu" and created.availability[0].days == ["Tuesday", "Thursday"]
    assert created.overrides[0].date == "2026-12-24"
    assert changed.name == "Late evenings" and changed.overrides == []
    assert {s.id for s in listed} == {default.id, created.id}
    assert [s.id for s in remaining] == [default.id]


def test_slots_are_grouped_by_local_day_and_a_reservation_hides_its_slot(account: LiveAccount) -> None:
    monday = next_monday()
    with Client(account.key, base_url=account.base_url) as client:
        event_type_id = _event_type(client)
        found = client.get_slots(
            event_type_id=event_type_id, start=monday, end=monday, time_zone="Europe/Berlin", format="range"
        )
        first = found.first()
        assert first is not None
        held = client.reserve_slot(event_type_id=event_type_id, slot_start=first.start)
        again = client.get_reservation(held.reservation_uid)
        while_held = client.get_slots(event_type_id=event_type_id, start=monday, end=monday)
        client.delete_reservation(held.reservation_uid)
        released = client.get_reservation(held.reservation_uid)

    assert list(found.days) == [monday.isoformat()]
    local_starts = [slot.start.astimezone(BERLIN).strftime("%H:%M") for slot in found]
    assert local_starts[0] == "09:00" and local_starts[-1] == "16:30" and len(found) == 16
    assert first.end is not None and first.end - first.start == timedelta(minutes=30)
    assert held.slot_start == first.start and again is not None and again.reservation_uid == held.reservation_uid
    assert first.start not in {slot.start for slot in while_held}
    assert released is None


def test_a_repeated_idempotency_key_replays_the_first_answer(account: LiveAccount) -> None:
    monday = next_monday()
    start = datetime.combine(monday, datetime.min.time(), BERLIN).replace(hour=11)
    key = unique("hold-")
    with Client(account.key, base_url=account.base_url) as client:
        event_type_id = _event_type(client)
        first = client.reserve_slot(event_type_id=event_type_id, slot_start=start, idempotency_key=key)
        replayed = client.reserve_slot(event_type_id=event_type_id, slot_start=start, idempotency_key=key)
        with pytest.raises(UnprocessableEntityError, match="reserved"):
            client.reserve_slot(event_type_id=event_type_id, slot_start=start)

    assert replayed.reservation_uid == first.reservation_uid


async def test_bookings_flow_with_the_async_client(account: LiveAccount) -> None:
    monday = next_monday()
    async with AsyncClient(account.key, base_url=account.base_url) as client:
        created_type = await client.create_event_type(title="Call", slug=unique("call-"), length_in_minutes=30)
        slots = await client.get_slots(event_type_id=created_type.id, start=monday, end=monday)
        first, second = list(slots)[:2]
        booking = await client.create_booking(
            start=first.start,
            event_type_id=created_type.id,
            attendee=Attendee(name="Bob", email="bob@example.com", time_zone="Europe/London"),
            metadata={"source": "client-test"},
        )
        fetched = await client.get_booking(booking.uid)
        listed = [b.uid async for b in client.iter_bookings(status="upcoming", page_size=1)]
        moved = await client.reschedule_booking(booking.uid, start=second.start, reason="clash")
        old = await client.get_booking(booking.uid)
        cancelled = await client.cancel_booking(moved.uid, reason="no longer needed")
        after = await client.get_slots(event_type_id=created_type.id, start=monday, end=monday)

    assert booking.status == "accepted" and booking.start == first.start.astimezone(UTC)
    assert booking.end - booking.start == timedelta(minutes=30)
    assert fetched.uid == booking.uid and fetched.attendees[0].email == "bob@example.com"
    assert fetched.metadata == {"source": "client-test"}
    assert listed == [booking.uid]
    assert moved.uid != booking.uid and moved.start == second.start.astimezone(UTC)
    assert moved.rescheduled_from_uid == booking.uid
    assert old.status == "cancelled" and old.rescheduled_to_uid == moved.uid
    assert cancelled.status == "cancelled" and cancelled.cancellation_reason == "no longer needed"
    assert first.start in {slot.start for slot in after} and second.start in {slot.start for slot in after}


def test_booking_a_taken_slot_is_refused_and_says_why(account: LiveAccount) -> None:
    monday = next_monday()
    with Client(account.key, base_url=account.base_url) as client:
        event_type_id = _event_type(client)
        start = client.get_slots(event_type_id=event_type_id, start=monday, end=monday).first()
        assert start is not None
        attendee = Attendee(name="Bob", email="bob@example.com", time_zone="Europe/London")
        client.create_booking(start=start.start, event_type_id=event_type_id, attendee=attendee)
        with pytest.raises(CalApiError) as taken:
            client.create_booking(start=start.start, event_type_id=event_type_id, attendee=attendee)

    assert taken.value.status_code in (400, 409) and taken.value.request_id
    assert "book" in taken.value.message.lower() or "available" in taken.value.message.lower()


def test_webhooks_round_trip_with_the_delivery_log(account: LiveAccount) -> None:
    with Client(account.key, base_url=account.base_url) as client:
        hook = client.create_webhook(
            subscriber_url="http://127.0.0.1:9/hook", triggers=["BOOKING_CREATED", "BOOKING_CANCELLED"], secret="s3"
        )
        paused = client.update_webhook(hook.id, active=False)
        listed = client.list_webhooks()
        deliveries = client.list_webhook_deliveries(hook.id)
        deleted = client.delete_webhook(hook.id)
        with pytest.raises(NotFoundError):
            client.get_webhook(hook.id)

    assert hook.triggers == ["BOOKING_CREATED", "BOOKING_CANCELLED"] and hook.active and hook.secret == "s3"
    assert paused.active is False
    assert [w.id for w in listed] == [hook.id]
    assert deliveries == []
    assert deleted.id == hook.id


def test_bad_keys_and_other_tenants_data_are_errors(account: LiveAccount, live_other: LiveAccount) -> None:
    with Client(account.key, base_url=account.base_url) as client:
        event_type_id = _event_type(client)
    with (
        Client(live_other.key, base_url=account.base_url) as other,
        pytest.raises((NotFoundError, PermissionDeniedError)),
    ):
        other.get_event_type(event_type_id)
    with Client("cal_not_a_key", base_url=account.base_url) as stranger, pytest.raises(AuthenticationError) as bad:
        stranger.me()

    assert bad.value.status_code == 401 and bad.value.request_id


def test_confirm_decline_and_mark_absent(account: LiveAccount) -> None:
    monday = next_monday()
    attendee = Attendee(name="Bob", email="bob@example.com", time_zone="Europe/London")
    with Client(account.key, base_url=account.base_url) as client:
        gated = client.create_event_type(
            title="Vetted",
            slug=unique("vetted-"),
            length_in_minutes=30,
            confirmationPolicy={"type": "always", "blockUnconfirmedBookingsInBooker": True},
        )
        one, two = list(client.get_slots(event_type_id=gated.id, start=monday, end=monday))[:2]
        first = client.create_booking(start=one.start, event_type_id=gated.id, attendee=attendee)
        second = client.create_booking(start=two.start, event_type_id=gated.id, attendee=attendee)
        confirmed = client.confirm_booking(first.uid)
        declined = client.decline_booking(second.uid, reason="fully booked")
        with pytest.raises(BadRequestError) as too_early:
            client.mark_absent(confirmed.uid, host=True)

    assert first.status == "pending" and second.status == "pending"
    assert confirmed.status == "accepted" and declined.status == "rejected"
    assert "start" in too_early.value.message.lower()
