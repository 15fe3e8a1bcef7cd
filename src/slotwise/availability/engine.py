"""The slot engine: hosts + event rules -> offered start times.

Pure and I/O free. Everything is computed in integer UTC epoch seconds over sorted, merged,
half-open intervals ``[start, end)``.

Pipeline (per call)
-------------------
1. **Working hours** per host: walk every local date touched by the query (plus one day on each
   side) in the schedule's zone; the date's overrides replace its weekly rules. Wall-clock ranges
   become UTC intervals with the DST rules of :mod:`slotwise.availability.tz`.
2. **Blocked time** per host: every ``busy`` interval widened by this event's buffers
   (``[start - after_buffer, end + before_buffer)``), this event type's own bookings widened
   by both buffers on both sides, and whole periods whose count/duration limit is reached.
   *Free time* = working hours minus blocked time.
3. **Hosts are aggregated**: ``single`` = the host; ``collective`` = intersection of all hosts;
   ``round_robin`` = intersection of the fixed hosts and, for each group (``None`` is a group),
   the union of its members - a slot is kept only if at least one member of every group is free
   for the *whole* slot (a slot pieced together from two members is not offered).
4. **Slots are cut on the interval grid** (below), then filtered by the booking window,
   minimum notice, seats and ``only_first_slot_per_day``.

The interval grid
-----------------
``step = interval or length`` minutes; ``align`` = the largest of 60, 30, 20, 15, 10, 5 that
divides ``step`` (else 1). The aggregated *working hours* (step 3 applied to the working hours,
without busy time) are split at local midnights of the first host's zone into **segments**. For
each segment ``W``::

    anchor(W) = first instant >= W.start whose wall clock (first host's zone) is a whole
                multiple of ``align`` minutes past the hour
    grid(W)   = { anchor(W) + offset_start + k * step  |  k any integer }  restricted to >= W.start

A start ``s`` is offered iff ``s`` is in ``grid(W)`` for the segment ``W`` that contains it,
``[s, s + length)`` lies inside ``W`` and inside the (aggregated) free time, ``s >= now +
minimum_notice`` and every other filter passes. ``offset_start`` is thus a phase shift of the
whole grid (09:05, 09:35, ... for a 30-minute step and a 5-minute offset); an offset of a whole
step or more wraps around. Busy time, notice, limits and the booking window
only *remove* grid points; they never move the grid. So a start a booker saw stays valid until
that very time is taken, and ``check_start`` can tell "off the grid" from "taken".
(Cal.com restarts its grid after every busy block; with ``step`` dividing 60 - the usual 5, 10,
15, 20, 30, 60 minutes - both give the same starts.) A slot never spans two segments, i.e. never
crosses the first host's local midnight.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .intervals import Interval, contains, intersect_all, merge, subtract, union
from .limits import BookingLedger, limit_blocks
from .models import EventRules, Host, Rejection, Slot
from .schedule import CompiledSchedule
from .tz import Zone, get_zone

__all__ = ["Offer", "check_start", "compute_offer", "compute_slots"]

_ALIGNMENTS = (60, 30, 20, 15, 10, 5)
_ROLLING_CHUNK_DAYS = 31
_ROLLING_MAX_DAYS = 3 * 366

# ranking used when several reasons apply (most specific first)
_RANK = (
    Rejection.NO_SEATS,
    Rejection.TAKEN,
    Rejection.RESERVED,
    Rejection.OVER_LIMIT,
    Rejection.OUTSIDE_HOURS,
)


def _ts_floor(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("datetimes given to the availability engine must be timezone-aware")
    return math.floor(dt.timestamp())


def _ts_ceil(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("datetimes given to the availability engine must be timezone-aware")
    return math.ceil(dt.timestamp())


def alignment_minutes(step: int) -> int:
    """Largest of 60, 30, 20, 15, 10, 5 dividing ``step`` (1 if none does)."""
    for a in _ALIGNMENTS:
        if step % a == 0:
            return a
    return 1


class _HostData:
    """One host, pre-digested for the whole call (independent of the query range)."""

    __slots__ = (
        "blocked",
        "host",
        "ledger",
        "sched",
        "seat_at",
        "seat_iv",
        "seat_span",
        "seat_starts",
        "zone",
    )

    def __init__(self, host: Host, rules: EventRules, len_s: int) -> None:
        self.host = host
        self.zone = zone = get_zone(host.time_zone)
        self.sched = CompiledSchedule(zone, host.weekly, host.overrides)
        before = rules.before_buffer * 60
        after = rules.after_buffer * 60
        seated_mode = rules.seats_per_slot is not None

        # seated bookings of this event type
        self.seat_at: dict[int, tuple[int, str | None]] = {}
        seat_iv: list[tuple[int, int, int]] = []
        plain_seated: list[Interval] = []
        for sb in host.seated:
            s = _ts_floor(sb.start)
            e = _ts_ceil(sb.end) if sb.end is not None else s + len_s
            if seated_mode:
                prev = self.seat_at.get(s)
                att = sb.attendees + (prev[0] if prev is not None else 0)
                # several entries at one start add up (e.g. a booking plus seat holds, uid "");
                # the first non-empty uid is the booking's
                uid = (prev[1] if prev is not None else None) or sb.uid or None
                self.seat_at[s] = (att, uid)
                seat_iv.append((s - before - after, e + after + before, s))
            else:
                plain_seated.append((s, e))
        seat_iv.sort()
        self.seat_iv = seat_iv
        self.seat_starts = [iv[0] for iv in seat_iv]
        self.seat_span = max((iv[1] - iv[0] for iv in seat_iv), default=0)

        # blocked time: busy widened by this event's buffers
        blocked: list[Interval] = []
        append = blocked.append
        floor, ceil = math.floor, math.ceil
        for b in host.busy:
            bs, be = b.start, b.end
            if bs.tzinfo is None or be.tzinfo is None:
                raise ValueError("Busy datetimes must be timezone-aware")
            s, e = floor(bs.timestamp()), ceil(be.timestamp())
            if e > s:  # an empty interval blocks nothing, even with buffers
                append((s - after, e + before))
        for s, e in host.booked:
            if e > s:
                append((s - after, e + before))
        # this event type's bookings: their own buffers plus ours
        ledger_items: list[Interval] = []
        widen_lo = before + after
        for b in host.event_bookings:
            s = _ts_floor(b.start)
            e = _ts_ceil(b.end)
            ledger_items.append((s, e))
            if e <= s or (seated_mode and s in self.seat_at):
                continue
            append((s - widen_lo, e + widen_lo))
        for s, e in plain_seated:
            if e > s:
                append((s - widen_lo, e + widen_lo))
        self.blocked = merge(blocked)
        self.ledger = BookingLedger(ledger_items) if ledger_items else None

    def seat_state(self, g: int, len_s: int, seats: int | None) -> tuple[bool, int, str | None]:
        """(ok, attendees at g, booking uid at g) for seated events."""
        att, uid = 0, None
        info = self.seat_at.get(g)
        if info is not None:
            att, uid = info
            if seats is not None and att >= seats:
                return False, att, uid
        if self.seat_iv:
            starts = self.seat_starts
            i = bisect_left(starts, g + len_s) - 1
            floor_ = g - self.seat_span
            while i >= 0 and starts[i] > floor_:
                _, we, s0 = self.seat_iv[i]
                if we > g and s0 != g:
                    return False, att, uid
                i -= 1
        return True, att, uid


class _Plan:
    """Everything computed for one query range (shared by slot generation and diagnosis)."""

    __slots__ = ("free", "free_agg", "limits", "segments", "working")

    def __init__(self) -> None:
        self.working: list[list[Interval]] = []
        self.free: list[list[Interval]] = []
        self.limits: list[list[Interval]] = []
        self.segments: list[Interval] = []
        self.free_agg: list[Interval] = []


class _Ctx:
    """Per-call context: validated rules, digested hosts, derived constants."""

    def __init__(
        self,
        hosts: Sequence[Host],
        rules: EventRules,
        now: datetime,
        booker_time_zone: str,
    ) -> None:
        if rules.mode == "single" and len(hosts) > 1:
            raise ValueError("mode 'single' takes exactly one host")
        self.rules = rules
        self.len_s = rules.length * 60
        self.step_s = rules.step * 60
        self.off_s = rules.offset_start * 60
        self.align_s = alignment_minutes(rules.step) * 60
        self.now = _ts_ceil(now)
        self.earliest = self.now + rules.minimum_notice * 60
        # the earliest start any generate() of this call offered: once the minimum notice passes it, the
        # passage of time alone changes the answer (see Offer.changes_at)
        self.first_generated: int | None = None
        self.booker = get_zone(booker_time_zone)
        self.hosts = [_HostData(h, rules, self.len_s) for h in hosts]
        self.align_zone: Zone | None = self.hosts[0].zone if self.hosts else None
        self.seated = rules.seats_per_slot is not None
        self.any_seat_iv = any(hd.seat_iv for hd in self.hosts)
        if rules.mode == "round_robin":
            self.fixed = [i for i, h in enumerate(hosts) if h.fixed]
            groups: dict[str | None, list[int]] = {}
            for i, h in enumerate(hosts):
                if not h.fixed:
                    groups.setdefault(h.group, []).append(i)
            self.groups = list(groups.values())
        else:
            self.fixed = list(range(len(hosts)))
            self.groups = []
        self.all_ids = tuple(h.host_id for h in hosts)

    # -- ranges ------------------------------------------------------------------------
    def plan(self, lo: int, hi: int) -> _Plan:
        """Working/free intervals of every host and the aggregated segments around ``[lo, hi)``."""
        plan = _Plan()
        rules = self.rules
        has_limits = rules.count_limits is not None or rules.duration_limits is not None
        for hd in self.hosts:
            z = hd.zone
            o1 = z.local_ordinal(lo) - 1
            o2 = z.local_ordinal(hi + self.len_s) + 1
            w = hd.sched.working(o1, o2)
            f = subtract(w, hd.blocked) if w else w
            lim: list[Interval] = []
            if has_limits and f:
                ledger = hd.ledger or BookingLedger([])
                lim = merge(
                    limit_blocks(
                        z,
                        ledger,
                        rules.count_limits,
                        rules.duration_limits,
                        self.len_s,
                        o1,
                        o2,
                    )
                )
                if lim:
                    f = subtract(f, lim)
            plan.working.append(w)
            plan.free.append(f)
            plan.limits.append(lim)
        if not self.hosts:
            return plan
        plan.segments = self._segments(self._aggregate(plan.working), lo, hi)
        plan.free_agg = self._aggregate(plan.free)
        return plan

    def _aggregate(self, per_host: list[list[Interval]]) -> list[Interval]:
        parts = [per_host[i] for i in self.fixed]
        for g in self.groups:
            acc: list[Interval] = []
            for i in g:
                acc = union(acc, per_host[i])
            parts.append(acc)
        if not parts:
            return []
        if len(parts) == 1:
            return parts[0]
        return intersect_all(parts)

    def _segments(self, agg: list[Interval], lo: int, hi: int) -> list[Interval]:
        """Split aggregated working time at the first host's local midnights."""
        if not agg:
            return agg
        zone = self.align_zone
        assert zone is not None
        o1 = zone.local_ordinal(agg[0][0])
        o2 = zone.local_ordinal(agg[-1][1]) + 1
        bounds = [zone.day_start(o) for o in range(o1, o2 + 1)]
        out: list[Interval] = []
        k = 0
        nb = len(bounds)
        for s, e in agg:
            while k < nb and bounds[k] <= s:
                k += 1
            cur = s
            j = k
            while j < nb and bounds[j] < e:
                out.append((cur, bounds[j]))
                cur = bounds[j]
                j += 1
            out.append((cur, e))
        return out

    def anchor(self, seg_start: int) -> int:
        """First grid point of a segment: the earliest ``aligned start + offset + k * step``
        (any integer ``k``) at or after the segment start."""
        zone = self.align_zone
        assert zone is not None
        align = self.align_s
        local = seg_start + zone.offset_at(seg_start)
        r = local % align
        base = seg_start + (align - r if r else 0) + self.off_s
        return base - ((base - seg_start) // self.step_s) * self.step_s

    # -- generation --------------------------------------------------------------------
    def generate(
        self, plan: _Plan, lo: int, hi: int
    ) -> tuple[list[int], dict[int, tuple[tuple[int, ...], int | None, str | None]] | None]:
        """Offered starts in ``[lo, hi)`` before the per-day filters.

        Returns the starts and, for round-robin or seated events, per-start
        ``(host_ids, seats_booked, booking_uid)``.
        """
        starts: list[int] = []
        if not self.hosts:
            return starts, None
        free = plan.free_agg
        nf = len(free)
        len_s, step = self.len_s, self.step_s
        lower = max(lo, self.earliest)
        rr = bool(self.groups)
        check = rr or self.any_seat_iv or self.seated
        extra: dict[int, tuple[tuple[int, ...], int | None, str | None]] | None = {} if check else None
        seats = self.rules.seats_per_slot
        free_starts = [[iv[0] for iv in f] for f in plan.free] if rr else []
        fi = 0
        for ws, we in plan.segments:
            if we - len_s < lower:
                continue
            if ws >= hi:
                break
            base = self.anchor(ws)
            while fi < nf and free[fi][1] <= ws:
                fi += 1
            j = fi
            while j < nf:
                fs, fe = free[j]
                if fs >= we:
                    break
                j += 1
                ps = fs if fs > ws else ws
                if ps < lower:
                    ps = lower
                last = (fe if fe < we else we) - len_s
                if last >= hi:
                    last = hi - 1
                if last < ps:
                    continue
                g = base if ps <= base else base + -(-(ps - base) // step) * step
                if not check:
                    starts.extend(range(g, last + 1, step))
                    continue
                assert extra is not None
                while g <= last:
                    res = self._check_hosts(plan, free_starts, g, seats)
                    if res is not None:
                        starts.append(g)
                        extra[g] = res
                    g += step
        if starts and (self.first_generated is None or starts[0] < self.first_generated):
            self.first_generated = starts[0]
        return starts, extra

    def changes_at(self) -> int | None:
        """The first instant from which a later ``now`` could give other slots (None: never): when the
        minimum notice passes the earliest start offered (past and too-soon starts drop out; with
        ``only_first_slot_per_day`` or a rolling window, another start can then appear), and at the
        booker's next midnight when the booking window counts days from today."""
        moments: list[int] = []
        if self.first_generated is not None:
            moments.append(self.first_generated - self.rules.minimum_notice * 60)
        if self.rules.window.kind in ("calendar_days", "business_days"):
            moments.append(self.booker.day_start(self._booker_today() + 1) - 1)
        return min(moments, default=None)

    def _check_hosts(
        self, plan: _Plan, free_starts: list[list[int]], g: int, seats: int | None
    ) -> tuple[tuple[int, ...], int | None, str | None] | None:
        len_s = self.len_s
        att_total: int | None = 0 if self.seated else None
        uid: str | None = None
        hosts = self.hosts
        ok_ids: set[int] = set()
        for i in self.fixed:
            ok, att, u = hosts[i].seat_state(g, len_s, seats)
            if not ok:
                return None
            if att_total is not None and att > att_total:
                att_total = att
            if uid is None:
                uid = u
        if self.groups:
            for grp in self.groups:
                found = False
                for i in grp:
                    if not contains(free_starts[i], plan.free[i], g, g + len_s):
                        continue
                    ok, att, u = hosts[i].seat_state(g, len_s, seats)
                    if not ok:
                        continue
                    found = True
                    ok_ids.add(i)
                    if att_total is not None and att > att_total:
                        att_total = att
                    if uid is None:
                        uid = u
                if not found:
                    return None
            ids = tuple(hosts[i].host.host_id for i in range(len(hosts)) if i in ok_ids or hosts[i].host.fixed)
        else:
            ids = self.all_ids
        return ids, att_total, uid

    # -- windows and per-day filters ---------------------------------------------------
    def _booker_today(self) -> int:
        return self.booker.local_ordinal(self.now)

    def window_bounds(self, hi: int) -> tuple[int | None, int | None]:
        """``(lowest allowed start, first disallowed start)`` of the booking window."""
        w = self.rules.window
        if w.kind == "unlimited":
            return None, None
        if w.kind == "range":
            zone = self.align_zone
            if zone is None:
                return None, None
            lo_b = zone.day_start(w.range_start.toordinal()) if w.range_start else None
            hi_b = zone.day_start(w.range_end.toordinal() + 1) if w.range_end else None
            return lo_b, hi_b
        today = self._booker_today()
        business = w.kind == "business_days"
        if w.rolling:
            return None, self._rolling_cutoff(today, business, hi)
        last = today
        if business:
            k = 0
            while k < w.days:
                last += 1
                if (last - 1) % 7 < 5:
                    k += 1
        else:
            last += w.days
        return None, self.booker.day_start(last + 1)

    def _rolling_cutoff(self, today: int, business: bool, hi: int) -> int | None:
        """End of the ``days``-th booker-zone day (from today) that has slots, or ``None`` when
        the query ends before that day is reached."""
        need = self.rules.window.days
        booker = self.booker
        if need <= 0:
            return booker.day_start(today)
        counted = 0
        o = today
        while o - today < _ROLLING_MAX_DAYS:
            c_lo = booker.day_start(o)
            if c_lo >= hi:
                return None
            c_hi = booker.day_start(o + _ROLLING_CHUNK_DAYS)
            plan = self.plan(c_lo, c_hi)
            starts, _ = self.generate(plan, c_lo, c_hi)
            for day in self._days_with_slots(starts, o, o + _ROLLING_CHUNK_DAYS):
                if business and (day - 1) % 7 >= 5:
                    continue
                counted += 1
                if counted >= need:
                    return booker.day_start(day + 1)
            o += _ROLLING_CHUNK_DAYS
        return None

    def _days_with_slots(self, starts: list[int], o1: int, o2: int) -> list[int]:
        bounds = [self.booker.day_start(o) for o in range(o1, o2 + 1)]
        days: list[int] = []
        k = 0
        nb = len(bounds)
        for g in starts:
            while k < nb and bounds[k] <= g:
                k += 1
            day = o1 + k - 1
            if not days or days[-1] != day:
                days.append(day)
        return days

    def first_per_day(self, starts: list[int]) -> list[int]:
        if not starts:
            return starts
        booker = self.booker
        o = booker.local_ordinal(starts[0])
        nxt = booker.day_start(o + 1)
        out = [starts[0]]
        for g in starts[1:]:
            if g >= nxt:
                out.append(g)
                o = booker.local_ordinal(g)
                nxt = booker.day_start(o + 1)
        return out

    # -- the whole computation ---------------------------------------------------------
    def compute(
        self, lo: int, hi: int
    ) -> tuple[
        _Plan,
        list[int],
        dict[int, tuple[tuple[int, ...], int | None, str | None]] | None,
        tuple[int | None, int | None],
    ]:
        orig_lo, orig_hi = lo, hi
        if self.rules.only_first_slot_per_day:
            # a day's first slot must not depend on where the query starts
            booker = self.booker
            lo = booker.day_start(booker.local_ordinal(lo))
            hi = booker.day_start(booker.local_ordinal(hi - 1) + 1) if hi > lo else hi
        bounds = self.window_bounds(hi)
        g_lo = lo if bounds[0] is None else max(lo, bounds[0])
        g_hi = hi if bounds[1] is None else min(hi, bounds[1])
        plan = self.plan(lo, hi)
        if g_lo < g_hi:
            starts, extra = self.generate(plan, g_lo, g_hi)
        else:
            starts, extra = [], None
        if self.rules.only_first_slot_per_day:
            starts = self.first_per_day(starts)
            if lo != orig_lo or hi != orig_hi:
                starts = starts[bisect_left(starts, orig_lo) : bisect_left(starts, orig_hi)]
        return plan, starts, extra, bounds

    # -- diagnosis ---------------------------------------------------------------------
    def host_reason(self, i: int, plan: _Plan, s: int) -> Rejection | None:
        hd = self.hosts[i]
        e = s + self.len_s
        working = plan.working[i]
        if not contains([iv[0] for iv in working], working, s, e):
            return Rejection.OUTSIDE_HOURS
        ok, _, _ = hd.seat_state(s, self.len_s, self.rules.seats_per_slot)
        if not ok:
            info = hd.seat_at.get(s)
            seats = self.rules.seats_per_slot
            if info is not None and seats is not None and info[0] >= seats:
                return Rejection.NO_SEATS
            return Rejection.TAKEN
        before = self.rules.before_buffer * 60
        after = self.rules.after_buffer * 60
        lo, hi = s - before, e + after
        kinds: set[str] = set()
        for b in hd.host.busy:
            bs, be = _ts_floor(b.start), _ts_ceil(b.end)
            if be > bs and bs < hi and be > lo:
                kinds.add(b.kind)
        if any(be > bs and bs < hi and be > lo for bs, be in hd.host.booked):
            kinds.add("booking")
        seat_starts = hd.seat_at if self.seated else {}
        for b in hd.host.event_bookings:
            bs, be = _ts_floor(b.start), _ts_ceil(b.end)
            if bs in seat_starts or be <= bs:
                continue
            if bs - before < hi and be + after > lo:
                kinds.add("booking")
        if not self.seated:
            for sb in hd.host.seated:
                bs = _ts_floor(sb.start)
                be = _ts_ceil(sb.end) if sb.end is not None else bs + self.len_s
                if be > bs and bs - before < hi and be + after > lo:
                    kinds.add("booking")
        if kinds - {"reservation", "limit"}:
            return Rejection.TAKEN
        if "reservation" in kinds:
            return Rejection.RESERVED
        if "limit" in kinds:
            return Rejection.OVER_LIMIT
        lim = plan.limits[i]
        if lim and any(ls < e and le > s for ls, le in lim):
            return Rejection.OVER_LIMIT
        if not contains([iv[0] for iv in plan.free[i]], plan.free[i], s, e):
            return Rejection.TAKEN  # defensive: blocked by something already merged
        return None

    def diagnose(self, plan: _Plan, s: int, exact: bool, bounds: tuple[int | None, int | None]) -> Rejection:
        if not self.hosts:
            return Rejection.OUTSIDE_HOURS
        e = s + self.len_s + (0 if exact else 1)
        segs = plan.segments
        k = bisect_right(segs, (s, 1 << 62)) - 1
        if k < 0 or segs[k][1] < e:
            return Rejection.OUTSIDE_HOURS
        base = self.anchor(segs[k][0])
        if not exact or s < base or (s - base) % self.step_s:
            return Rejection.OFF_GRID
        reasons: list[Rejection] = []
        for i in self.fixed:
            r = self.host_reason(i, plan, s)
            if r is not None:
                reasons.append(r)
        for grp in self.groups:
            member = [self.host_reason(i, plan, s) for i in grp]
            if all(r is not None for r in member):
                reasons.append(min((r for r in member if r is not None), key=_RANK.index))
        if reasons:
            return min(reasons, key=_RANK.index)
        if bounds[1] is not None and s >= bounds[1]:
            return Rejection.OUTSIDE_WINDOW
        return Rejection.OFF_GRID


@dataclass(frozen=True)
class Offer:
    """What :func:`compute_offer` found: the slots, and ``changes_at`` (epoch seconds), before which
    the same input gives the same slots whatever the time (None: at any time). Callers that cache
    slots must drop them from then on; any change of the input (a booking, a schedule) is theirs to
    notice."""

    slots: list[Slot]
    changes_at: int | None


def compute_offer(
    hosts: Sequence[Host],
    rules: EventRules,
    start: datetime,
    end: datetime,
    now: datetime,
    booker_time_zone: str = "UTC",
) -> Offer:
    """Offered slots whose start lies in ``[start, end)``, sorted by start.

    ``booker_time_zone`` decides per-day grouping (``only_first_slot_per_day``) and the
    calendar/business-day booking windows ("today" = ``now`` in that zone). Range windows are
    evaluated in the first host's schedule zone. See the module docstring for the grid.
    """
    lo = _ts_ceil(start)
    hi = _ts_ceil(end)
    if hi <= lo or not hosts:
        return Offer([], None)
    ctx = _Ctx(hosts, rules, now, booker_time_zone)
    _, starts, extra, _ = ctx.compute(lo, hi)
    length = ctx.len_s
    if extra is None:
        slots = [Slot(g, g + length, ctx.all_ids) for g in starts]
    else:  # per start: (host ids, seats booked, booking uid)
        slots = [Slot(g, g + length, *extra[g]) for g in starts]
    return Offer(slots, ctx.changes_at())


def compute_slots(
    hosts: Sequence[Host],
    rules: EventRules,
    start: datetime,
    end: datetime,
    now: datetime,
    booker_time_zone: str = "UTC",
) -> list[Slot]:
    """The slots of :func:`compute_offer`."""
    return compute_offer(hosts, rules, start, end, now, booker_time_zone).slots


def check_start(
    hosts: Sequence[Host],
    rules: EventRules,
    slot_start: datetime,
    now: datetime,
    booker_time_zone: str = "UTC",
) -> Rejection | None:
    """``None`` if :func:`compute_slots` offers exactly ``slot_start``; else the most specific
    reason why not.

    Runs the same computation as :func:`compute_slots` over the booker-zone day of
    ``slot_start`` and tests membership; only when the start is not offered does it diagnose.
    Order: PAST, TOO_SOON, OUTSIDE_WINDOW, OUTSIDE_HOURS, OFF_GRID, then per-host reasons
    (NO_SEATS, TAKEN, RESERVED, OVER_LIMIT); a start dropped only by
    ``only_first_slot_per_day`` is OFF_GRID.
    """
    if slot_start.tzinfo is None:
        raise ValueError("slot_start must be timezone-aware")
    ctx = _Ctx(hosts, rules, now, booker_time_zone)
    s = math.floor(slot_start.timestamp())
    exact = slot_start.microsecond == 0
    booker = ctx.booker
    day = booker.local_ordinal(s)
    lo, hi = booker.day_start(day), booker.day_start(day + 1)
    plan, starts, _, bounds = ctx.compute(lo, hi)
    if exact:
        i = bisect_left(starts, s)
        if i < len(starts) and starts[i] == s:
            return None
    if slot_start < now:
        return Rejection.PAST
    if s < ctx.earliest:
        return Rejection.TOO_SOON
    if (bounds[0] is not None and s < bounds[0]) or (bounds[1] is not None and s >= bounds[1]):
        return Rejection.OUTSIDE_WINDOW
    return ctx.diagnose(plan, s, exact, bounds)
