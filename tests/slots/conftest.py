"""Cal.com's slots e2e fixture: a host with Mon-Fri 09:00-17:00 Europe/Rome and three event types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.schedules.models import Schedule
from slotwise.users.models import User
from tests.conftest import Account, MakeAccount

V2024_09_04 = {"cal-api-version": "2024-09-04"}
WEEK = {"start": "2050-09-05", "end": "2050-09-09"}  # Monday .. Friday


@dataclass
class Host:
    account: Account
    event_type_id: int  # 60 minutes
    seated_id: int  # 60 minutes, 5 seats
    variable_id: int  # 15/30/45/60/180 minutes, default 60

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers

    @property
    def username(self) -> str:
        return self.account.user.username


MakeHost = Callable[..., Awaitable[Host]]


async def add_event_type(db: Database, owner_id: int, slug: str, length: int, **columns: Any) -> int:
    async with db.session() as session:
        event_type = EventType(
            owner_id=owner_id, title=slug.replace("-", " ").title(), slug=slug, length=length, **columns
        )
        session.add(event_type)
        await session.commit()
        return event_type.id


@pytest.fixture
def make_host(db: Database, make_account: MakeAccount) -> MakeHost:
    async def factory(username: str = "alice", *, time_zone: str = "Europe/Rome") -> Host:
        account = await make_account(username, time_zone=time_zone)
        owner = account.user.id
        async with db.session() as session:
            schedule = Schedule(
                user_id=owner,
                name="Working hours",
                time_zone=time_zone,
                availability=[{"days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00"}],
                overrides=[],
            )
            sixty = EventType(owner_id=owner, title="Sixty", slug="sixty", length=60)
            seated = EventType(owner_id=owner, title="Seated", slug="seated", length=60, seats_per_time_slot=5)
            variable = EventType(
                owner_id=owner, title="Variable", slug="variable", length=60, length_options=[15, 30, 45, 60, 180]
            )
            session.add_all([schedule, sixty, seated, variable])
            await session.flush()
            user = await session.get(User, owner)
            assert user is not None
            user.default_schedule_id = schedule.id
            await session.commit()
        return Host(account=account, event_type_id=sixty.id, seated_id=seated.id, variable_id=variable.id)

    return factory


def hourly(day: str, first_hour: int, count: int, suffix: str = "Z", step: int = 1) -> list[str]:
    return [f"{day}T{first_hour + step * i:02d}:00:00.000{suffix}" for i in range(count)]


def expected_week(suffix: str = "Z", first_hour: int = 7) -> dict[str, list[dict[str, str]]]:
    """Cal.com's expected-slots fixture: 5 days x 8 hourly slots."""
    return {
        f"2050-09-{day:02d}": [{"start": start} for start in hourly(f"2050-09-{day:02d}", first_hour, 8, suffix)]
        for day in range(5, 10)
    }
