"""Natural date ranges, computed in the caller's time zone (DST and odd offsets included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotwise.client.timeranges import parse_range

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 2026-11-25 14:30 in Berlin
NOW = datetime(2026, 11, 25, 14, 30, tzinfo=BERLIN)


def _r(text: str, tz: str = "Europe/Berlin", now: datetime = NOW) -> tuple[str, str]:
    found = parse_range(text, tz, now=now)
    return found.start.isoformat(), found.end.isoformat()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("today", "2026-11-25T14:30:00+01:00", "2026-11-26T00:00:00+01:00"),
        ("Tomorrow", "2026-11-26T00:00:00+01:00", "2026-11-27T00:00:00+01:00"),
        ("day after tomorrow", "2026-11-27T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
        ("this week", "2026-11-25T14:30:00+01:00", "2026-11-30T00:00:00+01:00"),
        ("next week", "2026-11-30T00:00:00+01:00", "2026-12-07T00:00:00+01:00"),
        ("this weekend", "2026-11-28T00:00:00+01:00", "2026-11-30T00:00:00+01:00"),
        ("next 3 days", "2026-11-25T14:30:00+01:00", "2026-11-28T00:00:00+01:00"),
        ("friday", "2026-11-27T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
        ("wednesday", "2026-11-25T14:30:00+01:00", "2026-11-26T00:00:00+01:00"),
        ("next wednesday", "2026-12-02T00:00:00+01:00", "2026-12-03T00:00:00+01:00"),
        ("next month", "2026-12-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"),
        ("2026-12-01", "2026-12-01T00:00:00+01:00", "2026-12-02T00:00:00+01:00"),
        ("2026-12-01 to 2026-12-05", "2026-12-01T00:00:00+01:00", "2026-12-06T00:00:00+01:00"),
        ("from 2026-12-01 until friday", "2026-12-01T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
        ("2026-12-01T09:00 .. 2026-12-01T12:00", "2026-12-01T09:00:00+01:00", "2026-12-01T12:00:00+01:00"),
        ("2026-12-01T09:00Z", "2026-12-01T09:00:00+00:00", "2026-12-02T00:00:00+01:00"),
        ("December 3rd", "2026-12-03T00:00:00+01:00", "2026-12-04T00:00:00+01:00"),
        ("between tomorrow and next friday", "2026-11-26T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
    ],
)
def test_phrases(text: str, start: str, end: str) -> None:
    if "until friday" in text:
        with pytest.raises(ValueError, match="ends before it starts"):
            _r(text)
        return
    assert _r(text) == (start, end)


def test_days_are_local_days_across_a_dst_change() -> None:
    before_dst_end = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)  # Saturday; clocks go back Sunday 25th

    found = parse_range("tomorrow", "Europe/Berlin", now=before_dst_end)

    assert found.start.isoformat() == "2026-10-25T00:00:00+02:00"
    assert found.end.isoformat() == "2026-10-26T00:00:00+01:00"
    assert found.end.astimezone(UTC) - found.start.astimezone(UTC) == timedelta(hours=25)
    assert found.contains(datetime(2026, 10, 25, 22, 30, tzinfo=UTC))  # 23:30 local, the 25th hour
    assert not found.contains(datetime(2026, 10, 25, 23, 0, tzinfo=UTC))


@pytest.mark.parametrize("tz", ["Asia/Kathmandu", "Australia/Eucla", "Pacific/Chatham", "Pacific/Marquesas"])
def test_odd_offsets(tz: str) -> None:
    found = parse_range("2026-12-01", tz, now=NOW)

    assert found.start.tzinfo is not None
    assert (found.start.hour, found.start.minute) == (0, 0)
    assert found.end - found.start == timedelta(days=1)


def test_late_december_dates_roll_into_next_year() -> None:
    late = datetime(2026, 12, 28, 9, 0, tzinfo=BERLIN)

    assert parse_range("Jan 4", "Europe/Berlin", now=late).start.date().isoformat() == "2027-01-04"


@pytest.mark.parametrize("text", ["", "someday", "2026-13-01", "next 0 days"])
def test_nonsense_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_range(text, "Europe/Berlin", now=NOW)


def test_unknown_zone_is_named() -> None:
    with pytest.raises(ValueError, match="Moon/Base"):
        parse_range("today", "Moon/Base")
