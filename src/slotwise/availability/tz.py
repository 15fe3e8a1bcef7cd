"""Wall clock <-> UTC arithmetic on integer epoch seconds, with per-day offset caches.

Local times are represented as "local epoch seconds": the wall clock read as if it were UTC
(``(date.toordinal() - EPOCH_ORDINAL) * 86400 + seconds_of_day``). A UTC instant ``u`` shows the
wall clock ``u + offset(u)``.

DST semantics (documented contract of the engine):

* A wall time inside a spring-forward gap resolves *forward* like zoneinfo's ``fold=0``
  normalisation (02:30 in New York's gap becomes 03:30 EDT).
* An ambiguous wall time (fall-back overlap) resolves to its *first* occurrence (``fold=0``).
* A wall-clock range ``[L1, L2)`` of one date maps to the instants between ``fold0(L1)`` and
  ``fold0(L2)`` whose wall clock actually lies in ``[L1, L2)``. So a range never yields an
  instant whose wall clock is outside the range: an end inside a gap is cut at the transition,
  and a range that starts inside a repeated hour skips the earlier wall times it passes again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .intervals import Interval

DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAIVE_EPOCH = datetime(1970, 1, 1)

__all__ = [
    "DAY",
    "EPOCH_ORDINAL",
    "Zone",
    "get_zone",
]

# Cached days per zone before the cache is reset (bounded memory in a long-running server).
_MAX_CACHED_DAYS = 200_000


@lru_cache(maxsize=1024)
def get_zone(key: str) -> Zone:
    """The (cached) :class:`Zone` for an IANA key; ``ValueError`` if unknown."""
    try:
        info = ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {key!r}") from exc
    return Zone(key, info)


class Zone:
    """A time zone with cached per-day data (all methods take/return integers)."""

    __slots__ = ("_day_offset", "_day_start", "info", "key")

    def __init__(self, key: str, info: ZoneInfo) -> None:
        self.key = key
        self.info = info
        # ordinal -> constant UTC offset of that whole local day, or None on a transition day
        self._day_offset: dict[int, int | None] = {}
        # ordinal -> first UTC instant whose wall clock is on or after that date's 00:00
        self._day_start: dict[int, int] = {}

    # -- primitive offsets ---------------------------------------------------------------
    def offset_local(self, local: int, fold: int = 0) -> int:
        """UTC offset (seconds) zoneinfo assigns to the wall time ``local`` with ``fold``."""
        dt = (_NAIVE_EPOCH + timedelta(seconds=local)).replace(tzinfo=self.info, fold=fold)
        off = dt.utcoffset()
        assert off is not None
        return off.days * DAY + off.seconds

    def offset_at(self, u: int) -> int:
        """UTC offset (seconds) in effect at the UTC instant ``u``."""
        off = datetime.fromtimestamp(u, self.info).utcoffset()
        assert off is not None
        return off.days * DAY + off.seconds

    # -- per-day cache -------------------------------------------------------------------
    def day_offset(self, ordinal: int) -> int | None:
        """The offset of local date ``ordinal`` if it is constant over the whole day
        (including the following midnight), else ``None`` (a transition day)."""
        cache = self._day_offset
        try:
            return cache[ordinal]
        except KeyError:
            pass
        if len(cache) > _MAX_CACHED_DAYS:
            cache.clear()
        l0 = (ordinal - EPOCH_ORDINAL) * DAY
        a = self.offset_local(l0, 0)
        res: int | None = a
        if self.offset_local(l0, 1) != a or self.offset_local(l0 + DAY, 0) != a or self.offset_local(l0 + DAY, 1) != a:
            res = None
        cache[ordinal] = res
        return res

    def day_start(self, ordinal: int) -> int:
        """First UTC instant whose wall clock is on or after ``ordinal`` 00:00."""
        cache = self._day_start
        try:
            return cache[ordinal]
        except KeyError:
            pass
        if len(cache) > _MAX_CACHED_DAYS:
            cache.clear()
        res = self.first_at_or_after((ordinal - EPOCH_ORDINAL) * DAY)
        cache[ordinal] = res
        return res

    # -- conversions ---------------------------------------------------------------------
    def fold0(self, local: int) -> int:
        """UTC instant of a wall time with zoneinfo's ``fold=0`` rule."""
        return local - self.offset_local(local, 0)

    def first_at_or_after(self, local: int) -> int:
        """First UTC instant whose wall clock reads ``local`` or later (gap -> transition)."""
        o0 = self.offset_local(local, 0)
        u0 = local - o0
        if self.offset_at(u0) == o0:
            return u0  # exists (first occurrence if ambiguous)
        u1 = local - self.offset_local(local, 1)
        if u1 >= u0:  # not a forward gap; defensive
            return u0
        return self._transition(u1, u0)

    def _transition(self, lo: int, hi: int) -> int:
        """Smallest instant in ``(lo, hi]`` whose offset differs from the offset at ``lo``."""
        base = self.offset_at(lo)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.offset_at(mid) == base:
                lo = mid
            else:
                hi = mid
        return hi

    def wall_range(self, ordinal: int, s1: int, s2: int) -> list[Interval]:
        """UTC pieces of the wall-clock range ``[s1, s2)`` seconds of local date ``ordinal``
        (``s2`` may be 86400 = next midnight). See the module docstring for DST rules."""
        l0 = (ordinal - EPOCH_ORDINAL) * DAY
        off = self.day_offset(ordinal)
        if off is not None:
            return [(l0 + s1 - off, l0 + s2 - off)]
        return self._wall_range_slow(l0 + s1, l0 + s2)

    def _wall_range_slow(self, l1: int, l2: int) -> list[Interval]:
        lo_clip = self.fold0(l1)
        hi_clip = self.fold0(l2)
        offs = {
            self.offset_local(l1, 0),
            self.offset_local(l1, 1),
            self.offset_local(l2, 0),
            self.offset_local(l2, 1),
        }
        pieces: list[Interval]
        if len(offs) == 1:
            o = offs.pop()
            pieces = [(l1 - o, l2 - o)]
        else:
            u_lo = l1 - max(offs)
            u_hi = l2 - min(offs)
            o_lo = self.offset_at(u_lo)
            o_hi = self.offset_at(u_hi)
            if o_lo == o_hi:
                pieces = [(l1 - o_lo, l2 - o_lo)]
            else:
                t = self._transition(u_lo, u_hi)
                pieces = [
                    (l1 - o_lo, min(t, l2 - o_lo)),
                    (max(t, l1 - o_hi), l2 - o_hi),
                ]
        out: list[Interval] = []
        for s, e in pieces:
            s = max(s, lo_clip)
            e = min(e, hi_clip)
            if s < e:
                if out and out[-1][1] >= s:
                    out[-1] = (out[-1][0], max(out[-1][1], e))
                else:
                    out.append((s, e))
        return out

    def local_ordinal(self, u: int) -> int:
        """Local date (ordinal) of the UTC instant ``u``."""
        return (u + self.offset_at(u)) // DAY + EPOCH_ORDINAL

    def to_datetime(self, u: int) -> datetime:
        return datetime.fromtimestamp(u, self.info)


def utc_datetime(u: int) -> datetime:
    return datetime.fromtimestamp(u, UTC)
