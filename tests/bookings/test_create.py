"""POST /v2/bookings: the 2024-08-13 body, the seed bodies without a header, and every reason a
start can't be booked."""

from __future__ import annotations

import re

import httpx2 as httpx

from tests.bookings.conftest import ELEVEN, NINE, TEN, AddEventType, Host, V, attendee, book
from tests.support.contract import assert_contract, assert_error


async def test_create_by_event_type_id_answers_the_spec_shape(client: httpx.AsyncClient, host: Host) -> None:
    response = await book(
        client,
        host.event_type_id,
        attendee={**attendee(), "language": "it", "phoneNumber": "+39 06 1234 5678"},
        guests=["bob@example.com"],
        metadata={"userId": "100"},
    )

    assert_contract(response)
    data = response.json()["data"]
    assert data["status"] == "accepted"
    assert (data["start"], data["end"], data["duration"]) == (NINE, TEN, 60)
    assert data["eventTypeId"] == host.event_type_id and data["eventType"] == {
        "id": host.event_type_id,
        "slug": "sixty",
    }
    assert data["hosts"] == [
        {
            "id": host.user.id,
            "name": "Alice",
            "email": "alice@example.com",
            "username": "alice",
            "timeZone": "Europe/Rome",
        }
    ]
    assert data["attendees"] == [
        {
            "name": "John Doe",
            "email": "john@example.com",
            "timeZone": "America/New_York",
            "language": "it",
            "absent": False,
            "phoneNumber": "+390612345678",
        }
    ]
    assert data["guests"] == ["bob@example.com"] and data["metadata"] == {"userId": "100"}
    assert data["title"] == "Sixty between Alice and John Doe"
    responses = data["bookingFieldsResponses"]
    assert responses["name"] == "John Doe" and responses["email"] == "john@example.com"
    assert responses["guests"] == ["bob@example.com"]
    assert data["location"] == "integrations:daily" and data["absentHost"] is False
    assert re.fullmatch(r"[1-9a-km-zA-HJ-NP-Z]{22}", data["uid"])  # base58 of 128 random bits
    assert data["createdAt"].endswith("Z") and data["icsUid"]

    again = await client.get(f"/v2/bookings/{data['uid']}", headers=V)
    assert_contract(again)
    assert again.json()["data"] == data


async def test_create_by_slug_and_username(client: httpx.AsyncClient, host: Host) -> None:
    response = await client.post(
        "/v2/bookings",
        headers=V,
        json={"start": NINE, "eventTypeSlug": "sixty", "username": "alice", "attendee": attendee()},
    )

    assert response.status_code == 201, response.text
    assert response.json()["data"]["eventTypeId"] == host.event_type_id


async def test_create_says_how_to_name_the_event_type(client: httpx.AsyncClient, host: Host) -> None:
    missing = await client.post("/v2/bookings", headers=V, json={"start": NINE, "attendee": attendee()})
    assert_error(missing, 400, "eventTypeId", "eventTypeSlug")

    unknown = await client.post(
        "/v2/bookings",
        headers=V,
        json={"start": NINE, "eventTypeSlug": "nope", "username": "alice", "attendee": attendee()},
    )
    assert_error(unknown, 404, "nope")
    no_user = await client.post(
        "/v2/bookings", headers=V, json={"start": NINE, "eventTypeSlug": "sixty", "attendee": attendee()}
    )
    assert_error(no_user, 400, "username")


async def test_the_seed_skill_body_works_without_a_header(client: httpx.AsyncClient, host: Host) -> None:
    body = {
        "start": "2050-09-05T10:00:00Z",
        "eventTypeId": host.event_type_id,
        "attendee": {"name": "John Doe", "email": "john@example.com", "timeZone": "America/New_York"},
        "meetingUrl": "https://cal.com/team/meeting",
        "metadata": {},
    }

    response = await client.post("/v2/bookings", json=body)

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    # the 2024-08-13 keys the skill reads, and the legacy keys header-less clients read
    assert (data["start"], data["end"], data["status"]) == (
        "2050-09-05T10:00:00.000Z",
        "2050-09-05T11:00:00.000Z",
        "accepted",
    )
    assert (data["startTime"], data["endTime"]) == (data["start"], data["end"])
    assert data["id"] and data["uid"] and data["userId"] == host.user.id
    assert data["location"] == "https://cal.com/team/meeting" and data["meetingUrl"] == "https://cal.com/team/meeting"


