"""Reading the instants callers send and writing the ones Cal.com clients expect.

Input is tolerant where real clients are sloppy: ``Z``, ``.000Z``, microseconds, ``+00:00``, an
offset whose ``+`` a query string turned into a space, a bare ``YYYY-MM-DD``. A time without an
offset is wall time in the request's ``timeZone`` (UTC when none). Years outside 1970..2999 are
refused so that no arithmetic later can overflow.

Output follows Cal.com: milliseconds always, ``Z`` for UTC, the zone's offset otherwise
(``2050-09-05T09:00:00.000+02:00``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

MIN_YEAR = 1970
MAX_YEAR = 2999

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "2024-01-15T00:00:00 00:00": a "+" that URL decoding turned into a space
_SPACED_OFFSET = re.compile(r"^(.*\d)\s(\d{2}:?\d{2})$")
# fractions longer than Python's six digits (nanoseconds from some clients)
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


class InstantError(ValueError):
    """The text is not an instant we accept; the message says what to send."""


def zone_of(name: str | None) -> tzinfo:
    return UTC if name is None or name == "UTC" else ZoneInfo(name)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InstantError(f"'{text}' is outside the supported years {MIN_YEAR} to {MAX_YEAR}")


def parse_date(text: str) -> date | None:
    """The date of a bare ``YYYY-MM-DD``, or None when ``text`` is something else."""
    if not _BARE_DATE.match(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InstantError(f"'{text}' is not a real calendar date") from None
    _check_year(day.year, text)
    return day


def parse_instant(raw: str, *, zone: tzinfo = UTC) -> datetime:
    """An aware UTC datetime for an ISO-8601 date-time; naive times are wall time in ``zone``."""
    text = raw.strip()
    if not text or len(text) > 64:
        raise InstantError(f"'{raw[:64]}' is not an ISO 8601 date-time such as 2050-09-05T09:00:00Z")
    spaced = _SPACED_OFFSET.match(text)
    if spaced and "T" in spaced.group(1) and not any(c in spaced.group(1)[10:] for c in "+-Z"):
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    text = _LONG_FRACTION.sub(r"\1", text)
    if len(text) >= 4 and text[:4].isdigit():
        _check_year(int(text[:4]), raw)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InstantError(f"'{raw}' is not an ISO 8601 date-time such as 2050-09-05T09:00:00Z") from None
    _check_year(moment.year, raw)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC (midnight inside a DST gap moves forward)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_bound(raw: str, *, zone: tzinfo, is_end: bool) -> tuple[datetime, bool]:
    """A window bound and whether it was a bare date. A bare start date is the start of that day
    in ``zone``; a bare end date is the end of that day (the next day's start, exclusive)."""
    text = raw.strip()
    day = parse_date(text)
    if day is None:
        return parse_instant(text, zone=zone), False
    return day_start(day + timedelta(days=1) if is_end else day, zone), True


def format_instant(moment: datetime, zone: tzinfo | None = None) -> str:
    """``2050-09-05T07:00:00.000Z`` (UTC) or ``2050-09-05T09:00:00.000+02:00`` (in ``zone``)."""
    if zone is None or zone is UTC:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def date_key(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).date().isoformat()


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# "THH:MM:00.000" for every minute of a day: slots start on whole minutes
_CLOCK = [f"T{minute // 60:02d}:{minute % 60:02d}:00.000" for minute in range(24 * 60)]


class EpochFormatter:
    """Formats many epoch seconds as :func:`format_instant` and :func:`date_key` would, in one zone,
    without a datetime per instant (a month of slots is hundreds of them). The zone's offset is looked
    up once per UTC day (checked at both ends of the day; only a day with a transition looks up each
    instant), each date's text is built once, and whole minutes come from a table."""

    def __init__(self, zone: tzinfo | None) -> None:
        self._zone = None if zone is None or zone is UTC else zone
        self._days: dict[int, tuple[int, str] | None] = {}  # UTC day -> (offset, suffix) if constant
        self._dates: dict[int, str] = {}

    def _offset_at(self, epoch: int) -> int:
        if self._zone is None:
            return 0
        return int(datetime.fromtimestamp(epoch, self._zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    def _suffix(self, offset: int) -> str:
        if self._zone is None:
            return "Z"
        sign = "-" if offset < 0 else "+"
        hours, rest = divmod(abs(offset), 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")

    def _day(self, utc_day: int) -> tuple[int, str] | None:
        first = self._offset_at(utc_day * 86_400)
        constant = (first, self._suffix(first)) if first == self._offset_at(utc_day * 86_400 + 86_399) else None
        self._days[utc_day] = constant
        return constant

    def _date(self, local_day: int) -> str:
        text = self._dates[local_day] = date.fromordinal(local_day + _EPOCH_ORDINAL).isoformat()
        return text

    def day_and_instant(self, epoch: int) -> tuple[str, str]:
        """(the local date ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SS.000±HH:MM`` or ``...Z`` in UTC)."""
        utc_day = epoch // 86_400
        constant = self._days[utc_day] if utc_day in self._days else self._day(utc_day)
        if constant is None:
            offset = self._offset_at(epoch)
            suffix = self._suffix(offset)
        else:
            offset, suffix = constant
        local_day, seconds = divmod(epoch + offset, 86_400)
        day = self._dates.get(local_day) or self._date(local_day)
        minute, second = divmod(seconds, 60)
        if second:
            return day, f"{day}T{minute // 60:02d}:{minute % 60:02d}:{second:02d}.000{suffix}"
        return day, day + _CLOCK[minute] + suffix

    def instant(self, epoch: int) -> str:
        return self.day_and_instant(epoch)[1]
