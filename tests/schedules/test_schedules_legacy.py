"""``/v2/schedules`` without ``cal-api-version``: the seed documents' calls and the 2024-04-15 shapes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx2 as httpx
import pytest
from sqlalchemy import update

from slotwise.db import Database
from slotwise.users.models import User
from tests.conftest import MakeAccount
from tests.schedules.helpers import CURRENT, SEED_BODY, WEEKDAYS, headers
from tests.support.contract import assert_error

LEGACY_KEYS = {
    "id", "name", "isManaged", "workingHours", "schedule", "availability", "timeZone",
    "dateOverrides", "isDefault", "isLastSchedule", "readOnly",
}  # fmt: skip
NINE_TO_FIVE = [{"days": [1, 2, 3, 4, 5], "startTime": 540, "endTime": 1020}]


async def test_the_seed_skill_body_works_exactly_as_written(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice", time_zone="Europe/Berlin")

    created = await client.post("/v2/schedules", headers=alice.headers, json=SEED_BODY)

    assert created.status_code == 201
    data = created.json()["data"]
    assert LEGACY_KEYS | {"ownerId", "overrides"} <= set(data)
    assert data["name"] == "Working Hours" and data["timeZone"] == "America/New_York"
    assert data["availability"] == SEED_BODY["availability"]  # read back as it was sent
    assert data["isDefault"] is True and data["ownerId"] == alice.user.id
    assert data["workingHours"] == NINE_TO_FIVE
    assert (data["isManaged"], data["readOnly"], data["isLastSchedule"]) == (False, False, False)

    fetched = (await client.get(f"/v2/schedules/{data['id']}", headers=alice.headers)).json()["data"]
    default = (await client.get("/v2/schedules/default", headers=alice.headers)).json()["data"]
    listed = (await client.get("/v2/schedules", headers=alice.headers)).json()["data"]
    assert fetched == default == data
    assert [s["isDefault"] for s in listed] == [False, True] and listed[1] == data

    current = (await client.get(f"/v2/schedules/{data['id']}", headers=headers(alice, CURRENT))).json()["data"]
    assert current["availability"] == [{"days": WEEKDAYS, "startTime": "09:00", "endTime": "17:00"}]


async def test_the_proxy_seed_create_reads_back_working_hours_in_minutes(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    created = await client.post(
        "/v2/schedules",
        headers=alice.headers,
        json={"name": "Work Hours", "timeZone": "America/New_York", "isDefault": False},
    )

    assert created.status_code == 201
    data = created.json()["data"]
    assert isinstance(data["id"], int) and data["name"] == "Work Hours" and data["isManaged"] is False
    assert data["workingHours"] == NINE_TO_FIVE and data["isDefault"] is False
    renamed = await client.patch(
        f"/v2/schedules/{data['id']}", headers=alice.headers, json={"name": "Updated Schedule Name"}
    )
    assert renamed.status_code == 200
    updated = renamed.json()["data"]
    assert updated["name"] == updated["schedule"]["name"] == "Updated Schedule Name"  # both readers
    assert updated["id"] == updated["schedule"]["id"] == data["id"]
    assert updated["workingHours"] == NINE_TO_FIVE
    deleted = await client.delete(f"/v2/schedules/{data['id']}", headers=alice.headers)
    assert deleted.json() == {"status": "success"}


async def test_current_body_without_header_is_answered_with_day_names(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    body = {
        "name": "Names",
        "timeZone": "Europe/Rome",
        "isDefault": False,
        "availability": [{"days": ["Monday", "Wednesday"], "startTime": "08:00", "endTime": "12:00"}],
        "overrides": [{"date": "2030-03-04", "startTime": "10:00", "endTime": "11:00"}],
    }

    created = await client.post("/v2/schedules", headers=alice.headers, json=body)

    assert created.status_code == 201
    data = created.json()["data"]
    assert data["availability"] == body["availability"] and data["overrides"] == body["overrides"]
    assert data["workingHours"] == [{"days": [1, 3], "startTime": 480, "endTime": 720}]
    assert data["dateOverrides"] == [
        {"ranges": [{"start": "2030-03-04T10:00:00.000Z", "end": "2030-03-04T11:00:00.000Z"}]}
    ]


async def test_the_2024_04_15_body_with_iso_wall_times(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    body = {
        "name": "SDK",
        "timeZone": "Asia/Kolkata",
        "isDefault": False,
        "availabilities": [
            {"days": [1, 2], "startTime": "2024-04-12T10:30:00.000Z", "endTime": "2024-04-12T13:00:00.000Z"},
            {"days": [6], "startTime": "1970-01-01T18:00:00+02:00", "endTime": "1970-01-02T00:00:00+02:00"},
        ],
    }

    created = await client.post("/v2/schedules", headers=alice.headers, json=body)

    assert created.status_code == 201
    data = created.json()["data"]
    assert data["workingHours"] == [
        {"days": [1, 2], "startTime": 630, "endTime": 780},
        {"days": [6], "startTime": 1080, "endTime": 1440},  # the clock part is the wall time
    ]
    week = data["availability"]  # the 2024-04-15 shape: seven lists, Sunday first
    assert len(week) == 7 and week[0] == [] and week[3] == []
    assert week[1] == week[2] == [{"start": "1970-01-01T10:30:00.000Z", "end": "1970-01-01T13:00:00.000Z"}]
    assert week[6] == [{"start": "1970-01-01T18:00:00.000Z", "end": "1970-01-01T23:59:00.000Z"}]
    assert [row["days"] for row in data["schedule"]] == [[1, 2], [6]]
    assert all(row["scheduleId"] == data["id"] and row["date"] is None for row in data["schedule"])
    current = (await client.get(f"/v2/schedules/{data['id']}", headers=headers(alice, CURRENT))).json()["data"]
    assert current["availability"] == [
        {"days": ["Monday", "Tuesday"], "startTime": "10:30", "endTime": "13:00"},
        {"days": ["Saturday"], "startTime": "18:00", "endTime": "23:59"},
    ]


async def test_an_empty_2024_04_15_availabilities_list_means_the_default_hours(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    created = await client.post(
        "/v2/schedules",
        headers=alice.headers,
        json={"name": "SDK", "timeZone": "UTC", "isDefault": True, "availabilities": []},
    )

    assert created.status_code == 201
    assert created.json()["data"]["workingHours"] == NINE_TO_FIVE


async def test_for_atom_reads_the_web_app_object(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    default_id = (await client.get("/v2/me", headers=alice.headers)).json()["data"]["defaultScheduleId"]

    response = await client.get(f"/v2/schedules/{default_id}?for=atom", headers=alice.headers)

    assert response.status_code == 200
    data = response.json()["data"]
    nine_to_five = [{"start": "1970-01-01T09:00:00.000Z", "end": "1970-01-01T17:00:00.000Z"}]
    assert data["availability"] == [[], *[nine_to_five] * 5, []]
    assert data["isLastSchedule"] is True and data["timeZone"] == "Europe/Berlin"
    listed = (await client.get("/v2/schedules?for=atom", headers=alice.headers)).json()["data"]
    assert listed[0]["availability"] == data["availability"]


async def test_legacy_update_with_the_web_grid_and_date_overrides(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    created = (await client.post("/v2/schedules", headers=alice.headers, json={"name": "Grid"})).json()["data"]
    grid = [[] for _ in range(7)]
    grid[2] = [{"start": "1970-01-01T09:00:00.000Z", "end": "1970-01-01T12:00:00.000Z"}]
    grid[4] = [
        {"start": "1970-01-01T09:00:00.000Z", "end": "1970-01-01T12:00:00.000Z"},
        {"start": "1970-01-01T13:00:00.000Z", "end": "1970-01-01T17:30:00.000Z"},
    ]
    overrides = [
        {"ranges": [{"start": "2030-06-03T00:00:00.000Z", "end": "2030-06-03T00:00:00.000Z"}]},
        {"start": "2030-06-04T15:00:00.000Z", "end": "2030-06-05T00:00:00.000Z"},
    ]

    response = await client.patch(
        f"/v2/schedules/{created['id']}",
        headers=alice.headers,
        json={"schedule": grid, "dateOverrides": overrides, "isDefault": True, "timeZone": "Pacific/Chatham"},
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["schedule"]["id"] == created["id"] and data["schedule"]["timeZone"] == "Pacific/Chatham"
    assert data["currentDefaultId"] == created["id"] != data["prevDefaultId"]
    assert data["isDefault"] is True and data["availability"][4][1]["end"] == "1970-01-01T17:30:00.000Z"
    current = (await client.get(f"/v2/schedules/{created['id']}", headers=headers(alice, CURRENT))).json()["data"]
    assert current["availability"] == [
        {"days": ["Tuesday", "Thursday"], "startTime": "09:00", "endTime": "12:00"},
        {"days": ["Thursday"], "startTime": "13:00", "endTime": "17:30"},
    ]
    assert current["overrides"] == [
        {"date": "2030-06-03", "startTime": "00:00", "endTime": "00:00"},
        {"date": "2030-06-04", "startTime": "15:00", "endTime": "23:59"},
    ]


async def test_an_older_header_date_speaks_legacy(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.get("/v2/schedules/default", headers=headers(alice, {"cal-api-version": "2024-04-15"}))

    assert response.status_code == 200
    assert set(response.json()["data"]) >= LEGACY_KEYS


async def test_a_malformed_header_is_a_400(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    response = await client.get("/v2/schedules", headers=headers(alice, {"cal-api-version": "yesterday"}))

    assert_error(response, 400, "cal-api-version", "yesterday")


async def test_time_zones_are_listed_without_a_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/v2/schedules/time-zones")

    assert response.status_code == 200
    zones = response.json()["data"]
    names = [zone["timezone"] for zone in zones]
    assert {"America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "UTC"} <= set(names)
    assert len(names) == len(set(names)) > 300
    assert "US/Eastern" not in names and "Asia/Calcutta" not in names  # canonical names only
    for zone in zones:
        ZoneInfo(zone["timezone"])
    assert {"city": "New York", "timezone": "America/New_York", "pop": 0} in zones


@pytest.mark.parametrize("query", ["", "?for=atom"])
async def test_legacy_default_is_null_when_the_user_has_none(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database, query: str
) -> None:
    alice = await make_account()
    async with db.session() as session:  # a user from before default schedules existed
        await session.execute(update(User).where(User.id == alice.user.id).values(default_schedule_id=None))
        await session.commit()

    legacy = await client.get(f"/v2/schedules/default{query}", headers=alice.headers)
    current = await client.get("/v2/schedules/default", headers=headers(alice, CURRENT))

    assert legacy.json() == current.json() == {"status": "success", "data": None}
