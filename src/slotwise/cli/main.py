"""``slotwise``: run the server and administer users and API keys.

``slotwise serve`` starts with the fewest imports it can: the client commands (the Python client, Rich
tables, the MCP server) are loaded only when one of them is run or the command list is shown, and the
administration commands import the database layer when they run."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from slotwise.config import Settings

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import Command, Context  # Typer's own copy of Click

    from slotwise.db import Database
    from slotwise.users.models import User


class SlotwiseGroup(TyperGroup):
    """The ``slotwise`` command group; adds the client commands (``slotwise.cli.client_commands``) the
    first time a command that is not one of its own is asked for, or the list of commands."""

    _client_commands_loaded = False

    def _load_client_commands(self) -> None:
        if self._client_commands_loaded:
            return
        self._client_commands_loaded = True
        from slotwise.cli.client_commands import register

        client = typer.Typer()
        register(client)  # me, event-types, schedules, slots, book, bookings, webhooks, mcp
        loaded = typer.main.get_group(client).commands
        own = dict(self.commands)
        # as `slotwise --help` lists them: commands before groups, each ours before the client's
        ordered = [
            *((n, c) for n, c in own.items() if not isinstance(c, TyperGroup)),
            *((n, c) for n, c in loaded.items() if not isinstance(c, TyperGroup)),
            *((n, c) for n, c in own.items() if isinstance(c, TyperGroup)),
            *((n, c) for n, c in loaded.items() if isinstance(c, TyperGroup)),
        ]
        self.commands.clear()
        self.commands.update(ordered)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # `slotwise serve` keeps the cyclic collector off from here (parsing its options imports Pydantic)
        # until the app is imported: see serve(). Every other command gets it back when it is looked up.
        gc.disable()
        try:
            return super().main(*args, **kwargs)
        finally:
            gc.enable()

    def list_commands(self, ctx: Context) -> list[str]:
        self._load_client_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name != "serve":
            gc.enable()
        if cmd_name not in self.commands:
            self._load_client_commands()
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=SlotwiseGroup, help="Slotwise: a scheduling server that speaks the Cal.com API v2.", no_args_is_help=True
)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")

T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@functools.cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


def _run_db(action: Callable[[Database], Awaitable[T]]) -> T:
    from slotwise.db import Database
    from slotwise.http.errors import ApiError

    settings = Settings.from_env()

    async def runner() -> T:
        database = Database(settings.database_url)
        try:
            return await action(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(runner())
    except ApiError as exc:
        _console(stderr=True).print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=1) from None


def _user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "name": user.name,
        "timeZone": user.time_zone,
        "defaultScheduleId": user.default_schedule_id,
    }


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="API processes.")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Migrate on start.")] = True,
) -> None:
    """Serve the API (database from SLOTWISE_DATABASE_URL)."""
    # Start-up creates some 140,000 objects that live as long as the process (modules, classes, the routes'
    # validators) and little garbage (about 1,700 objects, kept for good by the freeze). The cyclic collector
    # would go through them again and again (twice in full) while they are created: it is off until the app
    # is imported, and then they are frozen out of its way. About a tenth of the cold start's CPU time.
    gc.disable()
    try:
        import uvicorn

        from slotwise.db import migrate

        settings = Settings.from_env()
        if migrate_first:
            asyncio.run(migrate(settings.database_url))
        if workers == 1:
            import slotwise.app  # noqa: F401  (uvicorn finds it imported; with workers, each imports its own)
    finally:
        gc.freeze()
        gc.enable()
    uvicorn.run(
        "slotwise.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=os.environ.get("SLOTWISE_LOG_LEVEL", "info"),
        log_config=None,  # the app configures JSON logging itself (SLOTWISE_LOG_FORMAT=json|text)
        access_log=False,  # slotwise.access logs each request with its request id
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        ws="none",  # the API has no websockets; not loading them saves a tenth of the start-up
    )


@app.command("worker")
def worker_command(
    concurrency: Annotated[
        int | None, typer.Option(help="Requests in flight (default SLOTWISE_WEBHOOK_CONCURRENCY or 64).")
    ] = None,
) -> None:
    """Deliver webhooks from the outbox until stopped (Ctrl-C / SIGTERM finish in-flight attempts first).

    `slotwise serve` already runs a worker in each process; run this to deliver from separate processes
    (then start the servers with SLOTWISE_WEBHOOK_WORKER=0 if they should only serve the API)."""
    import dataclasses
    import signal

    from slotwise.db import Database
    from slotwise.webhooks.worker import DeliveryWorker

    settings = Settings.from_env()
    if concurrency is not None:
        if concurrency < 1:
            _console(stderr=True).print("[red]error:[/red] --concurrency must be at least 1")
            raise typer.Exit(code=2)
        settings = dataclasses.replace(settings, webhook_concurrency=concurrency)

    async def run() -> None:
        database = Database(settings.database_url)
        worker = DeliveryWorker(database, settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await worker.start()
            _console(stderr=True).print(
                f"slotwise worker: delivering webhooks ({settings.database_url.split('://')[0]})"
            )
            await stop.wait()
        finally:
            await worker.stop()
            await database.dispose()
        s = worker.stats
        _console(stderr=True).print(
            f"slotwise worker: stopped ({s.delivered} delivered, {s.failed_attempts} failed attempts)"
        )

    asyncio.run(run())


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema."""
    from slotwise.db import migrate

    url = Settings.from_env().database_url
    asyncio.run(migrate(url))
    _console().print(f"database is up to date ({url.split('://')[0]})")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Email address.")],
    username: Annotated[str, typer.Option(help="Unique username.")],
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA time zone, e.g. Europe/Berlin.")] = "UTC",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user."""
    from slotwise.users import service

    async def action(database: Database) -> dict[str, Any]:
        async with database.session() as session:
            user = await service.create_user(session, email=email, username=username, time_zone=time_zone, name=name)
            await session.commit()
            return _user_dict(user)

    created = _run_db(action)
    if as_json:
        typer.echo(json.dumps(created))
    else:
        _console().print(f"created user [bold]{created['username']}[/bold] (id {created['id']})")


