"""PostgreSQL stops in the middle of a load (``pg_ctl stop -m immediate``, as a crash), then comes back.

While it is down every request gets a quick 503 in the error envelope with ``Retry-After`` (no hang,
no 500), ``/ready`` says not ready and ``/health`` stays up; when it is back the same process serves
again by itself, and every booking confirmed before the outage is still there.

Runs on a private cluster (``initdb`` + ``pg_ctl`` on a free port), never on the shared server. The
connection lost between the answer and the end of the request, which load.py met, is replayed
in-process on both databases.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db import Database, migrate
from tests.conftest import Account, MakeAccount
from tests.reliability.conftest import create_account
from tests.reliability.pgcluster import PrivatePostgres, pg_bin_dir
from tests.reliability.processes import Load, active_bookings, in_ci, server_env
from tests.reliability.world import make_world
from tests.support.server import start_server

pytestmark = pytest.mark.slow

QUICK = 2.0  # seconds: the longest a request may take while the database is down


@pytest.fixture
def private_postgres() -> PrivatePostgres:
    if pg_bin_dir() is None:
        message = "initdb/pg_ctl not found: the PostgreSQL outage test needs the postgresql server package"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip("SKIPPED LOUDLY: " + message)
    return PrivatePostgres()


async def test_postgres_outage_gives_quick_503s_and_service_resumes_by_itself(
    private_postgres: PrivatePostgres, log_dir: Path
) -> None:
    with private_postgres as pg:
        url = pg.url()
        await migrate(url)
        host = await _account(url)
        server = start_server(server_env(url), log_dir, "--no-migrate")
        try:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
                world = await make_world(http, host)
                load = Load(world, server.base_url, [world.next_start() for _ in range(200)], read_share=0.5)
                load.start()
                await asyncio.sleep(1.0)
                pg.stop()  # immediate: no checkpoint, open connections cut
                down_at = time.monotonic()
                await asyncio.sleep(0.5)
                ready_down, health_down = await http.get("/ready"), await http.get("/health")
                await asyncio.sleep(1.5)
                pg.start()
                up_at = time.monotonic()
                recovered_at = await _first_success_after(load, up_at, within=10)
                await asyncio.sleep(0.5)
                outcomes = await load.stop()
                ready_up = await http.get("/ready")
        finally:
            server.stop()

        during = [o for o in outcomes if down_at + 0.3 < o.at and o.at + o.seconds < up_at]
        after = [o for o in outcomes if o.at > recovered_at]
        statuses = Counter(o.status for o in outcomes)
        assert len(during) >= 20, f"too little load while the database was down: {statuses}"
        assert {o.status for o in during} == {503}, Counter(o.status for o in during)
        assert max(o.seconds for o in during) < QUICK, "a request hung while the database was down"
        assert all(o.body and "database" in o.body["error"]["message"] and o.retry_after == "5" for o in during)
        assert 500 not in statuses and -1 not in statuses, statuses  # no 500 storm, no dropped connection
        assert (ready_down.status_code, health_down.status_code) == (503, 200)
        reports = server.log().count("database unavailable")
        assert 1 <= reports <= 2, f"{reports} log lines for a 2-second outage: one per 10 s is enough"
        assert ready_up.status_code == 200
        assert recovered_at - up_at < 5, f"service took {recovered_at - up_at:.1f} s to resume"
        assert after and all(o.status in (200, 201, 409) for o in after), Counter(o.status for o in after)

        confirmed = {o.uid for o in outcomes if o.status == 201}
        database = Database(url)
        try:
            stored = await active_bookings(database, host.user.id)
        finally:
            await database.dispose()
        assert confirmed <= set(stored), "a booking confirmed before or after the outage is missing"


async def _first_success_after(load: Load, moment: float, *, within: float) -> float:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = [o.at for o in load.outcomes if o.at > moment and o.status in (200, 201)]
        if done:
            return min(done)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no request succeeded within {within} s of PostgreSQL coming back")


async def _account(url: str) -> Account:
    database = Database(url)
    try:
        return await create_account(database)
    finally:
        await database.dispose()


async def test_a_connection_lost_after_the_answer_neither_fails_it_nor_cuts_the_keep_alive(
    client: httpx.AsyncClient, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load.py's outage, a request whose queries were done when PostgreSQL died had its answer
    sent, then failed to close its session (the ROLLBACK met a dead connection): the error escaped
    after the response, and uvicorn dropped the client's keep-alive connection."""
    alice = await make_account("alice")
    close = AsyncSession.close

    async def close_then_lose_the_connection(session: AsyncSession) -> None:
        await close(session)
        lost = ConnectionResetError("connection was closed in the middle of operation")
        raise DBAPIError("ROLLBACK", None, lost, connection_invalidated=True)

    monkeypatch.setattr(AsyncSession, "close", close_then_lose_the_connection)
    response = await client.get("/v2/me", headers=alice.headers)
    monkeypatch.undo()

    assert response.status_code == 200 and response.json()["data"]["username"] == "alice"
