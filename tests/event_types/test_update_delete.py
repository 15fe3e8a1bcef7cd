from __future__ import annotations

import httpx2 as httpx

from slotwise.db import Database
from tests.conftest import MakeAccount
from tests.event_types.helpers import CURRENT, create, current, make_schedule
from tests.support.contract import assert_contract, assert_error


async def test_patch_changes_only_what_is_sent(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account("alice")
    schedule_id = await make_schedule(db, alice.user.id)
    created = await create(
        client,
        alice,
        description="Before",
        beforeEventBuffer=10,
        bookingLimitsCount={"day": 2},
        color={"lightThemeHex": "#111111", "darkThemeHex": "#eeeeee"},
    )

    response = await client.patch(
        f"/v2/event-types/{created['id']}",
        headers=current(alice),
        json={"title": "Renamed", "lengthInMinutes": 45, "scheduleId": schedule_id, "hidden": True},
    )

    assert response.status_code == 200
    assert_contract(response)
    data = response.json()["data"]
    assert (data["title"], data["lengthInMinutes"], data["scheduleId"], data["hidden"]) == (
        "Renamed",
        45,
        schedule_id,
        True,
    )
    unchanged = ["slug", "description", "beforeEventBuffer", "bookingLimitsCount", "color", "bookingFields"]
    assert {key: data[key] for key in unchanged} == {key: created[key] for key in unchanged}
    fetched = (await client.get(f"/v2/event-types/{created['id']}", headers=current(alice))).json()["data"]
    assert fetched == data
    empty = await client.patch(
        f"/v2/event-types/{created['id']}", headers={**current(alice), "Content-Type": "application/json"}
    )
    assert empty.status_code == 200 and empty.json()["data"] == data, "an empty PATCH changes nothing"


async def test_patch_turns_settings_off_with_disabled_or_null(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    created = await create(
        client,
        alice,
        seats={"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True},
        bookingWindow={"type": "calendarDays", "value": 14},
        recurrence={"frequency": "monthly", "interval": 1, "occurrences": 3},
        slotInterval=10,
        customName="Flan with {Scheduler}",
    )

    response = await client.patch(
        f"/v2/event-types/{created['id']}",
        headers=current(alice),
        json={
            "seats": {"disabled": True},
            "bookingWindow": {"disabled": True},
            "recurrence": None,
            "slotInterval": None,
            "customName": None,
        },
    )

    data = response.json()["data"]
    assert data["seats"] == {"disabled": True} and data["bookingWindow"] == {"disabled": True}
    assert data["recurrence"] is None and data["slotInterval"] is None and "customName" not in data


async def test_patch_checks_rules_against_the_stored_event_type(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    created = await create(
        client,
        alice,
        lengthInMinutes=30,
        lengthInMinutesOptions=[15, 30],
        locations=[
            {"type": "integration", "integration": "cal-video"},
            {"type": "phone", "phone": "+15555550123", "public": False},
        ],
    )
    url = f"/v2/event-types/{created['id']}"

    seats = await client.patch(url, headers=current(alice), json={"seats": {"seatsPerTimeSlot": 4}})
    length = await client.patch(url, headers=current(alice), json={"lengthInMinutes": 60})

    assert_error(seats, 400, "Seats", "location")
    assert_error(length, 400, "lengthInMinutes", "15, 30")
    after = (await client.get(url, headers=current(alice))).json()["data"]
    assert after == created, "a refused change leaves the event type as it was"


async def test_patch_to_a_slug_in_use_is_a_409(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    await create(client, alice, slug="taken")
    other = await create(client, alice, slug="other")

    response = await client.patch(f"/v2/event-types/{other['id']}", headers=current(alice), json={"slug": "taken"})
    own_slug = await client.patch(f"/v2/event-types/{other['id']}", headers=current(alice), json={"slug": "other"})

    assert_error(response, 409, "taken")
    assert own_slug.status_code == 200, "keeping one's own slug is not a conflict"


async def test_others_and_unknown_event_types(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    mallory = await make_account("mallory")
    created = await create(client, alice)
    url = f"/v2/event-types/{created['id']}"

    read = await client.get(url, headers=current(mallory))
    patch = await client.patch(url, headers=current(mallory), json={"title": "Mine now"})
    delete = await client.delete(url, headers=current(mallory))
    anonymous = await client.get(url)

    assert_error(read, 404, "Event Type not found")
    assert_error(patch, 403, str(created["id"]))
    assert_error(delete, 403, str(created["id"]))
    assert_error(anonymous, 401)
    assert "Intro call" not in read.text + patch.text + delete.text
    still = (await client.get(url, headers=current(alice))).json()["data"]
    assert still["title"] == "Intro call"
    for response in (
        await client.get("/v2/event-types/424242", headers=current(alice)),
        await client.patch("/v2/event-types/424242", headers=current(alice), json={"title": "x"}),
        await client.delete("/v2/event-types/424242", headers=current(alice)),
    ):
        assert_error(response, 404, "Event Type not found")
    no_key = await client.post(
        "/v2/event-types", headers=CURRENT, json={"title": "x", "slug": "x", "lengthInMinutes": 5}
    )
    assert_error(no_key, 401, "API key")


async def test_delete_answers_what_was_deleted(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    created = await create(client, alice, slug="bye", lengthInMinutes=45)

    response = await client.delete(
        f"/v2/event-types/{created['id']}", headers={**current(alice), "Content-Type": "application/json"}
    )

    assert response.status_code == 200
    assert_contract(response)
    assert response.json()["data"] == {"id": created["id"], "lengthInMinutes": 45, "title": "Intro call", "slug": "bye"}
    gone = await client.get(f"/v2/event-types/{created['id']}", headers=current(alice))
    assert_error(gone, 404)
    again = await create(client, alice, slug="bye")
    assert again["id"] != created["id"], "the slug is free again, and ids are never reused"
