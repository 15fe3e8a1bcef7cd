"""Answers of ``GET /v2/slots`` kept in memory, served again only while nothing they depend on changed.

An answer depends on its hosts' data (bookings, seats, reservations, schedules, event types, the
user's zone) and on the time. Each host has a stamp that database triggers replace in the same
transaction as any such change (``AvailabilityStamp``, migration 0006); an answer is stored with the
stamps it was computed under (read in the same snapshot as its data) and served again only after
reading the same stamps back. The time is covered by ``expires``: the engine says when the passage of
time alone could change the slots (notice, today's window), and a live reservation's expiry counts too.
So a cached answer is always the answer a fresh computation would give; it only saves the work.

The cache is per process and bounded in bytes (least recently used answers go first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

Stamps = tuple[tuple[int, int | None], ...]  # (host id, stamp or None when the host has none yet), by id


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    host_ids: tuple[int, ...]
    stamps: Stamps
    expires: float  # epoch seconds: from then on the answer may be out of date


class SlotCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, now: float) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is None:
            return None
        if now >= answer.expires:
            self._drop(key)
            return None
        self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: CachedAnswer) -> None:
        if len(answer.body) > self.max_bytes:
            return
        if key in self._answers:
            self._drop(key)
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._answers)))

    def _drop(self, key: Hashable) -> None:
        self._bytes -= len(self._answers.pop(key).body)

    def __len__(self) -> int:
        return len(self._answers)
