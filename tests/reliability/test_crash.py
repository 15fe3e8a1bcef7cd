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
from tests.conftest import MakeAccount
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
    database_url: str, db: Database, make_account: MakeAccount, log_dir: Path
) -> None:
    # a receiver that takes half a second, so the kill cuts deliveries off mid-flight
    receiver = Receiver(lambda _request, _index: Reply(delay=0.5)).start()
    env = server_env(database_url)
    first = start_server(env, log_dir, "--no-migrate")
    second = None
    try:
        async with httpx.AsyncClient(base_url=first.base_url, timeout=10) as http:
            world = await make_world(http, await make_account("host"), hook_url=receiver.url)
        # 60 slots for 8 clients: most attempts succeed, and some race for the same slot (409)
        load = Load(world, first.base_url, [world.next_start() for _ in range(60)], clients=8)
        load.start()
        await eventually(
            lambda: asyncio.sleep(0, sum(o.status == 201 for o in load.outcomes) >= 10), within=20, what="bookings"
        )
        # kill while a delivery is at the receiver, unanswered: that attempt is certainly cut off
        await eventually(
            lambda: asyncio.sleep(0, any(time.time() - r.at < 0.3 for r in receiver.requests)),
            within=20,
            what="a delivery in flight",
        )
        first.process.kill()  # SIGKILL: no shutdown hook, in-flight requests and claimed deliveries cut off
        first.process.wait()
        await asyncio.sleep(0.3)  # the clients meet a dead port
        second = start_server(env, log_dir, "--no-migrate")
        load.base_url = second.base_url
        killed_at = max(o.at for o in load.outcomes if o.status == -1)
        await eventually(
            lambda: asyncio.sleep(0, sum(o.status == 201 and o.at > killed_at for o in load.outcomes) >= 5),
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
