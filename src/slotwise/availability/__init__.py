"""Slotwise availability engine: pure, I/O-free slot computation.

Only the standard library is used (``zoneinfo``, ``datetime``, ``bisect``...). Services build
:class:`Host` / :class:`EventRules` values from the database and call :func:`compute_slots`
(listing) or :func:`check_start` (validating a requested start with the same code path).

Semantics are documented where they live: the pipeline and the *interval grid* in
:mod:`slotwise.availability.engine`, DST handling in :mod:`slotwise.availability.tz`.
Modules: ``models`` (public dataclasses), ``intervals`` (sorted half-open integer intervals),
``tz`` (wall clock <-> UTC with per-day offset caches), ``schedule`` (weekly rules + overrides),
``limits`` (booking limits), ``engine`` (compute_slots / check_start).
"""

from .engine import Offer, alignment_minutes, check_start, compute_offer, compute_slots
from .models import (
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
)

__all__ = [
    "BookingWindow",
    "Busy",
    "DateOverride",
    "EventRules",
    "Host",
    "Offer",
    "Period",
    "Rejection",
    "SeatedBooking",
    "Slot",
    "WeeklyRule",
    "alignment_minutes",
    "check_start",
    "compute_offer",
    "compute_slots",
]
