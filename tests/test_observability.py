from __future__ import annotations

import json
from pathlib import Path

import httpx2 as httpx

from tests.support.server import run_cli, start_server


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/v2/me")
    await client.get("/v2/nowhere/123")

    text = (await client.get("/metrics")).text

    assert 'slotwise_http_requests_total{method="GET",route="/v2/me",status="401"}' in text
    assert 'route="unmatched",status="404"' in text
    assert "slotwise_http_request_duration_seconds_bucket" in text


def test_server_logs_are_json_lines_with_request_ids(database_url: str, log_dir: Path) -> None:
    env = {"SLOTWISE_DATABASE_URL": database_url, "SLOTWISE_LOG_LEVEL": "info"}
    run_cli("migrate", env=env)
    server = start_server(env, log_dir)
    try:
        httpx.get(server.base_url + "/v2/me", headers={"X-Request-Id": "trace-42"})
    finally:
        server.stop()

    entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    access = [e for e in entries if e["logger"] == "slotwise.access" and e.get("path") == "/v2/me"]
    assert access, server.log()
    assert access[0]["requestId"] == "trace-42" and access[0]["status"] == 401
    assert access[0]["route"] == "/v2/me" and access[0]["durationMs"] >= 0
