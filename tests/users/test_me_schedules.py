"""``/v2/me`` and schedules: a new user's default schedule, the zone and the default switching."""

from __future__ import annotations

import httpx2 as httpx

from tests.conftest import MakeAccount
from tests.support.contract import assert_contract, assert_error

CURRENT = {"cal-api-version": "2024-06-11"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


async def test_a_new_user_has_a_weekday_default_schedule_in_their_zone(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice", time_zone="Asia/Kolkata")

    me = (await client.get("/v2/me", headers=alice.headers)).json()["data"]
    default = (await client.get("/v2/schedules/default", headers={**alice.headers, **CURRENT})).json()["data"]

    assert me["defaultScheduleId"] == default["id"] == alice.user.default_schedule_id
    assert default["timeZone"] == "Asia/Kolkata" and default["isDefault"] is True
    assert default["availability"] == [{"days": WEEKDAYS, "startTime": "09:00", "endTime": "17:00"}]
    assert default["overrides"] == []


async def test_patch_me_time_zone_moves_the_default_schedule_only(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice", time_zone="Europe/Berlin")
    other = await client.post(
        "/v2/schedules",
        headers={**alice.headers, **CURRENT},
        json={"name": "Other", "timeZone": "Asia/Tokyo", "isDefault": False},
    )

    response = await client.patch("/v2/me", headers=alice.headers, json={"timeZone": "america/new_york"})

    assert response.status_code == 200
    assert response.json()["data"]["timeZone"] == "America/New_York"
    schedules = (await client.get("/v2/schedules", headers={**alice.headers, **CURRENT})).json()["data"]
    assert {s["id"]: s["timeZone"] for s in schedules} == {
        alice.user.default_schedule_id: "America/New_York",
        other.json()["data"]["id"]: "Asia/Tokyo",
    }


async def test_patch_me_default_schedule_id_switches_the_default(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    other = (
        await client.post(
            "/v2/schedules",
            headers={**alice.headers, **CURRENT},
            json={"name": "Other", "timeZone": "UTC", "isDefault": False},
        )
    ).json()["data"]

    response = await client.patch("/v2/me", headers=alice.headers, json={"defaultScheduleId": other["id"]})

    assert response.status_code == 200
    assert_contract(response)
    assert response.json()["data"]["defaultScheduleId"] == other["id"]
    default = (await client.get("/v2/schedules/default", headers={**alice.headers, **CURRENT})).json()["data"]
    assert default["id"] == other["id"]
    old = (
        await client.get(f"/v2/schedules/{alice.user.default_schedule_id}", headers={**alice.headers, **CURRENT})
    ).json()
    assert old["data"]["isDefault"] is False


async def test_patch_me_default_schedule_id_must_be_ones_own(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")

    someone_elses = await client.patch(
        "/v2/me", headers=alice.headers, json={"defaultScheduleId": bob.user.default_schedule_id, "name": "Changed"}
    )
    unknown = await client.patch("/v2/me", headers=alice.headers, json={"defaultScheduleId": 987654})

    assert_error(someone_elses, 403, str(bob.user.default_schedule_id))
    assert_error(unknown, 404, "987654")
    me = (await client.get("/v2/me", headers=alice.headers)).json()["data"]
    assert me["defaultScheduleId"] == alice.user.default_schedule_id and me["name"] == "Alice"
