"""Natural date ranges ("tomorrow", "next week", "2026-12-01 to 2026-12-05") -> aware datetimes.

Used by the MCP tools and the CLI so that agents and people can say when they mean the way they
would to a colleague. Everything is computed in the given IANA time zone; the result is a half-open
range ``[start, end)``. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBREVIATIONS = {name[:3]: index for index, name in enumerate(WEEKDAY_NAMES)}
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_SEPARATORS = re.compile(r"\s+(?:to|until|till|through|thru|and|-|\u2013|\u2014)\s+|\s*\.\.\s*")
_DATE_FORMATS = ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%B %d", "%b %d", "%d %B", "%d %b")

HELP = (
    "say e.g. 'today', 'tomorrow', 'friday', 'next monday', 'this week', 'next week', 'this weekend', "
    "'next 3 days', 'this month', 'next month', 'December 3', '2026-12-01', '2026-12-01T09:00', "
    "or a range such as '2026-12-01 to 2026-12-05'"
)


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        # compare instants: datetimes sharing a ZoneInfo compare by wall clock, which a DST change skews
        return self.start.astimezone(UTC) <= moment.astimezone(UTC) < self.end.astimezone(UTC)


def zone(name: str | None) -> ZoneInfo:
    """An IANA zone by name (``UTC`` when empty); a clear ValueError for unknown names."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or America/New_York"
        ) from None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _days(first: date, count: int, tz: ZoneInfo) -> TimeRange:
    return TimeRange(_midnight(first, tz), _midnight(first + timedelta(days=count), tz))


def _single(text: str, tz: ZoneInfo, now: datetime) -> TimeRange:
    today = now.date()
    if text in ("now", "asap", "soon"):
        return TimeRange(now, _midnight(today + timedelta(days=1), tz))
    if text == "today":
        return TimeRange(now, _midnight(today + timedelta(days=1), tz))
    if text == "tomorrow":
        return _days(today + timedelta(days=1), 1, tz)
    if text in ("day after tomorrow", "the day after tomorrow"):
        return _days(today + timedelta(days=2), 1, tz)
    if text == "this week":
        return TimeRange(now, _midnight(today + timedelta(days=7 - today.weekday()), tz))
    if text == "next week":
        return _days(today + timedelta(days=7 - today.weekday()), 7, tz)
    if text in ("this weekend", "weekend", "next weekend"):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:  # Sunday: "this weekend" is today
            saturday = today - timedelta(days=1)
        if text == "next weekend":
            saturday += timedelta(days=7)
        found = _days(saturday, 2, tz)
        return TimeRange(max(found.start, now), found.end)
    if text == "this month":
        first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return TimeRange(now, _midnight(first_next, tz))
    if text == "next month":
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        return TimeRange(_midnight(first, tz), _midnight(after, tz))
    match = re.fullmatch(r"(?:the\s+)?(?:next|coming)\s+(\d{1,3})\s+(days?|weeks?)", text)
    if match:
        count = int(match.group(1)) * _UNITS[match.group(2)]
        if count < 1:
            raise ValueError(f"{text!r} is an empty range")
        return TimeRange(now, _midnight(today + timedelta(days=count), tz))
    match = re.fullmatch(r"in\s+(\d{1,3})\s+(days?|weeks?)", text)
    if match:
        return _days(today + timedelta(days=int(match.group(1)) * _UNITS[match.group(2)]), 1, tz)
    match = re.fullmatch(r"(this\s+|next\s+|on\s+)?([a-z]+)", text)
    if match and (match.group(2) in WEEKDAY_NAMES or match.group(2) in _WEEKDAY_ABBREVIATIONS):
        name = match.group(2)
        index = WEEKDAY_NAMES.index(name) if name in WEEKDAY_NAMES else _WEEKDAY_ABBREVIATIONS[name]
        ahead = (index - today.weekday()) % 7
        if (match.group(1) or "").strip() == "next" and ahead == 0:
            ahead = 7
        if ahead == 0:
            return TimeRange(now, _midnight(today + timedelta(days=1), tz))
        return _days(today + timedelta(days=ahead), 1, tz)
    return _absolute(text, tz, now)


def _absolute(text: str, tz: ZoneInfo, now: datetime) -> TimeRange:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _days(date.fromisoformat(text), 1, tz)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}.*", text):
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return TimeRange(moment, _midnight(moment.astimezone(tz).date() + timedelta(days=1), tz))
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text).replace(",", " ")
    cleaned = " ".join(cleaned.split())
    for form in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, form)
        except ValueError:
            continue
        day = parsed.date()
        if "%Y" not in form:
            day = day.replace(year=now.year)
            if day < now.date():  # "December 3" in late December means next year
                day = day.replace(year=now.year + 1)
        return _days(day, 1, tz)
    raise ValueError(f"could not understand the date {text!r}: {HELP}")


def parse_range(text: str, time_zone: str | None = None, *, now: datetime | None = None) -> TimeRange:
    """``"tomorrow"`` -> that whole day in ``time_zone``; ``"A to B"`` -> from A's start to B's end.

    Ranges never start before ``now`` when they include today ("today", "this week", ...).
    """
    tz = zone(time_zone)
    current = (now or datetime.now(tz)).astimezone(tz)
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise ValueError(f"the date range is empty: {HELP}")
    cleaned = re.sub(r"^(from|between)\s+", "", cleaned)
    parts = [part for part in _SEPARATORS.split(cleaned, maxsplit=1) if part]
    if len(parts) == 2 and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        first = _single(parts[0], tz, current)
        last = _single(parts[1], tz, current)
        if last.end <= first.start:
            raise ValueError(f"the range {text!r} ends before it starts")
        return TimeRange(first.start, last.end if _is_day_like(parts[1]) else last.start)
    return _single(cleaned, tz, current)


def _is_day_like(part: str) -> bool:
    """ "2026-12-05" as the end of a range means through that day; "2026-12-05T12:00" means that instant."""
    return not re.fullmatch(r"\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}.*", part) and part not in ("now",)
