"""The client commands against a live Slotwise: in-process through typer's runner (fast), and as the
real ``slotwise`` executable for the exit codes scripts rely on."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from slotwise.cli.main import app
from slotwise.client import Attendee, Client
from tests.client.live import LiveAccount, next_monday, unique
from tests.support.server import run_cli

BERLIN = ZoneInfo("Europe/Berlin")


def _run(account: LiveAccount | None, *args: str, env: dict[str, str] | None = None) -> Result:
    merged: dict[str, str | None] = {"CAL_API_URL": None, "CAL_API_KEY": None, "COLUMNS": "200"}
    if account is not None:
        merged.update(account.env)
    merged.update(env or {})
    return CliRunner().invoke(app, list(args), env=merged)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output + (result.stderr if result.stderr_bytes else "")
    return json.loads(result.stdout)


def _slug_event_type(account: LiveAccount) -> tuple[int, str]:
    slug = unique("intro-")
    created = _json(
        _run(account, "event-types", "create", "--title", "Intro", "--slug", slug, "--length", "30", "--json")
    )
    return created["id"], slug


def test_me_prints_the_profile_as_text_and_json(account: LiveAccount) -> None:
    text = _run(account, "me")
    data = _json(_run(account, "me", "--json"))

    assert text.exit_code == 0 and account.username in text.stdout and account.base_url in text.stdout
    assert data["username"] == account.username and data["timeZone"] == "Europe/Berlin"


def test_event_types_create_list_delete(account: LiveAccount) -> None:
    event_type_id, slug = _slug_event_type(account)
    listed = _json(_run(account, "event-types", "list", "--json"))
    table = _run(account, "event-types", "list")
    deleted = _json(_run(account, "event-types", "delete", str(event_type_id), "--json"))
    after = _json(_run(account, "event-types", "list", "--json"))

    assert [e["slug"] for e in listed] == [slug] and listed[0]["lengthInMinutes"] == 30
    assert slug in table.stdout
    assert deleted["id"] == event_type_id and after == []


def test_slots_are_a_table_grouped_by_day_in_the_chosen_zone(account: LiveAccount) -> None:
    _, slug = _slug_event_type(account)
    monday = next_monday()
    table = _run(account, "slots", "--event-type", slug, "--from", monday.isoformat(), "--tz", "Asia/Kathmandu")
    data = _json(
        _run(account, "slots", "--event-type", slug, "--from", monday.isoformat(), "--to", monday.isoformat(), "--json")
    )

    assert table.exit_code == 0, table.output
    # 09:00-16:30 Berlin is 13:45-21:15 in Kathmandu (+05:45)
    assert f"Mon {monday.isoformat()}" in table.stdout and "13:45" in table.stdout and "21:15" in table.stdout
    assert "Asia/Kathmandu" in table.stdout
    assert list(data) == [monday.isoformat()] and len(data[monday.isoformat()]) == 16


def test_book_then_list_get_reschedule_and_cancel(account: LiveAccount) -> None:
    event_type_id, _ = _slug_event_type(account)
    monday = next_monday()
    start = datetime.combine(monday, datetime.min.time(), BERLIN).replace(hour=10)
    booked = _json(
        _run(
            account,
            "book",
            "--event-type",
            str(event_type_id),
            "--start",
            start.isoformat(),
            "--name",
            "Bob",
            "--email",
            "bob@example.com",
            "--tz",
            "Europe/London",
            "--json",
        )
    )
    listed = _json(_run(account, "bookings", "list", "--json"))
    shown = _run(account, "bookings", "get", booked["uid"], "--tz", "Europe/Berlin")
    moved = _json(
        _run(account, "bookings", "reschedule", booked["uid"], "--start", start.replace(hour=11).isoformat(), "--json")
    )
    cancelled = _json(_run(account, "bookings", "cancel", moved["uid"], "--reason", "ill", "--json"))

    assert booked["status"] == "accepted" and booked["start"].startswith(f"{monday.isoformat()}T09:00:00")
    assert [b["uid"] for b in listed] == [booked["uid"]]
    assert shown.exit_code == 0 and booked["uid"] in shown.stdout and "10:00" in shown.stdout
    assert moved["uid"] != booked["uid"] and moved["rescheduledFromUid"] == booked["uid"]
    assert cancelled["status"] == "cancelled" and cancelled["cancellationReason"] == "ill"


def test_export_writes_every_booking_to_csv_and_json(account: LiveAccount, tmp_path: Path) -> None:
    event_type_id, _ = _slug_event_type(account)
    monday = next_monday()
    with Client(account.key, base_url=account.base_url) as client:
        starts = [s.start for s in client.get_slots(event_type_id=event_type_id, start=monday, end=monday)][:5]
        uids = {
            client.create_booking(
                start=start,
                event_type_id=event_type_id,
                attendee=Attendee(name=f"Guest {i}", email=f"g{i}@example.com", time_zone="UTC"),
            ).uid
            for i, start in enumerate(starts)
        }
    csv_file, json_file = tmp_path / "bookings.csv", tmp_path / "bookings.json"

    as_csv = _run(account, "bookings", "export", "-o", str(csv_file), "--page-size", "2")
    as_json = _json(
        _run(account, "bookings", "export", "-o", str(json_file), "--format", "json", "--page-size", "3", "--json")
    )

    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text())))
    assert {row["uid"] for row in rows} == uids and all(row["status"] == "accepted" for row in rows)
    assert as_json == {"exported": 5, "output": str(json_file), "format": "json"}
    assert {b["uid"] for b in json.loads(json_file.read_text())} == uids


def test_schedules_create_and_set_hours(account: LiveAccount) -> None:
    created = _json(
        _run(
            account,
            "schedules",
            "create",
            "--name",
            "Part time",
            "--tz",
            "America/Sao_Paulo",
            "--hours",
            "Mon,Wed 08:00-12:00",
            "--json",
        )
    )
    changed = _json(
        _run(account, "schedules", "set-hours", "--id", str(created["id"]), "--hours", "Tue-Thu 13:00-18:00", "--json")
    )
    default = _json(_run(account, "schedules", "get", "--json"))
    bad = _run(account, "schedules", "set-hours", "--hours", "someday 9-5")

    assert created["availability"] == [{"days": ["Monday", "Wednesday"], "startTime": "08:00", "endTime": "12:00"}]
    assert changed["availability"] == [
        {"days": ["Tuesday", "Wednesday", "Thursday"], "startTime": "13:00", "endTime": "18:00"}
    ]
    assert default["isDefault"] is True and default["id"] != created["id"]
    assert bad.exit_code == 2


def test_webhooks_create_list_and_delete(account: LiveAccount) -> None:
    created = _json(
        _run(
            account,
            "webhooks",
            "create",
            "--url",
            "http://127.0.0.1:9/in",
            "--trigger",
            "BOOKING_CREATED,booking_cancelled",
            "--secret",
            "s3",
            "--json",
        )
    )
    listed = _run(account, "webhooks", "list")
    deliveries = _json(_run(account, "webhooks", "deliveries", str(created["id"]), "--json"))
    deleted = _json(_run(account, "webhooks", "delete", str(created["id"]), "--json"))

    assert created["triggers"] == ["BOOKING_CREATED", "BOOKING_CANCELLED"]
    assert "http://127.0.0.1:9/in" in listed.stdout
    assert deliveries == [] and deleted["id"] == created["id"]


def test_api_errors_exit_1_with_the_message_and_request_id(account: LiveAccount) -> None:
    missing = _run(account, "bookings", "get", "no-such-booking")
    as_json = _run(account, "bookings", "get", "no-such-booking", "--json")
    bad_key = _run(account, "me", env={"CAL_API_KEY": "cal_wrong"})

    assert missing.exit_code == 1 and "404" in missing.stderr and "request id" in missing.stderr
    error = json.loads(as_json.stderr)["error"]
    assert as_json.exit_code == 1 and error["status"] == 404 and error["requestId"]
    assert as_json.stdout == ""
    assert bad_key.exit_code == 1 and "401" in bad_key.stderr


def test_usage_errors_exit_2() -> None:
    bad_range = _run(None, "slots", "--event-type", "1", "--from", "the day after never", "--base-url", "http://x.test")
    bad_url = _run(None, "me", "--base-url", "not a url")

    assert bad_range.exit_code == 2 and "could not understand" in bad_range.output
    assert bad_url.exit_code == 2 and "scheme" in bad_url.stderr


def test_an_unreachable_server_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("slotwise.client._sync.time.sleep", waits.append)

    down = _run(None, "me", "--base-url", "http://127.0.0.1:9", "--api-key", "cal_x")

    assert down.exit_code == 3 and "127.0.0.1:9" in down.stderr and down.stdout == ""
    assert len(waits) == 3, "connection errors are retried before giving up"


def test_the_real_executable_reads_the_environment(account: LiveAccount) -> None:
    up = run_cli("me", "--json", env=account.env, check=False)

    assert up.returncode == 0 and json.loads(up.stdout)["username"] == account.username
