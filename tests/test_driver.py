"""Hot-path statements on the driver connection (``slotwise.driver``) behave exactly as SQLAlchemy's:
same rows, same transaction, same exceptions; on both databases (SQLite always takes SQLAlchemy's path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import JSON, bindparam, func, insert, select, true
from sqlalchemy.exc import IntegrityError

from slotwise.db import Database, UTCDateTime
from slotwise.driver import DriverStatement
from slotwise.users.models import User

_USERS = User.__table__

_MIXED = DriverStatement(
    select(
        bindparam("at", type_=UTCDateTime()).label("at"),
        func.upper(bindparam("word")).label("shout"),  # a value SQLAlchemy does not bind itself
        bindparam("doc", type_=JSON()).label("doc"),
        true().label("yes"),
    )
)
_NEW_USER = DriverStatement(
    insert(_USERS)
    .values(
        username=bindparam("username"),
        email=bindparam("email"),
        time_zone="UTC",
        time_format=24,
        week_start="Monday",
        metadata=bindparam("metadata", type_=JSON()),
        created_at=bindparam("at", type_=UTCDateTime()),
        updated_at=bindparam("at", type_=UTCDateTime()),
    )
    .returning(_USERS.c.id, _USERS.c.created_at, _USERS.c.metadata)
)


def _user(name: str) -> dict[str, Any]:
    return {
        "username": name,
        "email": f"{name}@example.com",
        "metadata": {"plan": "pro", "seats": [1, 2]},
        "at": datetime(2050, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    }


async def _usernames(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.execute(select(User.username).order_by(User.username))).scalars())


async def test_rows_are_what_sqlalchemy_returns(db: Database) -> None:
    params = {"at": datetime(2050, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=-5))), "word": "hi", "doc": [1]}
    async with db.session() as session:
        await session.execute(select(1))  # the transaction has begun: on PostgreSQL the driver's path
        by_driver = list(await _MIXED.fetch(session, params))
        by_sqlalchemy = [tuple(row) for row in (await session.execute(_MIXED.statement, params)).all()]
    assert by_driver == by_sqlalchemy == [(datetime(2050, 3, 4, 10, 6, 7, tzinfo=UTC), "HI", [1], True)]
    assert by_driver[0][0].tzinfo is not None


async def test_statements_belong_to_the_sessions_transaction(db: Database) -> None:
    async with db.session() as session:
        # first statement of the transaction (SQLAlchemy's path begins it), then one on the driver's
        await _NEW_USER.fetch(session, _user("first"))
        ((new_id, created_at, metadata),) = await _NEW_USER.fetch(session, _user("second"))
        await session.rollback()
    assert await _usernames(db) == []
    assert isinstance(new_id, int)
    assert created_at == datetime(2050, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert metadata == {"plan": "pro", "seats": [1, 2]}
    async with db.session() as session:
        await session.execute(select(1))
        await _NEW_USER.fetch(session, _user("kept"))
        await session.commit()
    assert await _usernames(db) == ["kept"]


async def test_database_errors_are_sqlalchemys_and_leave_nothing_behind(db: Database) -> None:
    async with db.session() as session:
        await session.execute(select(1))
        await _NEW_USER.fetch(session, _user("dup"))
        with pytest.raises(IntegrityError) as raised:
            await _NEW_USER.fetch(session, _user("dup"))
        assert "username" in str(raised.value.orig).lower() or "unique" in str(raised.value.orig).lower()
        await session.rollback()
    assert await _usernames(db) == []
