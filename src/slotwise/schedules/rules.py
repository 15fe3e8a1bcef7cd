"""Weekly rules and date overrides as plain values: parsing, validation and the stored form.

Conventions (Cal.com's, kept everywhere a schedule is stored or computed):

* weekdays are numbers 0..6 with 0 = Sunday; the current API speaks English names;
* times are wall-clock ``"HH:MM"`` in the schedule's zone; ``"23:59"`` as an end means "until
  midnight" (``"24:00"`` is accepted as an end and stored as ``"23:59"``);
* an override replaces its whole date; ``00:00``-``00:00`` makes the date unavailable.

Nothing here touches HTTP or the database; the pydantic models in ``schemas``/``legacy`` call
these parsers so every request shape is validated by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

DAY_NAMES: tuple[str, ...] = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_DAY_BY_NAME = {name.lower(): number for number, name in enumerate(DAY_NAMES)}
END_OF_DAY = "23:59"
BLOCKED = "00:00"
MAX_RULES = 100
MAX_OVERRIDES = 1000

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$")
# ISO date-time whose clock part is the wall time (the offset, if any, is ignored on purpose)
_WALL = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,9})?)?"
    r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DAYS_HINT = "weekday names such as 'Monday', or numbers 0-6 with 0 = Sunday"

OVERRIDE_YEARS = (1970, 2999)  # as slots.times: slots exist only for these years


def parse_day(value: Any) -> int | str:
    """A weekday as sent: an int 0..6 stays an int, a name becomes its canonical spelling."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a weekday: use {DAYS_HINT}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
        raise ValueError(f"{value} is not a weekday number: use 0 (Sunday) to 6 (Saturday)")
    if isinstance(value, str):
        text = value.strip()
        number = _DAY_BY_NAME.get(text.lower())
        if number is not None:
            return DAY_NAMES[number]
        if text.isdigit() and 0 <= int(text) <= 6:
            return int(text)
    raise ValueError(f"{value!r} is not a weekday: use {DAYS_HINT}")


def day_number(day: int | str) -> int:
    return day if isinstance(day, int) else _DAY_BY_NAME[day.lower()]


def unique_days(days: list[int | str]) -> tuple[int, ...]:
    """Weekday numbers in the order sent, without repeats."""
    seen: dict[int, None] = {}
    for day in days:
        seen.setdefault(day_number(day), None)
    return tuple(seen)


def _clock(hours: int, minutes: int, raw: Any, *, end: bool) -> str:
    if end and hours == 24 and minutes == 0:
        return END_OF_DAY
    if hours > 23 or minutes > 59:
        hint = " (or 24:00 for the end of the day)" if end else ""
        raise ValueError(f"'{raw}' is not a time of day: use 00:00 to 23:59{hint}")
    return f"{hours:02d}:{minutes:02d}"


def parse_clock(value: Any, *, end: bool = False) -> str:
    """``"HH:MM"`` (also ``"H:MM"`` and ``"HH:MM:SS"``, seconds dropped) -> canonical ``"HH:MM"``."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time: send a string 'HH:MM' such as '09:00'")
    match = _CLOCK.match(value.strip())
    if match is None:
        raise ValueError(f"'{value}' is not a time: use 'HH:MM' (24-hour clock), e.g. '09:00'")
    return _clock(int(match.group(1)), int(match.group(2)), value, end=end)


def parse_wall_time(value: Any) -> tuple[date | None, str]:
    """A 2024-04-15 style time: an ISO date-time whose clock part is the wall time, or a bare
    ``"HH:MM[:SS]"``. Returns the date part (None for a bare time) and ``"HH:MM"``."""
    if isinstance(value, str):
        text = value.strip()
        match = _WALL.match(text)
        if match is not None:
            day = parse_date(match.group("date"))
            return date.fromisoformat(day), _clock(int(match.group("h")), int(match.group("m")), value, end=False)
        if _CLOCK.match(text):
            return None, parse_clock(text)
    raise ValueError(
        f"{value!r} is not a time: send an ISO date-time such as '1970-01-01T09:00:00.000Z' "
        "(its clock part is the wall time) or 'HH:MM'"
    )


def parse_date(value: Any) -> str:
    """``"YYYY-MM-DD"`` (the date part of an ISO date-time is accepted too) -> ``"YYYY-MM-DD"``."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 10 and text[10] in "T ":
            match = _WALL.match(text)
            text = match.group("date") if match else text
        if _DATE.match(text):
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(f"'{value}' is not a calendar date: use 'YYYY-MM-DD', e.g. '2024-05-20'") from None
    raise ValueError(f"{value!r} is not a date: use 'YYYY-MM-DD', e.g. '2024-05-20'")


