"""SIGKILL the API process in the middle of a booking load, start it again, and account for everything:
every booking that got a 201 is there, no slot is double booked, and every BOOKING_CREATED event in
the outbox reaches the receiver (the killed worker's claimed deliveries come back when their lease
expires). On both databases; ``benchmarks/load.py`` does the same under the full mixed load."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx2 as httpx
import pytest

from slotwise.db import Database
from tests.reliability.conftest import create_account
from tests.reliability.processes import (
    Load,
    active_bookings,
    eventually,
    outbox_ids,
    overlapping_pairs,
    received_uids,
    server_env,
    undelivered,
)
from tests.reliability.world import BOOKINGS, make_world, ok
from tests.support.server import start_server
from tests.webhooks.receiver import Receiver, Reply

pytestmark = pytest.mark.slow


async def test_sigkill_mid_load_loses_no_booking_no_slot_and_no_webhook(
    own_database_url: str, own_db: Database, log_dir: Path
) -> None:
    db = own_db
    # a receiver that takes a second to answer, so that the kill can cut a delivery off mid-flight
    receiver = Receiver(lambda _request, _index: Reply(delay=1.0)).start()
    env = server_env(own_database_url)
    first = start_server(env, log_dir, "--no-migrate")
    second = None
    try:
        async with httpx.AsyncClient(base_url=first.base_url, timeout=10) as http:
            world = await make_world(http, await create_account(db), hook_url=receiver.url)
        # 60 slots for 8 clients: most attempts succeed, and some race for the same slot (409)
        load = Load(world, first.base_url, [world.next_start() for _ in range(60)], clients=8)
        load.start()
        await eventually(
            lambda: asyncio.sleep(0, sum(o.status == 201 for o in load.outcomes) >= 10), within=20, what="bookings"
        )
        # SIGKILL (no shutdown hook: requests and claimed deliveries cut off) while a delivery has been at
        # the receiver for less than half of the second it takes to answer: that attempt is certainly cut off
        deadline = time.monotonic() + 20
        while not any(time.time() - r.at < 0.5 for r in receiver.requests):
            assert time.monotonic() < deadline, "no delivery reached the receiver"
            await asyncio.sleep(0.01)
        first.process.kill()  # nothing awaited since the check
        first.process.wait()
        await asyncio.sleep(0.3)  # the clients meet a dead port
        second = start_server(env, log_dir, "--no-migrate")
        load.base_url = second.base_url
        restarted_at = time.monotonic()
        await eventually(
            lambda: asyncio.sleep(0, sum(o.status == 201 and o.at > restarted_at for o in load.outcomes) >= 5),
            within=20,
            what="bookings after the restart",
        )
        outcomes = await load.stop()

        confirmed = {o.uid: o.start for o in outcomes if o.status == 201}
        unanswered = sum(o.status == -1 for o in outcomes)
        statuses = Counter(o.status for o in outcomes)
        stored = await active_bookings(db, world.host.user.id)

        # every 201 is in the database; a booking without a 201 can only be one whose answer was cut off
        assert set(confirmed) <= set(stored), f"lost bookings: {set(confirmed) - set(stored)}"
        ghosts = set(stored) - set(confirmed) - {world.booking_uid}
        assert len(ghosts) <= unanswered, (ghosts, statuses)
        # no slot twice: not among the 201s, not in the database
        assert len(set(confirmed.values())) == len(confirmed), "two 201s for one slot"
        assert await overlapping_pairs(db) == []
        assert set(statuses) <= {201, 409, -1}, statuses  # never a 5xx, before or after the kill
        assert unanswered >= 1 and statuses[409] >= 1, statuses  # the kill and the races did happen

        # every BOOKING_CREATED event of the outbox is delivered, the killed worker's ones included
        await eventually(lambda: _none_left(db), within=30, what="every BOOKING_CREATED delivery")
        queued = await outbox_ids(db)
        assert len(queued) == 2 * (len(stored)), "one event per booking per webhook (the host's, the event type's)"
        sent = receiver.ids()
        assert queued <= set(sent), f"outbox events never received: {queued - set(sent)}"
        assert set(stored) <= received_uids(receiver)
        # the delivery cut off at the kill was sent again after its lease, with the same webhook-id (so
        # receivers can drop the repeat): at least once, never lost
        assert len(sent) > len(set(sent)), "the delivery cut off by the kill was not sent again"

        # and the restarted server answers as before
        async with httpx.AsyncClient(base_url=second.base_url, timeout=10) as http:
            mine = await http.get("/v2/bookings", params={"take": 250}, headers={**world.auth, **BOOKINGS})
        assert {b["uid"] for b in ok(mine)} >= set(confirmed)
    finally:
        first.stop()
        if second is not None:
            second.stop()
        receiver.stop()


async def _none_left(db: Database) -> bool:
    return not await undelivered(db)
