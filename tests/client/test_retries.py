"""Retries over real HTTP against scripted local servers: 429 + Retry-After, 502/503/504, dropped
connections, timeouts, and the Idempotency-Key that must stay the same across attempts."""

from __future__ import annotations

import time

import pytest

from slotwise.client import (
    AsyncClient,
    BadRequestError,
    CalConnectionError,
    CalTimeoutError,
    Client,
    ConflictError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from tests.client.scripted import Reply, ScriptedServer, booking_json, envelope, error_body

FAST = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05)
ATTENDEE = {"name": "Bob", "email": "bob@example.com", "timeZone": "Europe/London"}


def _book(client: Client) -> object:
    return client.create_booking(start="2026-12-01T09:00:00Z", event_type_id=7, attendee=ATTENDEE)


def test_429_with_retry_after_is_waited_out_and_the_post_keeps_its_idempotency_key() -> None:
    replies = [
        Reply(429, error_body(429, "Too Many Requests", "ThrottlerException"), headers={"Retry-After": "1"}),
        Reply(201, envelope(booking_json("bk-429"))),
    ]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        booking = client.create_booking(start="2026-12-01T09:00:00Z", event_type_id=7, attendee=ATTENDEE)

    first, second = server.received
    assert booking.uid == "bk-429"
    assert len(server.received) == 2
    key = first.headers["idempotency-key"]
    assert key and second.headers["idempotency-key"] == key
    assert second.at - first.at >= 0.95, "Retry-After: 1 was honoured"
    assert first.json() == second.json()


async def test_async_client_retries_503_then_succeeds_with_the_same_key() -> None:
    replies = [Reply(503, raw=b"<html>upstream busy</html>"), Reply(502), Reply(201, envelope(booking_json("bk-a")))]
    with ScriptedServer(replies) as server:
        async with AsyncClient("cal_test", base_url=server.url, retry=FAST) as client:
            booking = await client.create_booking(start="2026-12-01T09:00:00Z", event_type_id=7, attendee=ATTENDEE)

    keys = {request.headers["idempotency-key"] for request in server.received}
    assert booking.uid == "bk-a" and len(server.received) == 3 and len(keys) == 1


def test_a_dropped_connection_is_retried_with_the_same_key() -> None:
    replies = [Reply(drop=True), Reply(201, envelope(booking_json("bk-drop")))]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        booking = _book(client)

    assert getattr(booking, "uid", None) == "bk-drop"
    assert len(server.received) == 2
    assert server.received[0].headers["idempotency-key"] == server.received[1].headers["idempotency-key"]


def test_each_call_gets_its_own_key_and_gets_never_send_one() -> None:
    replies = [Reply(201, envelope(booking_json()))]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        _book(client)
        _book(client)
        client.create_booking(
            start="2026-12-01T09:00:00Z", event_type_id=7, attendee=ATTENDEE, idempotency_key="mine-1"
        )
        client.get_booking("bk1")

    post_a, post_b, chosen, get = server.received
    assert post_a.headers["idempotency-key"] != post_b.headers["idempotency-key"]
    assert chosen.headers["idempotency-key"] == "mine-1"
    assert "idempotency-key" not in get.headers


def test_giving_up_after_max_retries_raises_rate_limit_error_with_retry_after() -> None:
    replies = [Reply(429, error_body(429, "slow down", "ThrottlerException"), headers={"Retry-After": "0"})]
    policy = RetryPolicy(max_retries=2, backoff_base=0.01)
    with (
        ScriptedServer(replies) as server,
        Client("cal_test", base_url=server.url, retry=policy) as client,
        pytest.raises(RateLimitError) as caught,
    ):
        client.me()

    assert len(server.received) == 3
    assert caught.value.status_code == 429 and caught.value.retry_after == 0
    assert caught.value.code == "ThrottlerException" and "slow down" in caught.value.message


def test_a_retry_after_longer_than_the_cap_is_not_waited_for() -> None:
    replies = [Reply(429, error_body(429, "blocked", "ThrottlerException"), headers={"Retry-After": "3600"})]
    started = time.monotonic()
    with (
        ScriptedServer(replies) as server,
        Client("cal_test", base_url=server.url, retry=FAST) as client,
        pytest.raises(RateLimitError) as caught,
    ):
        client.me()

    assert len(server.received) == 1 and time.monotonic() - started < 2
    assert caught.value.retry_after == 3600


def test_500_and_400_are_not_retried() -> None:
    replies = [Reply(500, error_body(500, "boom", "InternalServerErrorException", request_id="rid-500"))]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        with pytest.raises(ServerError) as server_error:
            client.me()
        assert len(server.received) == 1
        server.replies = [Reply(400, error_body(400, "start is missing"))]
        with pytest.raises(BadRequestError):
            client.me()

    assert len(server.received) == 2
    assert server_error.value.request_id == "rid-500"


def test_timeouts_are_retried_then_reported() -> None:
    replies = [Reply(200, envelope({"id": 1, "email": "a@example.com"}), delay=0.5)]
    policy = RetryPolicy(max_retries=1, backoff_base=0.01)
    with (
        ScriptedServer(replies) as server,
        Client("cal_test", base_url=server.url, retry=policy, timeout=0.2) as client,
        pytest.raises(CalTimeoutError) as caught,
    ):
        client.me()

    assert len(server.received) == 2
    assert "/v2/me" in str(caught.value) and "timed out" in str(caught.value)


def test_an_unreachable_server_is_a_connection_error() -> None:
    with ScriptedServer([Reply()]) as server:
        url = server.url
    client = Client("cal_test", base_url=url, retry=RetryPolicy(max_retries=1, backoff_base=0.01))

    with pytest.raises(CalConnectionError) as caught:
        client.me()

    assert caught.value.url.endswith("/v2/me") and caught.value.method == "GET"


def test_a_retried_post_waits_for_the_first_attempt_still_in_flight() -> None:
    in_progress = error_body(
        409, "A request with this Idempotency-Key is still in progress; retry after it finishes.", "ConflictException"
    )
    replies = [Reply(drop=True), Reply(409, in_progress), Reply(201, envelope(booking_json("bk-late")))]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        booking = _book(client)

    assert getattr(booking, "uid", None) == "bk-late" and len(server.received) == 3


def test_a_real_conflict_on_the_first_attempt_is_raised_at_once() -> None:
    replies = [Reply(409, error_body(409, "That slot is already booked", "ConflictException"))]
    with (
        ScriptedServer(replies) as server,
        Client("cal_test", base_url=server.url, retry=FAST) as client,
        pytest.raises(ConflictError) as caught,
    ):
        _book(client)

    assert len(server.received) == 1
    assert caught.value.status_code == 409 and "already booked" in caught.value.message


def test_a_reused_key_whose_first_call_is_still_being_stored_is_waited_out() -> None:
    in_progress = error_body(
        409, "A request with this Idempotency-Key is still in progress; retry after it finishes.", "ConflictException"
    )
    replies = [Reply(409, in_progress), Reply(201, envelope(booking_json("bk-stored")))]
    with ScriptedServer(replies) as server, Client("cal_test", base_url=server.url, retry=FAST) as client:
        booking = client.create_booking(
            start="2026-12-01T09:00:00Z", event_type_id=7, attendee=ATTENDEE, idempotency_key="same-key"
        )

    assert booking.uid == "bk-stored" and len(server.received) == 2
