"""Shared bits of the event type tests."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from slotwise.db import Database
from slotwise.schedules.models import Schedule
from tests.conftest import Account

CURRENT = {"cal-api-version": "2024-06-14"}


def current(account: Account) -> dict[str, str]:
    return {**account.headers, **CURRENT}


async def create(client: httpx.AsyncClient, account: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Intro call", "slug": "intro", "lengthInMinutes": 30, **fields}
    response = await client.post("/v2/event-types", headers=current(account), json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def make_schedule(db: Database, user_id: int, name: str = "Work hours") -> int:
    async with db.session() as session:
        schedule = Schedule(user_id=user_id, name=name, time_zone="Europe/Berlin", availability=[], overrides=[])
        session.add(schedule)
        await session.commit()
        return schedule.id
