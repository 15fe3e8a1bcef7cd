"""Fault tests count rows and webhook attempts, and kill servers: they run on a database of their own
(same backend as the session's), so that no other server of the session touches what they count
(``tests/client``'s live server, for one, runs a webhook worker on the session database)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from slotwise.db import Database, migrate
from slotwise.users import service as users
from tests.conftest import PG_ADMIN_URL, Account


@pytest.fixture
async def own_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database for this test alone, on the backend of ``database_url``."""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
        await migrate(url)
        yield url
        return
    name = "slotwise_rel_" + uuid.uuid4().hex[:10]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        await migrate(url)
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def own_db(own_database_url: str) -> AsyncIterator[Database]:
    database = Database(own_database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def create_account(database: Database, username: str = "host") -> Account:
    """A user (UTC) with an API key, written straight to ``database``."""
    async with database.session() as session:
        user = await users.create_user(
            session, email=f"{username}@example.com", username=username, time_zone="UTC", name=username.title()
        )
        issued = await users.issue_key(session, user, prefix="cal_")
        await session.commit()
        return Account(user, issued.key)
