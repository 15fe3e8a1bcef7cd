"""Fixtures: every database test runs on SQLite and on the local PostgreSQL.

``SLOTWISE_TEST_DATABASES=sqlite`` limits a local run to SQLite; CI always runs both and fails
loudly when PostgreSQL (``SLOTWISE_TEST_PG_URL``, default 127.0.0.1:5432) cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from slotwise.app import create_app
from slotwise.config import Settings
from slotwise.db import Database, migrate
from slotwise.models import Base
from slotwise.users import service as users
from slotwise.users.models import User

PG_ADMIN_URL = os.environ.get("SLOTWISE_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b.strip() for b in os.environ.get("SLOTWISE_TEST_DATABASES", "sqlite,postgresql").split(",")]
if os.environ.get("CI", "").lower() == "true" and "postgresql" not in BACKENDS:
    raise pytest.UsageError("CI must run the PostgreSQL half of the suite")


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


async def _create_pg_database() -> str:
    name = "slotwise_test_" + uuid.uuid4().hex[:10]
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}); start it or set "
            "SLOTWISE_TEST_DATABASES=sqlite for a SQLite-only local run",
            pytrace=False,
        )
    finally:
        await admin.dispose()
    return name


async def _drop_pg_database(name: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A freshly migrated database, per backend, for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'slotwise.db'}"
        await migrate(url)
        yield url
        return
    name = await _create_pg_database()
    url = _pg_url(name)
    try:
        await migrate(url)
        yield url
    finally:
        await _drop_pg_database(name)


async def _empty_all_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def own_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database for this test alone, on the backend of ``database_url``."""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
        await migrate(url)
        yield url
        return
    name = "slotwise_own_" + uuid.uuid4().hex[:10]
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
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await _empty_all_tables(database)
        await database.dispose()


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, rate_limit_requests=100_000)


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    """One app per database for the whole session: FastAPI builds each route on first use, so a new
    app per test would pay that again and again."""
    application = create_app(Settings(database_url=database_url, rate_limit_requests=10_000_000))
    yield application
    await application.state.database.dispose()


@pytest.fixture
async def client(db: Database, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://slotwise.test") as http:
        yield http


@dataclass
class Account:
    user: User
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


MakeAccount = Callable[..., Awaitable[Account]]


@pytest.fixture
def make_account(db: Database) -> MakeAccount:
    """Create a user with an API key: ``await make_account("alice", time_zone="Europe/Rome")``."""

    async def factory(
        username: str = "alice", *, time_zone: str = "Europe/Berlin", expires_in_days: int | None = None
    ) -> Account:
        async with db.session() as session:
            user = await users.create_user(
                session,
                email=f"{username}@example.com",
                username=username,
                time_zone=time_zone,
                name=username.title(),
            )
            issued = await users.issue_key(session, user, prefix="cal_", expires_in_days=expires_in_days)
            await session.commit()
            return Account(user, issued.key)

    return factory


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
