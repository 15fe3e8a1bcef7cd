"""GET /v2/bookings over 100,000 bookings of one host: exact counts, deep pages, cursor paging that
agrees with take/skip, and page queries that stay fast."""

from __future__ import annotations

import time

import httpx2 as httpx
from sqlalchemy import text

from slotwise.db import Database
from tests.bookings.conftest import NINE, Host, V, assert_list_contract, book

ROWS = 100_000
PAGE_SECONDS = 3.0  # a generous ceiling for one page on a loaded CI machine; typical is tens of ms


# One booking every two hours from 2051 on; four in five are cancelled or declined. Rows are generated
# by the database itself: 100,000 ORM/Core round trips would take longer than everything tested here,
# and only active rows pass through the overlap guard, the one expensive part of an insert.
_COLUMNS = (
    "uid, event_type_id, host_id, title, start_time, end_time, block_start, block_end, status, metadata, "
    "responses, guests, absent_host, ics_uid, ics_sequence, created_at, updated_at, cancelled_seat_uids"
)
_STATUS = "CASE WHEN i % 5 = 0 THEN 'accepted' WHEN i % 2 = 0 THEN 'cancelled' ELSE 'rejected' END"
ACTIVE_ROWS = ROWS // 5


def _fill_sql(dialect: str, event_type_id: int, host_id: int) -> str:
    if dialect == "postgresql":
        at = "timestamptz '2051-01-01 00:00:00Z' + ({n}) * interval '1 minute'"
        source = f"generate_series(0, {ROWS - 1}) AS i"
        prefix = ""
        uid = "'bulk' || lpad(i::text, 7, '0')"
        false = "false"
    else:
        at = "strftime('%Y-%m-%d %H:%M:%f000', '2051-01-01', '+' || ({n}) || ' minutes')"
        source = "n"
        prefix = f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS - 1}) "
        uid = "'bulk' || substr('0000000' || i, -7)"
        false = "0"
    start, end = at.format(n="120 * i"), at.format(n="120 * i + 30")
    return (
        f"{prefix}INSERT INTO bookings ({_COLUMNS}) SELECT {uid}, {event_type_id}, {host_id}, 'Bulk ' || i, "
        f"{start}, {end}, {start}, {end}, {_STATUS}, '{{}}', '{{}}', '[]', {false}, 'bulk@slotwise', 0, "
        f"{start}, {start}, '[]' FROM {source}"
    )


async def _fill(db: Database, host: Host) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text(_fill_sql(connection.dialect.name, host.event_type_id, host.user.id)))


async def _timed_get(client: httpx.AsyncClient, headers: dict[str, str], **params: object) -> httpx.Response:
    started = time.perf_counter()
    response = await client.get("/v2/bookings", headers=headers, params=params)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert elapsed < PAGE_SECONDS, f"page took {elapsed:.2f} s ({params})"
    return response


async def test_paging_through_100k_bookings(client: httpx.AsyncClient, host: Host, db: Database) -> None:
    await _fill(db, host)

    first = await _timed_get(client, host.v, take=250)
    assert_list_contract(first)
    assert first.json()["pagination"]["totalItems"] == ROWS
    assert first.json()["data"][0]["uid"] == "bulk0000000"

    deep = (await _timed_get(client, host.v, take=250, skip=ROWS - 100)).json()
    assert [item["uid"] for item in deep["data"]][-1] == f"bulk{ROWS - 1:07d}"
    assert deep["pagination"]["returnedItems"] == 100 and deep["pagination"]["hasNextPage"] is False
    assert deep["pagination"]["currentPage"] == deep["pagination"]["totalPages"] == ROWS // 250

    cancelled = (await _timed_get(client, host.v, status="cancelled", take=1)).json()
    assert cancelled["pagination"]["totalItems"] == ROWS - ACTIVE_ROWS
    assert cancelled["data"][0]["uid"] == f"bulk{ROWS - 1:07d}"  # newest first for cancelled

    # legacy cursor paging agrees with take/skip, page after page
    cursor = None
    for page in range(8):
        params: dict[str, object] = {"status": "upcoming", "take": 250}
        if cursor:
            params["cursor"] = cursor
        legacy = (await _timed_get(client, host.headers, **params)).json()["data"]
        assert legacy["totalCount"] == ACTIVE_ROWS
        by_skip = (await _timed_get(client, host.v, status="upcoming", take=250, skip=page * 250)).json()["data"]
        assert [b["uid"] for b in legacy["bookings"]] == [b["uid"] for b in by_skip]
        cursor = legacy["nextCursor"]
        assert cursor

    # availability queries stay window-bounded: booking a free time on this busy host is quick
    started = time.perf_counter()
    await book(client, host.event_type_id, NINE, headers=V)
    assert time.perf_counter() - started < PAGE_SECONDS
