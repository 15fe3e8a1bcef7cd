"""Bad input: a 400 that names the field and what to send, never a 500, never a partial write."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import Account, MakeAccount
from tests.schedules.helpers import CURRENT, assert_contract, headers
from tests.support.contract import assert_error

BASE: dict[str, Any] = {"name": "Checked", "timeZone": "Europe/Rome", "isDefault": False}


def _rule(days: Any = None, start: Any = "09:00", end: Any = "17:00") -> dict[str, Any]:
    return {"days": ["Monday"] if days is None else days, "startTime": start, "endTime": end}


def _override(date: Any = "2030-05-20", start: Any = "10:00", end: Any = "12:00") -> dict[str, Any]:
    return {"date": date, "startTime": start, "endTime": end}


CREATE_CASES = [
    pytest.param({"timeZone": "Mars/Olympus"}, ["timeZone", "Mars/Olympus"], id="unknown-zone"),
    pytest.param({"name": None}, ["name"], id="null-name"),
    pytest.param({"name": "   "}, ["name"], id="blank-name"),
    pytest.param({"name": "x" * 256}, ["name", "255"], id="long-name"),
    pytest.param({"isDefault": "maybe"}, ["isDefault"], id="not-boolean"),
    pytest.param({"availability": "Mon-Fri"}, ["availability"], id="availability-not-a-list"),
    pytest.param({"availability": [_rule(days=["Funday"])]}, ["days", "Funday", "Monday"], id="unknown-day-name"),
    pytest.param({"availability": [_rule(days=[7])]}, ["days", "7", "0 (Sunday)"], id="day-number-7"),
    pytest.param({"availability": [_rule(days=[-1])]}, ["days", "-1"], id="negative-day"),
    pytest.param({"availability": [_rule(days=[2**63])]}, ["days"], id="huge-day"),
    pytest.param({"availability": [_rule(days=[])]}, ["days"], id="no-days"),
    pytest.param({"availability": [_rule(start="25:00")]}, ["startTime", "25:00"], id="hour-25"),
    pytest.param({"availability": [_rule(start="9am")]}, ["startTime", "HH:MM"], id="not-hh-mm"),
    pytest.param({"availability": [_rule(start=900)]}, ["startTime"], id="number-time"),
    pytest.param({"availability": [_rule(start="24:00")]}, ["startTime", "23:59"], id="start-24"),
    pytest.param({"availability": [_rule(start="17:00", end="09:00")]}, ["endTime", "after"], id="end-before-start"),
    pytest.param({"availability": [_rule(start="09:00", end="09:00")]}, ["endTime", "after"], id="empty-range"),
    pytest.param({"availability": [_rule(start="09:00", end="00:00")]}, ["endTime", "23:59"], id="end-at-00"),
    pytest.param({"availability": [_rule()] * 101}, ["availability", "100"], id="too-many-rules"),
    pytest.param({"overrides": [_override(date="2030-02-30")]}, ["date", "2030-02-30"], id="no-such-date"),
    pytest.param({"overrides": [_override(date="20-05-2030")]}, ["date", "YYYY-MM-DD"], id="date-format"),
    pytest.param(
        {"overrides": [_override(start="12:00", end="10:00")]}, ["endTime", "00:00-00:00"], id="override-backwards"
    ),
    pytest.param({"overrides": [_override(start="10:00", end="10:00")]}, ["endTime"], id="override-empty"),
    pytest.param({"availability": [_rule()], "availabilities": []}, ["availability", "only one"], id="two-hour-fields"),
    pytest.param(
        {"availabilities": [{"days": [1], "startTime": "soon", "endTime": "later"}]},
        ["availabilities", "ISO"],
        id="legacy-bad-time",
    ),
    pytest.param(
        {"availabilities": [{"days": [1], "startTime": "2024-01-01T09:00:00Z", "endTime": "2024-01-03T00:00:00Z"}]},
        ["availabilities", "midnight"],
        id="legacy-multi-day-range",
    ),
]


async def _count(client: httpx.AsyncClient, account: Account) -> int:
    return len((await client.get("/v2/schedules", headers=headers(account, CURRENT))).json()["data"])


async def test_bad_create_bodies_are_400s_naming_the_field(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account()

    for case in CREATE_CASES:
        change, fragments = case.values
        with subtests.test(msg=case.id):
            body = {**BASE, **change}
            response = await client.post("/v2/schedules", headers=headers(alice, CURRENT), json=body)
            legacy = await client.post("/v2/schedules", headers=alice.headers, json=body)

            assert_error(response, 400, *fragments)
            assert_contract(response)
            assert_error(legacy, 400, *fragments)  # the same rules without the header
    assert await _count(client, alice) == 1  # nothing was written


async def test_missing_name_and_missing_body(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()

    no_name = await client.post("/v2/schedules", headers=alice.headers, json={"timeZone": "UTC"})
    no_body = await client.post("/v2/schedules", headers=alice.headers)
    not_json = await client.post(
        "/v2/schedules", headers={**alice.headers, "Content-Type": "application/json"}, content=b'{"name":'
    )

    assert_error(no_name, 400, "name", "required")
    assert_error(no_body, 400, "body")
    assert_error(not_json, 400, "JSON")


BAD_IDS = [
    ("0", 400, "scheduleId"),
    ("-5", 400, "scheduleId"),
    (str(2**31), 400, "scheduleId"),
    (str(2**64), 400, "scheduleId"),
    ("abc", 400, "scheduleId"),
    ("1e400", 400, "scheduleId"),
    ("2147483647", 404, "2147483647"),
]


async def test_bad_and_huge_ids_are_4xx_not_500(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account()

    for path_id, status, fragment in BAD_IDS:
        for method in ("GET", "PATCH", "DELETE"):
            with subtests.test(msg=f"{method} {path_id}"):
                response = await client.request(
                    method,
                    f"/v2/schedules/{path_id}",
                    headers=headers(alice, CURRENT),
                    json={"name": "x"} if method == "PATCH" else None,
                )
                assert_error(response, status, fragment)


async def test_ids_written_as_floats_are_accepted(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    default_id = (await client.get("/v2/me", headers=alice.headers)).json()["data"]["defaultScheduleId"]

    response = await client.get(f"/v2/schedules/{default_id}.0", headers=headers(alice, CURRENT))

    assert response.status_code == 200 and response.json()["data"]["id"] == default_id


UPDATE_CASES = [
    pytest.param({"timeZone": "Not/AZone"}, ["timeZone", "Not/AZone"], id="zone"),
    pytest.param({"name": ""}, ["name"], id="empty-name"),
    pytest.param({"availability": [_rule(end="08:00")]}, ["endTime", "after"], id="backwards"),
    pytest.param({"overrides": [_override(date="tomorrow")]}, ["date"], id="override-date"),
    pytest.param({"schedule": [[]] * 8}, ["schedule", "7"], id="grid-of-8-days"),
    pytest.param(
        {"schedule": [[{"start": "1970-01-01T12:00:00Z", "end": "1970-01-01T09:00:00Z"}]]},
        ["schedule", "after"],
        id="grid-backwards",
    ),
    pytest.param({"dateOverrides": [{"start": "10:00", "end": "11:00"}]}, ["dateOverrides", "date"], id="undated"),
    pytest.param({"dateOverrides": [{"foo": 1}]}, ["dateOverrides", "ranges"], id="override-shape"),
    pytest.param({"availability": [_rule()], "schedule": []}, ["only one"], id="two-hour-fields"),
    pytest.param({"overrides": [], "dateOverrides": []}, ["only one"], id="two-override-fields"),
]


async def test_bad_updates_are_400s_and_change_nothing(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account()
    default_id = (await client.get("/v2/me", headers=alice.headers)).json()["data"]["defaultScheduleId"]
    url = f"/v2/schedules/{default_id}"
    before = (await client.get(url, headers=headers(alice, CURRENT))).json()

    for case in UPDATE_CASES:
        change, fragments = case.values
        with subtests.test(msg=case.id):
            response = await client.patch(url, headers=alice.headers, json={"name": "Renamed", **change})

            assert_error(response, 400, *fragments)
    assert (await client.get(url, headers=headers(alice, CURRENT))).json() == before


async def test_unknown_fields_are_ignored_and_nulls_mean_not_sent(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    created = await client.post(
        "/v2/schedules",
        headers=headers(alice, CURRENT),
        json={**BASE, "colour": "blue", "availability": [{**_rule(), "note": "x"}], "overrides": None},
    )
    assert created.status_code == 201
    assert_contract(created)
    patched = await client.patch(
        f"/v2/schedules/{created.json()['data']['id']}",
        headers=headers(alice, CURRENT),
        json={"name": None, "availability": None, "whatever": {"deep": [1]}},
    )

    assert patched.status_code == 200
    assert patched.json()["data"] == created.json()["data"]


async def test_empty_patch_body_changes_nothing(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    default_id = (await client.get("/v2/me", headers=alice.headers)).json()["data"]["defaultScheduleId"]
    url = f"/v2/schedules/{default_id}"
    before = (await client.get(url, headers=headers(alice, CURRENT))).json()

    empty = await client.patch(url, headers=headers(alice, CURRENT), json={})
    absent = await client.patch(url, headers=headers(alice, CURRENT))

    assert empty.status_code == absent.status_code == 200
    assert empty.json() == absent.json() == before
