"""Request-scoped dependencies every router shares."""

# No `from __future__ import annotations` here: FastAPI reads these dependencies' signatures again for
# every route that uses them, and string annotations would be evaluated each time (~10 ms of the start).

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.config import Settings
from slotwise.db import Database

logger = logging.getLogger("slotwise.db")


async def get_database(request: Request) -> Database:  # async: no thread-pool hop
    database: Database = request.app.state.database
    return database


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # the database read here, not through get_database: one level less in most routes' dependency trees
    database: Database = request.app.state.database
    session = database.sessions()
    try:
        yield session
    finally:
        try:
            await session.close()
        except (DBAPIError, OSError) as exc:
            # The database went away after the answer was sent (the closing ROLLBACK met a dead
            # connection, which the pool now discards). Raising here could not change the answer;
            # it would only make the server drop the client's keep-alive connection.
            logger.warning("database connection lost while closing a request's session: %s", exc)


SessionDep = Annotated[AsyncSession, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
