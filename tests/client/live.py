"""A live Slotwise server process for the client, CLI and MCP tests (real HTTP, both databases)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from tests.conftest import Account, MakeAccount
from tests.support.server import ServerProcess, start_server


@dataclass
class Live:
    server: ServerProcess
    database_url: str

    @property
    def base_url(self) -> str:
        return self.server.base_url


@dataclass
class LiveAccount:
    base_url: str
    key: str
    username: str

    @property
    def env(self) -> dict[str, str]:
        return {"CAL_API_URL": self.base_url, "CAL_API_KEY": self.key}


def unique(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


def next_monday(weeks_ahead: int = 1) -> date:
    """A Monday at least two days away (clear of the default two-hour minimum notice)."""
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    if (monday - today).days < 2:
        monday += timedelta(days=7)
    return monday + timedelta(weeks=weeks_ahead - 1)


# One server per database for the whole session, shared by tests/client, tests/cli and tests/mcp
# (each imports this fixture into its conftest, so each has its own fixture; they share the process).
_servers: dict[str, tuple[ServerProcess, int]] = {}


@pytest.fixture(scope="session")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if database_url in _servers:
        server, users = _servers[database_url]
    else:
        env = {"SLOTWISE_DATABASE_URL": database_url, "SLOTWISE_RATE_LIMIT_REQUESTS": "100000"}
        server, users = start_server(env, tmp_path_factory.mktemp("live"), "--no-migrate", timeout=60), 0
    _servers[database_url] = (server, users + 1)
    try:
        yield Live(server, database_url)
    finally:
        server, users = _servers.pop(database_url)
        if users > 1:
            _servers[database_url] = (server, users - 1)
        else:
            server.stop()


@pytest.fixture
async def account(live: Live, make_account: MakeAccount) -> LiveAccount:
    """A fresh user (Europe/Berlin, default schedule Mon-Fri 09:00-17:00) with an API key."""
    made: Account = await make_account(unique("ada"), time_zone="Europe/Berlin")
    return LiveAccount(live.base_url, made.key, made.user.username)


@pytest.fixture
async def live_other(live: Live, make_account: MakeAccount) -> LiveAccount:
    """Another tenant on the same server."""
    made: Account = await make_account(unique("eve"), time_zone="America/New_York")
    return LiveAccount(live.base_url, made.key, made.user.username)