async def test_the_proxy_skill_legacy_body_works_without_a_header(client: httpx.AsyncClient, host: Host) -> None:
    body = {
        "eventTypeId": host.event_type_id,
        "start": "2050-09-05T12:00:00Z",
        "timeZone": "America/New_York",
        "language": "en",
        "responses": {"name": "Guest Name", "email": "guest@example.com"},
        "metadata": {},
    }

    response = await client.post("/v2/bookings", json=body)

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "ACCEPTED"  # what the proxy skill's callers read
    assert (data["startTime"], data["endTime"]) == ("2050-09-05T12:00:00.000Z", "2050-09-05T13:00:00.000Z")
    assert data["title"] == "Sixty between Alice and Guest Name" and data["location"] == "integrations:daily"
    assert (
        data["attendees"][0]["email"] == "guest@example.com" and data["attendees"][0]["timeZone"] == "America/New_York"
    )
    assert data["responses"]["name"] == "Guest Name" and data["start"] == data["startTime"]


async def test_the_legacy_body_with_a_current_header_is_told_what_to_send(
    client: httpx.AsyncClient, host: Host
) -> None:
    body = {
        "eventTypeId": host.event_type_id,
        "start": NINE,
        "timeZone": "UTC",
        "responses": {"name": "G", "email": "g@example.com"},
    }

    response = await client.post("/v2/bookings", json=body, headers=V)

    assert_error(response, 400, "attendee", "no cal-api-version")


async def test_legacy_end_must_match_a_length(client: httpx.AsyncClient, host: Host) -> None:
    body = {
        "eventTypeId": host.event_type_id,
        "start": NINE,
        "end": "2050-09-05T07:45:00Z",
        "timeZone": "UTC",
        "responses": {"name": "G", "email": "g@example.com"},
    }

    assert_error(await client.post("/v2/bookings", json=body), 400, "end - start 45", "60")


async def test_invalid_fields_are_named(client: httpx.AsyncClient, host: Host) -> None:
    response = await client.post(
        "/v2/bookings",
        headers=V,
        json={
            "start": "tomorrow",
            "eventTypeId": host.event_type_id,
            "attendee": {"name": " ", "email": "not-an-email", "timeZone": "Mars/Base", "language": "xx"},
        },
    )

    body = assert_error(
        response, 400, "start", "attendee.name", "attendee.email", "attendee.timeZone", "attendee.language"
    )
    assert {e["property"] for e in body["error"]["details"]["errors"]} >= {"start", "attendee.timeZone"}


async def test_attendee_needs_an_email_or_a_phone(client: httpx.AsyncClient, host: Host) -> None:
    response = await book(client, host.event_type_id, attendee={"name": "A", "timeZone": "UTC"}, expect=None)
    assert_error(response, 400, "attendee.email")

    by_phone = await book(
        client, host.event_type_id, attendee={"name": "A", "timeZone": "UTC", "phoneNumber": "+15555550123"}
    )
    assert by_phone.json()["data"]["attendees"][0]["phoneNumber"] == "+15555550123"


async def test_huge_numbers_and_empty_bodies_are_400s(client: httpx.AsyncClient, host: Host) -> None:
    huge = await book(client, 10**30, expect=None)
    assert_error(huge, 400, "eventTypeId")
    assert_error(await client.post("/v2/bookings", headers=V), 400, "body")
    assert_error(await client.post("/v2/bookings", headers=V, content=b"[1]"), 400, "JSON object")
    assert_error(await book(client, host.event_type_id, lengthInMinutes=10**12, expect=None), 400, "lengthInMinutes")


async def test_metadata_limits(client: httpx.AsyncClient, host: Host) -> None:
    too_many = await book(client, host.event_type_id, metadata={f"k{i}": "v" for i in range(51)}, expect=None)
    assert_error(too_many, 400, "metadata", "50")
    long_key = await book(client, host.event_type_id, metadata={"k" * 41: "v"}, expect=None)
    assert_error(long_key, 400, "metadata", "40")
    long_value = await book(client, host.event_type_id, metadata={"k": "v" * 501}, expect=None)
    assert_error(long_value, 400, "metadata", "500")