def wall_range(start_raw: Any, end_raw: Any) -> tuple[date | None, str, str]:
    """A 2024-04-15 ``{start, end}`` pair -> (date of the start or None, ``"HH:MM"``, ``"HH:MM"``).

    An end at midnight (``00:00`` after a later start, or the following date's ``00:00``) means
    "until the end of the day" and becomes ``"23:59"``; a range may not span further.
    """
    start_day, start = parse_wall_time(start_raw)
    end_day, end = parse_wall_time(end_raw)
    if start_day is not None and end_day is not None and end_day != start_day:
        if end_day.toordinal() - start_day.toordinal() == 1 and end == BLOCKED:
            return start_day, start, END_OF_DAY
        raise ValueError(f"the range {start_raw} - {end_raw} must end on its start date or at the following midnight")
    if end == BLOCKED and start != BLOCKED:
        end = END_OF_DAY
    return start_day if start_day is not None else end_day, start, end


def minutes_of(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def check_weekly_range(start: str, end: str) -> None:
    if end <= start:
        raise ValueError(
            f"endTime {end} must be after startTime {start} (for hours until midnight use '23:59' or '24:00')"
        )


def check_override_date(day: str) -> None:
    """Override dates within the years slots are computed for (``YYYY-MM-DD``)."""
    if not OVERRIDE_YEARS[0] <= int(day[:4]) <= OVERRIDE_YEARS[1]:
        raise ValueError(
            f"date override {day} is outside the supported years {OVERRIDE_YEARS[0]} to {OVERRIDE_YEARS[1]}"
        )


def check_override_range(start: str, end: str) -> None:
    if start == end == BLOCKED:
        return
    if end <= start:
        raise ValueError(f"endTime {end} must be after startTime {start}; to block the whole date send 00:00-00:00")


@dataclass(frozen=True, slots=True)
class Rule:
    """Weekly working hours: ``days`` 0..6 (0 = Sunday), ``start``/``end`` ``"HH:MM"``."""

    days: tuple[int, ...]
    start: str
    end: str

    def stored(self) -> dict[str, Any]:
        return {"days": list(self.days), "startTime": self.start, "endTime": self.end}

    @classmethod
    def from_stored(cls, row: dict[str, Any]) -> Rule:
        return cls(tuple(int(d) for d in row["days"]), str(row["startTime"]), str(row["endTime"]))


@dataclass(frozen=True, slots=True)
class Override:
    """Working hours of one date (``"YYYY-MM-DD"``) replacing its weekly hours."""

    date: str
    start: str
    end: str

    @property
    def blocked(self) -> bool:
        return self.start == self.end

    def stored(self) -> dict[str, Any]:
        return {"date": self.date, "startTime": self.start, "endTime": self.end}

    @classmethod
    def from_stored(cls, row: dict[str, Any]) -> Override:
        return cls(str(row["date"]), str(row["startTime"]), str(row["endTime"]))


DEFAULT_RULES: tuple[Rule, ...] = (Rule((1, 2, 3, 4, 5), "09:00", "17:00"),)


@dataclass(frozen=True, slots=True)
class ScheduleDraft:
    """A new schedule, whatever shape the request had. ``None`` = not sent (the service decides)."""

    name: str
    time_zone: str | None = None
    is_default: bool | None = None
    rules: tuple[Rule, ...] | None = None
    overrides: tuple[Override, ...] | None = None


@dataclass(frozen=True, slots=True)
class ScheduleChanges:
    """A partial update; ``None`` = leave as is, an empty tuple = clear."""

    name: str | None = None
    time_zone: str | None = None
    is_default: bool | None = None
    rules: tuple[Rule, ...] | None = None
    overrides: tuple[Override, ...] | None = None


def sorted_overrides(overrides: tuple[Override, ...] | list[Override]) -> tuple[Override, ...]:
    """By date then start, without exact repeats: the stored and the answered order."""
    return tuple(sorted(dict.fromkeys(overrides), key=lambda o: (o.date, o.start, o.end)))


def rules_from_day_ranges(ranges_by_day: list[list[tuple[str, str]]]) -> tuple[Rule, ...]:
    """Seven lists (index 0 = Sunday) of ``(start, end)`` -> rules, one per distinct range,
    each listing the days that share it (the web app's ``schedule`` grid)."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for day, ranges in enumerate(ranges_by_day):
        for start, end in ranges:
            days = grouped.setdefault((start, end), [])
            if day not in days:
                days.append(day)
    return tuple(Rule(tuple(days), start, end) for (start, end), days in grouped.items())
