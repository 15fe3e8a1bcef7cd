from __future__ import annotations

import asyncio
from typing import Any

import httpx2 as httpx
import pytest

from slotwise.db import Database
from slotwise.event_types import service
from tests.conftest import MakeAccount
from tests.event_types.helpers import create, current, make_schedule
from tests.support.contract import assert_contract, assert_error

EVERY_FIELD: dict[str, Any] = {
    "title": "Learn the secrets of masterchief!",
    "slug": "learn-the-secrets-of-masterchief",
    "description": "Discover the culinary wonders of Argentina by making the best flan ever!",
    "lengthInMinutes": 60,
    "lengthInMinutesOptions": [30, 60, 90],
    "locations": [{"type": "address", "address": "123 Example St, City", "public": True}],
    "bookingFields": [
        {"type": "email", "label": "Work email", "required": True, "hidden": False, "placeholder": "you@work.com"},
        {
            "type": "select",
            "slug": "skill",
            "label": "Your cooking skill",
            "required": True,
            "placeholder": "Pick one",
            "options": ["beginner", "expert"],
            "hidden": False,
        },
        {"type": "boolean", "slug": "vegan", "label": "Vegan?", "required": False, "hidden": False},
        {"slug": "notes", "required": True, "hidden": False, "label": "Anything else?"},
    ],
    "disableGuests": True,
    "slotInterval": 15,
    "minimumBookingNotice": 45,
    "beforeEventBuffer": 10,
    "afterEventBuffer": 5,
    "offsetStart": 5,
    "bookingLimitsCount": {"day": 2, "week": 5},
    "bookingLimitsDuration": {"day": 120, "month": 600},
    "onlyShowFirstAvailableSlot": True,
    "bookingWindow": {"type": "businessDays", "value": 30, "rolling": True},
    "bookerLayouts": {"defaultLayout": "week", "enabledLayouts": ["month", "week"]},
    "confirmationPolicy": {
        "type": "time",
        "noticeThreshold": {"unit": "hours", "count": 12},
        "blockUnconfirmedBookingsInBooker": True,
    },
    "recurrence": {"frequency": "weekly", "interval": 2, "occurrences": 6},
    "requiresBookerEmailVerification": True,
    "hideCalendarNotes": True,
    "lockTimeZoneToggleOnBookingPage": True,
    "color": {"lightThemeHex": "#292929", "darkThemeHex": "#fafafa"},
    "customName": "{Event type title} between {Organiser} and {Scheduler}",
    "destinationCalendar": {"integration": "apple_calendar", "externalId": "https://caldav.example.com/cal/1/"},
    "useDestinationCalendarEmail": True,
    "hideCalendarEventDetails": True,
    "successRedirectUrl": "https://masterchief.com/argentina/flan/video/9129412",
    "hideOrganizerEmail": True,
    "calVideoSettings": {"disableRecordingForGuests": True, "redirectUrlOnExit": "https://example.com/bye"},
    "hidden": True,
    "bookingRequiresAuthentication": True,
}
ECHOED = [key for key in EVERY_FIELD if key != "bookingFields"]


