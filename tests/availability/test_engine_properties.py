"""Property tests (hypothesis) for the availability engine.

The reference checks below are written independently of the engine: they walk minute by minute
with ``zoneinfo`` and read wall clocks directly, instead of using interval arithmetic.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slotwise.availability import (
    BookingWindow,
    Busy,
    DateOverride,
    EventRules,
    Host,
    Period,
    SeatedBooking,
    Slot,
    WeeklyRule,
    alignment_minutes,
    check_start,
    compute_offer,
    compute_slots,
)
from slotwise.availability.intervals import intersect, merge, subtract, union

ZONES = [
    "UTC",
    "Europe/Rome",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Marquesas",
    "America/Santiago",
    "Asia/Tokyo",
]
# zones whose DST shifts are whole hours: a 60-minute-aligned lattice survives the shift
WHOLE_HOUR_ZONES = [z for z in ZONES if z != "Australia/Lord_Howe"]
# days around DST transitions of the zones above, plus an ordinary future week
BASE_DATES = [
    date(2024, 3, 10),  # New York spring forward
    date(2024, 3, 31),  # Europe spring forward
    date(2024, 4, 7),  # Lord Howe / Chatham / Santiago end of DST
    date(2024, 9, 8),  # Santiago start (midnight gap)
    date(2024, 9, 29),  # Chatham start
    date(2024, 10, 6),  # Lord Howe start (30 minutes)
    date(2024, 10, 27),  # Europe fall back
    date(2024, 11, 3),  # New York fall back
    date(2050, 9, 5),
]
# SLOTWISE_ENGINE_EXAMPLES=2000 for a deeper local run
SETTINGS = settings(
    max_examples=int(os.environ.get("SLOTWISE_ENGINE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
LENGTHS = [15, 20, 25, 30, 45, 60, 90]
INTERVALS = [None, 5, 10, 15, 20, 30, 40, 45, 60, 90]


# --------------------------------------------------------------------------- strategies
def _t(minutes: int, *, end: bool = False) -> time:
    if end and minutes >= 1440:
        return time(23, 59)
    return time(minutes // 60, minutes % 60)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[time, time]:
    if draw(st.booleans()):  # office-like hours, so that hosts overlap
        s = draw(st.integers(0, 40)) * 15
        e = draw(st.integers(56, 96)) * 15
    else:
        s = draw(st.integers(0, 95)) * 15
        e = draw(st.integers(s // 15 + 1, 96)) * 15
    return _t(s), _t(e, end=True)


DAY_SETS = st.one_of(
    st.just(frozenset(range(7))),
    st.just(frozenset({1, 2, 3, 4, 5})),
    st.sets(st.integers(0, 6), min_size=1).map(frozenset),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[datetime, datetime, datetime]:
    """(query start, query end, now)."""
    base = datetime.combine(draw(st.sampled_from(BASE_DATES)), time(0), UTC)
    lo = base - timedelta(hours=12) + timedelta(minutes=5 * draw(st.integers(0, 12 * 24)))
    hi = lo + timedelta(minutes=5 * draw(st.integers(1, 12 * 48)))
    now = lo + timedelta(minutes=5 * draw(st.integers(-12 * 48, 12 * 12)))
    return lo, hi, now


@st.composite
def hosts(
    draw: st.DrawFn,
    around: datetime,
    host_id: int = 1,
    zone: str | None = None,
    seated_ok: bool = False,
) -> Host:
    tz = zone or draw(st.sampled_from(ZONES))
    weekly = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(DAY_SETS)
        s, e = draw(ranges())
        weekly.append(WeeklyRule(days, s, e))
    overrides = []
    d0 = around.date()
    for _ in range(draw(st.integers(0, 2))):
        d = d0 + timedelta(days=draw(st.integers(-1, 2)))
        if draw(st.booleans()):
            overrides.append(DateOverride(d, time(0), time(0)))
        else:
            s, e = draw(ranges())
            overrides.append(DateOverride(d, s, e))

    def interval(max_minutes: int) -> tuple[datetime, datetime]:
        s = around - timedelta(hours=30) + timedelta(minutes=5 * draw(st.integers(0, 12 * 100)))
        return s, s + timedelta(minutes=5 * draw(st.integers(1, max_minutes // 5)))

    busy = []
    for _ in range(draw(st.integers(0, 6))):
        s, e = interval(240)
        busy.append(Busy(s, e, draw(st.sampled_from(["booking", "reservation", "calendar"]))))
    event_bookings = []
    for _ in range(draw(st.integers(0, 4))):
        s, e = interval(90)
        event_bookings.append(Busy(s, e))
    seated = []
    if seated_ok:
        for i in range(draw(st.integers(0, 3))):
            s, _ = interval(60)
            uid = "" if draw(st.integers(0, 3)) == 0 else f"uid-{host_id}-{i}"  # "" = a seat hold
            seated.append(SeatedBooking(s, uid, draw(st.integers(1, 4))))
    return Host(
        host_id,
        tz,
        tuple(weekly),
        tuple(overrides),
        tuple(busy),
        tuple(event_bookings),
        tuple(seated),
    )


@st.composite
def event_rules(
    draw: st.DrawFn, around: date | None = None, *, extras: bool = True, step_divides_60: bool = False
) -> EventRules:
    length = draw(st.sampled_from(LENGTHS))
    if step_divides_60:
        interval: int | None = draw(st.sampled_from([5, 10, 15, 20, 30, 60]))
    else:
        interval = draw(st.sampled_from(INTERVALS))
    kw: dict[str, object] = {
        "length": length,
        "interval": interval,
        "minimum_notice": draw(st.sampled_from([0, 0, 30, 120, 600])),
        "before_buffer": draw(st.sampled_from([0, 0, 5, 15, 30])),
        "after_buffer": draw(st.sampled_from([0, 0, 10, 15, 45])),
        "offset_start": draw(st.sampled_from([0, 0, 0, 5, 10])),
    }
    if extras:
        if draw(st.booleans()):
            kw["count_limits"] = Period(
                day=draw(st.sampled_from([None, 1, 2])), week=draw(st.sampled_from([None, 2, 4]))
            )
        if draw(st.booleans()):
            kw["duration_limits"] = Period(
                day=draw(st.sampled_from([None, 60, 90])), month=draw(st.sampled_from([None, 120]))
            )
        kind = draw(st.sampled_from(["unlimited", "calendar_days", "business_days", "range"]))
        if kind == "range":
            d = (around or draw(st.sampled_from(BASE_DATES))) + timedelta(days=draw(st.integers(-1, 1)))
            kw["window"] = BookingWindow("range", range_start=d, range_end=d + timedelta(days=draw(st.integers(0, 1))))
        elif kind != "unlimited":
            kw["window"] = BookingWindow(kind, days=draw(st.integers(0, 3)), rolling=draw(st.booleans()))
        kw["only_first_slot_per_day"] = draw(st.integers(0, 4)) == 0
        if draw(st.booleans()):
            kw["seats_per_slot"] = draw(st.integers(1, 4))
    return EventRules(**kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reference model
def ts(dt: datetime) -> int:
    return math.floor(dt.timestamp())


def tse(dt: datetime) -> int:
    return math.ceil(dt.timestamp())


def to_seconds(t: time, end: bool = False) -> int:
    if end and (t.hour, t.minute) == (23, 59):
        return 86_400
    return t.hour * 3600 + t.minute * 60


class Reference:
    """Minute-by-minute model of one host's working hours, straight from the wall clock."""

    def __init__(self, h: Host) -> None:
        self.h = h
        self.z = ZoneInfo(h.time_zone)
        self._ranges: dict[date, list[tuple[int, int]]] = {}
        self._fold0: dict[tuple[date, int], int] = {}
        self._working: dict[int, bool] = {}

    def day_ranges(self, d: date) -> list[tuple[int, int]]:
        """Wall-clock ranges of a date; overlapping or touching ranges are one range (documented:
        rules 00:00-01:15 + 01:15-02:00 mean 00:00-02:00, also on a fall-back day)."""
        if d not in self._ranges:
            ov = [o for o in self.h.overrides if o.day == d]
            if ov:
                raw = [(to_seconds(o.start), to_seconds(o.end, True)) for o in ov]
            else:
                cal_weekday = (d.weekday() + 1) % 7
                raw = [(to_seconds(r.start), to_seconds(r.end, True)) for r in self.h.weekly if cal_weekday in r.days]
            merged: list[tuple[int, int]] = []
            for s, e in sorted(x for x in raw if x[1] > x[0]):
                if merged and s <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], e))
                else:
                    merged.append((s, e))
            self._ranges[d] = merged
        return self._ranges[d]

    def fold0(self, d: date, secs: int) -> int:
        """The instant zoneinfo gives the wall time ``d + secs`` with fold=0."""
        key = (d, secs)
        if key not in self._fold0:
            if secs >= 86_400:
                self._fold0[key] = ts(datetime.combine(d + timedelta(days=1), time(0), self.z))
            else:
                self._fold0[key] = ts(datetime.combine(d, time(0), self.z) + timedelta(seconds=secs))
        return self._fold0[key]

    def local(self, u: int) -> datetime:
        return datetime.fromtimestamp(u, self.z)

    def working_minute(self, u: int) -> bool:
        """Is the minute [u, u+60) inside the working hours (wall clock of its own date)?"""
        if u not in self._working:
            loc = self.local(u)
            d = loc.date()
            sod = loc.hour * 3600 + loc.minute * 60 + loc.second
            self._working[u] = any(
                s1 <= sod < s2 and self.fold0(d, s1) <= u < self.fold0(d, s2) for s1, s2 in self.day_ranges(d)
            )
        return self._working[u]

    def run_start(self, u: int) -> int:
        """Start of the run of working minutes (same local date) containing minute ``u``."""
        d = self.local(u).date()
        while self.working_minute(u - 60) and self.local(u - 60).date() == d:
            u -= 60
        return u

    def anchor(self, run_start: int, step_minutes: int) -> int:
        align = alignment_minutes(step_minutes) * 60
        off = self.local(run_start).utcoffset()
        assert off is not None
        r = (run_start + int(off.total_seconds())) % align
        return run_start + (align - r if r else 0)


