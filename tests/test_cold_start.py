"""What `slotwise serve` does before its first answer: it imports what serving needs and no more (not the
client commands, Rich, the Python client, the MCP server), and it runs Alembic only when the database is
behind the newest migration (``slotwise.db.schema_head`` reads that from the migration files).
The cold start itself is measured in ``tests/reliability/test_operations.py`` and ``benchmarks/load.py``."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from slotwise import db
from slotwise.app import create_app
from slotwise.cli.main import app
from slotwise.config import Settings
from tests.conftest import _create_pg_database, _drop_pg_database, _pg_url
from tests.support.server import start_server


def test_schema_head_is_alembics_head() -> None:
    heads = ScriptDirectory.from_config(db._alembic_config("sqlite://")).get_heads()
    assert heads == [db.schema_head()]


def _write_migrations(directory: Path, *scripts: str) -> None:
    versions = directory / "versions"
    versions.mkdir(parents=True)
    (versions / "__init__.py").write_text("")
    for number, body in enumerate(scripts):
        (versions / f"{number:04d}_m.py").write_text(f'"""A migration.\n\nRevision ID: x\n"""\n\n{body}\n')


@pytest.mark.parametrize(
    ("scripts", "head"),
    [
        (['revision = "a"\ndown_revision = None', 'revision = "b"\ndown_revision = "a"'], "b"),
        (['revision: str = "a"\ndown_revision: str | None = None'], "a"),
        (  # a merge
            [
                'revision = "a"\ndown_revision = None',
                'revision = "b"\ndown_revision = "a"',
                'revision = "c"\ndown_revision = "a"',
                'revision = "d"\ndown_revision = ("b", "c")',
            ],
            "d",
        ),
        # Alembic decides: two heads, a branch label, a dependency, a computed id, a missing parent, no files
        (['revision = "a"\ndown_revision = None', 'revision = "b"\ndown_revision = None'], None),
        (['revision = "a"\ndown_revision = None\nbranch_labels = ("x",)'], None),
        (['revision = "a"\ndown_revision = None\ndepends_on = "z"'], None),
        (['revision = "a" + "b"\ndown_revision = None'], None),
        (['revision = "b"\ndown_revision = "a"'], None),
        ([], None),
    ],
)
def test_schema_head_leaves_unusual_histories_to_alembic(
    scripts: list[str], head: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_migrations(tmp_path, *scripts)
    monkeypatch.setattr(db, "MIGRATIONS", tmp_path)
    assert db.schema_head() == head


@pytest.fixture
async def empty_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database without any schema, on the backend of ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = await _create_pg_database()
    try:
        yield _pg_url(name)
    finally:
        await _drop_pg_database(name)


async def _applied(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    finally:
        await engine.dispose()


@pytest.mark.slow
async def test_serve_migrates_a_database_behind_the_newest_migration(empty_database_url: str, log_dir: Path) -> None:
    head = db.schema_head()
    assert head is not None
    before = ScriptDirectory.from_config(db._alembic_config(empty_database_url)).get_revision(head).down_revision
    assert isinstance(before, str)

    def upgrade_to_before(connection: Connection) -> None:
        config = db._alembic_config(empty_database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, before)

    engine = create_async_engine(empty_database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(upgrade_to_before)
            await connection.commit()
            assert not await connection.run_sync(db.is_current)
    finally:
        await engine.dispose()
    assert await _applied(empty_database_url) == [before]

    server = start_server({"SLOTWISE_DATABASE_URL": empty_database_url}, log_dir)  # migrations on, as by default
    server.stop()

    assert await _applied(empty_database_url) == [head]


def _modules_of_serve(url: str) -> dict[str, object]:
    """Run `slotwise serve` in a fresh interpreter up to where uvicorn would start serving."""
    script = """
