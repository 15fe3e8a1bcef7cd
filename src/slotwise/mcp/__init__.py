"""MCP server exposing scheduling tools to AI agents (``slotwise mcp``)."""

from slotwise.mcp.server import build_server, run_http, run_stdio

__all__ = ["build_server", "run_http", "run_stdio"]
