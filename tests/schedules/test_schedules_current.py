"""``/v2/schedules`` with ``cal-api-version: 2024-06-11`` (and later dates): the spec's shapes."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from tests.conftest import Account, MakeAccount
from tests.schedules.helpers import CURRENT, LATER, WEEKDAYS, assert_contract, headers
from tests.support.contract import assert_error

VERSIONS = [pytest.param(CURRENT, id="2024-06-11"), pytest.param(LATER, id="2025-01-01")]


async def _create(client: httpx.AsyncClient, account: Account, **body: object) -> dict[str, object]:
    payload = {"name": "Extra", "timeZone": "Europe/Rome", "isDefault": False, **body}
    response = await client.post("/v2/schedules", headers=headers(account, CURRENT), json=payload)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()["data"]
    return data


async def _default_id(client: httpx.AsyncClient, account: Account) -> int:
    me = (await client.get("/v2/me", headers=account.headers)).json()["data"]
    value: int = me["defaultScheduleId"]
    return value


@pytest.mark.parametrize("version", VERSIONS)
async def test_create_without_availability_gets_weekdays_nine_to_five_and_becomes_default(
    client: httpx.AsyncClient, make_account: MakeAccount, version: dict[str, str]
) -> None:
    alice = await make_account("alice", time_zone="Europe/Berlin")
    first_default = await _default_id(client, alice)

    response = await client.post(
        "/v2/schedules",
        headers=headers(alice, version),
        json={"name": "Catch up hours", "timeZone": "europe/rome", "isDefault": True},
    )

    assert response.status_code == 201
    assert_contract(response)
    data = response.json()["data"]
    assert data["ownerId"] == alice.user.id and data["name"] == "Catch up hours"
    assert data["timeZone"] == "Europe/Rome"  # canonicalised
    assert data["availability"] == [{"days": WEEKDAYS, "startTime": "09:00", "endTime": "17:00"}]
    assert data["overrides"] == [] and data["isDefault"] is True
    assert await _default_id(client, alice) == data["id"] != first_default
    old = (await client.get(f"/v2/schedules/{first_default}", headers=headers(alice, version))).json()["data"]
    assert old["isDefault"] is False


@pytest.mark.parametrize("version", VERSIONS)
async def test_full_body_round_trips_and_lists(
    client: httpx.AsyncClient, make_account: MakeAccount, version: dict[str, str]
) -> None:
    alice = await make_account()
    body = {
        "name": "Evenings",
        "timeZone": "Asia/Kathmandu",
        "isDefault": False,
        "availability": [
            {"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"},
            {"days": ["Saturday"], "startTime": "08:30", "endTime": "24:00"},
        ],
        "overrides": [
            {"date": "2030-05-21", "startTime": "00:00", "endTime": "00:00"},
            {"date": "2030-05-20", "startTime": "18:00", "endTime": "21:00"},
        ],
    }

    created = await client.post("/v2/schedules", headers=headers(alice, version), json=body)

    assert created.status_code == 201
    assert_contract(created)
    data = created.json()["data"]
    assert data["availability"] == [
        {"days": ["Monday", "Tuesday"], "startTime": "17:00", "endTime": "19:00"},
        {"days": ["Saturday"], "startTime": "08:30", "endTime": "23:59"},  # 24:00 = end of day
    ]
    assert data["overrides"] == [  # by date
        {"date": "2030-05-20", "startTime": "18:00", "endTime": "21:00"},
        {"date": "2030-05-21", "startTime": "00:00", "endTime": "00:00"},
    ]
    fetched = await client.get(f"/v2/schedules/{data['id']}", headers=headers(alice, version))
    assert fetched.status_code == 200
    assert_contract(fetched)
    assert fetched.json()["data"] == data
    listed = await client.get("/v2/schedules", headers=headers(alice, version))
    assert_contract(listed)
    schedules = listed.json()["data"]
    assert [s["id"] for s in schedules] == [await _default_id(client, alice), data["id"]]
    assert [s["isDefault"] for s in schedules] == [True, False]


async def test_default_schedule_endpoint(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    other = await _create(client, alice, name="Other")

    response = await client.get("/v2/schedules/default", headers=headers(alice, CURRENT))

    assert response.status_code == 200
    assert_contract(response)
    data = response.json()["data"]
    assert data["id"] == await _default_id(client, alice) != other["id"]
    assert data["isDefault"] is True and data["name"] == "Default schedule"


async def test_patch_updates_fields_and_empty_lists_clear(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    schedule = await _create(client, alice)
    url = f"/v2/schedules/{schedule['id']}"

    renamed = await client.patch(
        url,
        headers=headers(alice, CURRENT),
        json={
            "name": "One-on-one coaching",
            "overrides": [{"date": "2030-01-02", "startTime": "12:00", "endTime": "14:00"}],
        },
    )

    assert renamed.status_code == 200
    assert_contract(renamed)
    data = renamed.json()["data"]
    assert data["name"] == "One-on-one coaching" and data["timeZone"] == "Europe/Rome"
    assert data["availability"] == [{"days": WEEKDAYS, "startTime": "09:00", "endTime": "17:00"}]
    assert data["overrides"] == [{"date": "2030-01-02", "startTime": "12:00", "endTime": "14:00"}]

    cleared = await client.patch(url, headers=headers(alice, CURRENT), json={"availability": [], "overrides": []})

    assert cleared.status_code == 200
    assert_contract(cleared)
    assert cleared.json()["data"]["availability"] == [] and cleared.json()["data"]["overrides"] == []
    again = (await client.get(url, headers=headers(alice, CURRENT))).json()["data"]
    assert again["availability"] == [] and again["name"] == "One-on-one coaching"


async def test_patch_is_default_switches_the_default(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    first = await _default_id(client, alice)
    other = await _create(client, alice)

    response = await client.patch(
        f"/v2/schedules/{other['id']}", headers=headers(alice, LATER), json={"isDefault": True}
    )

    assert response.status_code == 200
    assert_contract(response)
    assert response.json()["data"]["isDefault"] is True
    listed = (await client.get("/v2/schedules", headers=headers(alice, CURRENT))).json()["data"]
    assert {s["id"]: s["isDefault"] for s in listed} == {first: False, other["id"]: True}
    assert await _default_id(client, alice) == other["id"]


async def test_un_defaulting_the_default_is_refused(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    default_id = await _default_id(client, alice)

    response = await client.patch(
        f"/v2/schedules/{default_id}", headers=headers(alice, CURRENT), json={"isDefault": False, "name": "Renamed"}
    )

    assert_error(response, 400, "default", "isDefault")
    unchanged = (await client.get(f"/v2/schedules/{default_id}", headers=headers(alice, CURRENT))).json()["data"]
    assert unchanged["isDefault"] is True and unchanged["name"] == "Default schedule"  # no partial write


async def test_delete_answers_success_and_forgets_the_schedule(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    other = await _create(client, alice)

    response = await client.delete(f"/v2/schedules/{other['id']}", headers=headers(alice, CURRENT))

    assert response.status_code == 200
    assert_contract(response)
    assert response.json() == {"status": "success"}
    gone = await client.get(f"/v2/schedules/{other['id']}", headers=headers(alice, CURRENT))
    assert_error(gone, 404, str(other["id"]))


async def test_deleting_the_default_promotes_the_oldest_other_schedule(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    first = await _default_id(client, alice)
    second = await _create(client, alice, name="Second")
    await _create(client, alice, name="Third")

    response = await client.delete(f"/v2/schedules/{first}", headers=headers(alice, CURRENT))

    assert response.status_code == 200
    default = (await client.get("/v2/schedules/default", headers=headers(alice, CURRENT))).json()["data"]
    assert default["id"] == second["id"] == await _default_id(client, alice)
    listed = (await client.get("/v2/schedules", headers=headers(alice, CURRENT))).json()["data"]
    assert [s["isDefault"] for s in listed] == [True, False]


async def test_the_last_schedule_cannot_be_deleted(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account()
    only = await _default_id(client, alice)

    response = await client.delete(f"/v2/schedules/{only}", headers=headers(alice, CURRENT))

    assert_error(response, 400, "only schedule", "create another")
    assert (await client.get(f"/v2/schedules/{only}", headers=headers(alice, CURRENT))).status_code == 200


async def test_someone_elses_schedule_is_403_and_an_unknown_one_404(
    client: httpx.AsyncClient, make_account: MakeAccount, subtests: pytest.Subtests
) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")
    bobs = await _create(client, bob, name="Bob's")

    for method in ("GET", "PATCH", "DELETE"):
        with subtests.test(msg=method):
            body = {"name": "Mine now"} if method == "PATCH" else None
            url = f"/v2/schedules/{bobs['id']}"
            forbidden = await client.request(method, url, headers=headers(alice, CURRENT), json=body)
            missing = await client.request(method, "/v2/schedules/999999", headers=headers(alice, CURRENT), json=body)

            assert_error(forbidden, 403, str(bobs["id"]), "another user")
            assert "Bob's" not in forbidden.text  # nothing of bob's schedule leaks
            assert_contract(forbidden)
            assert_error(missing, 404, "999999")
    still = (await client.get(f"/v2/schedules/{bobs['id']}", headers=headers(bob, CURRENT))).json()["data"]
    assert still["name"] == "Bob's"


async def test_lists_never_show_other_users_schedules(client: httpx.AsyncClient, make_account: MakeAccount) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")
    await _create(client, bob, name="Bob's", isDefault=True)

    for version in (CURRENT, {}):
        listed = (await client.get("/v2/schedules", headers=headers(alice, version))).json()["data"]
        default = (await client.get("/v2/schedules/default", headers=headers(alice, version))).json()["data"]
        assert {s["ownerId"] for s in listed} == {alice.user.id} and default["ownerId"] == alice.user.id


async def test_every_endpoint_needs_an_api_key(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/v2/schedules"), ("POST", "/v2/schedules"), ("GET", "/v2/schedules/default")]:
        response = await client.request(method, path, headers=CURRENT, json={"name": "x"} if method == "POST" else None)
        assert_error(response, 401, "API key")


async def test_with_the_header_the_spec_required_fields_are_required(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    response = await client.post("/v2/schedules", headers=headers(alice, CURRENT), json={"name": "No zone"})

    body = assert_error(response, 400, "timeZone", "isDefault")
    assert {e["property"] for e in body["error"]["details"]["errors"]} == {"timeZone", "isDefault"}
    assert len((await client.get("/v2/schedules", headers=headers(alice, CURRENT))).json()["data"]) == 1


async def test_day_numbers_are_accepted_with_the_header_and_answered_as_names(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    response = await client.post(
        "/v2/schedules",
        headers=headers(alice, CURRENT),
        json={
            "name": "Weekend",
            "timeZone": "UTC",
            "isDefault": False,
            "availability": [{"days": [6, 0], "startTime": "10:00", "endTime": "14:00"}],
        },
    )

    assert response.status_code == 201
    assert_contract(response)
    assert response.json()["data"]["availability"][0]["days"] == ["Saturday", "Sunday"]
