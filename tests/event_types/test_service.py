"""What slots and bookings read from an event type: engine rules, lengths, the booking form."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx2 as httpx
import pytest

from slotwise.availability import BookingWindow, EventRules, Period
from slotwise.db import Database
from slotwise.event_types import service
from slotwise.event_types.models import EventType
from slotwise.http.errors import ApiError
from tests.conftest import MakeAccount
from tests.event_types.helpers import create


def _event_type(**columns: Any) -> EventType:
    defaults: dict[str, Any] = {
        "id": 7,
        "owner_id": 1,
        "title": "Intro",
        "slug": "intro",
        "length": 30,
        "length_options": None,
        "slot_interval": None,
        "minimum_booking_notice": 120,
        "before_event_buffer": 0,
        "after_event_buffer": 0,
        "offset_start": 0,
        "booking_limits_count": None,
        "booking_limits_duration": None,
        "booking_window": None,
        "seats_per_time_slot": None,
        "only_show_first_available_slot": False,
        "confirmation_policy": None,
        "booking_fields": [],
        "settings": {},
    }
    return EventType(**{**defaults, **columns})


def test_engine_rules_carry_every_slot_setting() -> None:
    event_type = _event_type(
        length=60,
        length_options=[30, 60, 90],
        slot_interval=15,
        minimum_booking_notice=45,
        before_event_buffer=10,
        after_event_buffer=5,
        offset_start=5,
        booking_limits_count={"day": 2, "week": 5},
        booking_limits_duration={"month": 600},
        booking_window={"type": "businessDays", "value": 10, "rolling": True},
        seats_per_time_slot=4,
        only_show_first_available_slot=True,
    )

    rules = service.to_engine_rules(event_type, 90)

    assert rules == EventRules(
        length=90,
        interval=15,
        minimum_notice=45,
        before_buffer=10,
        after_buffer=5,
        offset_start=5,
        count_limits=Period(day=2, week=5),
        duration_limits=Period(month=600),
        window=BookingWindow(kind="business_days", days=10, rolling=True),
        seats_per_slot=4,
        only_first_slot_per_day=True,
        mode="single",
    )


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (None, BookingWindow()),
        ({"type": "calendarDays", "value": 30}, BookingWindow(kind="calendar_days", days=30)),
        (
            {"type": "range", "value": ["2030-09-05", "2030-09-30"]},
            BookingWindow(kind="range", range_start=date(2030, 9, 5), range_end=date(2030, 9, 30)),
        ),
    ],
)
def test_booking_windows_map_to_the_engine(window: dict[str, Any] | None, expected: BookingWindow) -> None:
    rules = service.to_engine_rules(_event_type(booking_window=window), None)

    assert rules.window == expected and rules.length == 30 and rules.count_limits is None


def test_only_offered_lengths_are_accepted() -> None:
    fixed = _event_type(length=30)
    variable = _event_type(length=60, length_options=[30, 60])

    assert service.allowed_durations(fixed) == [30] and service.allowed_durations(variable) == [30, 60]
    assert service.check_duration(variable, None) == 60 and service.check_duration(variable, 30) == 30
    with pytest.raises(ApiError) as caught:
        service.to_engine_rules(variable, 45)
    assert caught.value.status == 400 and "45" in caught.value.message and "30, 60" in caught.value.message
    with pytest.raises(ApiError) as named:
        service.check_duration(fixed, 60, field="lengthInMinutes")
    assert named.value.message.startswith("lengthInMinutes 60")


def test_confirmation_policy_by_notice() -> None:
    always = _event_type(confirmation_policy={"type": "always", "blockUnconfirmedBookingsInBooker": False})
    by_time = _event_type(confirmation_policy={"type": "time", "noticeThreshold": {"unit": "hours", "count": 24}})

    assert service.requires_confirmation(always, minutes_ahead=10_000) is True
    assert service.requires_confirmation(by_time, minutes_ahead=60) is True
    assert service.requires_confirmation(by_time, minutes_ahead=48 * 60) is False
    assert service.requires_confirmation(_event_type()) is False


async def test_lookups_for_slots_and_bookings(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account("alice")
    created = await create(
        client, alice, slug="intro", bookingFields=[{"type": "text", "slug": "company", "label": "Company"}]
    )

    async with db.session() as session:
        by_id = await service.get_event_type(session, created["id"])
        by_slug = await service.find_by_slug(session, "alice", "intro")
        with pytest.raises(ApiError) as missing_id:
            await service.get_event_type(session, 999_999)
        with pytest.raises(ApiError) as missing_slug:
            await service.find_by_slug(session, "alice", "nope")

    assert by_id.id == by_slug.id == created["id"]
    assert by_id.booking_fields == [
        {"type": "text", "slug": "company", "label": "Company", "required": False, "placeholder": "", "hidden": False}
    ]
    assert [f["slug"] for f in service.booking_form(by_id)] == [f["slug"] for f in created["bookingFields"]]
    assert (missing_id.value.status, missing_id.value.message) == (404, "Event Type not found")
    assert missing_slug.value.status == 404 and "nope" in missing_slug.value.message
