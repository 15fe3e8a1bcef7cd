"""The database refuses overlapping active bookings of one host, even if application code is wrong."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from slotwise.bookings.models import Booking
from slotwise.db import Database
from tests.conftest import MakeAccount

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)


def _booking(
    host_id: int, start_minutes: int, length: int = 30, *, status: str = "accepted", before: int = 0, after: int = 0
) -> Booking:
    start = T0 + timedelta(minutes=start_minutes)
    end = start + timedelta(minutes=length)
    return Booking(
        uid=secrets.token_urlsafe(16),
        host_id=host_id,
        title="t",
        start_time=start,
        end_time=end,
        block_start=start - timedelta(minutes=before),
        block_end=end + timedelta(minutes=after),
        status=status,
        ics_uid=secrets.token_hex(8),
    )


async def _insert(db: Database, *bookings: Booking) -> None:
    async with db.session() as session:
        session.add_all(bookings)
        await session.commit()


async def test_overlapping_active_bookings_are_refused(db: Database, make_account: MakeAccount) -> None:
    host = (await make_account()).user.id
    await _insert(db, _booking(host, 0))

    for overlapping in (_booking(host, 15), _booking(host, -15), _booking(host, 0, 60), _booking(host, 10, 5)):
        with pytest.raises(IntegrityError):
            await _insert(db, overlapping)
    with pytest.raises(IntegrityError):
        await _insert(db, _booking(host, 45, status="pending", before=20))  # its buffer reaches back


async def test_touching_cancelled_and_other_hosts_bookings_are_fine(db: Database, make_account: MakeAccount) -> None:
    host = (await make_account("alice")).user.id
    other = (await make_account("bob")).user.id
    await _insert(db, _booking(host, 0))

    await _insert(db, _booking(host, 30), _booking(host, -30))  # back to back
    await _insert(db, _booking(host, 10, status="cancelled"), _booking(host, 10, status="rejected"))
    await _insert(db, _booking(other, 0))


async def test_reactivating_into_an_overlap_is_refused(db: Database, make_account: MakeAccount) -> None:
    host = (await make_account()).user.id
    cancelled = _booking(host, 0, status="cancelled")
    await _insert(db, cancelled, _booking(host, 15))

    async with db.session() as session:
        with pytest.raises(IntegrityError):
            await session.execute(update(Booking).where(Booking.id == cancelled.id).values(status="accepted"))
            await session.commit()