async def test_every_field_sent_comes_back_equal(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account("alice")
    schedule_id = await make_schedule(db, alice.user.id)
    body = {**EVERY_FIELD, "scheduleId": schedule_id}

    created = await client.post("/v2/event-types", headers=current(alice), json=body)

    assert created.status_code == 201, created.text
    assert_contract(created)
    data = created.json()["data"]
    assert {key: data[key] for key in [*ECHOED, "scheduleId"]} == {key: body[key] for key in [*ECHOED, "scheduleId"]}
    assert data["ownerId"] == alice.user.id and data["users"][0]["username"] == "alice"
    fetched = await client.get(f"/v2/event-types/{data['id']}", headers=current(alice))
    assert fetched.status_code == 200
    assert_contract(fetched)
    assert fetched.json()["data"] == data
    fields = data["bookingFields"]  # the default questions around the custom ones
    assert [(f["slug"], f["isDefault"]) for f in fields] == [
        ("name", True),
        ("email", True),
        ("location", True),
        ("skill", False),
        ("vegan", False),
        ("title", True),
        ("notes", True),
        ("guests", True),
        ("rescheduleReason", True),
    ]
    by_slug = {f["slug"]: f for f in fields}
    assert by_slug["email"]["label"] == "Work email" and by_slug["email"]["placeholder"] == "you@work.com"
    assert by_slug["email"]["required"] is True and by_slug["email"]["hidden"] is False
    assert by_slug["notes"]["required"] is True and by_slug["notes"]["label"] == "Anything else?"
    sent_skill = EVERY_FIELD["bookingFields"][1]
    assert by_slug["skill"] == {**sent_skill, "isDefault": False}


async def test_a_minimal_event_type_gets_cal_com_defaults(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")

    response = await client.post(
        "/v2/event-types", headers=current(alice), json={"title": "Quick chat", "slug": "quick", "lengthInMinutes": 15}
    )

    assert response.status_code == 201
    assert_contract(response)
    data = response.json()["data"]
    assert (data["minimumBookingNotice"], data["beforeEventBuffer"], data["afterEventBuffer"]) == (120, 0, 0)
    assert data["slotInterval"] is None and data["recurrence"] is None and data["scheduleId"] is None
    assert data["seats"] == {"disabled": True} and data["confirmationPolicy"] == {"disabled": True}
    assert data["bookingWindow"] == {"disabled": True} and data["bookingLimitsCount"] == {"disabled": True}
    assert data["locations"] == [{"type": "integration", "integration": "cal-video"}]
    assert data["description"] == "" and data["hidden"] is False
    assert "lengthInMinutesOptions" not in data and "color" not in data
    assert [f["slug"] for f in data["bookingFields"]] == [
        "name",
        "email",
        "location",
        "title",
        "notes",
        "guests",
        "rescheduleReason",
    ]


async def test_seats_and_the_other_object_settings_round_trip(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    body = {
        "seats": {"seatsPerTimeSlot": 8, "showAttendeeInfo": True, "showAvailabilityCount": False},
        "bookingWindow": {"type": "range", "value": ["2030-09-05", "2030-09-30"]},
        "bookingLimitsCount": {"disabled": True},
        "confirmationPolicy": {"disabled": True},
        "recurrence": {"disabled": True},
        "locations": [
            {"type": "link", "link": "https://meet.example.com/flan", "public": False},
        ],
    }

    data = await create(client, alice, **body)

    assert data["seats"] == body["seats"]
    assert data["bookingWindow"] == body["bookingWindow"]
    assert data["bookingLimitsCount"] == {"disabled": True} and data["confirmationPolicy"] == {"disabled": True}
    assert data["recurrence"] is None
    assert data["locations"] == body["locations"]


async def test_a_duplicate_slug_is_a_409_naming_it(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")
    await create(client, alice, slug="30min")

    duplicate = await client.post(
        "/v2/event-types", headers=current(alice), json={"title": "Again", "slug": "30min", "lengthInMinutes": 30}
    )
    bobs = await client.post(
        "/v2/event-types", headers=current(bob), json={"title": "Bob's", "slug": "30min", "lengthInMinutes": 30}
    )

    assert_error(duplicate, 409, "30min", "already")
    assert_contract(duplicate)
    assert bobs.status_code == 201, "slugs are unique per user, not globally"
    mine = (await client.get("/v2/event-types", headers=current(alice))).json()["data"]
    assert [e["title"] for e in mine] == ["Intro call"]


async def test_a_slug_taken_by_a_concurrent_request_is_still_a_clear_409(
    client: httpx.AsyncClient, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await make_account("alice")
    await create(client, alice, slug="30min")

    async def never_taken(*_args: object, **_kwargs: object) -> bool:
        return False  # as if the other request inserted between our check and our insert

    monkeypatch.setattr(service, "_slug_taken", never_taken)
    response = await client.post(
        "/v2/event-types", headers=current(alice), json={"title": "Race", "slug": "30min", "lengthInMinutes": 30}
    )

    assert_error(response, 409, "30min", "already")


async def test_simultaneous_creates_with_one_slug_make_one_event_type(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    body = {"title": "Race", "slug": "race", "lengthInMinutes": 30}

    responses = await asyncio.gather(
        *(client.post("/v2/event-types", headers=current(alice), json=body) for _ in range(4))
    )

    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    listed = (await client.get("/v2/event-types", headers=current(alice))).json()["data"]
    assert [e["slug"] for e in listed] == ["race"]


async def test_schedule_id_must_be_one_of_the_callers_schedules(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")
    bobs_schedule = await make_schedule(db, bob.user.id)
    own_schedule = await make_schedule(db, alice.user.id)
    body = {"title": "x", "slug": "x", "lengthInMinutes": 30}

    someone_elses = await client.post(
        "/v2/event-types", headers=current(alice), json={**body, "scheduleId": bobs_schedule}
    )
    unknown = await client.post("/v2/event-types", headers=current(alice), json={**body, "scheduleId": 999_999})
    own = await client.post("/v2/event-types", headers=current(alice), json={**body, "scheduleId": own_schedule})

    assert_error(someone_elses, 404, "scheduleId", str(bobs_schedule))
    assert_error(unknown, 404, "scheduleId", "999999")
    assert own.status_code == 201 and own.json()["data"]["scheduleId"] == own_schedule


async def test_sloppy_but_clear_input_is_accepted(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")

    data = await create(
        client,
        alice,
        lengthInMinutes=30.0,
        lengthInMinutesOptions=["15", 30.0],
        slotInterval="15.0",
        somethingNew=True,
        seats={"seatsPerTimeSlot": 2, "extra": 1},
    )

    assert (data["lengthInMinutes"], data["lengthInMinutesOptions"], data["slotInterval"]) == (30, [15, 30], 15)
    assert "somethingNew" not in data, "unknown fields are ignored, as Cal.com strips them"
    assert data["seats"] == {"seatsPerTimeSlot": 2, "showAttendeeInfo": False, "showAvailabilityCount": True}
