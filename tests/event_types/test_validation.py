"""Each rule on event type input: a 400 that names the field and says what to send; nothing saved."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import MakeAccount
from tests.event_types.helpers import current
from tests.support.contract import assert_contract, assert_error

BASE = {"title": "Intro call", "slug": "intro", "lengthInMinutes": 30}

CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("missing length", {"lengthInMinutes": None}, ("lengthInMinutes",)),
    ("zero length", {"lengthInMinutes": 0}, ("lengthInMinutes", "greater than or equal to 1")),
    ("day-long length", {"lengthInMinutes": 1441}, ("lengthInMinutes", "1440")),
    ("huge length", {"lengthInMinutes": 2**40}, ("lengthInMinutes",)),
    ("fractional length", {"lengthInMinutes": 30.5}, ("lengthInMinutes",)),
    ("blank title", {"title": "   "}, ("title", "blank")),
    ("upper-case slug", {"slug": "Team Sync"}, ("slug", "lower-case", "team-sync")),
    ("slug with slash", {"slug": "a/b"}, ("slug", "'a-b'")),
    ("options without the length", {"lengthInMinutesOptions": [15, 45]}, ("lengthInMinutesOptions", "include")),
    ("negative notice", {"minimumBookingNotice": -1}, ("minimumBookingNotice",)),
    ("huge buffer", {"beforeEventBuffer": 2**31}, ("beforeEventBuffer",)),
    ("zero interval", {"slotInterval": 0}, ("slotInterval",)),
    ("count limits shrink", {"bookingLimitsCount": {"day": 3, "week": 2}}, ("bookingLimitsCount", "day", "week")),
    ("count limit zero", {"bookingLimitsCount": {"day": 0}}, ("bookingLimitsCount.day",)),
    ("duration under 15", {"bookingLimitsDuration": {"day": 10}}, ("bookingLimitsDuration.day", "15")),
    ("duration limits shrink", {"bookingLimitsDuration": {"week": 600, "month": 300}}, ("bookingLimitsDuration",)),
    ("window type", {"bookingWindow": {"type": "weeks", "value": 2}}, ("bookingWindow.type",)),
    ("window days", {"bookingWindow": {"type": "calendarDays", "value": 0}}, ("bookingWindow", "days ahead")),
    ("window range order", {"bookingWindow": {"type": "range", "value": ["2030-02-01", "2030-01-01"]}}, ("before",)),
    ("window range dates", {"bookingWindow": {"type": "range", "value": ["soon", "later"]}}, ("YYYY-MM-DD",)),
    ("no seats", {"seats": {"seatsPerTimeSlot": 0}}, ("seats.seatsPerTimeSlot",)),
    ("too many seats", {"seats": {"seatsPerTimeSlot": 1001}}, ("seats.seatsPerTimeSlot", "1000")),
    (
        "seats with two locations",
        {
            "seats": {"seatsPerTimeSlot": 5},
            "locations": [
                {"type": "integration", "integration": "cal-video"},
                {"type": "address", "address": "1 Main St", "public": True},
            ],
        },
        ("Seats", "location"),
    ),
    (
        "seats with a confirmation policy",
        {"seats": {"seatsPerTimeSlot": 5}, "confirmationPolicy": {"type": "always"}},
        ("Seats", "confirmation"),
    ),
    (
        "time policy without threshold",
        {"confirmationPolicy": {"type": "time"}},
        ("confirmationPolicy", "noticeThreshold"),
    ),
    ("recurrence frequency", {"recurrence": {"frequency": "daily", "interval": 1, "occurrences": 3}}, ("frequency",)),
    (
        "recurrence occurrences",
        {"recurrence": {"frequency": "weekly", "interval": 1, "occurrences": 0}},
        ("occurrences",),
    ),
    ("unknown location", {"locations": [{"type": "carrierPigeon"}]}, ("locations", "carrierPigeon")),
    ("address without address", {"locations": [{"type": "address", "public": True}]}, ("locations[0]", "address")),
    ("link not a URL", {"locations": [{"type": "link", "link": "meet me", "public": True}]}, ("locations[0]", "URL")),
    ("phone not a number", {"locations": [{"type": "phone", "phone": "call me", "public": True}]}, ("phone",)),
    (
        "integration not installed",
        {"locations": [{"type": "integration", "integration": "zoom"}]},
        ("zoom", "installed"),
    ),
    (
        "email hidden",
        {"bookingFields": [{"type": "email", "label": "Email", "required": False, "hidden": True, "placeholder": ""}]},
        ("Email booking field must be required and visible",),
    ),
    (
        "custom type unknown",
        {"bookingFields": [{"type": "signature", "slug": "sig", "label": "Sign"}]},
        ("bookingFields[0]", "signature"),
    ),
    (
        "select without options",
        {"bookingFields": [{"type": "select", "slug": "size", "label": "Size", "required": True, "placeholder": ""}]},
        ("bookingFields[0]", "options"),
    ),
    (
        "custom slug reused",
        {
            "bookingFields": [
                {"type": "text", "slug": "company", "label": "Company"},
                {"type": "url", "slug": "company", "label": "Website"},
            ]
        },
        ("bookingFields[1]", "company"),
    ),
    (
        "custom field on a reserved slug",
        {"bookingFields": [{"type": "number", "slug": "guests", "label": "How many?"}]},
        ("bookingFields[0]", "guests"),
    ),
    (
        "layout not enabled",
        {"bookerLayouts": {"defaultLayout": "column", "enabledLayouts": ["month"]}},
        ("defaultLayout",),
    ),
    ("color not hex", {"color": {"lightThemeHex": "red", "darkThemeHex": "#000000"}}, ("color.lightThemeHex",)),
    ("redirect not a URL", {"successRedirectUrl": "javascript:alert(1)"}, ("successRedirectUrl", "http")),
    ("hidden not a boolean", {"hidden": "perhaps"}, ("hidden",)),
    ("schedule id zero", {"scheduleId": 0}, ("scheduleId",)),
]


async def test_invalid_input_is_a_400_naming_the_field(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account("alice")

    for name, change, fragments in CASES:
        with subtests.test(msg=name):
            body = {key: value for key, value in {**BASE, **change}.items() if value is not None}

            response = await client.post("/v2/event-types", headers=current(alice), json=body)

            assert_error(response, 400, *fragments)
            assert_contract(response)
    listed = await client.get("/v2/event-types", headers=current(alice))
    assert listed.json()["data"] == [], "nothing is saved when the input is refused"


async def test_every_invalid_field_is_named_at_once(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")

    response = await client.post(
        "/v2/event-types",
        headers=current(alice),
        json={"title": "", "slug": "Bad Slug", "lengthInMinutes": 0, "seats": {"seatsPerTimeSlot": 0}},
    )

    body = assert_error(response, 400, "title", "slug", "lengthInMinutes", "seats.seatsPerTimeSlot")
    assert [e["property"] for e in body["error"]["details"]["errors"]] == [
        "lengthInMinutes",
        "title",
        "slug",
        "seats.seatsPerTimeSlot",
    ]


async def test_the_legacy_length_with_the_current_header_says_which_name_to_use(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")

    response = await client.post(
        "/v2/event-types", headers=current(alice), json={"title": "Meeting", "slug": "meeting", "length": 30}
    )

    assert_error(response, 400, "lengthInMinutes", "length", "cal-api-version")


async def test_malformed_requests_are_a_400(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account("alice")
    headers = {**current(alice), "Content-Type": "application/json"}

    for content, fragment in [(b'{"title": ', "not valid JSON"), (b"[1, 2]", "JSON object"), (b"", "missing")]:
        with subtests.test(msg=f"body {content!r}"):
            response = await client.post("/v2/event-types", headers=headers, content=content)

            assert_error(response, 400, fragment)
    for path_id in ["abc", "0", str(2**40), "-3"]:
        with subtests.test(msg=f"id {path_id}"):
            response = await client.get(f"/v2/event-types/{path_id}", headers=current(alice))

            assert_error(response, 400, "eventTypeId")
