"""Booking limits (count / duration per day, week, month, year) -> blocked periods."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from datetime import date

from .intervals import Interval
from .models import Period
from .tz import Zone

__all__ = ["BookingLedger", "limit_blocks", "period_bounds"]


class BookingLedger:
    """This event type's bookings of one host: sorted starts and prefix sums of durations."""

    __slots__ = ("prefix", "starts")

    def __init__(self, bookings: list[Interval]) -> None:
        bookings = sorted(bookings)
        self.starts = [s for s, _ in bookings]
        prefix = [0]
        acc = 0
        for s, e in bookings:
            acc += max(0, e - s)
            prefix.append(acc)
        self.prefix = prefix

    def count(self, lo: int, hi: int) -> int:
        """Bookings starting in ``[lo, hi)``."""
        return bisect_left(self.starts, hi) - bisect_left(self.starts, lo)

    def seconds(self, lo: int, hi: int) -> int:
        """Booked seconds of the bookings starting in ``[lo, hi)``."""
        return self.prefix[bisect_left(self.starts, hi)] - self.prefix[bisect_left(self.starts, lo)]


def _period_start(unit: str, ordinal: int) -> int:
    if unit == "day":
        return ordinal
    if unit == "week":  # weeks start on Monday; date.fromordinal(1) is a Monday
        return ordinal - (ordinal - 1) % 7
    d = date.fromordinal(ordinal)
    if unit == "month":
        return d.replace(day=1).toordinal()
    return date(d.year, 1, 1).toordinal()


def _next_period_start(unit: str, start_ordinal: int) -> int:
    if unit == "day":
        return start_ordinal + 1
    if unit == "week":
        return start_ordinal + 7
    d = date.fromordinal(start_ordinal)
    if unit == "month":
        y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
        return date(y, m, 1).toordinal()
    return date(d.year + 1, 1, 1).toordinal()


def period_bounds(zone: Zone, unit: str, ordinal: int) -> Interval:
    """UTC bounds of the ``unit`` period (host zone) containing local date ``ordinal``."""
    p0 = _period_start(unit, ordinal)
    return zone.day_start(p0), zone.day_start(_next_period_start(unit, p0))


def _periods(zone: Zone, unit: str, first: int, last: int) -> Iterator[Interval]:
    o = _period_start(unit, first)
    while o <= last:
        nxt = _next_period_start(unit, o)
        yield zone.day_start(o), zone.day_start(nxt)
        o = nxt


UNITS = ("day", "week", "month", "year")


def limit_blocks(
    zone: Zone,
    ledger: BookingLedger,
    count_limits: Period | None,
    duration_limits: Period | None,
    length_seconds: int,
    first_ordinal: int,
    last_ordinal: int,
) -> list[Interval]:
    """Periods (touching local dates ``first..last``) in which the host is fully booked.

    Count: bookings starting in the period ``>= limit``. Duration: booked minutes of the
    period plus the requested length ``> limit``. Returned unsorted, possibly overlapping.
    """
    out: list[Interval] = []
    for unit in UNITS:
        c = getattr(count_limits, unit) if count_limits is not None else None
        d = getattr(duration_limits, unit) if duration_limits is not None else None
        if c is None and d is None:
            continue
        for lo, hi in _periods(zone, unit, first_ordinal, last_ordinal):
            if (c is not None and ledger.count(lo, hi) >= c) or (
                d is not None and ledger.seconds(lo, hi) + length_seconds > d * 60
            ):
                out.append((lo, hi))
    return out