@keys_app.command("create")
def keys_create(
    username: Annotated[str, typer.Option(help="Whose key.")],
    expires_in_days: Annotated[int | None, typer.Option(help="Days until the key expires.")] = None,
    note: Annotated[str | None, typer.Option(help="A note to recognise the key by.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from slotwise.users import service

    prefix = Settings.from_env().api_key_prefix

    async def action(database: Database) -> dict[str, Any]:
        async with database.session() as session:
            user = await service.get_user_by_username(session, username)
            issued = await service.issue_key(session, user, prefix=prefix, expires_in_days=expires_in_days, note=note)
            await session.commit()
            expires = issued.api_key.expires_at
            return {
                "key": issued.key,
                "id": issued.api_key.id,
                "username": user.username,
                "expiresAt": expires.isoformat() if expires else None,
            }

    result = _run_db(action)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(result["key"])


@keys_app.command("revoke")
def keys_revoke(
    username: Annotated[str, typer.Option(help="Whose keys.")],
    key: Annotated[str | None, typer.Option(help="The key (or its last 4 characters); default: all.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a user's API keys (one, or all)."""
    from slotwise.users import service

    async def action(database: Database) -> int:
        async with database.session() as session:
            user = await service.get_user_by_username(session, username)
            count = await service.revoke_keys(session, user, hint=key)
            await session.commit()
            return count

    count = _run_db(action)
    if as_json:
        typer.echo(json.dumps({"revoked": count}))
    else:
        _console().print(f"revoked {count} key(s)")
    if count == 0:
        raise typer.Exit(code=1)


@app.command()
def demo(
    username: Annotated[str, typer.Option(help="Demo username.")] = "demo",
    as_json: JsonOption = False,
) -> None:
    """Ensure a demo user exists and print a fresh API key for it."""
    from slotwise.http.errors import ApiError
    from slotwise.users import service

    prefix = Settings.from_env().api_key_prefix

    async def action(database: Database) -> dict[str, Any]:
        async with database.session() as session:
            try:
                user = await service.get_user_by_username(session, username)
            except ApiError:
                user = await service.create_user(
                    session,
                    email=f"{username}@example.com",
                    username=username,
                    time_zone="Europe/Berlin",
                    name="Demo User",
                )
            issued = await service.issue_key(session, user, prefix=prefix, note="make run")
            await session.commit()
            return {"username": user.username, "key": issued.key}

    result = _run_db(action)
    if as_json:
        typer.echo(json.dumps(result))
        return
    _console().print(f"\n  demo user: [bold]{result['username']}[/bold]")
    _console().print(f"  API key:   [bold green]{result['key']}[/bold green]  (shown once)\n")
    _console().print(
        f'  curl -H "Authorization: Bearer {result["key"]}" http://127.0.0.1:8000/v2/me\n',
        soft_wrap=True,
        highlight=False,
    )
