"""Weekly rules + date overrides -> working intervals (UTC epoch seconds)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from .intervals import Interval, merge
from .models import DateOverride, WeeklyRule
from .tz import DAY, Zone

__all__ = ["CompiledSchedule", "time_to_seconds"]


def time_to_seconds(t: time, *, end: bool = False) -> int:
    """Seconds of day of a wall time; as an end, 23:59 (or later) means next midnight."""
    if end and (t.hour, t.minute) == (23, 59):
        return DAY
    return t.hour * 3600 + t.minute * 60 + t.second


class CompiledSchedule:
    """A schedule pre-digested for repeated day walks.

    A date's wall-clock ranges (its weekly rules, or its overrides) are merged *before* they are
    converted to UTC: rules 09:00-12:00 and 12:00-17:00 are one range 09:00-17:00, and on a
    fall-back day 00:00-01:15 + 01:15-02:00 means every instant whose wall clock reads
    00:00-02:00 (including the repeated hour), exactly like a single 00:00-02:00 rule.
    """

    __slots__ = ("overrides", "weekly", "zone")

    def __init__(self, zone: Zone, weekly: Sequence[WeeklyRule], overrides: Sequence[DateOverride]) -> None:
        self.zone = zone
        # Cal.com weekday (0 = Sunday) -> sorted, merged seconds-of-day ranges
        per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for rule in weekly:
            s = time_to_seconds(rule.start)
            e = time_to_seconds(rule.end, end=True)
            if e > s:
                for d in rule.days:
                    per_day[d].append((s, e))
        self.weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(tuple(merge(r)) for r in per_day)
        # date ordinal -> ranges (an empty tuple blocks the day)
        by_date: dict[int, list[tuple[int, int]]] = {}
        for ov in overrides:
            ranges = by_date.setdefault(ov.day.toordinal(), [])
            s = time_to_seconds(ov.start)
            e = time_to_seconds(ov.end, end=True)
            if e > s:
                ranges.append((s, e))
        self.overrides: dict[int, tuple[tuple[int, int], ...]] = {k: tuple(merge(v)) for k, v in by_date.items()}

    def day_ranges(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """Seconds-of-day working ranges of a local date (override wins)."""
        ov = self.overrides.get(ordinal)
        if ov is not None:
            return ov
        # date.toordinal() == 1 is a Monday, so ordinal % 7 is Cal.com's weekday (Sunday = 0)
        return self.weekly[ordinal % 7]

    def working(self, first_ordinal: int, last_ordinal: int) -> list[Interval]:
        """Merged working intervals of local dates ``first_ordinal..last_ordinal``.

        Touching intervals are merged, also across midnight; callers split at day starts
        where they need per-date segments.
        """
        zone = self.zone
        out: list[Interval] = []
        for o in range(first_ordinal, last_ordinal + 1):
            for s1, s2 in self.day_ranges(o):
                out.extend(zone.wall_range(o, s1, s2))
        # pieces are produced in time order except across DST oddities; merge sorts anyway
        return merge(out)
