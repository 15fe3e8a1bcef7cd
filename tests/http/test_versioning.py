from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import httpx2 as httpx
import pytest
from fastapi import Depends

from slotwise.app import create_app
from slotwise.config import Settings
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


def test_the_openapi_document_shows_the_header_on_every_versioned_operation(tmp_path: Path) -> None:
    """The header is read by hand (no FastAPI parameter), so our OpenAPI hook documents it: once per
    versioned operation, after the parameters FastAPI documents and before a route's hand-written ones."""
    spec = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}")).openapi()
    versioned: dict[str, list[str]] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            names = [f"{p['in']}:{p['name']}" for p in operation.get("parameters", [])]
            if "header:cal-api-version" in names:
                assert names.count("header:cal-api-version") == 1, (path, method)
                versioned[f"{method.upper()} {path}"] = names
    assert len(versioned) == 26
    assert "GET /v2/me" not in versioned and "POST /v2/webhooks" not in versioned
    # FastAPI's own parameters (path) first, then the header
    assert versioned["GET /v2/bookings/{bookingUid}"] == ["path:bookingUid", "header:cal-api-version"]
    # /v2/slots documents its query by hand (openapi_extra): the header comes before it
    assert versioned["GET /v2/slots"][:2] == ["header:cal-api-version", "query:start"]
    bookings = spec["paths"]["/v2/bookings"]["post"]["parameters"][0]
    assert bookings["description"].startswith("2024-08-13 for the current shapes")
