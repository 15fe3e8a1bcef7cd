"""Fault tests count rows and webhook attempts, and kill servers: they run on a database of their own
(same backend as the session's), so that no other server of the session touches what they count
(``tests/client``'s live server, for one, runs a webhook worker on the session database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from slotwise.db import Database
from slotwise.users import service as users
from tests.conftest import Account


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
