"""Operations on sorted, disjoint, half-open integer intervals ``[start, end)``.

An *interval set* is a list of ``(start, end)`` tuples with ``start < end``, sorted by start,
where consecutive intervals neither overlap nor touch (``prev_end < next_start``).
All functions return new lists and never mutate their inputs.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

Interval = tuple[int, int]

__all__ = [
    "Interval",
    "contains",
    "intersect",
    "intersect_all",
    "merge",
    "subtract",
    "union",
]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals; empty ones are dropped."""
    items = sorted(intervals)
    out: list[Interval] = []
    if not items:
        return out
    cur_s, cur_e = -1, -1
    started = False
    for s, e in items:
        if e <= s:
            continue
        if not started:
            cur_s, cur_e, started = s, e, True
        elif s <= cur_e:
            if e > cur_e:
                cur_e = e
        else:
            out.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    if started:
        out.append((cur_s, cur_e))
    return out


def union(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Union of two interval sets."""
    if not a:
        return list(b)
    if not b:
        return list(a)
    return merge([*a, *b])


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two interval sets (linear merge sweep)."""
    out: list[Interval] = []
    i = j = 0
    na, nb = len(a), len(b)
    while i < na and j < nb:
        a_s, a_e = a[i]
        b_s, b_e = b[j]
        s = a_s if a_s > b_s else b_s
        e = a_e if a_e < b_e else b_e
        if s < e:
            out.append((s, e))
        if a_e < b_e:
            i += 1
        else:
            j += 1
    return out


def intersect_all(sets: Sequence[Sequence[Interval]]) -> list[Interval]:
    """Intersection of several interval sets (empty input -> empty set)."""
    if not sets:
        return []
    acc = list(sets[0])
    for other in sets[1:]:
        acc = intersect(acc, other)
        if not acc:
            break
    return acc


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` minus ``b`` (linear sweep; ``b`` may be much larger than ``a``).

    Only the part of ``b`` that overlaps ``a`` is visited: the sweep jumps over the rest with
    ``bisect``, so a long busy list costs O(log n) per interval of ``a`` plus the overlaps.
    """
    if not b:
        return list(a)
    out: list[Interval] = []
    nb = len(b)
    j = 0
    for s, e in a:
        # first b interval that may overlap [s, e): the one whose end is after s
        if j < nb and b[j][1] <= s:
            j = bisect_right(b, (s, s), j)
            if j > 0 and b[j - 1][1] > s:
                j -= 1
        cur = s
        k = j
        while k < nb:
            b_s, b_e = b[k]
            if b_s >= e:
                break
            if b_s > cur:
                out.append((cur, b_s))
            if b_e > cur:
                cur = b_e
            if cur >= e:
                break
            k += 1
        if cur < e:
            out.append((cur, e))
        j = k
    return out


def contains(starts: Sequence[int], sets: Sequence[Interval], s: int, e: int) -> bool:
    """True if ``[s, e)`` lies inside one interval of ``sets`` (``starts`` = their starts)."""
    i = bisect_right(starts, s) - 1
    return i >= 0 and sets[i][1] >= e
