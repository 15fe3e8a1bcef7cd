"""What the slots service reads (engine rules, the effective schedule) and the one-default invariant
under concurrent requests."""

from __future__ import annotations

import asyncio
from datetime import date, time

import httpx2 as httpx

from slotwise.availability import DateOverride, WeeklyRule
from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.schedules import service
from slotwise.schedules.models import Schedule
from tests.conftest import Account, MakeAccount
from tests.schedules.helpers import CURRENT, SEED_BODY, headers


async def _default_id(client: httpx.AsyncClient, account: Account) -> int:
    value: int = (await client.get("/v2/me", headers=account.headers)).json()["data"]["defaultScheduleId"]
    return value


async def test_engine_rules_from_a_stored_schedule(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account()
    created = await client.post(
        "/v2/schedules",
        headers=headers(alice, CURRENT),
        json={
            **SEED_BODY,
            "availability": [*SEED_BODY["availability"], {"days": [6], "startTime": "20:00", "endTime": "24:00"}],
            "overrides": [
                {"date": "2030-12-25", "startTime": "00:00", "endTime": "00:00"},
                {"date": "2030-12-24", "startTime": "09:00", "endTime": "12:30"},
            ],
        },
    )
    assert created.status_code == 201

    async with db.session() as session:
        schedule = await session.get(Schedule, created.json()["data"]["id"])
        assert schedule is not None
        weekly, overrides = service.to_engine_rules(schedule)

    assert weekly == (
        WeeklyRule(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(17)),
        WeeklyRule(days=frozenset({6}), start=time(20), end=time(23, 59)),  # until midnight
    )
    assert overrides == (
        DateOverride(day=date(2030, 12, 24), start=time(9), end=time(12, 30)),
        DateOverride(day=date(2030, 12, 25), start=time(0), end=time(0)),  # blocked all day
    )


async def test_fallback_rules_are_weekdays_nine_to_five() -> None:
    weekly, overrides = service.fallback_rules()

    assert weekly == (WeeklyRule(days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(17)),)
    assert overrides == ()


async def test_effective_schedule_prefers_the_users_own_then_the_default(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account("alice")
    bob = await make_account("bob")
    own = (
        await client.post("/v2/schedules", headers=headers(alice, CURRENT), json={**SEED_BODY, "isDefault": False})
    ).json()
    alice_default = await _default_id(client, alice)
    bobs_default = await _default_id(client, bob)

    async with db.session() as session:
        chosen = await service.effective_schedule(session, alice.user.id, own["data"]["id"])
        not_hers = await service.effective_schedule(session, alice.user.id, bobs_default)
        unset = await service.effective_schedule(session, alice.user.id, None)
        missing = await service.effective_schedule(session, alice.user.id, 999_999)

    assert chosen is not None and chosen.id == own["data"]["id"]
    assert not_hers is not None and not_hers.id == alice_default  # never another user's hours
    assert unset is not None and unset.id == alice_default
    assert missing is not None and missing.id == alice_default


async def test_event_types_on_a_deleted_schedule_fall_back_to_the_default(
    client: httpx.AsyncClient, make_account: MakeAccount, db: Database
) -> None:
    alice = await make_account()
    extra = (
        await client.post("/v2/schedules", headers=headers(alice, CURRENT), json={**SEED_BODY, "isDefault": False})
    ).json()
    async with db.session() as session:
        event_type = EventType(
            owner_id=alice.user.id, title="Intro", slug="intro", length=30, schedule_id=extra["data"]["id"]
        )
        session.add(event_type)
        await session.commit()
        event_type_id = event_type.id

    deleted = await client.delete(f"/v2/schedules/{extra['data']['id']}", headers=headers(alice, CURRENT))

    assert deleted.status_code == 200
    async with db.session() as session:
        reloaded = await session.get(EventType, event_type_id)
        assert reloaded is not None and reloaded.schedule_id is None
        schedule = await service.effective_schedule(session, alice.user.id, reloaded.schedule_id)
    assert schedule is not None and schedule.id == await _default_id(client, alice)


async def test_concurrent_creates_leave_exactly_one_default(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()

    responses = await asyncio.gather(
        *(
            client.post("/v2/schedules", headers=headers(alice, CURRENT), json={**SEED_BODY, "name": f"S{i}"})
            for i in range(6)
        )
    )

    assert [r.status_code for r in responses] == [201] * 6
    listed = (await client.get("/v2/schedules", headers=headers(alice, CURRENT))).json()["data"]
    defaults = [s["id"] for s in listed if s["isDefault"]]
    assert len(listed) == 7 and len(defaults) == 1
    assert defaults[0] == await _default_id(client, alice)
    assert defaults[0] in {r.json()["data"]["id"] for r in responses}


async def test_concurrent_deletes_keep_one_schedule_and_its_default(
    client: httpx.AsyncClient, make_account: MakeAccount
) -> None:
    alice = await make_account()
    first = await _default_id(client, alice)
    second = (
        await client.post("/v2/schedules", headers=headers(alice, CURRENT), json={**SEED_BODY, "isDefault": False})
    ).json()

    responses = await asyncio.gather(
        client.delete(f"/v2/schedules/{first}", headers=headers(alice, CURRENT)),
        client.delete(f"/v2/schedules/{second['data']['id']}", headers=headers(alice, CURRENT)),
    )

    assert sorted(r.status_code for r in responses) == [200, 400]
    listed = (await client.get("/v2/schedules", headers=headers(alice, CURRENT))).json()["data"]
    assert len(listed) == 1 and listed[0]["isDefault"] is True
    assert listed[0]["id"] == await _default_id(client, alice)
