from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from slotwise.slots.times import InstantError, format_instant, parse_bound, parse_instant

ROME = ZoneInfo("Europe/Rome")
SEVEN = datetime(2050, 9, 5, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2050-09-05T07:00:00Z",
        "2050-09-05T07:00:00.000Z",
        "2050-09-05T07:00:00.000000Z",
        "2050-09-05T07:00:00.000000000Z",
        "2050-09-05T07:00:00+00:00",
        "2050-09-05T07:00:00 00:00",  # a "+" decoded to a space in a query string
        "2050-09-05T09:00:00+02:00",
        "2050-09-05T07:00Z",
        " 2050-09-05T07:00:00Z ",
    ],
)
def test_instants_in_every_spelling_clients_send(text: str) -> None:
    assert parse_instant(text) == SEVEN


def test_times_without_offset_are_wall_time_in_the_zone() -> None:
    assert parse_instant("2050-09-05T09:00:00", zone=ROME) == SEVEN
    assert parse_instant("2050-09-05T07:00:00") == SEVEN


def test_bare_dates_widen_to_whole_days_in_the_zone() -> None:
    assert parse_bound("2050-09-05", zone=ROME, is_end=False) == (datetime(2050, 9, 4, 22, tzinfo=UTC), True)
    assert parse_bound("2050-09-05", zone=ROME, is_end=True) == (datetime(2050, 9, 5, 22, tzinfo=UTC), True)
    # a day that starts inside a DST gap (Santiago moves 00:00 -> 01:00) starts at the transition
    start, _ = parse_bound("2050-09-04", zone=ZoneInfo("America/Santiago"), is_end=False)
    assert start.astimezone(ZoneInfo("America/Santiago")).hour in (0, 1)


@pytest.mark.parametrize(
    "text",
    ["0000-01-01", "0001-01-01T00:00:00Z", "9999-12-31", "9999-12-31T23:59:59Z", "2050-13-01", "soon", "", "1" * 80],
)
def test_absurd_or_malformed_instants_are_refused(text: str) -> None:
    with pytest.raises(InstantError):
        parse_bound(text, zone=UTC, is_end=True)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (None, "2050-09-05T07:00:00.000Z"),
        (UTC, "2050-09-05T07:00:00.000Z"),
        (ROME, "2050-09-05T09:00:00.000+02:00"),
        (ZoneInfo("Asia/Kathmandu"), "2050-09-05T12:45:00.000+05:45"),
        (ZoneInfo("Pacific/Marquesas"), "2050-09-04T21:30:00.000-09:30"),
    ],
)
def test_rendering_keeps_milliseconds_and_the_offset(zone: ZoneInfo | None, expected: str) -> None:
    assert format_instant(SEVEN, zone) == expected
