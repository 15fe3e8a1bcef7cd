"""The server and CLI as users run them: separate processes, real HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.support.contract import assert_contract, assert_error
from tests.support.server import run_cli, start_server


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"SLOTWISE_DATABASE_URL": database_url}


def _unique(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


def test_cli_creates_users_and_keys_that_the_server_accepts(env: dict[str, str], log_dir: Path) -> None:
    username = _unique("carol")
    user = json.loads(
        run_cli(
            "users",
            "create",
            "--email",
            f"{username}@example.com",
            "--username",
            username,
            "--time-zone",
            "Asia/Kathmandu",
            "--name",
            "Carol",
            "--json",
            env=env,
        ).stdout
    )
    key = json.loads(
        run_cli("keys", "create", "--username", username, "--expires-in-days", "7", "--json", env=env).stdout
    )
    server = start_server(env, log_dir)
    try:
        me = httpx.get(server.base_url + "/v2/me", headers={"Authorization": f"Bearer {key['key']}"})
        run_cli("keys", "revoke", "--username", username, env=env)
        after = httpx.get(server.base_url + "/v2/me", headers={"Authorization": f"Bearer {key['key']}"})
    finally:
        server.stop()

    assert user["timeZone"] == "Asia/Kathmandu" and key["key"].startswith("cal_") and key["expiresAt"]
    assert me.status_code == 200
    assert_contract(me)
    assert me.json()["data"]["id"] == user["id"]
    assert_error(after, 401, "revoked")


def test_cli_reports_bad_input_with_an_exit_code(env: dict[str, str]) -> None:
    bad_zone = run_cli(
        "users",
        "create",
        "--email",
        "x@example.com",
        "--username",
        _unique("x"),
        "--time-zone",
        "Moon/Base",
        env=env,
        check=False,
    )
    no_user = run_cli("keys", "create", "--username", _unique("ghost"), env=env, check=False)

    assert bad_zone.returncode == 1 and "Moon/Base" in bad_zone.stderr
    assert no_user.returncode == 1 and "not found" in no_user.stderr


def test_make_run_flow_serves_me_and_limits_the_121st_request(env: dict[str, str], log_dir: Path) -> None:
    """What the README promises: migrate, demo key, serve; /v2/me works; the default limit is 120/min."""
    run_cli("migrate", env=env)
    username = _unique("demo")
    demo = json.loads(run_cli("demo", "--username", username, "--json", env=env).stdout)
    server = start_server(env, log_dir)
    try:
        headers = {"Authorization": f"Bearer {demo['key']}"}
        with httpx.Client(base_url=server.base_url) as http:
            anonymous = http.get("/v2/me")
            answers = [http.get("/v2/me", headers=headers) for _ in range(121)]
    finally:
        server.stop()

    assert_error(anonymous, 401, "No API key")
    assert [r.status_code for r in answers[:120]] == [200] * 120
    assert answers[0].json()["data"]["username"] == username
    limited = answers[120]
    assert_error(limited, 429, "Too many requests")
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining-Default"] == "0"


def test_two_processes_share_the_limit_through_redis(env: dict[str, str], log_dir: Path) -> None:
    shared = {**env, "SLOTWISE_REDIS_URL": "redis://127.0.0.1:6379", "SLOTWISE_RATE_LIMIT_REQUESTS": "6"}
    username = _unique("shared")
    key = json.loads(run_cli("demo", "--username", username, "--json", env=env).stdout)["key"]
    one, two = start_server(shared, log_dir), start_server(shared, log_dir)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        statuses = [
            httpx.get((one if i % 2 else two).base_url + "/v2/me", headers=headers).status_code for i in range(7)
        ]
    finally:
        one.stop()
        two.stop()

    assert statuses == [200] * 6 + [429]


def test_an_immediate_retry_over_real_http_is_replayed_not_in_progress(env: dict[str, str], log_dir: Path) -> None:
    """The stored answer is written before it is sent, so a client retrying the instant it has the
    answer finds it (and never a 409 'still in progress')."""
    key = json.loads(run_cli("demo", "--username", _unique("retry"), "--json", env=env).stdout)["key"]
    server = start_server(env, log_dir)
    outcomes = []
    try:
        with httpx.Client(base_url=server.base_url) as http:
            for attempt in range(25):
                headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"rotate-{attempt}"}
                first = http.post("/v2/api-keys/refresh", headers=headers, json={})
                retry = http.post("/v2/api-keys/refresh", headers=headers, json={})
                outcomes.append((first.status_code, retry.status_code, retry.headers.get("idempotent-replayed")))
                assert retry.json() == first.json()
                key = first.json()["data"]["apiKey"]
    finally:
        server.stop()

    assert outcomes == [(200, 200, "true")] * 25
