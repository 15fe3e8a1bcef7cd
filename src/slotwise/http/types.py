"""Input types shared by every router: tolerant where real clients are sloppy, strict elsewhere."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BeforeValidator, Field

INT32_MAX = 2**31 - 1


def _whole_number(value: Any) -> Any:
    """Accept ``12``, ``12.0`` and ``"12.0"`` (real Cal.com clients send all three)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return value
        if number.is_integer() and abs(number) <= 2**53:
            return int(number)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number), Field(ge=-INT32_MAX, le=INT32_MAX)]
Id = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=INT32_MAX)]

_ZONES_BY_LOWER: dict[str, str] | None = None


def canonical_time_zone(name: str) -> str | None:
    """The IANA name for ``name`` (case-insensitive, as Cal.com normalises it), or None."""
    global _ZONES_BY_LOWER
    if not name or len(name) > 64 or "\x00" in name:
        return None
    if _ZONES_BY_LOWER is None:
        _ZONES_BY_LOWER = {zone.lower(): zone for zone in available_timezones()}
        _ZONES_BY_LOWER["utc"] = "UTC"
    zone = _ZONES_BY_LOWER.get(name.lower())
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return zone


def _time_zone(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    zone = canonical_time_zone(value.strip())
    if zone is None:
        raise ValueError(
            f"'{value}' is not an IANA time zone; use a name such as 'Europe/Berlin' or 'America/New_York'"
        )
    return zone


TimeZoneName = Annotated[str, BeforeValidator(_time_zone)]
