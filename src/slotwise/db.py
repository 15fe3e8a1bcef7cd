"""Database engine, sessions, shared column types and migrations.

SQLite is the embedded default (WAL, busy timeout, foreign keys, explicit ``BEGIN`` so that
write transactions can ask for ``BEGIN IMMEDIATE``); PostgreSQL is the production engine.
"""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATION_LOCK_ID = 0x510757  # PostgreSQL advisory lock held while migrating


class Base(DeclarativeBase):
    """The ORM models' base. Their modules have no ``from __future__ import annotations``: SQLAlchemy would
    evaluate each ``Mapped[...]`` string when the class is created, a visible part of the cold start."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC; always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.driver == "asyncpg":
            return None  # asyncpg already returns timestamptz as aware UTC datetimes
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite hands back the stored text ("2031-03-03 09:00:00.000000", written in UTC);
        # fromisoformat is several times faster than the generic parser on hot paths (busy times).
        def parse(value: str | None) -> datetime | None:
            if value is None:
                return None
            if len(value) <= 26:  # naive, as SQLAlchemy stores it: read it as UTC in one step
                return datetime.fromisoformat(value + "+00:00")
            return datetime.fromisoformat(value).astimezone(UTC)

        return parse


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if is_sqlite(url):
        _ensure_sqlite_directory(url)
        engine = create_async_engine(url, pool_size=2, max_overflow=2, pool_timeout=30)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it cost three round trips per transaction. A connection found dead (PostgreSQL restarted)
    # fails its request with a 503 and makes SQLAlchemy discard every older pooled connection at once.
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_timeout=5)


class Database:
    """The engine and session factory one process shares."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction takes the SQLite write lock up front (``BEGIN IMMEDIATE``),
        so check-then-insert sequences are serialised. On PostgreSQL it is a plain session."""
        if not self.sqlite:
            async with self.sessions() as session:
                yield session
            return
        async with self.engine.connect() as connection:
            connection = await connection.execution_options(sqlite_immediate=True)
            async with AsyncSession(bind=connection, expire_on_commit=False) as session:
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_LINE = re.compile(
    r"^(revision|down_revision|branch_labels|depends_on)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE
)


def schema_head() -> str | None:
    """The newest migration's revision id, read from ``migrations/versions`` without importing Alembic
    (which takes a fifth of a second to import): the one revision no other revision revises.

    None when the history is not a plain chain of literal ``revision = "..."`` / ``down_revision = ...``
    lines (branch labels, dependencies, several heads, anything unparsed): then Alembic decides.
    A test checks this against Alembic's own head."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        if script.name == "__init__.py":
            continue
        fields = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        try:
            values = {name: ast.literal_eval(value) for name, value in fields.items()}
        except (ValueError, SyntaxError):
            return None
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str) or values.get("branch_labels") or values.get("depends_on"):
            return None
        if not (down is None or isinstance(down, str | tuple)):
            return None
        revisions.add(revision)
        revised.update((down,) if isinstance(down, str) else down or ())
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 and revised <= revisions else None


def _applied_revisions(connection: Connection) -> set[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new database)."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return set()
    return {row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")}


def is_current(connection: Connection) -> bool:
    """Whether the schema is at the newest migration (then ``migrate`` has nothing to do)."""
    head = schema_head()
    return head is not None and _applied_revisions(connection) == {head}


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, url: str) -> None:
    if is_current(connection):
        return  # the usual start of a server: no need to import and run Alembic
    connection.rollback()  # end the check's read, so Alembic gets the connection as it would without it

    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})")
    try:
        config = _alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")  # checks again under the lock: another process may have migrated
    finally:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})")


async def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema. Safe to run from several processes.

    A database already at the newest revision is left alone without importing Alembic."""
    if is_sqlite(url):
        _ensure_sqlite_directory(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, url)
            await connection.commit()
    finally:
        await engine.dispose()
