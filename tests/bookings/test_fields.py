"""What a booker answers: booking questions, locations; and who may book, how often, with which key."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from slotwise.app import create_app
from slotwise.config import Settings
from tests.bookings.conftest import NINE, TEN, AddEventType, Host, V, book
from tests.support.contract import assert_contract, assert_error

QUESTIONS: list[dict[str, Any]] = [
    {"type": "text", "slug": "company", "label": "Company", "required": True, "hidden": False, "placeholder": ""},
    {"type": "number", "slug": "size", "label": "Team size", "required": False, "hidden": False, "placeholder": ""},
    {"type": "boolean", "slug": "nda", "label": "NDA?", "required": False, "hidden": False},
    {"type": "select", "slug": "plan", "label": "Plan", "required": False, "hidden": False, "options": ["free", "pro"]},
    {
        "type": "multiselect",
        "slug": "topics",
        "label": "Topics",
        "required": False,
        "hidden": False,
        "options": ["a", "b"],
    },
    {"type": "multiemail", "slug": "cc", "label": "CC", "required": False, "hidden": False, "placeholder": ""},
    {"type": "url", "slug": "site", "label": "Site", "required": False, "hidden": False, "placeholder": ""},
    {"type": "phone", "slug": "mobile", "label": "Mobile", "required": False, "hidden": False, "placeholder": ""},
    {"type": "text", "slug": "secret", "label": "Hidden", "required": True, "hidden": True, "placeholder": ""},
]


async def test_answers_are_checked_against_the_questions(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    form = await add_event_type(host, "form", 60, booking_fields=QUESTIONS)

    missing = await book(client, form, NINE, expect=None)
    assert_error(missing, 400, "bookingFieldsResponses.company", "required")

    wrong = {
        "company": 5,
        "size": "ten",
        "nda": "yes",
        "plan": "gold",
        "topics": ["c"],
        "cc": ["nope"],
        "site": "ftp://x",
        "mobile": "12",
    }
    body = assert_error(await book(client, form, NINE, bookingFieldsResponses=wrong, expect=None), 400)
    named = {item["property"] for item in body["error"]["details"]["errors"]}
    assert named == {f"bookingFieldsResponses.{slug}" for slug in wrong}
    assert "free, pro" in body["error"]["message"]

    good = {
        "company": "Acme",
        "size": 12,
        "nda": True,
        "plan": "pro",
        "topics": ["a", "b"],
        "cc": ["Boss@Example.com"],
        "site": "https://acme.example",
        "mobile": "+1 555 555 0123",
        "unknown": "ignored",
        "notes": "Bring slides",
    }
    response = await book(client, form, NINE, bookingFieldsResponses=good)

    assert_contract(response)
    data = response.json()["data"]
    answers = data["bookingFieldsResponses"]
    assert (
        answers["company"] == "Acme" and answers["cc"] == ["boss@example.com"] and answers["mobile"] == "+15555550123"
    )
    assert "unknown" not in answers and data["description"] == "Bring slides"


@pytest.mark.parametrize(
    ("locations", "sent", "expected"),
    [
        ([{"type": "address", "address": "1 Main St", "public": True}], {"type": "address"}, ("1 Main St", None)),
        (
            [{"type": "link", "link": "https://meet.example/x", "public": True}],
            {"type": "link"},
            ("https://meet.example/x",) * 2,
        ),
        ([{"type": "phone", "phone": "+15555550100", "public": True}], {"type": "phone"}, ("+15555550100", None)),
        ([{"type": "attendeeAddress"}], {"type": "attendeeAddress", "address": "2 Side St"}, ("2 Side St", None)),
        ([{"type": "attendeePhone"}], {"type": "attendeePhone", "phone": "+15555550111"}, ("+15555550111", None)),
        ([{"type": "attendeeDefined"}], {"type": "attendeeDefined", "location": "The park"}, ("The park", None)),
        (
            [{"type": "integration", "integration": "cal-video"}],
            {"type": "integration", "integration": "cal-video"},
            ("integrations:daily", None),
        ),
        ([], "https://zoom.example/j/1", ("https://zoom.example/j/1",) * 2),
    ],
    ids=["address", "link", "phone", "attendee-address", "attendee-phone", "attendee-defined", "cal-video", "string"],
)
async def test_locations(
    client: httpx.AsyncClient,
    host: Host,
    add_event_type: AddEventType,
    locations: list[dict[str, Any]],
    sent: Any,
    expected: tuple[str, str | None],
) -> None:
    kind = await add_event_type(host, "where", 60, locations=locations)

    data = (await book(client, kind, NINE, location=sent)).json()["data"]

    assert data["location"] == expected[0] and data.get("meetingUrl") == expected[1]
    answer = data["bookingFieldsResponses"]["location"]  # Cal.com's {value, optionValue}
    assert (answer["optionValue"] or answer["value"]) == expected[0]


async def test_a_location_the_event_type_does_not_have_is_refused(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType
) -> None:
    kind = await add_event_type(
        host, "where", 60, locations=[{"type": "address", "address": "1 Main St", "public": True}]
    )

    assert_error(await book(client, kind, NINE, location={"type": "link"}, expect=None), 400, "link", "address")
    assert_error(await book(client, kind, NINE, location={"type": "teleport"}, expect=None), 400, "location")
    assert_error(
        await book(client, kind, NINE, location={"type": "organizersDefaultApp"}, expect=None), 400, "team event types"
    )


async def test_legacy_location_answers(client: httpx.AsyncClient, host: Host, add_event_type: AddEventType) -> None:
    kind = await add_event_type(host, "where", 60, locations=[{"type": "attendeePhone"}])
    body = {
        "eventTypeId": kind,
        "start": NINE,
        "timeZone": "UTC",
        "responses": {
            "name": "G",
            "email": "g@example.com",
            "location": {"value": "phone", "optionValue": "+15555550199"},
        },
    }

    response = await client.post("/v2/bookings", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["data"]["location"] == "+15555550199"


async def test_booking_that_requires_authentication(
    client: httpx.AsyncClient, host: Host, add_event_type: AddEventType, make_host: Any
) -> None:
    private = await add_event_type(host, "private", 60, settings={"bookingRequiresAuthentication": True})
    bob = await make_host("bob")

    assert_error(await book(client, private, NINE, expect=None), 401, "owner")
    assert_error(await book(client, private, NINE, headers=bob.v, expect=None), 403, "owner")
    await book(client, private, NINE, headers=host.v)


async def test_an_invalid_key_is_401_even_where_keys_are_optional(client: httpx.AsyncClient, host: Host) -> None:
    bad = {**V, "Authorization": "Bearer cal_nope"}
    assert_error(await book(client, host.event_type_id, NINE, headers=bad, expect=None), 401, "Invalid API key")


async def test_idempotency_key_replays_the_first_booking(client: httpx.AsyncClient, host: Host) -> None:
    headers = {**V, "Idempotency-Key": "book-once"}
    body = {
        "start": NINE,
        "eventTypeId": host.event_type_id,
        "attendee": {"name": "A", "email": "a@example.com", "timeZone": "UTC"},
    }

    first = await client.post("/v2/bookings", json=body, headers=headers)
    again = await client.post("/v2/bookings", json=body, headers=headers)
    other = await client.post("/v2/bookings", json={**body, "start": TEN}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["data"]["uid"] == first.json()["data"]["uid"] and again.headers["idempotent-replayed"] == "true"
    assert_error(other, 422, "Idempotency-Key")
    listed = await client.get("/v2/bookings", headers=host.v)
    assert listed.json()["pagination"]["totalItems"] == 1


async def test_keyless_booking_is_rate_limited_per_ip(db: Any, settings: Settings, host: Host) -> None:
    app = create_app(Settings(database_url=settings.database_url, rate_limit_requests=2))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://slotwise.test") as limited:
        statuses = [
            (await book(limited, host.event_type_id, start, expect=None)).status_code for start in (NINE, TEN, NINE)
        ]
    await app.state.database.dispose()

    assert statuses == [201, 201, 429]


async def test_odd_offsets_keep_the_hosts_wall_clock(client: httpx.AsyncClient, make_host: Any) -> None:
    kolkata = await make_host("ravi", time_zone="Asia/Kolkata")  # +05:30: 09:00 there is 03:30Z

    on_time = await book(client, kolkata.event_type_id, "2050-09-05T03:30:00Z")
    assert on_time.json()["data"]["start"] == "2050-09-05T03:30:00.000Z"
    assert_error(await book(client, kolkata.event_type_id, "2050-09-05T03:00:00Z", expect=None), 400)


async def test_our_openapi_names_the_operations_like_calcom(client: httpx.AsyncClient) -> None:
    document = (await client.get("/v2/docs-json")).json()
    operations = {
        (path, method): operation.get("operationId")
        for path, item in document["paths"].items()
        if path.startswith("/v2/bookings")
        for method, operation in item.items()
    }

    for expected in [
        ("/v2/bookings", "post", "BookingsController_2024_08_13_createBooking"),
        ("/v2/bookings", "get", "BookingsController_2024_08_13_getBookings"),
        ("/v2/bookings/{bookingUid}", "get", "BookingsController_2024_08_13_getBooking"),
        ("/v2/bookings/{bookingUid}/reschedule", "post", "BookingsController_2024_08_13_rescheduleBooking"),
        ("/v2/bookings/{bookingUid}/cancel", "post", "BookingsController_2024_08_13_cancelBooking"),
        ("/v2/bookings/{bookingUid}/mark-absent", "post", "BookingsController_2024_08_13_markNoShow"),
        ("/v2/bookings/{bookingUid}/confirm", "post", "BookingsController_2024_08_13_confirmBooking"),
        ("/v2/bookings/{bookingUid}/decline", "post", "BookingsController_2024_08_13_declineBooking"),
        ("/v2/bookings/{bookingUid}/calendar-links", "get", "BookingsController_2024_08_13_getCalendarLinks"),
    ]:
        assert operations.get(expected[:2]) == expected[2], expected
    create = document["paths"]["/v2/bookings"]["post"]
    assert "cal-api-version" in {p["name"] for p in create["parameters"]}
    assert create["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
