"""The migrations build exactly the schema the models describe, and every one of them can be undone
and redone (on both databases)."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from slotwise.db import _alembic_config
from slotwise.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_is_the_models_schema_and_every_step_can_be_undone(own_database_url: str) -> None:
    engine = create_async_engine(own_database_url)

    def alembic(connection: Connection, verb: str, target: str) -> None:
        config = _alembic_config(own_database_url)
        config.attributes["connection"] = connection
        getattr(command, verb)(config, target)

    try:
        async with engine.begin() as connection:
            assert await connection.run_sync(_differences) == []
        async with engine.begin() as connection:
            await connection.run_sync(alembic, "downgrade", "base")
        async with engine.begin() as connection:
            tables = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
            assert set(tables) <= {"alembic_version"}, tables
            await connection.run_sync(alembic, "upgrade", "head")
        async with engine.begin() as connection:
            assert await connection.run_sync(_differences) == []
            assert (await connection.execute(text("SELECT count(*) FROM availability_stamps"))).scalar() == 0
    finally:
        await engine.dispose()
