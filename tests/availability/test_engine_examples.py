"""Example tests with exact expected slots for the availability engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotwise.availability import (
    BookingWindow,
    Busy,
    DateOverride,
    EventRules,
    Host,
    Period,
    Rejection,
    SeatedBooking,
    Slot,
    WeeklyRule,
    check_start,
    compute_slots,
)

MON_FRI = frozenset({1, 2, 3, 4, 5})
EVERY_DAY = frozenset(range(7))
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def host(
    tz: str = "UTC",
    start: time = time(9),
    end: time = time(17),
    days: frozenset[int] = MON_FRI,
    host_id: int = 1,
    **kw: object,
) -> Host:
    return Host(host_id, tz, (WeeklyRule(days, start, end),), **kw)  # type: ignore[arg-type]


def starts(slots: list[Slot]) -> list[datetime]:
    return [s.start for s in slots]


def day_window(tz: str, d: date) -> tuple[datetime, datetime]:
    z = ZoneInfo(tz)
    lo = datetime.combine(d, time(0), z).astimezone(UTC)
    hi = datetime.combine(d + timedelta(days=1), time(0), z).astimezone(UTC)
    return lo, hi


def slots_on(h: Host, rules: EventRules, d: date, now: datetime = FAR_PAST) -> list[datetime]:
    lo, hi = day_window(h.time_zone, d)
    return starts(compute_slots([h], rules, lo, hi, now))


def hourly(first: datetime, n: int, minutes: int = 60) -> list[datetime]:
    return [first + timedelta(minutes=minutes * i) for i in range(n)]


# --------------------------------------------------------------------------- Cal.com fixture
def test_calcom_fixture_rome_mon_fri_60_minutes() -> None:
    h = host("Europe/Rome")
    slots = compute_slots([h], EventRules(length=60), utc(2050, 9, 5), utc(2050, 9, 10), FAR_PAST)
    expected = [s for d in range(5, 10) for s in hourly(utc(2050, 9, d, 7), 8)]
    assert starts(slots) == expected
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)
    assert all(s.host_ids == (1,) for s in slots)
    assert all(s.start.tzinfo is UTC and s.seats_booked is None and s.booking_uid is None for s in slots)


def test_query_bounds_are_half_open_and_do_not_move_the_grid() -> None:
    h = host("Europe/Rome")
    r = EventRules(length=45)  # step 45, aligned to 15 minutes
    full = starts(compute_slots([h], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST))
    assert full == hourly(utc(2050, 9, 5, 7), 10, 45)  # 09:00, 09:45, ... 15:45 Rome
    part = starts(compute_slots([h], r, utc(2050, 9, 5, 7, 45), utc(2050, 9, 5, 10, 45), FAR_PAST))
    assert part == [utc(2050, 9, 5, 7, 45), utc(2050, 9, 5, 8, 30), utc(2050, 9, 5, 9, 15), utc(2050, 9, 5, 10)]


# --------------------------------------------------------------------------- DST
@pytest.mark.parametrize(
    ("tz", "day", "first_utc"),
    [
        ("America/New_York", date(2024, 3, 9), utc(2024, 3, 9, 14)),  # EST
        ("America/New_York", date(2024, 3, 10), utc(2024, 3, 10, 13)),  # spring forward, EDT
        ("America/New_York", date(2024, 11, 3), utc(2024, 11, 3, 14)),  # fall back, EST
        ("Europe/London", date(2024, 3, 31), utc(2024, 3, 31, 8)),  # BST starts
        ("Europe/London", date(2024, 10, 27), utc(2024, 10, 27, 9)),  # GMT again
        ("Australia/Lord_Howe", date(2024, 10, 5), utc(2024, 10, 4, 22, 30)),  # +10:30
        ("Australia/Lord_Howe", date(2024, 10, 6), utc(2024, 10, 5, 22)),  # +11 (30-min shift)
        ("Australia/Lord_Howe", date(2024, 4, 7), utc(2024, 4, 6, 22, 30)),  # back to +10:30
    ],
)
def test_nine_to_five_on_dst_transition_days(tz: str, day: date, first_utc: datetime) -> None:
    h = host(tz, days=EVERY_DAY)
    got = slots_on(h, EventRules(length=60), day)
    assert got == hourly(first_utc, 8)
    z = ZoneInfo(tz)
    assert [s.astimezone(z).time() for s in got] == [time(hh) for hh in range(9, 17)]


def wall(tz: str, slots: list[datetime]) -> list[str]:
    z = ZoneInfo(tz)
    return [s.astimezone(z).strftime("%H:%M%z") for s in slots]


def test_new_york_rule_across_the_spring_gap() -> None:
    h = host("America/New_York", time(1), time(3), EVERY_DAY)
    got = slots_on(h, EventRules(length=30), date(2024, 3, 10))
    # 02:00-03:00 does not exist: 01:00-03:00 is one real hour
    assert got == [utc(2024, 3, 10, 6), utc(2024, 3, 10, 6, 30)]
    assert wall("America/New_York", got) == ["01:00-0500", "01:30-0500"]


def test_new_york_rule_inside_the_gap_yields_nothing_and_start_resolves_forward() -> None:
    inside = host("America/New_York", time(2), time(3), EVERY_DAY)
    assert slots_on(inside, EventRules(length=30), date(2024, 3, 10)) == []
    # a start inside the gap resolves forward like zoneinfo fold=0 (02:30 -> 03:30 EDT)
    straddle = host("America/New_York", time(2, 30), time(4), EVERY_DAY)
    got = slots_on(straddle, EventRules(length=30), date(2024, 3, 10))
    assert got == [utc(2024, 3, 10, 7, 30)]
    assert wall("America/New_York", got) == ["03:30-0400"]


def test_new_york_rule_across_the_fall_back_overlap() -> None:
    h = host("America/New_York", time(1), time(3), EVERY_DAY)
    got = slots_on(h, EventRules(length=30), date(2024, 11, 3))
    assert got == hourly(utc(2024, 11, 3, 5), 6, 30)  # three real hours
    assert wall("America/New_York", got) == [
        "01:00-0400",
        "01:30-0400",
        "01:00-0500",
        "01:30-0500",
        "02:00-0500",
        "02:30-0500",
    ]


def test_new_york_rule_starting_in_the_repeated_hour_never_shows_earlier_wall_times() -> None:
    h = host("America/New_York", time(1, 30), time(2), EVERY_DAY)
    got = slots_on(h, EventRules(length=30), date(2024, 11, 3))
    assert wall("America/New_York", got) == ["01:30-0400", "01:30-0500"]


def test_adjacent_rules_on_a_fall_back_day_equal_one_rule() -> None:
    split = Host(
        1,
        "Europe/London",
        (WeeklyRule(EVERY_DAY, time(0), time(1, 15)), WeeklyRule(EVERY_DAY, time(1, 15), time(2))),
    )
    whole = host("Europe/London", time(0), time(2), EVERY_DAY)
    r = EventRules(length=15)
    assert slots_on(split, r, date(2024, 10, 27)) == slots_on(whole, r, date(2024, 10, 27))
    assert len(slots_on(whole, r, date(2024, 10, 27))) == 12  # three real hours


def test_london_rule_across_the_gap_and_overlap() -> None:
    h = host("Europe/London", time(1), time(3), EVERY_DAY)
    gap = slots_on(h, EventRules(length=30), date(2024, 3, 31))
    assert gap == [utc(2024, 3, 31, 1), utc(2024, 3, 31, 1, 30)]
    assert wall("Europe/London", gap) == ["02:00+0100", "02:30+0100"]
    overlap = slots_on(h, EventRules(length=30), date(2024, 10, 27))
    assert overlap == hourly(utc(2024, 10, 27, 0), 6, 30)


def test_lord_howe_half_hour_shift() -> None:
    h = host("Australia/Lord_Howe", time(1), time(3), EVERY_DAY)
    spring = slots_on(h, EventRules(length=30), date(2024, 10, 6))
    assert spring == [utc(2024, 10, 5, 14, 30), utc(2024, 10, 5, 15), utc(2024, 10, 5, 15, 30)]
    assert wall("Australia/Lord_Howe", spring) == ["01:00+1030", "01:30+1030", "02:30+1100"]
    autumn = slots_on(h, EventRules(length=30), date(2024, 4, 7))
    assert autumn == hourly(utc(2024, 4, 6, 14), 5, 30)
    assert wall("Australia/Lord_Howe", autumn) == ["01:00+1100", "01:30+1100", "01:30+1030", "02:00+1030", "02:30+1030"]


def test_midnight_transition_zone_until_midnight_rule() -> None:
    # America/Santiago: on 2024-09-08 clocks jump from 00:00 to 01:00 (no midnight)
    h = host("America/Santiago", time(0), time(23, 59), EVERY_DAY)
    got = slots_on(h, EventRules(length=60), date(2024, 9, 8))
    z = ZoneInfo("America/Santiago")
    assert got[0].astimezone(z).strftime("%H:%M") == "01:00"
    assert len(got) == 23
    assert len(set(got)) == len(got)


# --------------------------------------------------------------------------- odd offsets
@pytest.mark.parametrize(
    ("tz", "first_utc"),
    [
        ("Asia/Kolkata", utc(2050, 9, 5, 3, 30)),
        ("Asia/Kathmandu", utc(2050, 9, 5, 3, 15)),
        ("Pacific/Chatham", utc(2050, 9, 4, 20, 15)),
        ("Pacific/Marquesas", utc(2050, 9, 5, 18, 30)),
    ],
)
def test_odd_offsets_hourly_slots_start_on_the_local_hour(tz: str, first_utc: datetime) -> None:
    h = host(tz)
    assert slots_on(h, EventRules(length=60), date(2050, 9, 5)) == hourly(first_utc, 8)
    # 15-minute steps stay on local quarter hours
    got = slots_on(h, EventRules(length=30, interval=15), date(2050, 9, 5))
    assert got[:3] == [first_utc, first_utc + timedelta(minutes=15), first_utc + timedelta(minutes=30)]
    assert len(got) == 31


def test_kathmandu_unaligned_working_start_rounds_up_in_local_time() -> None:
    h = host("Asia/Kathmandu", time(9, 10), time(12))
    got = slots_on(h, EventRules(length=60), date(2050, 9, 5))
    assert wall("Asia/Kathmandu", got) == ["10:00+0545", "11:00+0545"]


# --------------------------------------------------------------------------- buffers / offset
def test_buffers_around_busy() -> None:
    busy = (Busy(utc(2050, 9, 5, 10), utc(2050, 9, 5, 10, 30)),)
    h = host(busy=busy)
    r = EventRules(length=30, before_buffer=15, after_buffer=15)
    got = slots_on(h, r, date(2050, 9, 5))
    assert got == [utc(2050, 9, 5, 9), *hourly(utc(2050, 9, 5, 11), 12, 30)]
    assert check_start([h], r, utc(2050, 9, 5, 9, 30), FAR_PAST) is Rejection.TAKEN
    assert check_start([h], r, utc(2050, 9, 5, 10, 30), FAR_PAST) is Rejection.TAKEN


def test_empty_busy_blocks_nothing_even_with_buffers() -> None:
    at = utc(2050, 9, 5, 10)
    r = EventRules(length=30, before_buffer=15, after_buffer=15)
    assert len(slots_on(host(busy=(Busy(at, at),)), r, date(2050, 9, 5))) == 16


def test_buffers_do_not_need_working_hours() -> None:
    r = EventRules(length=30, before_buffer=30, after_buffer=30)
    got = slots_on(host(start=time(9), end=time(10)), r, date(2050, 9, 5))
    assert got == [utc(2050, 9, 5, 9), utc(2050, 9, 5, 9, 30)]


def test_event_bookings_block_with_both_buffers() -> None:
    booking = (Busy(utc(2050, 9, 5, 12), utc(2050, 9, 5, 12, 30)),)
    h = host(event_bookings=booking)
    r = EventRules(length=30, before_buffer=10, after_buffer=20)
    got = slots_on(h, r, date(2050, 9, 5))
    # blocked: slot buffered [s-10, s+50) overlaps the booking's buffered [11:50, 12:50)
    assert utc(2050, 9, 5, 11) in got
    assert utc(2050, 9, 5, 11, 30) not in got
    assert utc(2050, 9, 5, 12, 30) not in got
    assert utc(2050, 9, 5, 13) in got


def test_offset_start_shifts_the_grid() -> None:
    r = EventRules(length=30, offset_start=5)
    got = slots_on(host(end=time(12)), r, date(2050, 9, 5))
    assert got == hourly(utc(2050, 9, 5, 9, 5), 5, 30)
    assert check_start([host(end=time(12))], r, utc(2050, 9, 5, 9), FAR_PAST) is Rejection.OFF_GRID
    # the offset is a phase of the whole grid: ":10, :25, :40, :55" includes 09:10 itself
    late = host(start=time(9, 10), end=time(10))
    got = slots_on(late, EventRules(length=15, offset_start=10), date(2050, 9, 5))
    assert got == [utc(2050, 9, 5, 9, 10), utc(2050, 9, 5, 9, 25), utc(2050, 9, 5, 9, 40)]


def test_busy_does_not_move_the_grid() -> None:
    busy = (Busy(utc(2050, 9, 5, 9), utc(2050, 9, 5, 9, 30)),)
    r = EventRules(length=30, interval=90)  # step 90 -> aligned to 30 minutes
    got = slots_on(host(busy=busy), r, date(2050, 9, 5))
    assert got == hourly(utc(2050, 9, 5, 10, 30), 5, 90)  # 10:30, 12:00, 13:30, 15:00, 16:30
    assert check_start([host(busy=busy)], r, utc(2050, 9, 5, 9, 30), FAR_PAST) is Rejection.OFF_GRID


def test_adjacent_rules_share_one_grid() -> None:
    h = Host(
        1,
        "UTC",
        (WeeklyRule(MON_FRI, time(9), time(9, 50)), WeeklyRule(MON_FRI, time(9, 50), time(11))),
    )
    got = slots_on(h, EventRules(length=40), date(2050, 9, 5))
    # one working range 09:00-11:00 with a 40-minute step (aligned to 20)
    assert got == [utc(2050, 9, 5, 9), utc(2050, 9, 5, 9, 40), utc(2050, 9, 5, 10, 20)]


# --------------------------------------------------------------------------- notice
def test_minimum_notice_and_past() -> None:
    h = host()
    now = utc(2050, 9, 5, 10, 7)
    r = EventRules(length=30, minimum_notice=60)
    got = slots_on(h, r, date(2050, 9, 5), now)
    assert got[0] == utc(2050, 9, 5, 11, 30)
    assert check_start([h], r, utc(2050, 9, 5, 9), now) is Rejection.PAST
    assert check_start([h], r, utc(2050, 9, 5, 11), now) is Rejection.TOO_SOON
    assert check_start([h], r, utc(2050, 9, 5, 11, 30), now) is None


# --------------------------------------------------------------------------- overrides
def test_overrides_block_and_replace_days() -> None:
    h = host(
        overrides=(
            DateOverride(date(2050, 9, 6), time(0), time(0)),
            DateOverride(date(2050, 9, 7), time(13), time(15)),
            DateOverride(date(2050, 9, 7), time(20), time(23, 59)),
            DateOverride(date(2050, 9, 10), time(10), time(12)),  # a Saturday
        )
    )
    r = EventRules(length=60)
    assert slots_on(h, r, date(2050, 9, 6)) == []
    assert check_start([h], r, utc(2050, 9, 6, 10), FAR_PAST) is Rejection.OUTSIDE_HOURS
    assert slots_on(h, r, date(2050, 9, 7)) == [
        utc(2050, 9, 7, 13),
        utc(2050, 9, 7, 14),
        *hourly(utc(2050, 9, 7, 20), 4),
    ]
    assert slots_on(h, r, date(2050, 9, 10)) == [utc(2050, 9, 10, 10), utc(2050, 9, 10, 11)]
    assert len(slots_on(h, r, date(2050, 9, 8))) == 8


def test_until_midnight_rule() -> None:
    h = host("Europe/Rome", time(22), time(23, 59))
    assert slots_on(h, EventRules(length=60), date(2050, 9, 5)) == [utc(2050, 9, 5, 20), utc(2050, 9, 5, 21)]


# --------------------------------------------------------------------------- seats
def test_seats_annotate_and_fill_up() -> None:
    r = EventRules(length=30, seats_per_slot=3)
    seated = (SeatedBooking(utc(2050, 9, 5, 10), "abc", 2),)
    h = host(end=time(12), seated=seated)
    slots = compute_slots([h], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    by_start = {s.start: s for s in slots}
    assert by_start[utc(2050, 9, 5, 10)].seats_booked == 2
    assert by_start[utc(2050, 9, 5, 10)].booking_uid == "abc"
    assert by_start[utc(2050, 9, 5, 9)].seats_booked == 0
    assert by_start[utc(2050, 9, 5, 9)].booking_uid is None
    full = host(end=time(12), seated=(SeatedBooking(utc(2050, 9, 5, 10), "abc", 3),))
    assert utc(2050, 9, 5, 10) not in starts(compute_slots([full], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST))
    assert check_start([full], r, utc(2050, 9, 5, 10), FAR_PAST) is Rejection.NO_SEATS


def test_seat_holds_add_up_and_never_become_the_booking_uid() -> None:
    r = EventRules(length=30, seats_per_slot=3)
    at = utc(2050, 9, 5, 10)
    hold_only = host(end=time(12), seated=(SeatedBooking(at, "", 1),))
    slot = next(s for s in compute_slots([hold_only], r, at, at + timedelta(hours=1), FAR_PAST) if s.start == at)
    assert (slot.seats_booked, slot.booking_uid) == (1, None)
    hold_then_booking = host(end=time(12), seated=(SeatedBooking(at, "", 1), SeatedBooking(at, "abc", 1)))
    slot = next(s for s in compute_slots([hold_then_booking], r, at, at + timedelta(hours=1), FAR_PAST))
    assert (slot.seats_booked, slot.booking_uid) == (2, "abc")
    full = host(end=time(12), seated=(SeatedBooking(at, "abc", 2), SeatedBooking(at, "", 1)))
    assert check_start([full], r, at, FAR_PAST) is Rejection.NO_SEATS


def test_seated_booking_blocks_overlapping_other_starts() -> None:
    r = EventRules(length=30, interval=15, seats_per_slot=5)
    h = host(end=time(12), seated=(SeatedBooking(utc(2050, 9, 5, 10), "abc", 1),))
    got = slots_on(h, r, date(2050, 9, 5))
    assert utc(2050, 9, 5, 10) in got
    assert utc(2050, 9, 5, 9, 45) not in got
    assert utc(2050, 9, 5, 10, 15) not in got
    assert utc(2050, 9, 5, 9, 30) in got and utc(2050, 9, 5, 10, 30) in got
    assert check_start([h], r, utc(2050, 9, 5, 10, 15), FAR_PAST) is Rejection.TAKEN


def test_seated_event_bookings_count_for_limits_but_do_not_block_their_start() -> None:
    r = EventRules(length=30, seats_per_slot=5, count_limits=Period(day=2))
    at10 = utc(2050, 9, 5, 10)
    h = host(
        end=time(12),
        seated=(SeatedBooking(at10, "abc", 1),),
        event_bookings=(Busy(at10, at10 + timedelta(minutes=30)),),
    )
    assert at10 in slots_on(h, r, date(2050, 9, 5))


# --------------------------------------------------------------------------- limits
def test_count_limit_per_day() -> None:
    r = EventRules(length=60, count_limits=Period(day=2))
    bookings = (
        Busy(utc(2050, 9, 5, 9), utc(2050, 9, 5, 10)),
        Busy(utc(2050, 9, 5, 11), utc(2050, 9, 5, 12)),
        Busy(utc(2050, 9, 6, 9), utc(2050, 9, 6, 10)),
    )
    h = host(event_bookings=bookings)
    assert slots_on(h, r, date(2050, 9, 5)) == []
    assert check_start([h], r, utc(2050, 9, 5, 14), FAR_PAST) is Rejection.OVER_LIMIT
    assert slots_on(h, r, date(2050, 9, 6)) == hourly(utc(2050, 9, 6, 10), 7)


def test_count_limit_per_week_in_host_zone() -> None:
    r = EventRules(length=60, count_limits=Period(week=3))
    tz = "Asia/Tokyo"
    h = host(
        tz,
        event_bookings=tuple(
            Busy(utc(2050, 9, d, 0), utc(2050, 9, d, 1))
            for d in (5, 6, 7)  # Mon-Wed 09:00 Tokyo
        ),
    )
    # the week Mon 5 .. Sun 11 (Tokyo) is full; the next week is open
    for d in (8, 9):
        assert slots_on(h, r, date(2050, 9, d)) == []
    assert len(slots_on(h, r, date(2050, 9, 12))) == 8


def test_duration_limit_per_day() -> None:
    booked_30 = host(event_bookings=(Busy(utc(2050, 9, 5, 9), utc(2050, 9, 5, 9, 30)),))
    booked_45 = host(event_bookings=(Busy(utc(2050, 9, 5, 9), utc(2050, 9, 5, 9, 45)),))
    r = EventRules(length=30, duration_limits=Period(day=60))
    assert len(slots_on(booked_30, r, date(2050, 9, 5))) == 15  # 30 + 30 <= 60 (09:00 is taken)
    assert slots_on(booked_45, r, date(2050, 9, 5)) == []  # 45 + 30 > 60
    assert check_start([booked_45], r, utc(2050, 9, 5, 12), FAR_PAST) is Rejection.OVER_LIMIT


def test_limit_kind_busy_reports_over_limit() -> None:
    h = host(busy=(Busy(utc(2050, 9, 5), utc(2050, 9, 6), kind="limit"),))
    assert check_start([h], EventRules(length=60), utc(2050, 9, 5, 10), FAR_PAST) is Rejection.OVER_LIMIT


# --------------------------------------------------------------------------- windows
def window_days(h: Host, r: EventRules, now: datetime, days: int = 14, tz: str = "UTC") -> list[date]:
    slots = compute_slots([h], r, now, now + timedelta(days=days), now, tz)
    return sorted({s.start.astimezone(ZoneInfo(tz)).date() for s in slots})


def test_calendar_days_window() -> None:
    now = utc(2050, 9, 5, 8)  # Monday
    r = EventRules(length=60, window=BookingWindow("calendar_days", days=2))
    assert window_days(host(days=EVERY_DAY), r, now) == [date(2050, 9, d) for d in (5, 6, 7)]
    assert check_start([host(days=EVERY_DAY)], r, utc(2050, 9, 8, 10), now) is Rejection.OUTSIDE_WINDOW


def test_calendar_days_window_uses_the_booker_zone() -> None:
    now = utc(2050, 9, 5, 20)  # already Tuesday in Tokyo
    r = EventRules(length=60, window=BookingWindow("calendar_days", days=0))
    got = window_days(host(days=EVERY_DAY), r, now, tz="Asia/Tokyo")
    # today in Tokyo = Sep 6 (runs until Sep 6 15:00Z): slots 09:00-14:00Z of Sep 6
    slots = compute_slots([host(days=EVERY_DAY)], r, now, now + timedelta(days=3), now, "Asia/Tokyo")
    assert got == [date(2050, 9, 6)]
    assert starts(slots) == hourly(utc(2050, 9, 6, 9), 6)


def test_business_days_window() -> None:
    now = utc(2050, 9, 9, 8)  # Friday
    r = EventRules(length=60, window=BookingWindow("business_days", days=2))
    # Fri + 2 business days = Tuesday; the weekend in between stays bookable
    assert window_days(host(days=EVERY_DAY), r, now) == [date(2050, 9, d) for d in (9, 10, 11, 12, 13)]


def test_rolling_window_counts_only_days_with_slots() -> None:
    now = utc(2050, 9, 9, 7)  # Friday before work
    rolling = EventRules(length=60, window=BookingWindow("calendar_days", days=3, rolling=True))
    fixed = EventRules(length=60, window=BookingWindow("calendar_days", days=3))
    h = host()  # Mon-Fri
    assert window_days(h, rolling, now) == [date(2050, 9, 9), date(2050, 9, 12), date(2050, 9, 13)]
    assert window_days(h, fixed, now) == [date(2050, 9, 9), date(2050, 9, 12)]
    assert check_start([h], rolling, utc(2050, 9, 14, 9), now) is Rejection.OUTSIDE_WINDOW
    assert check_start([h], rolling, utc(2050, 9, 13, 9), now) is None
    # a query starting later still counts from today
    later = compute_slots([h], rolling, utc(2050, 9, 13), utc(2050, 9, 20), now)
    assert {s.start.date() for s in later} == {date(2050, 9, 13)}


def test_rolling_business_days_window() -> None:
    now = utc(2050, 9, 9, 7)  # Friday
    r = EventRules(length=60, window=BookingWindow("business_days", days=2, rolling=True))
    h = host(days=EVERY_DAY, overrides=(DateOverride(date(2050, 9, 12), time(0), time(0)),))
    # Fri counts, Sat/Sun do not count (but are before the cutoff), Mon is blocked, Tue counts
    assert window_days(h, r, now) == [date(2050, 9, d) for d in (9, 10, 11, 13)]


def test_range_window_in_host_zone() -> None:
    r = EventRules(length=60, window=BookingWindow("range", range_start=date(2050, 9, 6), range_end=date(2050, 9, 7)))
    h = host("Asia/Tokyo", time(0), time(23, 59), EVERY_DAY)
    slots = compute_slots([h], r, utc(2050, 9, 1), utc(2050, 9, 10), FAR_PAST)
    assert starts(slots) == hourly(utc(2050, 9, 5, 15), 48)
    assert check_start([h], r, utc(2050, 9, 5, 14), FAR_PAST) is Rejection.OUTSIDE_WINDOW


# --------------------------------------------------------------------------- first slot per day
def test_only_first_slot_per_day_in_booker_zone() -> None:
    r = EventRules(length=60, only_first_slot_per_day=True)
    h = host()
    assert starts(compute_slots([h], r, utc(2050, 9, 5), utc(2050, 9, 7), FAR_PAST)) == [
        utc(2050, 9, 5, 9),
        utc(2050, 9, 6, 9),
    ]
    # Tokyo days start at 15:00Z, so each UTC working day contributes to two Tokyo days
    tokyo = compute_slots([h], r, utc(2050, 9, 5), utc(2050, 9, 7), FAR_PAST, "Asia/Tokyo")
    assert starts(tokyo) == [utc(2050, 9, 5, 9), utc(2050, 9, 5, 15), utc(2050, 9, 6, 15)]
    # a query starting mid-day does not turn a later slot into the day's first
    assert compute_slots([h], r, utc(2050, 9, 5, 12), utc(2050, 9, 5, 17), FAR_PAST) == []
    assert check_start([h], r, utc(2050, 9, 5, 12), FAR_PAST) is Rejection.OFF_GRID


# --------------------------------------------------------------------------- teams
def test_collective_is_the_intersection() -> None:
    a = host(host_id=1)
    b = host(start=time(12), end=time(20), host_id=2, busy=(Busy(utc(2050, 9, 5, 13), utc(2050, 9, 5, 14)),))
    r = EventRules(length=60, mode="collective")
    slots = compute_slots([a, b], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    assert starts(slots) == [utc(2050, 9, 5, 12), utc(2050, 9, 5, 14), utc(2050, 9, 5, 15), utc(2050, 9, 5, 16)]
    assert {s.host_ids for s in slots} == {(1, 2)}
    assert check_start([a, b], r, utc(2050, 9, 5, 13), FAR_PAST) is Rejection.TAKEN
    assert check_start([a, b], r, utc(2050, 9, 5, 10), FAR_PAST) is Rejection.OUTSIDE_HOURS


def test_collective_across_zones() -> None:
    rome = host("Europe/Rome", host_id=1)
    kolkata = host("Asia/Kolkata", host_id=2)
    # Rome 09-17 = 07-15Z, Kolkata 09-17 = 03:30-11:30Z -> 07:00-11:30Z
    slots = compute_slots(
        [rome, kolkata], EventRules(length=60, mode="collective"), utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST
    )
    assert starts(slots) == hourly(utc(2050, 9, 5, 7), 4)


def test_round_robin_union_with_host_ids() -> None:
    a = host(end=time(13), host_id=1, fixed=False)
    b = host(start=time(12), host_id=2, fixed=False, busy=(Busy(utc(2050, 9, 5, 14), utc(2050, 9, 5, 15)),))
    r = EventRules(length=60, mode="round_robin")
    slots = compute_slots([a, b], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    got = {s.start.hour: s.host_ids for s in slots}
    assert got == {9: (1,), 10: (1,), 11: (1,), 12: (1, 2), 13: (2,), 15: (2,), 16: (2,)}
    assert check_start([a, b], r, utc(2050, 9, 5, 14), FAR_PAST) is Rejection.TAKEN


def test_round_robin_needs_one_member_for_the_whole_slot() -> None:
    a = host(end=time(10, 30), host_id=1, fixed=False)
    b = host(start=time(10, 30), host_id=2, fixed=False)
    r = EventRules(length=60, interval=30, mode="round_robin")
    got = starts(compute_slots([a, b], r, utc(2050, 9, 5), utc(2050, 9, 5, 12), FAR_PAST))
    assert utc(2050, 9, 5, 10) not in got  # 10:00-11:00 would need both members
    assert got == [
        utc(2050, 9, 5, 9),
        utc(2050, 9, 5, 9, 30),
        utc(2050, 9, 5, 10, 30),
        utc(2050, 9, 5, 11),
        utc(2050, 9, 5, 11, 30),
    ]


def test_round_robin_with_groups_and_fixed_host() -> None:
    fixed = host(start=time(10), end=time(16), host_id=9)
    a1 = host(end=time(12), host_id=1, fixed=False, group="a")
    a2 = host(start=time(13), host_id=2, fixed=False, group="a")
    b1 = host(host_id=3, fixed=False, group="b", busy=(Busy(utc(2050, 9, 5, 14), utc(2050, 9, 5, 15)),))
    r = EventRules(length=60, mode="round_robin")
    slots = compute_slots([fixed, a1, a2, b1], r, utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    got = {s.start.hour: s.host_ids for s in slots}
    # fixed 10-16; group a: 09-12 or 13-17; group b: 09-17 minus 14-15
    assert got == {10: (9, 1, 3), 11: (9, 1, 3), 13: (9, 2, 3), 15: (9, 2, 3)}
    assert check_start([fixed, a1, a2, b1], r, utc(2050, 9, 5, 12), FAR_PAST) is Rejection.OUTSIDE_HOURS
    assert check_start([fixed, a1, a2, b1], r, utc(2050, 9, 5, 14), FAR_PAST) is Rejection.TAKEN


# --------------------------------------------------------------------------- rejections
def test_reserved_vs_taken() -> None:
    at = utc(2050, 9, 5, 10)
    reserved = host(busy=(Busy(at, at + timedelta(minutes=5), kind="reservation"),))
    both = host(busy=(Busy(at, at + timedelta(minutes=5), kind="reservation"), Busy(at, at + timedelta(hours=1))))
    r = EventRules(length=60)
    assert check_start([reserved], r, at, FAR_PAST) is Rejection.RESERVED
    assert check_start([both], r, at, FAR_PAST) is Rejection.TAKEN
    assert (
        check_start([host(busy=(Busy(at, at + timedelta(hours=1), kind="calendar"),))], r, at, FAR_PAST)
        is Rejection.TAKEN
    )


def test_every_rejection_has_a_message() -> None:
    assert {r.name for r in Rejection} == {
        "PAST",
        "TOO_SOON",
        "OUTSIDE_HOURS",
        "TAKEN",
        "RESERVED",
        "OVER_LIMIT",
        "OUTSIDE_WINDOW",
        "OFF_GRID",
        "NO_SEATS",
    }
    assert Rejection.TAKEN == "that time is already booked"
    assert all(r.value and r.value[0].islower() for r in Rejection)


def test_off_grid_and_sub_minute_starts() -> None:
    h = host()
    r = EventRules(length=60)
    assert check_start([h], r, utc(2050, 9, 5, 9, 1), FAR_PAST) is Rejection.OFF_GRID
    assert check_start([h], r, utc(2050, 9, 5, 9) + timedelta(microseconds=1), FAR_PAST) is Rejection.OFF_GRID
    assert check_start([h], r, utc(2050, 9, 5, 16, 30), FAR_PAST) is Rejection.OUTSIDE_HOURS
    assert check_start([h], r, datetime(2050, 9, 5, 11, tzinfo=ZoneInfo("Europe/Rome")), FAR_PAST) is None


# --------------------------------------------------------------------------- validation
def test_validation_errors() -> None:
    with pytest.raises(ValueError):
        WeeklyRule(frozenset({1}), time(10), time(9))
    with pytest.raises(ValueError):
        WeeklyRule(frozenset({7}), time(9), time(10))
    with pytest.raises(ValueError):
        DateOverride(date(2050, 1, 1), time(10), time(9))
    with pytest.raises(ValueError):
        EventRules(length=0)
    with pytest.raises(ValueError):
        compute_slots([host("Mars/Olympus")], EventRules(length=30), utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    with pytest.raises(ValueError):
        compute_slots([host(), host()], EventRules(length=30), utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST)
    with pytest.raises(ValueError):
        compute_slots(
            [host(busy=(Busy(datetime(2050, 9, 5, 9), datetime(2050, 9, 5, 10)),))],
            EventRules(length=30),
            utc(2050, 9, 5),
            utc(2050, 9, 6),
            FAR_PAST,
        )
    assert compute_slots([], EventRules(length=30), utc(2050, 9, 5), utc(2050, 9, 6), FAR_PAST) == []
    assert compute_slots([host()], EventRules(length=30), utc(2050, 9, 6), utc(2050, 9, 5), FAR_PAST) == []
