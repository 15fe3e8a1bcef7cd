"""``iter_bookings`` walks every page with take/skip until ``hasNextPage`` is false."""

from __future__ import annotations

import httpx2 as httpx

from slotwise.client import AsyncClient, Client
from tests.client.scripted import booking_json, envelope


def _paged(total: int) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        take, skip = int(request.url.params["take"]), int(request.url.params["skip"])
        items = [booking_json(f"bk{i}", id=i) for i in range(skip, min(skip + take, total))]
        pagination = {
            "totalItems": total,
            "returnedItems": len(items),
            "itemsPerPage": take,
            "hasNextPage": skip + take < total,
            "hasPreviousPage": skip > 0,
        }
        return httpx.Response(200, json=envelope(items, pagination=pagination))

    return httpx.MockTransport(answer), seen


def test_iterating_fetches_every_page_lazily_with_the_filters() -> None:
    transport, seen = _paged(7)
    with Client("cal_test", base_url="http://x.test", transport=transport) as client:
        iterator = client.iter_bookings(page_size=3, status="upcoming")
        first = next(iterator)
        requests_after_first = len(seen)
        rest = list(iterator)

    assert requests_after_first == 1
    assert [b.uid for b in [first, *rest]] == [f"bk{i}" for i in range(7)]
    assert [(r.url.params["skip"], r.url.params["status"]) for r in seen] == [
        ("0", "upcoming"),
        ("3", "upcoming"),
        ("6", "upcoming"),
    ]


def test_limit_stops_early_and_an_empty_list_is_one_request() -> None:
    transport, seen = _paged(500)
    with Client("cal_test", base_url="http://x.test", transport=transport) as client:
        some = list(client.iter_bookings(page_size=100, limit=150))
    empty_transport, empty_seen = _paged(0)
    with Client("cal_test", base_url="http://x.test", transport=empty_transport) as client:
        none = list(client.iter_bookings())

    assert len(some) == 150 and len(seen) == 2
    assert none == [] and len(empty_seen) == 1


def test_a_server_without_pagination_metadata_stops_on_a_short_page() -> None:
    pages = iter([[booking_json("a"), booking_json("b")], [booking_json("c")]])

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=envelope(next(pages)))

    with Client("cal_test", base_url="http://x.test", transport=httpx.MockTransport(answer)) as client:
        uids = [b.uid for b in client.iter_bookings(page_size=2)]

    assert uids == ["a", "b", "c"]


async def test_async_iteration_walks_the_same_pages() -> None:
    transport, seen = _paged(5)
    async with AsyncClient("cal_test", base_url="http://x.test", transport=transport) as client:
        uids = [b.uid async for b in client.iter_bookings(page_size=2)]

    assert uids == [f"bk{i}" for i in range(5)] and len(seen) == 3
