"""What the client puts on the wire and how it reads answers, through a pluggable transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx2 as httpx
import pytest

from slotwise.client import (
    AsyncClient,
    Attendee,
    AuthenticationError,
    Availability,
    CalDecodeError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    UnprocessableEntityError,
)
from tests.client.scripted import booking_json, envelope, error_body

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, **options: Any) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    options.setdefault("api_key", "cal_test")
    return Client(transport=httpx.MockTransport(record), **options), seen


def _ok(data: Any, status: int = 200, **extra: Any) -> Handler:
    return lambda request: httpx.Response(status, json=envelope(data, **extra))


def test_each_resource_sends_its_cal_api_version_and_me_and_webhooks_send_none() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v2/slots":
            return httpx.Response(200, json=envelope({}))
        if path.startswith("/v2/schedules"):
            return httpx.Response(200, json=envelope([]))
        if path.startswith("/v2/event-types"):
            return httpx.Response(200, json=envelope([]))
        if path == "/v2/bookings":
            return httpx.Response(200, json=envelope([], pagination={"hasNextPage": False}))
        if path == "/v2/webhooks":
            return httpx.Response(200, json=envelope([]))
        return httpx.Response(200, json=envelope({"id": 1, "email": "a@example.com"}))

    client, seen = _client(answer)
    client.me()
    client.list_event_types()
    client.list_schedules()
    client.get_slots(event_type_id=1, start=date(2026, 12, 1), end=date(2026, 12, 2))
    client.list_bookings()
    client.list_webhooks()

    versions = {request.url.path: request.headers.get("cal-api-version") for request in seen}
    assert versions == {
        "/v2/me": None,
        "/v2/event-types": "2024-06-14",
        "/v2/schedules": "2024-06-11",
        "/v2/slots": "2024-09-04",
        "/v2/bookings": "2024-08-13",
        "/v2/webhooks": None,
    }
    assert all(request.headers["authorization"] == "Bearer cal_test" for request in seen)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.cal.com", "https://api.cal.com/v2/me"),
        ("https://api.cal.com/v2/", "https://api.cal.com/v2/me"),
        ("https://api.maton.ai/cal-com", "https://api.maton.ai/cal-com/v2/me"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/v2/me"),
    ],
)
def test_base_urls_with_or_without_v2_and_proxy_prefixes(base_url: str, expected: str) -> None:
    client, seen = _client(_ok({"id": 1, "email": "a@example.com"}), base_url=base_url)

    client.me()

    assert str(seen[0].url) == expected


def test_base_url_and_key_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAL_API_URL", "https://api.maton.ai/cal-com")
    monkeypatch.setenv("CAL_API_KEY", "cal_from_env")
    client, seen = _client(_ok({"id": 1, "email": "a@example.com"}), api_key=None)
    client.me()
    explicit, seen_explicit = _client(_ok({"id": 1, "email": "a@example.com"}), base_url="http://x.test", api_key="k2")
    explicit.me()

    assert str(seen[0].url) == "https://api.maton.ai/cal-com/v2/me"
    assert seen[0].headers["authorization"] == "Bearer cal_from_env"
    assert str(seen_explicit[0].url) == "http://x.test/v2/me"
    assert seen_explicit[0].headers["authorization"] == "Bearer k2"


def test_without_any_configuration_it_talks_to_cal_com_anonymously(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAL_API_URL", raising=False)
    monkeypatch.delenv("CAL_API_KEY", raising=False)
    client, seen = _client(_ok({}), api_key=None)

    client.get_slots(event_type_id=1, start="2026-12-01", end="2026-12-02")

    assert seen[0].url.host == "api.cal.com" and "authorization" not in seen[0].headers


def test_bad_base_url_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="scheme"):
        Client("k", base_url="api.cal.com")


def test_queries_use_cal_com_spellings_and_utc_instants() -> None:
    client, seen = _client(_ok({"2026-12-01": [{"start": "2026-12-01T08:00:00.000Z"}]}))
    berlin = ZoneInfo("Europe/Berlin")

    found = client.get_slots(
        event_type_slug="intro",
        username="ada",
        start=datetime(2026, 12, 1, 9, 0, tzinfo=berlin),
        end=date(2026, 12, 3),
        time_zone="Europe/Berlin",
        format="range",
    )

    query = dict(seen[0].url.params)
    assert query == {
        "eventTypeSlug": "intro",
        "username": "ada",
        "start": "2026-12-01T08:00:00Z",
        "end": "2026-12-03",
        "timeZone": "Europe/Berlin",
        "format": "range",
    }
    assert found.first() is not None and found.first().start == datetime(2026, 12, 1, 8, tzinfo=UTC)  # type: ignore[union-attr]


def test_booking_status_filters_are_a_comma_list_and_take_is_bounded() -> None:
    client, seen = _client(_ok([], pagination={"hasNextPage": False}))

    client.list_bookings(status=["upcoming", "unconfirmed"], take=250, skip=0)
    with pytest.raises(ValueError, match="take"):
        client.list_bookings(take=251)

    assert seen[0].url.params["status"] == "upcoming,unconfirmed"
    assert seen[0].url.params["take"] == "250" and len(seen) == 1


def test_naive_datetimes_are_refused_instead_of_guessing_a_zone() -> None:
    client, seen = _client(_ok(booking_json()))

    with pytest.raises(ValueError, match="time zone"):
        client.create_booking(
            start=datetime(2026, 12, 1, 9), event_type_id=1, attendee=Attendee(name="B", time_zone="UTC")
        )

    assert seen == []


def test_create_booking_sends_the_2024_08_13_body_and_parses_the_booking() -> None:
    client, seen = _client(_ok(booking_json("uid-1", newField="kept"), status=201))

    booking = client.create_booking(
        start=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin")),
        event_type_id=7,
        attendee=Attendee(name="Bob", email="bob@example.com", time_zone="Europe/London"),
        guests=["eve@example.com"],
        metadata={"crm": "42"},
    )

    body = json.loads(seen[0].content)
    assert body == {
        "start": "2026-12-01T09:00:00Z",
        "eventTypeId": 7,
        "attendee": {"name": "Bob", "email": "bob@example.com", "timeZone": "Europe/London"},
        "guests": ["eve@example.com"],
        "metadata": {"crm": "42"},
    }
    assert booking.uid == "uid-1" and booking.start == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert booking.attendees[0].time_zone == "Europe/London"
    assert booking.model_extra == {"newField": "kept"}, "unknown fields are kept, not rejected"


def test_path_values_are_escaped() -> None:
    client, seen = _client(_ok(booking_json()))

    client.cancel_booking("a/../b?c", reason="sorry")

    assert seen[0].url.raw_path == b"/v2/bookings/a%2F..%2Fb%3Fc/cancel"
    assert json.loads(seen[0].content) == {"cancellationReason": "sorry"}


def test_schedule_models_go_in_camel_case() -> None:
    schedule = {
        "id": 3,
        "name": "Work",
        "timeZone": "Asia/Kathmandu",
        "isDefault": True,
        "availability": [{"days": ["Monday"], "startTime": "09:00", "endTime": "12:00"}],
        "overrides": [],
    }
    client, seen = _client(_ok(schedule, status=201))

    created = client.create_schedule(
        name="Work",
        time_zone="Asia/Kathmandu",
        is_default=True,
        availability=[Availability(days=["Monday"], start_time="09:00", end_time="12:00")],
    )

    assert json.loads(seen[0].content) == {
        "name": "Work",
        "timeZone": "Asia/Kathmandu",
        "isDefault": True,
        "availability": [{"days": ["Monday"], "startTime": "09:00", "endTime": "12:00"}],
    }
    assert created.availability[0].start_time == "09:00" and created.is_default


def test_legacy_shapes_from_proxies_are_understood() -> None:
    groups = {"eventTypeGroups": [{"eventTypes": [{"id": 4, "title": "Meeting", "slug": "meeting", "length": 30}]}]}
    slots = {"slots": {"2026-02-13": [{"time": "2026-02-13T17:00:00.000Z"}]}}
    answers = iter([envelope(groups), envelope(slots)])
    client, _ = _client(lambda request: httpx.Response(200, json=next(answers)))

    event_types = client.list_event_types()
    found = client.get_slots(event_type_id=4, start="2026-02-13", end="2026-02-14")

    assert event_types[0].length_in_minutes == 30
    assert [slot.start.hour for slot in found] == [17]


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        (
            401,
            error_body(401, "Invalid API key", "UnauthorizedException"),
            AuthenticationError,
            "UnauthorizedException",
            "Invalid API key",
        ),
        (
            403,
            error_body(403, "Not your booking", "ForbiddenException"),
            PermissionDeniedError,
            "ForbiddenException",
            "Not your booking",
        ),
        (404, {"statusCode": 404, "message": "Booking not found"}, NotFoundError, None, "Booking not found"),
        (409, {"statusCode": 409, "message": "booking_conflict_error"}, ConflictError, None, "booking_conflict_error"),
        (422, {"status": "error", "message": "slot reserved"}, UnprocessableEntityError, None, "slot reserved"),
        (498, error_body(498, "token expired", "TOKEN_EXPIRED"), AuthenticationError, "TOKEN_EXPIRED", "token expired"),
    ],
)
def test_errors_become_exceptions_with_status_code_message_and_request_id(
    status: int, body: Any, cls: type[Exception], code: str | None, message: str
) -> None:
    client, _ = _client(lambda request: httpx.Response(status, json=body, headers={"X-Request-Id": "rid-7"}))

    with pytest.raises(cls) as caught:
        client.get_booking("x")

    error = caught.value
    assert getattr(error, "status_code", None) == status
    assert getattr(error, "code", None) == code
    assert getattr(error, "message", None) == message
    assert getattr(error, "request_id", None) == "rid-7"
    assert "rid-7" in str(error) and message in str(error)


def test_a_gateway_page_is_a_server_error_with_its_text() -> None:
    client, _ = _client(lambda request: httpx.Response(500, text="<h1>Bad gateway</h1>"))

    with pytest.raises(ServerError, match="Bad gateway"):
        client.me()


def test_a_success_that_is_not_json_explains_the_base_url() -> None:
    client, _ = _client(lambda request: httpx.Response(200, text="<html>login</html>"))

    with pytest.raises(CalDecodeError, match="base URL"):
        client.me()


def test_missing_resources_that_cal_com_answers_with_null() -> None:
    client, _ = _client(_ok(None))

    assert client.get_default_schedule() is None
    assert client.get_reservation("gone") is None


async def test_async_client_has_the_same_methods_and_results() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope({"id": 9, "email": "a@example.com", "username": "ada"}))

    sync_names = {name for name in dir(Client) if not name.startswith("_")}
    async_names = {name for name in dir(AsyncClient) if not name.startswith("_")}
    async with AsyncClient("cal_test", base_url="http://x.test", transport=httpx.MockTransport(answer)) as client:
        me = await client.me()

    assert sync_names - {"close", "__enter__", "__exit__"} == async_names - {"aclose"}
    assert me.username == "ada"
