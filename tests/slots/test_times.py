from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.slots.times import EpochFormatter, InstantError, date_key, format_instant, parse_bound, parse_instant

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


ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute DST shift at a half hour of UTC
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Marquesas",
    "Africa/Monrovia",  # -00:44:30 until 1972: an offset with seconds
    "America/St_Johns",
]


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    epoch=st.integers(min_value=0, max_value=int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())),
    whole_minute=st.booleans(),  # slots start on whole minutes (a faster path)
)
def test_the_fast_slot_renderer_writes_exactly_what_format_instant_writes(
    zone: str, epoch: int, whole_minute: bool
) -> None:
    """GET /v2/slots formats a month of slots with ``EpochFormatter``; every instant and day key must
    be the one ``format_instant``/``date_key`` give, across DST changes and odd offsets."""
    epoch -= epoch % 60 if whole_minute else 0
    info = None if zone == "UTC" else ZoneInfo(zone)
    moment = datetime.fromtimestamp(epoch, UTC)
    day, text = EpochFormatter(info).day_and_instant(epoch)
    assert text == format_instant(moment, info)
    assert day == date_key(moment, info or UTC)


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Lord_Howe", "America/New_York"])
def test_the_fast_slot_renderer_follows_every_minute_of_a_dst_year(zone: str) -> None:
    info = ZoneInfo(zone)
    formatter = EpochFormatter(info)
    start = int(datetime(2031, 1, 1, tzinfo=UTC).timestamp())
    for epoch in range(start, start + 366 * 86_400, 15 * 60):  # one formatter, sorted instants, as a month's slots
        moment = datetime.fromtimestamp(epoch, UTC)
        assert formatter.day_and_instant(epoch) == (date_key(moment, info), format_instant(moment, info))