import gc, json, sys
import uvicorn
uvicorn.run = lambda *args, **kwargs: None
from slotwise.cli.main import app
app(["serve"], standalone_mode=False)
print(json.dumps({"modules": sorted(sys.modules), "gc": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""
    env = {**os.environ, "SLOTWISE_DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return found


@pytest.mark.slow
def test_serve_imports_neither_alembic_nor_the_client_commands(database_url: str) -> None:
    found = _modules_of_serve(database_url)  # the session's database is migrated: nothing to do
    modules = set(found["modules"])  # type: ignore[call-overload]
    unwanted = {"alembic", "rich", "mcp", "slotwise.client", "slotwise.mcp", "slotwise.cli.client_commands"}
    unwanted |= {"httpx2", "limits"}  # needed by webhook deliveries to https URLs, and by rate limits in Redis
    assert {m for m in modules if m in unwanted or m.startswith(tuple(u + "." for u in unwanted))} == set()
    assert "slotwise.app" in modules  # the app was imported ahead of uvicorn, with the collector off
    assert found["gc"] is True and isinstance(found["frozen"], int) and found["frozen"] > 10_000


def test_every_command_is_listed_and_runs() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    names = [line.split()[1] for line in listed.stdout.splitlines() if line.startswith("│ ") and "─" not in line]
    commands = names[names.index("serve") :]
    assert commands == [
        *("serve", "worker", "migrate", "demo", "me", "slots", "book", "mcp"),
        *("users", "keys", "event-types", "schedules", "bookings", "webhooks"),
    ]
    # a client command found by name in a fresh group, and a typo answered with suggestions from all of them
    assert runner.invoke(app, ["bookings", "--help"]).exit_code == 0
    typo = runner.invoke(app, ["bookngs"])
    assert typo.exit_code == 2 and "bookings" in typo.output


def test_the_app_serves_the_routes_its_routers_built(tmp_path: Path) -> None:
    """Every route is ready before the first answer: the app holds the routes its routers built when they
    were declared (``app.include_router`` would build each one again on the first request through it)."""
    from slotwise import health, observability
    from slotwise.bookings.router import router as bookings
    from slotwise.event_types.router import router as event_types
    from slotwise.schedules.router import router as schedules
    from slotwise.slots.router import router as slots
    from slotwise.users.router import router as users
    from slotwise.webhooks.router import router as webhooks

    application = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'routes.db'}"))
    served = [route for route in application.routes if isinstance(route, APIRoute)]
    declared = [
        route
        for router in (slots, bookings, health.router, observability.router, users, schedules, event_types, webhooks)
        for route in router.routes
    ]
    assert len(declared) > 50 and all(isinstance(route, APIRoute) for route in declared)
    assert [id(route) for route in served] == [id(route) for route in declared]


def test_commands_other_than_serve_run_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """`slotwise` turns the cyclic collector off while it parses (for serve's start) and on for every other
    command, and leaves it on whatever happens."""
    seen: list[bool] = []

    async def migrate(url: str) -> None:
        seen.append(gc.isenabled())

    monkeypatch.setattr(db, "migrate", migrate)
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert seen == [True]
    for args in (["--help"], ["serve", "--port", "not-a-number"], ["bookngs"], ["users", "--help"]):
        runner.invoke(app, args)
        assert gc.isenabled(), args


def test_models_are_built_on_first_use_and_still_documented() -> None:
    """Importing the app builds only the models FastAPI reads as request bodies; the others (most serve one
    route or one API version) wait for their first request, and the OpenAPI document still shows each."""
    script = """
import json
from slotwise.app import create_app
from slotwise.http.model import ApiModel
from slotwise.http.routing import LazyResponseRoute

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

models = set(subclasses(ApiModel))
built = sorted(model.__name__ for model in models if model.__pydantic_complete__)
app = create_app()
routes = [route for route in app.routes if isinstance(route, LazyResponseRoute)]
declared = [route for route in routes if route.declared_response_model is not None]
fields = sum(route.response_field is not None for route in declared)
document = app.openapi()
summary = {"models": len(models), "built": built, "declared": len(declared), "fields": fields}
print(json.dumps({**summary, "paths": document["paths"]}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["models"] > 100
    assert found["built"] == sorted(
        [
            *("CreateScheduleInput_2024_06_11", "UpdateScheduleInput_2024_06_11", "CreateWebhookInputDto"),
            *("LegacyReserveSlotInput", "ReserveSlotInput_2024_09_04", "UpdateMeInput"),
        ]
    )
    assert found["declared"] > 20 and found["fields"] == 0
    booking = found["paths"]["/v2/bookings"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in booking["anyOf"]} == {
        "CreateBookingOutput_2024_08_13",
        "LegacyBookingOutputResponse",
    }
    me = found["paths"]["/v2/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert me == {"$ref": "#/components/schemas/GetMeOutput"}