def blocked_by(h: Host, rules: EventRules, s: int) -> bool:
    """Does the buffered slot at ``s`` overlap the host's busy data? (direct definition)"""
    before, after = rules.before_buffer * 60, rules.after_buffer * 60
    lo, hi = s - before, s + rules.length * 60 + after
    if any(ts(b.start) < hi and tse(b.end) > lo for b in h.busy):
        return True
    seated_starts = {ts(x.start) for x in h.seated} if rules.seats_per_slot is not None else set()
    for b in h.event_bookings:
        bs = ts(b.start)
        if bs in seated_starts:
            continue
        if bs - before < hi and tse(b.end) + after > lo:
            return True
    for x in h.seated:
        xs = ts(x.start)
        xe = xs + rules.length * 60
        if rules.seats_per_slot is not None and xs == s:
            continue
        if xs - before < hi and xe + after > lo:
            return True
    return False


def reference_slots(h: Host, rules: EventRules, lo: datetime, hi: datetime, now: datetime) -> list[int]:
    """All starts of a single host under hours, busy, buffers, grid, offset and notice."""
    ref = Reference(h)
    len_s, step_s = rules.length * 60, rules.step * 60
    earliest = max(tse(now), tse(now) + rules.minimum_notice * 60)
    u = (ts(lo) // 60) * 60 - 26 * 3600
    stop = tse(hi) + 26 * 3600
    out: list[int] = []
    while u < stop:
        if not ref.working_minute(u) or (
            ref.working_minute(u - 60) and ref.local(u - 60).date() == ref.local(u).date()
        ):
            u += 60
            continue
        run_s = u  # a run starts here; find its end
        d = ref.local(u).date()
        run_e = u + 60
        while ref.working_minute(run_e) and ref.local(run_e).date() == d:
            run_e += 60
        g = ref.anchor(run_s, rules.step) + rules.offset_start * 60
        g -= ((g - run_s) // step_s) * step_s  # the offset is a phase: first point >= run start
        while g + len_s <= run_e:
            if ts(lo) <= g < tse(hi) and g >= earliest and not blocked_by(h, rules, g):
                out.append(g)
            g += step_s
        u = run_e
    return out


def slot_starts(slots: list[Slot]) -> list[int]:
    return [ts(s.start) for s in slots]


# --------------------------------------------------------------------------- the properties
@SETTINGS
@given(data=st.data())
def test_single_host_matches_reference_model(data: st.DataObject) -> None:
    lo, hi, now = data.draw(scenarios())
    h = data.draw(hosts(lo))
    rules = data.draw(event_rules(extras=False))
    got = compute_slots([h], rules, lo, hi, now)
    assert slot_starts(got) == reference_slots(h, rules, lo, hi, now)
    assert all(s.end - s.start == timedelta(minutes=rules.length) for s in got)


def _booker_date(u: int, tz: str) -> date:
    return datetime.fromtimestamp(u, ZoneInfo(tz)).date()


def _check_limits(h: Host, rules: EventRules, s: int) -> None:
    z = ZoneInfo(h.time_zone)
    d = datetime.fromtimestamp(s, z).date()
    keys: dict[str, Callable[[date], object]] = {
        "day": lambda x: x,
        "week": lambda x: x - timedelta(days=x.weekday()),
        "month": lambda x: (x.year, x.month),
        "year": lambda x: x.year,
    }
    for unit, key in keys.items():
        same = [b for b in h.event_bookings if key(b.start.astimezone(z).date()) == key(d)]
        c = getattr(rules.count_limits, unit) if rules.count_limits else None
        if c is not None:
            assert len(same) < c, f"count limit per {unit} exceeded"
        m = getattr(rules.duration_limits, unit) if rules.duration_limits else None
        if m is not None:
            booked = sum((tse(b.end) - ts(b.start)) for b in same) // 60
            assert booked + rules.length <= m, f"duration limit per {unit} exceeded"


def _check_window(rules: EventRules, first_zone: str, s: int, now: datetime, booker_tz: str) -> None:
    w = rules.window
    if w.kind == "range":
        d = _booker_date(s, first_zone)
        assert w.range_start is not None and w.range_end is not None
        assert w.range_start <= d <= w.range_end
    elif w.kind in ("calendar_days", "business_days") and not w.rolling:
        today = now.astimezone(ZoneInfo(booker_tz)).date()
        d = _booker_date(s, booker_tz)
        last = today
        if w.kind == "calendar_days":
            last = today + timedelta(days=w.days)
        else:
            k = 0
            while k < w.days:
                last += timedelta(days=1)
                k += last.weekday() < 5
        assert d <= last


def _check_invariants(hs: list[Host], rules: EventRules, slots: list[Slot], now: datetime, booker_tz: str) -> None:
    by_id = {h.host_id: h for h in hs}
    refs = {h.host_id: Reference(h) for h in hs}
    earliest = tse(now) + rules.minimum_notice * 60
    starts = slot_starts(slots)
    assert starts == sorted(set(starts)), "sorted and unique"
    per_day: dict[date, int] = {}
    for slot in slots:
        s = ts(slot.start)
        assert slot.start.utcoffset() == timedelta(0)
        assert s >= earliest and slot.start >= now
        assert slot.host_ids, "somebody hosts it"
        if rules.mode != "round_robin":
            assert slot.host_ids == tuple(h.host_id for h in hs)
        for hid in slot.host_ids:
            h = by_id[hid]
            assert not blocked_by(h, rules, s), "overlaps busy time once buffers are applied"
            ref = refs[hid]
            for u in range(s, s + rules.length * 60, 60):
                assert ref.working_minute(u), "leaves the working hours (wall clock)"
            _check_limits(h, rules, s)
            if rules.seats_per_slot is not None:
                att = sum(x.attendees for x in h.seated if ts(x.start) == s)
                assert att < rules.seats_per_slot
        _check_window(rules, hs[0].time_zone, s, now, booker_tz)
        if rules.seats_per_slot is not None:
            assert slot.seats_booked is not None and slot.seats_booked < rules.seats_per_slot
            here = [x for hid in slot.host_ids for x in by_id[hid].seated if ts(x.start) == s]
            per_host = [sum(x.attendees for x in by_id[hid].seated if ts(x.start) == s) for hid in slot.host_ids]
            assert slot.seats_booked == max(per_host)
            uids = [x.uid for x in here if x.uid]
            assert slot.booking_uid == (uids[0] if uids else None) or slot.booking_uid in uids
        else:
            assert slot.seats_booked is None
        per_day[_booker_date(s, booker_tz)] = per_day.get(_booker_date(s, booker_tz), 0) + 1
    if rules.only_first_slot_per_day:
        assert all(n == 1 for n in per_day.values())
    if rules.mode == "single" and slots:
        ref = refs[hs[0].host_id]
        for s in starts:
            run = ref.run_start(s)
            base = ref.anchor(run, rules.step) + rules.offset_start * 60
            assert s >= run and (s - base) % (rules.step * 60) == 0, "breaks the interval grid"
            # a slot never spans two local dates of its schedule
            assert ref.local(s).date() == ref.local(s + rules.length * 60 - 60).date()


@st.composite
def team(draw: st.DrawFn, around: datetime, seated_ok: bool = True) -> tuple[list[Host], str]:
    mode = draw(st.sampled_from(["single", "single", "collective", "round_robin"]))
    n = 1 if mode == "single" else draw(st.integers(2, 4))
    zone = draw(st.sampled_from(ZONES)) if draw(st.booleans()) else None
    hs = []
    for i in range(n):
        h = draw(hosts(around, host_id=i + 1, zone=zone, seated_ok=seated_ok))
        if mode == "round_robin":
            fixed = i == 0 and draw(st.booleans())
            group = None if fixed else draw(st.sampled_from([None, "a", "b"]))
            h = Host(h.host_id, h.time_zone, h.weekly, h.overrides, h.busy, h.event_bookings, h.seated, fixed, group)
        hs.append(h)
    return hs, mode


@st.composite
def team_scenarios(
    draw: st.DrawFn,
) -> tuple[datetime, datetime, datetime, list[Host], EventRules, str]:
    """(query start, query end, now, hosts, rules in the team's mode, booker's zone)."""
    lo, hi, now = draw(scenarios())
    hs, mode = draw(team(lo))
    rules = draw(event_rules(lo.date()))
    rules = EventRules(**{**{f: getattr(rules, f) for f in rules.__slots__}, "mode": mode})  # type: ignore[arg-type]
    booker_tz = draw(st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Chatham"]))
    return lo, hi, now, hs, rules, booker_tz


@SETTINGS
@given(data=st.data())
def test_invariants_and_check_start_agree(data: st.DataObject) -> None:
    lo, hi, now, hs, rules, booker_tz = data.draw(team_scenarios())
    slots = compute_slots(hs, rules, lo, hi, now, booker_tz)
    _check_invariants(hs, rules, slots, now, booker_tz)

    # query-window independence: splitting the query changes nothing
    mid = lo + (hi - lo) * data.draw(st.integers(1, 9)) / 10
    mid = mid.replace(second=0, microsecond=0)
    if lo < mid < hi:
        split = compute_slots(hs, rules, lo, mid, now, booker_tz) + compute_slots(hs, rules, mid, hi, now, booker_tz)
        assert slot_starts(split) == slot_starts(slots)

    # check_start agrees with compute_slots
    offered = set(slot_starts(slots))
    for slot in data.draw(st.lists(st.sampled_from(slots), max_size=4)) if slots else []:
        assert check_start(hs, rules, slot.start, now, booker_tz) is None
    span = int((hi - lo).total_seconds()) // 60
    near = [s.start + timedelta(minutes=m) for s in slots[:50] for m in (-rules.step, rules.step, 5)]
    for _ in range(8):
        if near and data.draw(st.booleans()):
            cand = data.draw(st.sampled_from(near))  # next to offered starts: taken, limits, off grid...
        else:
            cand = lo + timedelta(minutes=data.draw(st.integers(0, span - 1)))
        if lo <= cand < hi and ts(cand) not in offered:
            assert check_start(hs, rules, cand, now, booker_tz) is not None, cand


@SETTINGS
@given(data=st.data())
def test_slots_stay_the_same_until_the_offer_says_they_may_change(data: st.DataObject) -> None:
    """GET /v2/slots caches an answer until ``changes_at`` (or a change of its input): at any later
    ``now`` before that instant, the engine must give exactly the same slots."""
    lo, hi, now, hs, rules, booker_tz = data.draw(team_scenarios())
    offer = compute_offer(hs, rules, lo, hi, now, booker_tz)
    assert offer.slots == compute_slots(hs, rules, lo, hi, now, booker_tz)
    horizon = int(now.timestamp()) + 3 * 86_400 if offer.changes_at is None else offer.changes_at
    if horizon <= int(now.timestamp()):
        return
    later = now + timedelta(seconds=data.draw(st.integers(1, horizon - int(now.timestamp()))) - 1)
    assert slot_starts(compute_slots(hs, rules, lo, hi, later, booker_tz)) == slot_starts(offer.slots), later


@SETTINGS
@given(data=st.data())
def test_collective_and_round_robin_are_built_from_single_host_slots(data: st.DataObject) -> None:
    lo, hi, now = data.draw(scenarios())
    zone = data.draw(st.sampled_from(WHOLE_HOUR_ZONES))
    n = data.draw(st.integers(2, 4))
    hs = [data.draw(hosts(lo, host_id=i + 1, zone=zone)) for i in range(n)]
    rules = data.draw(event_rules(extras=False, step_divides_60=True))
    limits = data.draw(st.sampled_from([None, Period(day=1), Period(week=2)]))
    base = {f: getattr(rules, f) for f in rules.__slots__}
    base["count_limits"] = limits
    single = {h.host_id: set(slot_starts(compute_slots([h], EventRules(**base), lo, hi, now))) for h in hs}  # type: ignore[arg-type]

    collective = compute_slots(hs, EventRules(**{**base, "mode": "collective"}), lo, hi, now)  # type: ignore[arg-type]
    assert set(slot_starts(collective)) == set.intersection(*single.values())
    for slot in collective:
        assert set(slot_starts([slot])) <= single[hs[0].host_id]

    rr_hosts = []
    for i, h in enumerate(hs):
        fixed = i == 0 and data.draw(st.booleans())
        group = None if fixed else data.draw(st.sampled_from([None, "a", "b"]))
        rr_hosts.append(Host(h.host_id, h.time_zone, h.weekly, h.overrides, h.busy, h.event_bookings, (), fixed, group))
    rr = compute_slots(rr_hosts, EventRules(**{**base, "mode": "round_robin"}), lo, hi, now)  # type: ignore[arg-type]
    groups: dict[str | None, list[int]] = {}
    for h in rr_hosts:
        if not h.fixed:
            groups.setdefault(h.group, []).append(h.host_id)
    candidates = set.union(*single.values())
    expected = {}
    for s in sorted(candidates):
        if all(s in single[h.host_id] for h in rr_hosts if h.fixed) and all(
            any(s in single[m] for m in members) for members in groups.values()
        ):
            expected[s] = tuple(h.host_id for h in rr_hosts if h.fixed or s in single[h.host_id])
    assert {ts(x.start): x.host_ids for x in rr} == expected


# --------------------------------------------------------------------------- building blocks
interval_sets = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=12
).map(merge)


def points(a: list[tuple[int, int]]) -> set[int]:
    return {x for s, e in a for x in range(s, e)}


@settings(max_examples=200, deadline=None)
@given(a=interval_sets, b=interval_sets)
def test_interval_operations_match_point_sets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    for res, expected in (
        (intersect(a, b), points(a) & points(b)),
        (subtract(a, b), points(a) - points(b)),
        (union(a, b), points(a) | points(b)),
    ):
        assert points(res) == expected
        assert all(s < e for s, e in res)
        assert all(x[1] <= y[0] for x, y in itertools.pairwise(res))
    merged = merge(a + b)
    assert all(x[1] < y[0] for x, y in itertools.pairwise(merged))
