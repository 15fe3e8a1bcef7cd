"""``slotwise mcp`` driven by the official SDK's client over stdio, against a live Slotwise."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from mcp.client.stdio import StdioServerParameters

from mcp import Client
from slotwise.client import Client as CalClient
from tests.client.live import LiveAccount, next_monday, unique
from tests.client.scripted import Reply, ScriptedServer, error_body
from tests.support.server import SLOTWISE, free_port

TOOLS = {
    "whoami",
    "list_event_types",
    "find_available_slots",
    "book_slot",
    "list_bookings",
    "get_booking",
    "cancel_booking",
    "reschedule_booking",
    "create_event_type",
    "set_working_hours",
}


def _params(env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(command=SLOTWISE, args=["mcp"], env={"PATH": os.environ.get("PATH", ""), **env})


def _data(result: Any) -> Any:
    assert not result.is_error, result.content
    structured = result.structured_content
    return structured.get("result", structured) if isinstance(structured, dict) else structured


async def test_an_agent_sets_up_finds_books_reschedules_and_cancels_real_slots(account: LiveAccount) -> None:
    slug = unique("intro-")
    with CalClient(account.key, base_url=account.base_url) as cal:
        cal.create_event_type(title="Intro call", slug=slug, length_in_minutes=30)
    monday = next_monday()

    async with Client(_params(account.env)) as agent:
        tools = {tool.name: tool for tool in (await agent.list_tools()).tools}
        me = _data(await agent.call_tool("whoami", {}))
        kinds = _data(await agent.call_tool("list_event_types", {}))
        found = _data(
            await agent.call_tool(
                "find_available_slots",
                {"event_type": slug, "when": monday.isoformat(), "time_zone": "America/New_York", "max_results": 3},
            )
        )
        first, second = found["slots"][0]["start"], found["slots"][1]["start"]
        booked = _data(
            await agent.call_tool(
                "book_slot",
                {
                    "event_type": slug,
                    "start": first,
                    "attendee_name": "Grace",
                    "attendee_email": "grace@example.com",
                    "attendee_time_zone": "America/New_York",
                },
            )
        )
        again = await agent.call_tool(
            "book_slot",
            {
                "event_type": slug,
                "start": first,
                "attendee_name": "Linus",
                "attendee_email": "linus@example.com",
                "attendee_time_zone": "Europe/Helsinki",
            },
        )
        listed = _data(await agent.call_tool("list_bookings", {"time_zone": "America/New_York"}))
        moved = _data(await agent.call_tool("reschedule_booking", {"uid": booked["uid"], "new_start": second}))
        cancelled = _data(await agent.call_tool("cancel_booking", {"uid": moved["uid"], "reason": "agent test"}))
        fetched = _data(await agent.call_tool("get_booking", {"uid": booked["uid"]}))
        after = _data(await agent.call_tool("find_available_slots", {"event_type": slug, "when": monday.isoformat()}))
        hours = _data(
            await agent.call_tool(
                "set_working_hours",
                {"days": "Tue-Thu", "start_time": "10am", "end_time": "2:30pm", "time_zone": "Asia/Kolkata"},
            )
        )
        created = _data(await agent.call_tool("create_event_type", {"title": "Quick Sync!", "length_in_minutes": 15}))
        week = f"{next_monday(1).isoformat()} to {next_monday(2).isoformat()}"
        reshaped = _data(await agent.call_tool("find_available_slots", {"event_type": created["id"], "when": week}))

    assert set(tools) == TOOLS
    assert "before book_slot" in (tools["find_available_slots"].description or "")
    assert "uid" in (tools["book_slot"].description or "")
    assert tools["cancel_booking"].annotations is not None and tools["cancel_booking"].annotations.destructive_hint
    assert me["username"] == account.username and me["time_zone"] == "Europe/Berlin"
    assert [k["slug"] for k in kinds] == [slug]
    # 09:00 Berlin on a Monday is 03:00 in New York, rendered with its offset
    assert first == f"{monday.isoformat()}T03:00:00-05:00" and found["time_zone"] == "America/New_York"
    assert found["total"] == 16 and found["truncated"] is True and len(found["slots"]) == 3
    assert booked["status"] == "accepted" and booked["start"] == first and booked["uid"]
    assert again.is_error and "find_available_slots" in again.content[0].text  # type: ignore[union-attr]
    assert [b["uid"] for b in listed["bookings"]] == [booked["uid"]]
    assert moved["uid"] != booked["uid"] and moved["rescheduled_from_uid"] == booked["uid"]
    assert cancelled["status"] == "cancelled" and cancelled["cancellation_reason"] == "agent test"
    assert fetched["status"] == "cancelled" and fetched["rescheduled_to_uid"] == moved["uid"]
    assert datetime.fromisoformat(first) in {datetime.fromisoformat(s["start"]) for s in after["slots"]}
    # an agent can set up working hours and a new event type, and the slots follow
    assert hours["availability"] == [
        {"days": ["Tuesday", "Wednesday", "Thursday"], "startTime": "10:00", "endTime": "14:30"}
    ]
    assert hours["time_zone"] == "Asia/Kolkata" and hours["is_default"] is True
    assert created["slug"] == "quick-sync" and created["length_in_minutes"] == 15
    assert reshaped["time_zone"] == "Europe/Berlin"  # the user's zone when none is given
    assert set(reshaped["by_day"]) and all(
        datetime.fromisoformat(day).strftime("%a") in {"Tue", "Wed", "Thu"} for day in reshaped["by_day"]
    )
    assert min(times[0] for times in reshaped["by_day"].values()) == "05:30"  # 10:00 Kolkata in Berlin (winter)


def test_stdout_carries_only_protocol_frames() -> None:
    """Logs (the SDK's, ours, httpx's) go to stderr; stdout is nothing but JSON-RPC."""
    replies = [Reply(401, error_body(401, "Invalid API key", "UnauthorizedException"))]
    with ScriptedServer(replies) as server:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "CAL_API_URL": server.url,
            "CAL_API_KEY": "cal_wrong",
            "PYTHONWARNINGS": "default",
        }
        messages = [
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "test", "version": "1"},
                },
            },
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}},
            {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope", "arguments": {}}},
        ]
        process = subprocess.Popen(
            [SLOTWISE, "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        answers: dict[int, Any] = {}
        lines: list[bytes] = []
        for message in messages:
            process.stdin.write(json.dumps(message).encode() + b"\n")
            process.stdin.flush()
            if "id" not in message:
                continue
            while message["id"] not in answers:
                line = process.stdout.readline()
                assert line, "the server closed stdout early"
                lines.append(line)
                frame = json.loads(line)
                if "id" in frame:
                    answers[frame["id"]] = frame
        rest, stderr = process.communicate(timeout=30)  # closes stdin: the server exits
        lines.extend(line for line in rest.splitlines(keepends=True) if line.strip())

    frames = [json.loads(line) for line in lines]
    assert all(frame.get("jsonrpc") == "2.0" for frame in frames), lines
    assert len(answers[2]["result"]["tools"]) == len(TOOLS)
    whoami = answers[3]["result"]
    assert whoami["isError"] is True and "CAL_API_KEY" in whoami["content"][0]["text"]
    assert "401" in whoami["content"][0]["text"]
    assert "error" in answers[4] or answers[4]["result"]["isError"] is True
    assert b"Traceback" not in stderr


def _start_http_mcp(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [SLOTWISE, "mcp", "--http", "--port", str(port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the MCP HTTP server did not start"
            time.sleep(0.1)


async def test_streamable_http_mode_serves_the_same_tools(account: LiveAccount, tmp_path: Path) -> None:
    process, url = _start_http_mcp(account.env, tmp_path / "mcp-http.log")
    try:
        async with Client(url) as agent:
            names = {tool.name for tool in (await agent.list_tools()).tools}
            me = _data(await agent.call_tool("whoami", {}))
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert names == TOOLS and me["username"] == account.username
