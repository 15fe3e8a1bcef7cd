"""The legacy (2024-04-15) slots calls, exactly as the seed documents and older clients send them."""

from __future__ import annotations

import httpx2 as httpx

from slotwise.db import Database
from tests.slots.conftest import V2024_09_04, MakeHost, add_event_type, hourly
from tests.support.contract import assert_error

SEED_QUERY = "startTime=2024-01-15T00:00:00Z&endTime=2024-01-22T00:00:00Z&eventTypeId=123&eventTypeSlug=30min"


def legacy_week(first_hour: int = 7) -> dict[str, list[dict[str, str]]]:
    return {
        f"2050-09-{day:02d}": [{"time": t} for t in hourly(f"2050-09-{day:02d}", first_hour, 8)] for day in range(5, 10)
    }


async def test_the_seed_skill_call_works_as_written(
    client: httpx.AsyncClient, db: Database, make_host: MakeHost
) -> None:
    host = await make_host()
    await add_event_type(db, host.account.user.id, "30min", 30, id=123)

    # no version header, legacy names, id and slug but no username: Cal.com answers 404 here
    response = await client.get(f"/v2/slots?{SEED_QUERY}")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "success", "data": {"slots": {}}}  # January 2024 is in the past

    future = await client.get(
        f"/v2/slots?{SEED_QUERY.replace('2024-01-15', '2050-09-05').replace('2024-01-22', '2050-09-06')}"
    )
    slots = future.json()["data"]["slots"]
    assert list(slots) == ["2050-09-05"]
    assert slots["2050-09-05"][:3] == [
        {"time": "2050-09-05T07:00:00.000Z"},
        {"time": "2050-09-05T07:30:00.000Z"},
        {"time": "2050-09-05T08:00:00.000Z"},
    ]
    assert len(slots["2050-09-05"]) == 16


async def test_legacy_available_endpoint_time_format(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots/available",
        params={
            "eventTypeId": host.event_type_id,
            "startTime": "2050-09-05T00:00:00.000Z",
            "endTime": "2050-09-10T00:00:00Z",
        },
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "success", "data": {"slots": legacy_week()}}


async def test_legacy_available_endpoint_range_format_and_zone(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots/available",
        params={
            "eventTypeId": f"{host.event_type_id}.0",
            "startTime": "2050-09-06",
            "endTime": "2050-09-06",
            "timeZone": "Pacific/Kiritimati",
            "slotFormat": "range",
        },
        headers=V2024_09_04,  # the path decides the shape
    )

    # the Kiritimati day (UTC+14) 2050-09-06 is 2050-09-05T10:00Z .. 2050-09-06T10:00Z: the key is that
    # date, the times stay UTC (as Cal.com's legacy endpoint)
    assert response.status_code == 200, response.text
    starts = [f"2050-09-05T{h:02d}" for h in range(10, 15)] + [f"2050-09-06T{h:02d}" for h in range(7, 10)]
    assert response.json()["data"]["slots"] == {
        "2050-09-06": [
            {"startTime": f"{s}:00:00.000Z", "endTime": f"{s[:11]}{int(s[11:]) + 1:02d}:00:00.000Z"} for s in starts
        ]
    }


async def test_legacy_shape_without_header_on_the_main_path(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={
            "startTime": "2050-09-05T00:00:00Z",
            "endTime": "2050-09-09T23:59:59Z",
            "eventTypeId": host.event_type_id,
        },
    )

    assert response.json() == {"status": "success", "data": {"slots": legacy_week()}}


async def test_legacy_names_with_the_current_header_are_refused(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    response = await client.get(
        "/v2/slots",
        params={"startTime": "2050-09-05", "endTime": "2050-09-09", "eventTypeId": host.event_type_id},
        headers=V2024_09_04,
    )

    assert_error(response, 400, "startTime", "did you mean 'start'", "endTime")


async def test_legacy_queries_still_validate_what_they_use(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    backwards = await client.get(
        "/v2/slots/available",
        params={"eventTypeId": host.event_type_id, "startTime": "2050-09-09", "endTime": "2050-09-05"},
    )
    missing = await client.get(
        "/v2/slots/available", params={"eventTypeId": host.event_type_id, "startTime": "2050-09-09"}
    )
    unknown = await client.get(
        "/v2/slots/available", params={"eventTypeId": 424242, "startTime": "2050-09-05", "endTime": "2050-09-06"}
    )

    assert_error(backwards, 400, "endTime", "before")
    assert_error(missing, 400, "endTime")
    assert_error(unknown, 404, "Event Type not found")


async def test_legacy_reserve_and_release(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()
    params = {"eventTypeId": host.event_type_id, "startTime": "2050-09-05", "endTime": "2050-09-05"}

    reserved = await client.post(
        "/v2/slots/reserve",
        json={
            "eventTypeId": host.event_type_id,
            "slotUtcStartDate": "2050-09-05T08:00:00Z",
            "slotUtcEndDate": "2050-09-05T09:00:00Z",
        },
    )

    assert reserved.status_code == 201, reserved.text
    uid = reserved.json()["data"]
    assert reserved.json() == {"status": "success", "data": uid}
    assert reserved.cookies.get("uid") == uid

    def times(response: httpx.Response) -> list[str]:
        return [s["time"] for s in response.json()["data"]["slots"]["2050-09-05"]]

    # this client holds the cookie: it still sees its slot; a cookie-less caller does not
    assert "2050-09-05T08:00:00.000Z" in times(await client.get("/v2/slots/available", params=params))
    client.cookies.clear()
    assert "2050-09-05T08:00:00.000Z" not in times(await client.get("/v2/slots/available", params=params))

    released = await client.delete("/v2/slots/selected-slot", params={"uid": uid})
    assert released.json() == {"status": "success"}
    assert "2050-09-05T08:00:00.000Z" in times(await client.get("/v2/slots/available", params=params))
    assert (await client.delete("/v2/slots/selected-slot", params={"uid": uid})).status_code == 200


async def test_legacy_reserve_checks_the_slot(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    host = await make_host()

    def body(start: str, end: str) -> dict[str, object]:
        return {"eventTypeId": host.event_type_id, "slotUtcStartDate": start, "slotUtcEndDate": end}

    odd_length = await client.post("/v2/slots/reserve", json=body("2050-09-05T08:00:00Z", "2050-09-05T08:25:00Z"))
    backwards = await client.post("/v2/slots/reserve", json=body("2050-09-05T08:00:00Z", "2050-09-05T07:00:00Z"))
    night = await client.post("/v2/slots/reserve", json=body("2050-09-05T01:00:00Z", "2050-09-05T02:00:00Z"))
    no_uid = await client.delete("/v2/slots/selected-slot")

    assert_error(odd_length, 400, "slotUtcEndDate", "60")
    assert_error(backwards, 400, "slotUtcEndDate")
    assert_error(night, 422, "working hours")
    assert_error(no_uid, 400, "uid")


async def test_legacy_username_list_gives_common_slots(client: httpx.AsyncClient, make_host: MakeHost) -> None:
    await make_host("alice")
    await make_host("bob", time_zone="Europe/London")  # 09-17 London = 08:00Z-16:00Z

    response = await client.get(
        "/v2/slots/available?usernameList[]=alice&usernameList[]=bob&duration=60"
        "&startTime=2050-09-05T00:00:00Z&endTime=2050-09-06T00:00:00Z"
    )

    assert response.json()["data"]["slots"] == {"2050-09-05": [{"time": t} for t in hourly("2050-09-05", 8, 7)]}
