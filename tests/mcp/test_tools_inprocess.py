"""Tool behaviour through the SDK's in-process client, with the API answered by a mock transport."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx

from mcp import Client
from slotwise.client import AsyncClient
from slotwise.mcp import build_server
from tests.client.scripted import booking_json, envelope

ME = {"id": 1, "email": "ada@example.com", "username": "ada", "timeZone": "Asia/Kathmandu"}
EVENT_TYPE = {"id": 7, "title": "Intro", "slug": "intro", "lengthInMinutes": 30}


def _server(seen: list[httpx.Request]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path == "/v2/me":
            return httpx.Response(200, json=envelope(ME))
        if path == "/v2/event-types":
            return httpx.Response(200, json=envelope([EVENT_TYPE]))
        if path == "/v2/event-types/7":
            return httpx.Response(200, json=envelope(EVENT_TYPE))
        if path == "/v2/slots":
            return httpx.Response(200, json=envelope({}))
        if path == "/v2/bookings":
            return httpx.Response(201, json=envelope(booking_json("bk-9", eventTypeId=7)))
        return httpx.Response(404, json={"statusCode": 404, "message": "nope"})

    client = AsyncClient("cal_test", base_url="http://cal.test", transport=httpx.MockTransport(answer))
    return build_server(client)


async def test_natural_ranges_become_utc_instants_in_the_users_zone() -> None:
    seen: list[httpx.Request] = []
    async with Client(_server(seen)) as agent:
        result = await agent.call_tool("find_available_slots", {"event_type": "intro", "when": "2026-12-01"})

    slots_request = next(r for r in seen if r.url.path == "/v2/slots")
    assert not result.is_error
    # the whole of 1 December in Kathmandu (+05:45), asked for in UTC
    assert slots_request.url.params["start"] == "2026-11-30T18:15:00Z"
    assert slots_request.url.params["end"] == "2026-12-01T18:15:00Z"
    assert slots_request.url.params["eventTypeId"] == "7"
    assert slots_request.url.params["timeZone"] == "Asia/Kathmandu"


async def test_a_start_without_offset_is_read_in_the_attendees_zone() -> None:
    seen: list[httpx.Request] = []
    async with Client(_server(seen)) as agent:
        result = await agent.call_tool(
            "book_slot",
            {
                "event_type": 7,
                "start": "2026-12-01T09:00",
                "attendee_name": "Bob",
                "attendee_email": "bob@example.com",
                "attendee_time_zone": "America/New_York",
            },
        )

    body = json.loads(next(r for r in seen if r.url.path == "/v2/bookings").content)
    assert not result.is_error
    assert body["start"] == "2026-12-01T14:00:00Z" and body["eventTypeId"] == 7
    assert body["attendee"] == {"name": "Bob", "email": "bob@example.com", "timeZone": "America/New_York"}


async def test_bad_input_is_explained_to_the_agent_without_calling_the_api() -> None:
    seen: list[httpx.Request] = []
    async with Client(_server(seen)) as agent:
        bad_when = await agent.call_tool("find_available_slots", {"event_type": "intro", "when": "whenever"})
        bad_zone = await agent.call_tool("find_available_slots", {"event_type": "intro", "time_zone": "Mars/Olympus"})
        unknown = await agent.call_tool("find_available_slots", {"event_type": "standup"})
        bad_hours = await agent.call_tool("set_working_hours", {"days": "Funday", "start_time": "09:00"})

    texts = [r.content[0].text for r in (bad_when, bad_zone, unknown, bad_hours)]  # type: ignore[union-attr]
    assert all(r.is_error for r in (bad_when, bad_zone, unknown, bad_hours))
    assert "tomorrow" in texts[0] and "Mars/Olympus" in texts[1]
    assert "intro (id 7)" in texts[2] and "funday" in texts[3].lower()
    assert not any(r.url.path in ("/v2/slots", "/v2/schedules") for r in seen)
