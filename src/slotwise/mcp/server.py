"""``slotwise mcp``: the scheduling tools over MCP (stdio for local agents, streamable HTTP with ``--http``).

Built on the official ``mcp`` SDK. Configuration is the client's: ``CAL_API_URL`` and ``CAL_API_KEY``
(Slotwise or https://api.cal.com). On stdio, stdout carries protocol frames only: logs go to stderr.
"""

from __future__ import annotations

import logging
import sys

from mcp.server import MCPServer
from mcp_types import ToolAnnotations

from slotwise import __version__
from slotwise.client import AsyncClient
from slotwise.mcp.tools import DESCRIPTIONS, INSTRUCTIONS, SchedulingTools

READ_ONLY = {"whoami", "list_event_types", "find_available_slots", "list_bookings", "get_booking"}
DESTRUCTIVE = {"cancel_booking", "reschedule_booking", "set_working_hours"}
TITLES = {
    "whoami": "Who am I",
    "list_event_types": "List event types",
    "find_available_slots": "Find available slots",
    "book_slot": "Book a slot",
    "list_bookings": "List bookings",
    "get_booking": "Get a booking",
    "cancel_booking": "Cancel a booking",
    "reschedule_booking": "Reschedule a booking",
    "create_event_type": "Create an event type",
    "set_working_hours": "Set working hours",
}


def build_server(client: AsyncClient | None = None) -> MCPServer:
    """An MCP server whose tools use ``client`` (default: ``AsyncClient()`` from the environment)."""
    tools = SchedulingTools(client or AsyncClient())
    server: MCPServer = MCPServer(
        "slotwise",
        title="Slotwise scheduling",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )
    for name, function in tools.all().items():
        server.add_tool(
            function,
            name=name,
            title=TITLES[name],
            description=DESCRIPTIONS[name],
            annotations=ToolAnnotations(
                title=TITLES[name],
                read_only_hint=name in READ_ONLY,
                destructive_hint=name in DESTRUCTIVE,
                idempotent_hint=name in READ_ONLY,
                open_world_hint=True,
            ),
        )
    return server


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Route every log record to stderr before anything can write to stdout (the stdio channel)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


def run_stdio(client: AsyncClient | None = None) -> None:
    log_to_stderr()
    build_server(client).run("stdio")


def run_http(host: str = "127.0.0.1", port: int = 8765, *, client: AsyncClient | None = None) -> None:
    log_to_stderr(logging.INFO)
    build_server(client).run("streamable-http", host=host, port=port)
