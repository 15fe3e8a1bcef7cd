from __future__ import annotations

import uuid

import httpx2 as httpx
import pytest

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.http.ratelimit import LocalWindows
from tests.conftest import MakeAccount
from tests.support.contract import assert_error

REDIS_URL = "redis://127.0.0.1:6379"


def _limited_client(
    settings: Settings, *, limit: int, window: int = 60, redis_url: str | None = None, client_ip: str = "10.0.0.1"
) -> httpx.AsyncClient:
    app = create_app(
        Settings(
            database_url=settings.database_url,
            rate_limit_requests=limit,
            rate_limit_window_seconds=window,
            redis_url=redis_url,
        )
    )
    transport = httpx.ASGITransport(app=app, client=(client_ip, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://slotwise.test")


async def test_headers_count_down_then_429_with_retry_after(settings: Settings, make_account: MakeAccount) -> None:
    alice = await make_account()
    async with _limited_client(settings, limit=3) as http:
        answers = [await http.get("/v2/me", headers=alice.headers) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining-Default"] for r in answers[:3]] == ["2", "1", "0"]
    assert all(r.headers["X-RateLimit-Limit-Default"] == "3" for r in answers)
    assert all(1 <= int(r.headers["X-RateLimit-Reset-Default"]) <= 60 for r in answers)
    refused = answers[3]
    body = assert_error(refused, 429, "Too many requests", "3 per 60 s")
    assert body["error"]["code"] == "ThrottlerException"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_each_key_and_each_anonymous_ip_has_its_own_budget(settings: Settings, make_account: MakeAccount) -> None:
    alice, bob = await make_account("alice"), await make_account("bob")
    async with _limited_client(settings, limit=2, client_ip="10.0.0.7") as http:
        for _ in range(2):
            await http.get("/v2/me", headers=alice.headers)
        alice_third = await http.get("/v2/me", headers=alice.headers)
        bob_first = await http.get("/v2/me", headers=bob.headers)
        anonymous = await http.get("/v2/me")

    assert alice_third.status_code == 429
    assert bob_first.status_code == 200
    assert anonymous.status_code == 401  # counted per IP, still within its budget


async def test_probes_are_not_rate_limited(settings: Settings) -> None:
    async with _limited_client(settings, limit=1) as http:
        statuses = [(await http.get("/health")).status_code for _ in range(5)]
    assert statuses == [200] * 5


async def test_window_expiry_lifts_the_limit(settings: Settings, make_account: MakeAccount) -> None:
    import asyncio

    alice = await make_account()
    async with _limited_client(settings, limit=1, window=1) as http:
        first = await http.get("/v2/me", headers=alice.headers)
        second = await http.get("/v2/me", headers=alice.headers)
        await asyncio.sleep(1.1)
        third = await http.get("/v2/me", headers=alice.headers)

    assert (first.status_code, second.status_code, third.status_code) == (200, 429, 200)


async def _redis_available() -> bool:
    import coredis

    try:
        return bool(await coredis.Redis.from_url(REDIS_URL).ping())
    except Exception:
        return False


async def test_redis_shares_the_limit_between_app_instances(settings: Settings) -> None:
    if not await _redis_available():
        pytest.fail("Redis is not reachable on 127.0.0.1:6379 (.ci/run starts it)")
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9"  # a fresh counter in the shared store
    one = _limited_client(settings, limit=4, redis_url=REDIS_URL, client_ip=ip)
    two = _limited_client(settings, limit=4, redis_url=REDIS_URL, client_ip=ip)
    async with one, two:
        statuses = []
        for i in range(5):
            http = one if i % 2 == 0 else two
            statuses.append((await http.get("/v2/me")).status_code)

    assert statuses == [401, 401, 401, 401, 429]


def test_the_window_moves_and_idle_callers_are_forgotten() -> None:
    clock = [1000.0]
    windows = LocalWindows(limit=2, window=60, clock=lambda: clock[0])

    assert windows.hit("a")[:2] == (True, 1)
    clock[0] += 30
    assert windows.hit("a")[:2] == (True, 0)
    refused = windows.hit("a")
    assert refused[:2] == (False, 0)
    assert refused[2] == pytest.approx(30)  # the first request leaves the window in 30 s
    clock[0] += 30.5  # the first request has left the window, the second has not
    assert windows.hit("a")[:2] == (True, 0)
    assert windows.hit("b")[:2] == (True, 1)  # every caller has its own window

    clock[0] += 61  # both idle for a whole window: dropped at the next sweep
    windows.hit("c")
    assert set(windows._times) == {"c"}
