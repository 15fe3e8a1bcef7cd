"""Event type locations in the 2024-06-14 shape, and Cal.com's internal (legacy) shape.

Stored and answered as the 2024-06-14 objects: ``{type: "address", address, public}``,
``{type: "link", link, public}``, ``{type: "phone", phone, public}``,
``{type: "integration", integration}``, ``{type: "attendeeAddress" | "attendeePhone" | "attendeeDefined"}``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Integrations this server can put on an event type. Cal.com refuses apps the user has not installed;
# Slotwise has no conferencing apps to install (yet), so only its built-in video link is accepted.
INSTALLED_INTEGRATIONS = ("cal-video",)
KNOWN_INTEGRATIONS = ("cal-video", "google-meet", "office365-video", "zoom")
LOCATION_TYPES = ("address", "link", "phone", "integration", "attendeeAddress", "attendeePhone", "attendeeDefined")
DEFAULT_LOCATIONS: list[dict[str, Any]] = [{"type": "integration", "integration": "cal-video"}]

_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")

# 2024-06-14 type <-> Cal.com's internal type (what the 2024-04-15 API reads and writes)
_INTEGRATION_TO_INTERNAL = {
    "cal-video": "integrations:daily",
    "google-meet": "integrations:google:meet",
    "zoom": "integrations:zoom",
    "office365-video": "integrations:office365_video",
}
_INTERNAL_TO_INTEGRATION = {internal: name for name, internal in _INTEGRATION_TO_INTERNAL.items()}
_ATTENDEE_TO_INTERNAL = {
    "attendeeAddress": "attendeeInPerson",
    "attendeePhone": "phone",
    "attendeeDefined": "somewhereElse",
}
_INTERNAL_TO_ATTENDEE = {internal: name for name, internal in _ATTENDEE_TO_INTERNAL.items()}


def _text(item: dict[str, Any], key: str, where: str, example: str, limit: int = 1000) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} needs '{key}' (a non-empty string, e.g. {example!r})")
    if len(value) > limit:
        raise ValueError(f"{where} '{key}' is longer than {limit} characters")
    return value.strip()


def _public(item: dict[str, Any], where: str) -> bool:
    value = item.get("public", False)
    if not isinstance(value, bool):
        raise ValueError(f"{where} 'public' must be true or false")
    return value


def normalize_location(item: Any, index: int) -> dict[str, Any]:
    where = f"locations[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise ValueError(f"{where} must be an object with a 'type' ({', '.join(LOCATION_TYPES)})")
    kind = item["type"]
    if kind == "address":
        return {"type": kind, "address": _text(item, "address", where, "123 Main St"), "public": _public(item, where)}
    if kind == "link":
        link = _text(item, "link", where, "https://meet.example.com/room", limit=2048)
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{where} link '{link[:80]}' is not an http(s) URL")
        return {"type": kind, "link": link, "public": _public(item, where)}
    if kind == "phone":
        phone = _text(item, "phone", where, "+15555550123", limit=32)
        if not _PHONE.match(re.sub(r"[\s().-]", "", phone)):
            raise ValueError(f"{where} phone '{phone}' is not an international number such as '+15555550123'")
        return {"type": kind, "phone": phone, "public": _public(item, where)}
    if kind == "integration":
        name = item.get("integration")
        if name not in KNOWN_INTEGRATIONS:
            raise ValueError(f"{where} integration must be one of {', '.join(KNOWN_INTEGRATIONS)}, got {name!r}")
        if name not in INSTALLED_INTEGRATIONS:
            raise ValueError(
                f"{where} integration '{name}' is not installed on this server: use 'cal-video', "
                "or a link location with your meeting URL"
            )
        return {"type": kind, "integration": name}
    if kind in _ATTENDEE_TO_INTERNAL:
        return {"type": kind}
    raise ValueError(f"{where} type '{kind[:40]}' is unknown: use one of {', '.join(LOCATION_TYPES)}")


def normalize_locations(items: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        location = normalize_location(item, index)
        if location in out:
            raise ValueError(f"locations[{index}] repeats locations[{out.index(location)}]")
        out.append(location)
    return out


def from_internal(item: Any) -> Any:
    """A location in Cal.com's internal shape (``{type: "integrations:daily"}``, ``{type: "inPerson",
    address}``, ...) as the 2024-06-14 object; anything else is returned unchanged for validation."""
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        return item
    kind = item["type"]
    public = item.get("displayLocationPublicly", item.get("public", False))
    if kind in _INTERNAL_TO_INTEGRATION:
        return {"type": "integration", "integration": _INTERNAL_TO_INTEGRATION[kind]}
    if kind == "inPerson":
        return {"type": "address", "address": item.get("address"), "public": public}
    if kind == "userPhone":
        return {"type": "phone", "phone": item.get("hostPhoneNumber", item.get("phone")), "public": public}
    if kind == "link" and "displayLocationPublicly" in item:
        return {"type": "link", "link": item.get("link"), "public": public}
    if kind in _INTERNAL_TO_ATTENDEE:
        return {"type": _INTERNAL_TO_ATTENDEE[kind]}
    return item


def to_internal(location: dict[str, Any]) -> dict[str, Any]:
    """A stored (2024-06-14) location in Cal.com's internal shape, as legacy readers know it."""
    kind = location.get("type")
    public = bool(location.get("public", False))
    if kind == "integration":
        return {"type": _INTEGRATION_TO_INTERNAL.get(str(location.get("integration")), "integrations:daily")}
    if kind == "address":
        return {"type": "inPerson", "address": location.get("address"), "displayLocationPublicly": public}
    if kind == "link":
        return {"type": "link", "link": location.get("link"), "displayLocationPublicly": public}
    if kind == "phone":
        return {"type": "userPhone", "hostPhoneNumber": location.get("phone"), "displayLocationPublicly": public}
    if kind in _ATTENDEE_TO_INTERNAL:
        return {"type": _ATTENDEE_TO_INTERNAL[str(kind)]}
    return dict(location)
