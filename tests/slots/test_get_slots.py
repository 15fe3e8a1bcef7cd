from __future__ import annotations

from pathlib import Path

import httpx2 as httpx

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.db import Database
from tests.conftest import MakeAccount
from tests.slots.conftest import V2024_09_04, WEEK, MakeHost, add_event_type, expected_week, hourly
from tests.slots.contract import assert_slots_contract
from tests.support.contract import assert_error
from tests.support.schedules import give_schedule


async def test_reference_week_by_event_type_id_in_utc(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get("/v2/slots", params={**WEEK, "eventTypeId": host.event_type_id}, headers=V2024_09_04)

    body = assert_slots_contract(response)
    assert body["data"] == expected_week("Z")


async def test_reference_week_by_username_and_slug_rendered_in_rome(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={**WEEK, "username": host.username, "eventTypeSlug": "sixty", "timeZone": "Europe/Rome"},
        headers=V2024_09_04,
    )

    body = assert_slots_contract(response)
    assert body["data"] == expected_week("+02:00", first_hour=9)
    assert body["data"]["2050-09-05"][0] == {"start": "2050-09-05T09:00:00.000+02:00"}


async def test_range_format_adds_the_end(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots", params={**WEEK, "eventTypeId": host.event_type_id, "format": "range"}, headers=V2024_09_04
    )

    data = assert_slots_contract(response)["data"]
    assert len(data) == 5
    assert data["2050-09-08"][0] == {"start": "2050-09-08T07:00:00.000Z", "end": "2050-09-08T08:00:00.000Z"}
    assert data["2050-09-08"][-1] == {"start": "2050-09-08T14:00:00.000Z", "end": "2050-09-08T15:00:00.000Z"}


async def test_explicit_instants_bound_the_starts(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={"start": "2050-09-05T09:00:00Z", "end": "2050-09-05T12:00:00.000Z", "eventTypeId": host.event_type_id},
        headers=V2024_09_04,
    )

    assert assert_slots_contract(response)["data"] == {"2050-09-05": [{"start": s} for s in hourly("2050-09-05", 9, 3)]}


async def test_date_keys_follow_the_requested_zone(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    # bare dates are whole days in timeZone (UTC-10 here)
    response = await client.get(
        "/v2/slots",
        params={
            "start": "2050-09-05",
            "end": "2050-09-05",
            "eventTypeId": host.event_type_id,
            "timeZone": "Pacific/Honolulu",
        },
        headers=V2024_09_04,
    )

    # the Honolulu day 2050-09-05 (10:00Z .. 10:00Z) holds the end of Monday and the start of Tuesday in Rome
    assert assert_slots_contract(response)["data"] == {
        "2050-09-05": [{"start": f"2050-09-05T{h:02d}:00:00.000-10:00"} for h in (0, 1, 2, 3, 4, 21, 22, 23)]
    }


async def test_days_without_slots_are_absent(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={"start": "2050-09-09", "end": "2050-09-12", "eventTypeId": host.event_type_id},
        headers=V2024_09_04,
    )

    assert list(assert_slots_contract(response)["data"]) == ["2050-09-09", "2050-09-12"]


async def test_whole_number_tolerance_for_the_event_type_id(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    await add_event_type(db, host.account.user.id, "ten-oh-two", 60, id=1002)

    response = await client.get("/v2/slots", params={**WEEK, "eventTypeId": "1002.0"}, headers=V2024_09_04)

    assert assert_slots_contract(response)["data"] == expected_week("Z")


async def test_variable_length_event_takes_an_allowed_duration(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={
            "start": "2050-09-05",
            "end": "2050-09-05",
            "eventTypeId": host.variable_id,
            "duration": 30,
            "format": "range",
        },
        headers=V2024_09_04,
    )

    day = assert_slots_contract(response)["data"]["2050-09-05"]
    assert len(day) == 16
    assert day[1] == {"start": "2050-09-05T07:30:00.000Z", "end": "2050-09-05T08:00:00.000Z"}
    assert day[-1]["end"] == "2050-09-05T15:00:00.000Z"


async def test_duration_that_is_not_a_length_of_the_event_type_is_400(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    bad = await client.get(
        "/v2/slots", params={**WEEK, "eventTypeId": host.variable_id, "duration": 25}, headers=V2024_09_04
    )
    fixed = await client.get(
        "/v2/slots", params={**WEEK, "eventTypeId": host.event_type_id, "duration": 30}, headers=V2024_09_04
    )

    assert_error(bad, 400, "duration 25", "15, 30, 45, 60, 180")
    assert_error(fixed, 400, "duration 30", "60")


async def test_usernames_give_the_times_everyone_is_free(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost, make_account: MakeAccount
) -> None:
    alice = await make_host("alice")  # 09-17 Rome = 07:00Z-15:00Z
    bob = await make_account("bob", time_zone="Europe/London")
    await give_schedule(db, bob.user.id, "Europe/London", ("13:00", "19:00"))  # 12:00Z-18:00Z

    default = await client.get(
        "/v2/slots",
        params={"start": "2050-09-05", "end": "2050-09-05", "usernames": f"{alice.username},bob"},
        headers=V2024_09_04,
    )
    hour = await client.get(
        "/v2/slots",
        params={"start": "2050-09-05", "end": "2050-09-05", "usernames": "bob,alice", "duration": 60},
        headers=V2024_09_04,
    )

    assert assert_slots_contract(default)["data"] == {
        "2050-09-05": [
            {"start": f"2050-09-05T{t}:00.000Z"} for t in ("12:00", "12:30", "13:00", "13:30", "14:00", "14:30")
        ]
    }
    assert assert_slots_contract(hour)["data"] == {"2050-09-05": [{"start": s} for s in hourly("2050-09-05", 12, 3)]}


async def test_usernames_need_two_known_users(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    await make_host("alice")

    one = await client.get("/v2/slots", params={**WEEK, "usernames": "alice"}, headers=V2024_09_04)
    unknown = await client.get("/v2/slots", params={**WEEK, "usernames": "alice,nobody"}, headers=V2024_09_04)

    assert_error(one, 400, "usernames", "at least two")
    assert_error(unknown, 404, "nobody")


async def test_unknown_event_type_or_owner_is_404(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    by_id = await client.get("/v2/slots", params={**WEEK, "eventTypeId": 999999}, headers=V2024_09_04)
    by_slug = await client.get(
        "/v2/slots", params={**WEEK, "username": host.username, "eventTypeSlug": "nope"}, headers=V2024_09_04
    )
    by_user = await client.get(
        "/v2/slots", params={**WEEK, "username": "ghost", "eventTypeSlug": "sixty"}, headers=V2024_09_04
    )

    assert_error(by_id, 404, "Event Type not found")
    assert_error(by_slug, 404, "nope")
    assert_error(by_user, 404, "ghost")


async def test_another_users_slug_is_not_found(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    await make_host("alice")
    await make_host("bob")

    # both own "sixty": the slug resolves inside the named user's event types only
    response = await client.get(
        "/v2/slots", params={**WEEK, "username": "bob", "eventTypeSlug": "sixty"}, headers=V2024_09_04
    )

    assert assert_slots_contract(response)["data"] == expected_week("Z")


BAD_QUERIES: list[tuple[dict[str, str | None], tuple[str, ...]]] = [
    ({"startTime": "2050-09-05"}, ("startTime", "did you mean 'start'")),
    ({"foo": "1"}, ("Unknown query parameter", "foo")),
    ({"end": "2050-09-01"}, ("Invalid time range", "before")),
    ({"end": "2050-12-31"}, ("3 months",)),
    ({"start": "0000-01-01"}, ("start", "0000-01-01")),
    ({"end": "9999-12-31"}, ("end", "9999-12-31")),
    ({"start": "2050-02-30"}, ("start", "2050-02-30")),
    ({"start": "next tuesday"}, ("start", "ISO 8601")),
    ({"timeZone": "Mars/Olympus"}, ("timeZone", "Mars/Olympus")),
    ({"format": "table"}, ("format",)),
    ({"duration": "99999999999999999999"}, ("duration",)),
    ({"eventTypeId": "99999999999999999999"}, ("eventTypeId",)),
    ({"eventTypeId": None, "eventTypeSlug": "sixty"}, ("username",)),
    ({"eventTypeId": None}, ("eventTypeId", "usernames")),
]


async def test_bad_queries_are_400_and_say_what_to_fix(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    for params, fragments in BAD_QUERIES:
        query = {**WEEK, "eventTypeId": str(host.event_type_id), **params}
        response = await client.get(
            "/v2/slots", params={k: v for k, v in query.items() if v is not None}, headers=V2024_09_04
        )
        try:
            assert_error(response, 400, *fragments)
        except AssertionError as exc:
            raise AssertionError(f"{params}: {exc}") from None


async def test_missing_start_is_named(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get("/v2/slots", params={"end": "2050-09-09", "eventTypeId": host.event_type_id})

    body = assert_error(response, 400, "start")
    assert body["error"]["details"]["errors"][0]["property"] == "start"


async def test_booking_uid_to_reschedule_accepts_any_string(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    for uid in ["12345", "", "x" * 5000, "ab/c?d=e&f#g ü", "'; DROP TABLE bookings; --"]:
        response = await client.get(
            "/v2/slots",
            params={**WEEK, "eventTypeId": host.event_type_id, "bookingUidToReschedule": uid},
            headers=V2024_09_04,
        )
        assert assert_slots_contract(response)["data"] == expected_week("Z"), uid


async def test_seated_event_types_show_seats(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={"start": "2050-09-05", "end": "2050-09-05", "eventTypeId": host.seated_id, "format": "range"},
        headers=V2024_09_04,
    )

    first = assert_slots_contract(response)["data"]["2050-09-05"][0]
    assert first == {
        "start": "2050-09-05T07:00:00.000Z",
        "end": "2050-09-05T08:00:00.000Z",
        "seatsBooked": 0,
        "seatsRemaining": 5,
        "seatsTotal": 5,
    }


async def test_current_names_without_a_header_get_the_current_shape(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    response = await client.get("/v2/slots", params={**WEEK, "eventTypeId": host.event_type_id})

    assert assert_slots_contract(response)["data"] == expected_week("Z")


async def test_a_user_without_schedule_gets_weekdays_nine_to_five(
    client: httpx.AsyncClient, db: Database, make_account: MakeAccount
) -> None:
    carol = await make_account("carol", time_zone="America/New_York")
    event_type_id = await add_event_type(db, carol.user.id, "intro", 60)

    response = await client.get(
        "/v2/slots",
        params={"start": "2050-09-05", "end": "2050-09-05", "eventTypeId": event_type_id},
        headers=V2024_09_04,
    )

    # 09:00-17:00 New York (EDT, UTC-4) = 13:00Z-21:00Z
    assert assert_slots_contract(response)["data"] == {
        "2050-09-05": [{"start": s} for s in hourly("2050-09-05", 13, 8)]
    }


async def test_team_slugs_are_not_found_and_organization_slugs_are_accepted(
    client: httpx.AsyncClient, make_host: MakeHost
) -> None:
    host = await make_host()

    team = await client.get(
        "/v2/slots", params={**WEEK, "teamSlug": "sales", "eventTypeSlug": "demo"}, headers=V2024_09_04
    )
    org = await client.get(
        "/v2/slots",
        params={**WEEK, "username": host.username, "eventTypeSlug": "sixty", "organizationSlug": "acme"},
        headers=V2024_09_04,
    )

    assert_error(team, 404, "sales")
    assert assert_slots_contract(org)["data"] == expected_week("Z")


def test_openapi_documents_the_slots_operations_like_calcom(tmp_path: Path) -> None:
    spec = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}")).openapi()

    operations = {op["operationId"] for path, ops in spec["paths"].items() if "/slots" in path for op in ops.values()}
    assert {
        "SlotsController_2024_09_04_getAvailableSlots",
        "SlotsController_2024_09_04_reserveSlot",
        "SlotsController_2024_09_04_getReservedSlot",
        "SlotsController_2024_09_04_updateReservedSlot",
        "SlotsController_2024_09_04_deleteReservedSlot",
    } <= operations
    parameters = {p["name"] for p in spec["paths"]["/v2/slots"]["get"]["parameters"]}
    assert {"start", "end", "eventTypeId", "eventTypeSlug", "username", "usernames", "timeZone", "format"} <= parameters
