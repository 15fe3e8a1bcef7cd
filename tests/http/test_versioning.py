from __future__ import annotations

from datetime import date
from typing import Annotated

import httpx2 as httpx
import pytest
from fastapi import Depends

from slotwise.http.errors import ApiError
from slotwise.http.versioning import BOOKINGS, SLOTS, ApiVersion, parse_header, resolve
from tests.support.contract import assert_error, bare_app


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),  # no header: the legacy shape
        ("2024-08-13", "2024-08-13"),  # a known date selects that version
        ("2024-09-04", "2024-08-13"),  # a later date: the newest version not later than it
        ("2030-01-01", "2024-08-13"),
        ("2024-06-14", None),  # earlier than every bookings version: legacy
    ],
)
def test_bookings_versions_resolve_to_the_newest_not_later(header: str | None, expected: str | None) -> None:
    assert resolve(parse_header(header), BOOKINGS.versions) == expected


@pytest.mark.parametrize("header", ["yesterday", "2024-13-01", "2024-8-13", "20240813", "2024-02-30"])
def test_malformed_version_header_is_a_400(header: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_header(header)
    assert caught.value.status == 400 and header in caught.value.message


def test_blank_header_means_legacy() -> None:
    assert parse_header("  ") is None
    assert resolve(date(2024, 9, 4), SLOTS.versions) == "2024-09-04"


async def test_routes_receive_the_resolved_version() -> None:
    app = bare_app()

    @app.get("/v2/probe")
    async def probe(version: Annotated[ApiVersion, Depends(BOOKINGS)]) -> dict[str, str | None]:
        return {"resolved": version.resolved}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        legacy = await http.get("/v2/probe")
        newer = await http.get("/v2/probe", headers={"cal-api-version": "2025-01-01"})
        broken = await http.get("/v2/probe", headers={"cal-api-version": "v2"})

    assert legacy.json() == {"resolved": None}
    assert newer.json() == {"resolved": "2024-08-13"}
    assert_error(broken, 400, "cal-api-version", "2024-08-13")