async def test_each_reason_a_start_is_refused(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    await book(client, host.event_type_id, NINE)

    taken = await book(client, host.event_type_id, NINE, expect=None)
    body = assert_error(taken, 409, "already booked", "GET /v2/slots")
    assert body["error"]["details"]["reason"] == "TAKEN"
    overlapping = await book(client, host.event_type_id, "2050-09-05T07:30:00Z", expect=None)
    assert overlapping.status_code in (400, 409)
    outside = await book(client, host.event_type_id, "2050-09-05T16:00:00Z", expect=None)
    assert assert_error(outside, 400, "working hours")["error"]["details"]["reason"] == "OUTSIDE_HOURS"
    off_grid = await book(client, host.event_type_id, "2050-09-05T08:10:00Z", expect=None)
    assert assert_error(off_grid, 400, "not one of the offered")["error"]["details"]["reason"] == "OFF_GRID"
    past = await book(client, host.event_type_id, "2020-09-07T08:00:00Z", expect=None)
    assert assert_error(past, 400, "past")["error"]["details"]["reason"] == "PAST"
    weekend = await book(client, host.event_type_id, "2050-09-10T08:00:00Z", expect=None)
    assert_error(weekend, 400, "working hours")

    soon = await add_event_type(host, "soon", 60, minimum_booking_notice=60 * 24 * 365 * 100)
    too_soon = await book(client, soon, TEN, expect=None)
    assert assert_error(too_soon, 400, "minimum booking notice")["error"]["details"]["reason"] == "TOO_SOON"

    limited = await add_event_type(host, "limited", 60, booking_limits_count={"day": 1})
    await book(client, limited, "2050-09-06T08:00:00Z")
    over = await book(client, limited, "2050-09-06T10:00:00Z", expect=None)
    assert assert_error(over, 400, "limit")["error"]["details"]["reason"] == "OVER_LIMIT"

    window = await add_event_type(
        host, "window", 60, booking_window={"type": "calendarDays", "value": 5, "rolling": False}
    )
    far = await book(client, window, TEN, expect=None)
    assert assert_error(far, 400, "booking window")["error"]["details"]["reason"] == "OUTSIDE_WINDOW"


async def test_buffers_keep_bookings_apart(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType) -> None:
    buffered = await add_event_type(
        host, "buffered", 30, before_event_buffer=15, after_event_buffer=15, slot_interval=30
    )
    await book(client, buffered, TEN)

    right_after = await book(client, host.event_type_id, "2050-09-05T08:30:00Z", expect=None)
    assert right_after.status_code in (400, 409), right_after.text
    await book(client, host.event_type_id, ELEVEN)
    # the other event type's bookings leave room for our buffer too
    assert (await book(client, buffered, "2050-09-05T09:00:00Z", expect=None)).status_code in (400, 409)


async def test_variable_length(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType) -> None:
    variable = await add_event_type(host, "variable", 60, length_options=[15, 30, 60])

    short = await book(client, variable, NINE, lengthInMinutes=30)
    assert (short.json()["data"]["end"], short.json()["data"]["duration"]) == ("2050-09-05T07:30:00.000Z", 30)
    default = await book(client, variable, ELEVEN)
    assert default.json()["data"]["duration"] == 60
    assert_error(
        await book(client, variable, TEN, lengthInMinutes=45, expect=None), 400, "lengthInMinutes", "15, 30, 60"
    )
    assert_error(await book(client, host.event_type_id, TEN, lengthInMinutes=30, expect=None), 400, "lengthInMinutes")


async def test_guests_are_refused_when_the_event_type_disables_them(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    no_guests = await add_event_type(host, "no-guests", 60, disable_guests=True)

    assert_error(await book(client, no_guests, NINE, guests=["x@example.com"], expect=None), 400, "guests")
    assert_error(await book(client, no_guests, NINE, guests=["not an email"], expect=None), 400, "guests")
