"""Tenant isolation, generated from our own route table (the OpenAPI document).

Bob owns one of every resource. Alice, with her own valid key, calls every operation of every path
with Bob's identifiers: each answer is 403 or 404 and never carries Bob's data. A new endpoint with a
path parameter this file does not know fails the test until it is mapped here, so nothing slips in
untested. Uid-based capabilities that Cal.com makes public on purpose (the booking uid lets an
attendee view, cancel or reschedule; a reservation uid lets its holder release it) are listed in
PUBLIC_BY_DESIGN and are exercised by their features' own tests.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2 as httpx

from slotwise.app import create_app
from tests.conftest import Account, MakeAccount

SCHEDULES = {"cal-api-version": "2024-06-11"}
EVENT_TYPES = {"cal-api-version": "2024-06-14"}
SLOTS = {"cal-api-version": "2024-09-04"}
BOOKINGS = {"cal-api-version": "2024-08-13"}

PUBLIC_BY_DESIGN = {
    ("get", "/v2/bookings/{bookingUid}"),
    ("post", "/v2/bookings/{bookingUid}/cancel"),
    ("post", "/v2/bookings/{bookingUid}/reschedule"),
    ("get", "/v2/bookings/{bookingUid}/calendar-links"),
    ("get", "/v2/bookings/{bookingUid}/ics"),
    ("get", "/v2/slots/reservations/{uid}"),
    ("patch", "/v2/slots/reservations/{uid}"),
    ("delete", "/v2/slots/reservations/{uid}"),
    ("get", "/v2/event-types/{username}/public"),  # visible event types only, checked below
    ("get", "/v2/event-types/{username}/{eventSlug}/public"),
}
METHODS = ("get", "post", "patch", "put", "delete")
# Valid bodies, so that the answer comes from the ownership check and not from body validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v2/bookings/{bookingUid}/mark-absent"): {"host": True},
    ("post", "/v2/bookings/{bookingUid}/mark-no-show"): {"noShowHost": True},
    ("post", "/v2/bookings/{bookingUid}/decline"): {"reason": "no"},
    ("post", "/v2/event-types/{eventTypeId}/webhooks"): {
        "subscriberUrl": "http://127.0.0.1:9/alice-hook",
        "triggers": ["BOOKING_CREATED"],
        "active": True,
    },
    ("patch", "/v2/event-types/{eventTypeId}"): {"title": "taken over"},
    ("patch", "/v2/schedules/{scheduleId}"): {"name": "taken over"},
    ("patch", "/v2/webhooks/{webhookId}"): {"active": False},
    ("patch", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}"): {"active": False},
}


async def _bobs_world(http: httpx.AsyncClient, bob: Account) -> dict[str, Any]:
    h = bob.headers
    schedule = (
        await http.post(
            "/v2/schedules",
            headers={**h, **SCHEDULES},
            json={"name": "Bob private hours", "timeZone": "Europe/Paris", "isDefault": True},
        )
    ).json()["data"]
    event_type = (
        await http.post(
            "/v2/event-types",
            headers={**h, **EVENT_TYPES},
            json={
                "title": "Bob secret call",
                "slug": "bob-secret-call",
                "lengthInMinutes": 30,
                "hidden": True,
                "minimumBookingNotice": 0,
            },
        )
    ).json()["data"]
    webhook = (
        await http.post(
            "/v2/webhooks",
            headers=h,
            json={
                "subscriberUrl": "http://127.0.0.1:9/bob-hook",
                "triggers": ["BOOKING_CREATED"],
                "active": True,
                "secret": "bob-webhook-secret",
            },
        )
    ).json()["data"]
    slots = (
        await http.get(
            "/v2/slots",
            headers=SLOTS,
            params={"eventTypeId": event_type["id"], "start": "2031-06-02", "end": "2031-06-06"},
        )
    ).json()["data"]
    starts = [slot["start"] for day in slots.values() for slot in day]
    booking = (
        await http.post(
            "/v2/bookings",
            headers={**h, **BOOKINGS},
            json={
                "start": starts[0],
                "eventTypeId": event_type["id"],
                "attendee": {"name": "Bob Guest", "email": "bob.guest@example.com", "timeZone": "Europe/Paris"},
            },
        )
    ).json()["data"]
    reservation = (
        await http.post(
            "/v2/slots/reservations",
            headers={**h, **SLOTS},
            json={"eventTypeId": event_type["id"], "slotStart": starts[3]},
        )
    ).json()["data"]
    ping = await http.post(f"/v2/webhooks/{webhook['id']}/ping", headers=h)
    deliveries = (await http.get(f"/v2/webhooks/{webhook['id']}/deliveries", headers=h)).json()["data"]
    return {
        "scheduleId": schedule["id"],
        "eventTypeId": event_type["id"],
        "webhookId": webhook["id"],
        "bookingUid": booking["uid"],
        "uid": reservation["reservationUid"],
        "deliveryId": deliveries[0]["id"] if deliveries else "msg_unknown",
        "username": bob.user.username,
        "eventSlug": event_type["slug"],
        "markers": [
            "Bob private hours",
            "bob-secret-call",
            "bob-hook",
            "bob-webhook-secret",
            "bob.guest@example.com",
        ],
        "ping_status": ping.status_code,
    }


def _fill(template: str, world: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in world, f"path parameter {{{name}}} in {template} is not mapped in {__file__}"
        return str(world[name])

    return re.sub(r"\{([^}]+)\}", value, template)


def _leaks(response: httpx.Response, world: dict[str, Any]) -> list[str]:
    """Bob's data in the answer (the echo of the request path in an error envelope does not count)."""
    text = response.text
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("status") == "error":
        text = text.replace(str(body.get("path", "")), "")
    return [marker for marker in world["markers"] if marker in text]


async def test_no_operation_reaches_another_tenants_resources(settings: Any, make_account: MakeAccount) -> None:
    alice, bob = await make_account("alice"), await make_account("bob")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://slotwise.test") as http:
        world = await _bobs_world(http, bob)
        failures: list[str] = []
        checked = 0
        for template, item in app.openapi()["paths"].items():
            if not template.startswith("/v2/"):
                continue
            for method in (m for m in METHODS if m in item):
                if (method, template) in PUBLIC_BY_DESIGN:
                    continue
                path = _fill(template, world)
                if "{" not in template and method != "get":
                    continue  # creates Alice's own resources; covered by each feature's tests
                body = BODIES.get((method, template), {})
                response = await http.request(method.upper(), path, headers=alice.headers, json=body)
                checked += 1
                if "{" in template and response.status_code not in (403, 404):
                    failures.append(f"{method.upper()} {template}: {response.status_code} {response.text[:200]}")
                if leaked := _leaks(response, world):
                    failures.append(f"{method.upper()} {template} leaked {leaked}")
        public = await http.get(f"/v2/event-types/{bob.user.username}/public")
        assert not _leaks(public, world), "a hidden event type is listed publicly"

        # Bob's world is intact afterwards
        mine = await http.get(f"/v2/bookings/{world['bookingUid']}", headers={**bob.headers, **BOOKINGS})
        hooks = await http.get("/v2/webhooks", headers=bob.headers)
    await app.state.database.dispose()

    assert checked >= 20, f"only {checked} operations checked"
    assert not failures, "\n".join(failures)
    assert mine.json()["data"]["status"] == "accepted"
    assert [hook["id"] for hook in hooks.json()["data"]] == [world["webhookId"]]
