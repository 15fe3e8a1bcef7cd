"""The ``cal-api-version`` header, resolved once per request for each versioned resource.

A resource declares the versions it has shapes for; a request's header date selects the newest of
those not later than it. No header means the legacy (2024-04-15) shape, which a resource may refine by
looking at what the request carries. A malformed header is a 400.
"""

# No `from __future__ import annotations`: FastAPI reads VersionedResource.__call__'s signature for every route.

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request

from slotwise.http.errors import bad_request

HEADER = "cal-api-version"
LEGACY = "2024-04-15"
KNOWN_VERSIONS: tuple[str, ...] = (LEGACY, "2024-06-11", "2024-06-14", "2024-08-13", "2024-09-04")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DESCRIPTION = "API version date, e.g. 2024-08-13. Omit it for the legacy shape."


def parse_header(value: str | None) -> date | None:
    """The header's date, or ``None`` when absent or empty; 400 when it is not a YYYY-MM-DD date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(
            f"Invalid {HEADER} header {value!r}: use a date such as 2024-08-13 "
            f"(known versions: {', '.join(KNOWN_VERSIONS)})."
        ) from None


def resolve(requested: date | None, available: Sequence[str]) -> str | None:
    """Newest of ``available`` whose date is <= ``requested``; ``None`` means the legacy shape."""
    if requested is None:
        return None
    candidates = [v for v in available if date.fromisoformat(v) <= requested]
    return max(candidates) if candidates else None


@dataclass(frozen=True)
class ApiVersion:
    """What a versioned route receives: the header as sent and the shape to speak."""

    requested: date | None
    resolved: str | None  # one of the resource's versions, or None for legacy

    @property
    def is_legacy(self) -> bool:
        return self.resolved is None

    @property
    def header_sent(self) -> bool:
        return self.requested is not None


class VersionedResource:
    """A FastAPI dependency: ``version: Annotated[ApiVersion, Depends(BOOKINGS)]``.

    It reads the header itself instead of declaring a FastAPI ``Header`` parameter, which would give each
    of the 26 versioned routes a validator of its own for a plain string; ``openapi_parameter`` documents
    the header on those routes instead (``slotwise.http.openapi``).
    """

    def __init__(self, name: str, versions: Sequence[str], description: str = DESCRIPTION) -> None:
        self.name = name
        self.versions = tuple(sorted(versions))
        self.openapi_parameter: dict[str, Any] = {
            "name": HEADER,
            "in": "header",
            "required": False,
            "schema": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": description,
                "title": "Cal-Api-Version",
            },
            "description": description,
        }

    async def __call__(self, request: Request) -> ApiVersion:  # async: FastAPI runs plain functions in a thread
        requested = parse_header(request.headers.get(HEADER))
        version = ApiVersion(requested, resolve(requested, self.versions))
        request.state.api_version = version
        return version


BOOKINGS = VersionedResource(
    "bookings", ["2024-08-13"], "2024-08-13 for the current shapes; omit it for the legacy shapes."
)
SLOTS = VersionedResource("slots", ["2024-09-04"])
SCHEDULES = VersionedResource("schedules", ["2024-06-11"])
EVENT_TYPES = VersionedResource("event-types", ["2024-06-14"])
