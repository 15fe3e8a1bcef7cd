from __future__ import annotations

from typing import Annotated

import httpx2 as httpx
import pytest
from fastapi import Depends

from slotwise.http.errors import ApiError
from slotwise.http.pagination import TakeSkip, decode_cursor, encode_cursor, page_meta, take_skip
from tests.support.contract import assert_error, bare_app


def test_page_meta_matches_cal_coms_example() -> None:
    meta = page_meta(total=35, skip=30, take=10)

    assert meta.model_dump() == {
        "totalItems": 35,
        "remainingItems": 0,
        "returnedItems": 5,
        "itemsPerPage": 10,
        "currentPage": 4,
        "totalPages": 4,
        "hasNextPage": False,
        "hasPreviousPage": True,
    }


def test_page_meta_first_and_empty_pages() -> None:
    first = page_meta(total=25, skip=0, take=10)
    empty = page_meta(total=0, skip=0, take=10)

    assert (first.currentPage, first.totalPages, first.remainingItems, first.hasNextPage) == (1, 3, 15, True)
    assert (empty.returnedItems, empty.totalPages, empty.hasNextPage, empty.hasPreviousPage) == (0, 0, False, False)


def test_cursor_round_trip_and_tampering() -> None:
    cursor = encode_cursor({"start": "2026-01-01T09:00:00Z", "id": 42})

    assert decode_cursor(cursor) == {"start": "2026-01-01T09:00:00Z", "id": 42}
    with pytest.raises(ApiError) as caught:
        decode_cursor("not a cursor!")
    assert caught.value.status == 400 and "nextCursor" in caught.value.message


@pytest.fixture
async def paged() -> httpx.AsyncClient:
    app = bare_app()

    @app.get("/items")
    async def items(page: Annotated[TakeSkip, Depends(take_skip(default_take=100))]) -> dict[str, int]:
        return {"take": page.take, "skip": page.skip}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_take_and_skip_accept_whole_floats(paged: httpx.AsyncClient) -> None:
    assert (await paged.get("/items")).json() == {"take": 100, "skip": 0}
    assert (await paged.get("/items?take=50.0&skip=10")).json() == {"take": 50, "skip": 10}


@pytest.mark.parametrize(
    ("query", "fragment"),
    [("take=251", "between 1 and 250"), ("take=0", "between 1 and 250"), ("skip=-1", "skip"), ("take=abc", "take")],
)
async def test_take_out_of_range_is_a_clear_400(paged: httpx.AsyncClient, query: str, fragment: str) -> None:
    assert_error(await paged.get(f"/items?{query}"), 400, fragment)


async def test_take_1000000_is_rejected(paged: httpx.AsyncClient) -> None:
    assert_error(await paged.get("/items?take=1000000"), 400, "take")
