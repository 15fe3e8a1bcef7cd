"""Hostile input, on both databases: oversized and deeply nested bodies, invalid UTF-8, absurd dates,
zones that don't exist, ``take=1000000``, numbers past every column's range, and SQL and template
injection in every string field, query parameter and path identifier.

The body, query and path matrices are generated from our own OpenAPI document (the route table): a new
operation with a body fails ``test_every_body_field_...`` until it has a valid base body in ``BASES``.

What must hold for every request: never a 5xx, never slower than ``SLOW`` (``pg_sleep`` stays text),
and either a 4xx in the error envelope that writes nothing (every table's fingerprint unchanged), or,
for free text the API accepts, the text stored and returned verbatim (``{{7*7}}`` stays ``{{7*7}}``).
"""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from slotwise.db import Database
from tests.conftest import MakeAccount
from tests.reliability.world import BOOKINGS, EVENT_TYPES, SCHEDULES, SLOTS, World, fingerprint, make_world, ok
from tests.support.contract import assert_contract, assert_error, load_spec, spec_template

SLOW = 2.0  # seconds; the SQL payload asks PostgreSQL to sleep 3
# SQL that would sleep, drop a table or widen a filter, then template syntax of Jinja, JS, ERB, Ruby and
# Handlebars: stored and returned as text, never run
INJECTION = (
    "x'); SELECT pg_sleep(3); DROP TABLE bookings; -- ' OR '1'='1 "
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7} {{constructor.constructor('return process')()}} {% debug %}"
)
NUL = "nul\x00byte"  # PostgreSQL text cannot hold it: a clear 400, never a 500
STRINGS = (INJECTION, NUL)
NUMBERS = (2**63, 10**30)  # past BIGINT and past any column
# Fields whose answer is not the text sent, and why.
NOT_ECHOED = {
    "slug": "slugified",
    "location": "legacy bookings: a location the event type does not offer falls back to its first one",
    "end": "the 2024-08-13 body has no end: the booking's end is computed from its start and length",
}

Base = Callable[[World], Awaitable[tuple[dict[str, Any], dict[str, str], dict[str, Any]]]]


def _auth(world: World, version: dict[str, str] | None = None) -> dict[str, str]:
    return {**world.auth, **(version or {})}


async def _me(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "name": "Alice",
        "email": w.host.user.email,
        "timeZone": "Europe/Berlin",
        "bio": "Hi",
        "locale": "en",
        "weekStart": "Monday",
        "timeFormat": 24,
        "avatarUrl": "https://example.com/a.png",
        "metadata": {"team": "blue"},
        "defaultScheduleId": w.schedule_id,
    }
    return {}, _auth(w), body


async def _schedule(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "name": "Mornings",
        "timeZone": "Europe/Berlin",
        "isDefault": False,
        "availability": [{"days": ["Monday", "Tuesday"], "startTime": "09:00", "endTime": "12:00"}],
        "overrides": [{"date": "2031-07-01", "startTime": "10:00", "endTime": "11:00"}],
    }
    return {}, _auth(w, SCHEDULES), body


async def _legacy_schedule(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "name": "Mornings",
        "timeZone": "Europe/Berlin",
        "isDefault": False,
        "availabilities": [
            {"days": [1, 2], "startTime": "1970-01-01T09:00:00.000Z", "endTime": "1970-01-01T12:00:00.000Z"}
        ],
    }
    return {}, _auth(w), body


async def _schedule_patch(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    # the world's own working hours (UTC, default): renaming keeps every later booking possible
    return {"scheduleId": w.schedule_id}, _auth(w, SCHEDULES), {"name": "Working hours", "timeZone": "UTC"}


async def _legacy_schedule_patch(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    return {"scheduleId": w.schedule_id}, _auth(w), {"name": "Working hours", "timeZone": "UTC"}


_serial = iter(range(1, 1_000_000))


async def _event_type(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "title": "Intro",
        "slug": f"intro-{next(_serial)}",
        "lengthInMinutes": 30,
        "description": "Say hello",
        "minimumBookingNotice": 60,
        "slotInterval": 30,
        "customName": "{Event type title} with {Scheduler}",
        "successRedirectUrl": "https://example.com/thanks",
    }
    return {}, _auth(w, EVENT_TYPES), body


async def _legacy_event_type(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {"title": "Intro", "slug": f"intro-{next(_serial)}", "length": 30, "description": "Say hello"}
    return {}, _auth(w), body


async def _event_type_patch(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    # the world's own event type: its length, notice and interval stay as they are
    body = {"title": "Call", "description": "Say hello", "customName": "{Event type title} with {Scheduler}"}
    return {"eventTypeId": w.event_type_id}, _auth(w, EVENT_TYPES), body


async def _legacy_event_type_patch(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    return {"eventTypeId": w.event_type_id}, _auth(w), {"title": "Call", "length": 30, "description": "Say hello"}


async def _reservation(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    return {}, SLOTS, {"eventTypeId": w.event_type_id, "slotStart": w.next_start()}


async def _move_reservation(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {"eventTypeId": w.event_type_id, "slotStart": w.next_start()}
    return {"uid": await w.hold()}, SLOTS, body


async def _legacy_reserve(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    start = w.next_start()
    end = datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(minutes=30)
    body = {"eventTypeId": w.event_type_id, "slotUtcStartDate": start, "slotUtcEndDate": end.isoformat()}
    return {}, {}, body


async def _booking(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "start": w.next_start(),
        "eventTypeId": w.event_type_id,
        "attendee": {"name": "Guest", "email": "guest@example.com", "timeZone": "Europe/Berlin", "language": "en"},
        "bookingFieldsResponses": {"notes": "Looking forward"},
        "guests": ["second@example.com"],
        "metadata": {"source": "web"},
    }
    return {}, BOOKINGS, body


async def _legacy_booking(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "start": w.next_start(),
        "eventTypeId": w.event_type_id,
        "timeZone": "Europe/Berlin",
        "language": "en",
        "metadata": {"source": "web"},
        "responses": {"name": "Guest", "email": "guest@example.com", "notes": "Looking forward"},
    }
    return {}, {}, body


async def _reschedule(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {"start": w.next_start(), "reschedulingReason": "Clash", "rescheduledBy": w.host.user.email}
    return {"bookingUid": await w.book()}, BOOKINGS, body


async def _cancel(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    return {"bookingUid": await w.book()}, BOOKINGS, {"cancellationReason": "Ill"}


async def _mark_absent(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {"host": False, "attendees": [{"email": "guest@example.com", "absent": True}]}
    return {"bookingUid": w.booking_uid}, _auth(w, BOOKINGS), body


async def _mark_no_show(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {"noShowHost": False, "attendees": [{"email": "guest@example.com", "noShow": True}]}
    return {"bookingUid": w.booking_uid}, _auth(w), body


async def _decline(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    return {"bookingUid": w.booking_uid}, _auth(w, BOOKINGS), {"reason": "Busy"}


async def _webhook(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    body = {
        "subscriberUrl": f"http://127.0.0.1:9/hook-{next(_serial)}",
        "triggers": ["MEETING_STARTED"],  # never due here: nothing is sent while requests are checked
        "active": True,
        "secret": "s3cret",
        "payloadTemplate": '{"title": "{{title}}"}',
    }
    return {"webhookId": w.webhook_id, "eventTypeId": w.event_type_id}, _auth(w), body


async def _event_type_webhook(w: World) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    ids, headers, body = await _webhook(w)
    return {**ids, "webhookId": w.event_type_webhook_id}, headers, body


BASES: dict[tuple[str, str], list[Base]] = {
    ("patch", "/v2/me"): [_me],
    ("post", "/v2/schedules"): [_schedule, _legacy_schedule],
    ("patch", "/v2/schedules/{scheduleId}"): [_schedule_patch, _legacy_schedule_patch],
    ("post", "/v2/event-types"): [_event_type, _legacy_event_type],
    ("patch", "/v2/event-types/{eventTypeId}"): [_event_type_patch, _legacy_event_type_patch],
    ("post", "/v2/slots/reservations"): [_reservation],
    ("patch", "/v2/slots/reservations/{uid}"): [_move_reservation],
    ("post", "/v2/slots/reserve"): [_legacy_reserve],
    ("post", "/v2/bookings"): [_booking, _legacy_booking],
    ("post", "/v2/bookings/{bookingUid}/reschedule"): [_reschedule],
    ("post", "/v2/bookings/{bookingUid}/cancel"): [_cancel],
    ("post", "/v2/bookings/{bookingUid}/mark-absent"): [_mark_absent],
    ("post", "/v2/bookings/{bookingUid}/mark-no-show"): [_mark_no_show],
    ("post", "/v2/bookings/{bookingUid}/decline"): [_decline],
    ("post", "/v2/webhooks"): [_webhook],
    ("patch", "/v2/webhooks/{webhookId}"): [_webhook],
    ("post", "/v2/event-types/{eventTypeId}/webhooks"): [_webhook],
    ("patch", "/v2/event-types/{eventTypeId}/webhooks/{webhookId}"): [_event_type_webhook],
}
# Rotating the key would lock the rest of the matrix out; its integer fields are bounded by its own tests.
EXCLUDED = {("post", "/v2/api-keys/refresh")}


# -- plumbing ----------------------------------------------------------------------------------------


@dataclass
class Probe:
    db: Database
    http: httpx.AsyncClient
    failures: list[str]
    sent: int = 0

    async def send(
        self,
        label: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        may_write: bool = True,
        expect: tuple[int, ...] | None = None,
    ) -> httpx.Response | None:
        """Send one request and record what is wrong with the answer (all problems are listed at the
        end rather than stopping at the first)."""
        before = await fingerprint(self.db)
        began = time.perf_counter()
        if content is not None:
            response = await self.http.request(
                method,
                path,
                headers={"content-type": "application/json", **(headers or {})},
                content=content,
                params=params,
            )
        else:
            response = await self.http.request(method, path, headers=headers, json=json_body, params=params)
        elapsed = time.perf_counter() - began
        after = await fingerprint(self.db)
        self.sent += 1
        where = f"{label}: {method} {path} -> {response.status_code}"
        if response.status_code >= 500:
            self.failures.append(f"{where}: {response.text[:300]}")
            return None
        if elapsed > SLOW:
            self.failures.append(f"{where}: took {elapsed:.1f} s")
        if expect is not None and response.status_code not in expect:
            self.failures.append(f"{where}: expected {expect}: {response.text[:300]}")
        if response.status_code >= 400:
            body = response.json()
            if body.get("status") != "error" or not body["error"]["message"] or "x-request-id" not in response.headers:
                self.failures.append(f"{where}: not a clear error envelope: {response.text[:300]}")
            if after != before:
                changed = sorted(name for name in after if after[name] != before.get(name))
                self.failures.append(f"{where}: a rejected request wrote to {changed}")
        elif not may_write and after != before:
            self.failures.append(f"{where}: a read wrote to {sorted(n for n in after if after[n] != before.get(n))}")
        try:
            _contract(response)
        except AssertionError as exc:
            self.failures.append(f"{where}: {exc}")
        return response

    def report(self) -> None:
        assert not self.failures, f"{len(self.failures)} of {self.sent} requests misbehaved:\n" + "\n".join(
            self.failures[:200]
        )


def _contract(response: httpx.Response) -> None:
    """Cal.com's documented schema for spec'd operations (current shapes; legacy ones have their own tests)."""
    spec = load_spec()
    path = response.request.url.path
    template = spec_template(path)
    if spec is None or template is None or response.request.method.lower() not in spec["paths"][template]:
        return
    if response.status_code < 300 and "cal-api-version" not in response.request.headers:
        return
    assert_contract(response, template=template)


@pytest.fixture
async def world(client: httpx.AsyncClient, make_account: MakeAccount) -> World:
    # MEETING_ENDED of bookings in 2031: the outbox gets rows, but none is due, so no webhook worker of
    # the session (tests/client's live server runs one on this database) writes while a request is checked
    return await make_world(client, await make_account("alice"), trigger="MEETING_ENDED")


@pytest.fixture
def probe(db: Database, client: httpx.AsyncClient) -> Probe:
    return Probe(db, client, [])


def _operations(app: FastAPI) -> dict[tuple[str, str], dict[str, Any]]:
    spec = app.openapi()
    return {
        (method, template): operation
        for template, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    }


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _top_level_fields(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, set[str]]:
    """Top-level properties of a request body schema (all alternatives) by JSON type."""
    found: dict[str, set[str]] = {}
    schema = _resolve(schema, components)
    for alternative in (*schema.get("anyOf", ()), *schema.get("oneOf", ()), *schema.get("allOf", ())):
        for name, kinds in _top_level_fields(alternative, components).items():
            found.setdefault(name, set()).update(kinds)
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, components)
        options = [_resolve(option, components) for option in prop.get("anyOf", prop.get("oneOf", [prop]))]
        found.setdefault(name, set()).update(str(option.get("type")) for option in options)
    return found


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


def _with(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    poisoned = copy.deepcopy(body)
    target: Any = poisoned
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return poisoned


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _fill(template: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        template = template.replace("{" + name + "}", str(value))
    assert "{" not in template, f"no identifier for {template}"
    return template


# -- the generated matrices --------------------------------------------------------------------------


async def test_every_body_field_of_every_operation_survives_injection_and_huge_numbers(
    app: FastAPI, world: World, probe: Probe
) -> None:
    operations = _operations(app)
    components = app.openapi().get("components", {}).get("schemas", {})
    with_body = {key for key, operation in operations.items() if "requestBody" in operation} - EXCLUDED
    missing = sorted(with_body - set(BASES))
    assert not missing, f"operations with a body but no valid base body in {__file__}: {missing}"

    for (method, template), variants in BASES.items():
        request_body = operations[(method, template)].get("requestBody", {})
        declared = _top_level_fields(
            request_body.get("content", {}).get("application/json", {}).get("schema", {}), components
        )
        for variant in variants:
            ids, headers, base = await variant(world)
            targets: list[tuple[tuple[Any, ...], Any]] = []
            for path, value in _leaves(base):
                if isinstance(value, str):
                    targets += [(path, payload) for payload in STRINGS]
                elif isinstance(value, int) and not isinstance(value, bool):
                    targets += [(path, number) for number in NUMBERS]
            for name, kinds in declared.items():
                if name in base:
                    continue
                if "string" in kinds:
                    targets += [((name,), payload) for payload in STRINGS]
                if "integer" in kinds:
                    targets += [((name,), number) for number in NUMBERS]
            for field_path, payload in targets:
                ids, headers, fresh = await variant(world)  # a fresh target: cancelled bookings stay cancelled
                poisoned = _with(fresh, field_path, payload)
                label = f"{variant.__name__} {'.'.join(map(str, field_path))}={str(payload)[:12]!r}"
                response = await probe.send(
                    label, method.upper(), _fill(template, ids), headers=headers, json_body=poisoned
                )
                if response is None or response.status_code >= 300:
                    continue
                echoed = _at(response.json().get("data"), field_path)
                verbatim = not isinstance(echoed, str) or field_path[-1] in NOT_ECHOED or echoed == payload
                if isinstance(payload, str) and not verbatim:
                    probe.failures.append(f"{label}: stored {echoed!r}, not the text sent")
                if isinstance(payload, int) and echoed == payload:
                    probe.failures.append(f"{label}: accepted and stored a number past the column's range")
    print(f"body matrix: {probe.sent} requests")
    assert probe.sent > 250, f"only {probe.sent} requests: the matrix lost its fields"
    probe.report()


QUERY_EXTRAS = {
    # GET /v2/bookings reads its query itself (two vocabularies), so the route table does not list it
    ("get", "/v2/bookings"): [
        "attendeeName",
        "attendeeEmail",
        "bookingUid",
        "status",
        "eventTypeIds",
        "afterStart",
        "beforeEnd",
        "sortStart",
        "cursor",
    ],
}
# as Cal.com: a public listing of an unknown username is an empty list, an unknown hold is null
EMPTY_WHEN_UNKNOWN = {("get", "/v2/event-types/{username}/public"), ("get", "/v2/slots/reservations/{uid}")}
IDENTIFIERS = {
    "scheduleId": "schedule_id",
    "eventTypeId": "event_type_id",
    "webhookId": "webhook_id",
    "bookingUid": "booking_uid",
    "uid": "reservation_uid",
    "deliveryId": "delivery_id",
    "username": None,
    "eventSlug": "event_type_slug",
}


async def test_every_query_parameter_and_path_identifier_survives_injection(
    app: FastAPI, world: World, probe: Probe
) -> None:
    ids = {name: getattr(world, attr) if attr else world.host.user.username for name, attr in IDENTIFIERS.items()}
    version = {"/v2/schedules": SCHEDULES, "/v2/event-types": EVENT_TYPES, "/v2/slots": SLOTS, "/v2/bookings": BOOKINGS}
    for (method, template), operation in _operations(app).items():
        if (method, template) in EXCLUDED or not template.startswith("/v2/"):
            continue
        headers = {**world.auth, **next((v for prefix, v in version.items() if template.startswith(prefix)), {})}
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        names += QUERY_EXTRAS.get((method, template), [])
        for name in names:
            for payload in STRINGS:
                await probe.send(
                    f"query {name}",
                    method.upper(),
                    _fill(template, ids),
                    headers=headers,
                    params={name: payload},
                    may_write=method != "get",
                )
        for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]:
            assert name in IDENTIFIERS, f"path parameter {{{name}}} of {template} is not mapped in {__file__}"
            for payload in (*STRINGS, str(2**63), "../../../../etc/passwd"):
                path = _fill(template, {**ids, name: urllib.parse.quote(payload, safe="")})
                response = await probe.send(
                    f"path {name}={payload[:12]!r}",
                    method.upper(),
                    path,
                    headers=headers,
                    json_body={},
                    expect=(200, 400, 404) if (method, template) in EMPTY_WHEN_UNKNOWN else (400, 404),
                    may_write=False,
                )
                if response is not None and response.status_code == 200 and ok(response):
                    probe.failures.append(f"{method.upper()} {path}: an unknown {name} listed {ok(response)}")

    # an injected filter matches nothing: it is compared as text, not run as SQL
    for name in ("attendeeName", "attendeeEmail", "bookingUid"):
        response = await world.http.get(
            "/v2/bookings", params={name: "x' OR '1'='1"}, headers={**world.auth, **BOOKINGS}
        )
        assert ok(response) == [], f"{name}=' OR '1'='1 matched bookings"
    assert ok(await world.http.get("/v2/bookings", headers={**world.auth, **BOOKINGS})), "the host has bookings"
    print(f"query and path matrix: {probe.sent} requests")
    probe.report()


# -- the named hazards -------------------------------------------------------------------------------


def _body_operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(key for key, operation in _operations(app).items() if "requestBody" in operation)


async def test_oversized_bodies_are_a_clear_413_and_write_nothing(world: World, probe: Probe) -> None:
    big = json.dumps({"start": world.next_start(), "eventTypeId": world.event_type_id, "x": "a" * 1_100_000})

    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(12):
            yield b" " * 100_000

    declared = await probe.send("declared", "POST", "/v2/bookings", headers=BOOKINGS, content=big.encode())
    streamed = await world.http.patch(
        "/v2/me", content=chunked(), headers={**world.auth, "content-type": "application/json"}
    )

    assert declared is not None
    assert_error(declared, 413, "too large", "1000000 bytes")
    assert_error(streamed, 413, "too large")
    probe.report()


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_deeply_nested_json_is_a_clear_400_on_every_operation(app: FastAPI, world: World, probe: Probe) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000  # far past the parser's recursion limit
    ids = {name: getattr(world, attr) if attr else world.host.user.username for name, attr in IDENTIFIERS.items()}
    for method, template in _body_operations(app):
        response = await probe.send(
            "100,000 levels", method.upper(), _fill(template, ids), headers=world.auth, content=deep, expect=(400,)
        )
        if response is not None and "JSON" not in response.json()["error"]["message"]:
            probe.failures.append(f"{method} {template}: the message does not say the JSON is the problem")

    # Parseable but deep (300 levels) where free-form JSON is accepted: refused before it is stored, as
    # a stored value too deep to serialise would break every later listing of the host's bookings
    anonymous = {"start": world.next_start(), "eventTypeId": world.event_type_id, "metadata": {"k": _nested(300)}}
    anonymous["attendee"] = {"name": "Eve", "email": "eve@example.com", "timeZone": "UTC"}
    legacy = {**anonymous, "timeZone": "UTC", "responses": {"name": "Eve", "email": "eve@example.com"}}
    del legacy["attendee"]
    for label, method, path, headers, body in [
        ("booking metadata", "POST", "/v2/bookings", BOOKINGS, anonymous),
        ("legacy booking metadata", "POST", "/v2/bookings", {}, legacy),
        ("me metadata", "PATCH", "/v2/me", world.auth, {"metadata": {"k": _nested(300)}}),
    ]:
        response = await probe.send(label, method, path, headers=headers, content=json.dumps(body).encode())
        assert response is not None and response.status_code == 400, label
        assert_error(response, 400, "metadata")
    listing = await world.http.get("/v2/bookings", headers={**world.auth, **BOOKINGS})
    assert listing.status_code == 200 and ok(listing)
    probe.report()


async def test_invalid_utf8_is_a_clear_400_and_garbage_bytes_never_a_500(
    app: FastAPI, world: World, probe: Probe
) -> None:
    ids = {name: getattr(world, attr) if attr else world.host.user.username for name, attr in IDENTIFIERS.items()}
    for method, template in _body_operations(app):
        response = await probe.send(
            "invalid UTF-8",
            method.upper(),
            _fill(template, ids),
            headers=world.auth,
            content=b'{"name": "\xff\xfe\xc3\x28", "title": "\xed\xa0\x80"}',
            expect=(400,),
        )
        if response is not None and "JSON" not in response.json()["error"]["message"]:
            probe.failures.append(f"{method} {template}: the message does not say the body is not valid JSON")
    # bytes that are not UTF-8 in the query, the path and headers
    raw_query = httpx.URL("http://slotwise.test/v2/bookings").copy_with(query=b"attendeeName=%ff%fe&status=%c3%28")
    await probe.send("query", "GET", str(raw_query), headers={**world.auth, **BOOKINGS}, may_write=False)
    await probe.send("path", "GET", "/v2/bookings/%ff%fe", headers=BOOKINGS, expect=(400, 404), may_write=False)
    for header in ("cal-api-version", "x-request-id", "idempotency-key", "authorization"):
        await probe.send(
            f"header {header}", "GET", "/v2/schedules", headers={**world.auth, header: b"\xff\xfe"}, may_write=False
        )
    version = await world.http.get("/v2/schedules", headers={**world.auth, "cal-api-version": b"\xff\xfe"})
    assert_error(version, 400, "cal-api-version")
    probe.report()


ABSURD_DATES = ("0000-01-01T00:00:00Z", "9999-12-31T23:30:00Z", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z")


async def test_absurd_dates_and_year_ranges_are_a_clear_400_that_writes_nothing(world: World, probe: Probe) -> None:
    for moment in ABSURD_DATES:
        day = moment[: moment.index("T")]
        attendee = {"name": "Guest", "email": "guest@example.com", "timeZone": "UTC"}
        cases: list[tuple[str, str, dict[str, str], dict[str, Any] | None, dict[str, Any] | None]] = [
            (
                "POST",
                "/v2/bookings",
                BOOKINGS,
                {"start": moment, "eventTypeId": world.event_type_id, "attendee": attendee},
                None,
            ),
            (
                "POST",
                f"/v2/bookings/{world.booking_uid}/reschedule",
                BOOKINGS,
                {"start": moment},
                None,
            ),
            ("POST", "/v2/slots/reservations", SLOTS, {"eventTypeId": world.event_type_id, "slotStart": moment}, None),
            (
                "POST",
                "/v2/schedules",
                {**world.auth, **SCHEDULES},
                {
                    "name": "Far",
                    "timeZone": "UTC",
                    "isDefault": False,
                    "overrides": [{"date": day, "startTime": "09:00", "endTime": "10:00"}],
                },
                None,
            ),
            ("GET", "/v2/slots", SLOTS, None, {"eventTypeId": world.event_type_id, "start": day, "end": day}),
            (
                "GET",
                "/v2/slots/available",
                {},
                None,
                {"eventTypeId": world.event_type_id, "startTime": moment, "endTime": moment},
            ),
            ("GET", "/v2/bookings", {**world.auth, **BOOKINGS}, None, {"afterStart": moment}),
        ]
        for method, path, headers, body, params in cases:
            await probe.send(
                f"date {moment}", method, path, headers=headers, json_body=body, params=params, expect=(400,)
            )
    # ranges of years, and dates that do not exist
    for params in (
        {"start": "2031-01-01", "end": "2041-01-01"},
        {"start": "1970-01-01", "end": "2999-12-31"},
        {"start": "2031-02-30", "end": "2031-03-01"},
        {"start": "2031-06-10", "end": "2031-06-01"},
    ):
        await probe.send(
            f"range {params}",
            "GET",
            "/v2/slots",
            headers=SLOTS,
            params={"eventTypeId": world.event_type_id, **params},
            expect=(400,),
        )
    years = await world.http.get(
        "/v2/slots",
        headers=SLOTS,
        params={"eventTypeId": world.event_type_id, "start": "2031-01-01", "end": "2041-01-01"},
    )
    assert_error(years, 400, "start", "end")
    probe.report()


MISSING_ZONES = (
    "Mars/Olympus_Mons",
    "../../../../etc/passwd",
    "/etc/localtime",
    "UTC+25",
    "Europe/Berlin\x00",
    "A" * 5000,
    "",
)


async def test_time_zones_that_do_not_exist_are_a_clear_400_that_writes_nothing(world: World, probe: Probe) -> None:
    for zone in MISSING_ZONES:
        attendee = {"name": "Guest", "email": "guest@example.com", "timeZone": zone}
        cases: list[tuple[str, str, dict[str, str], dict[str, Any] | None, dict[str, Any] | None]] = [
            ("PATCH", "/v2/me", world.auth, {"timeZone": zone}, None),
            (
                "POST",
                "/v2/schedules",
                {**world.auth, **SCHEDULES},
                {"name": "X", "timeZone": zone, "isDefault": False},
                None,
            ),
            ("PATCH", f"/v2/schedules/{world.schedule_id}", {**world.auth, **SCHEDULES}, {"timeZone": zone}, None),
            (
                "POST",
                "/v2/schedules",
                world.auth,
                {"name": "X", "timeZone": zone, "isDefault": False, "availabilities": []},
                None,
            ),
            (
                "POST",
                "/v2/bookings",
                BOOKINGS,
                {"start": world.next_start(), "eventTypeId": world.event_type_id, "attendee": attendee},
                None,
            ),
            (
                "POST",
                "/v2/bookings",
                {},
                {
                    "start": world.next_start(),
                    "eventTypeId": world.event_type_id,
                    "timeZone": zone,
                    "language": "en",
                    "metadata": {},
                    "responses": {"name": "G", "email": "g@example.com"},
                },
                None,
            ),
            (
                "GET",
                "/v2/slots",
                SLOTS,
                None,
                {"eventTypeId": world.event_type_id, "start": "2031-06-02", "end": "2031-06-03", "timeZone": zone},
            ),
            (
                "GET",
                "/v2/slots/available",
                {},
                None,
                {
                    "eventTypeId": world.event_type_id,
                    "startTime": "2031-06-02T00:00:00Z",
                    "endTime": "2031-06-03T00:00:00Z",
                    "timeZone": zone,
                },
            ),
        ]
        for method, path, headers, body, params in cases:
            await probe.send(
                f"timeZone={zone[:20]!r}", method, path, headers=headers, json_body=body, params=params, expect=(400,)
            )
    response = await world.http.patch("/v2/me", headers=world.auth, json={"timeZone": "Mars/Olympus_Mons"})
    assert_error(response, 400, "timeZone", "Mars/Olympus_Mons")
    probe.report()


async def test_take_of_a_million_and_out_of_range_paging_are_a_clear_400_on_every_list(
    app: FastAPI, world: World, probe: Probe
) -> None:
    ids = {name: getattr(world, attr) if attr else world.host.user.username for name, attr in IDENTIFIERS.items()}
    paged = [
        template
        for (method, template), operation in _operations(app).items()
        if method == "get" and any(p["name"] == "take" for p in operation.get("parameters", []))
    ]
    paged.append("/v2/bookings")  # reads its query itself
    assert len(paged) >= 4, paged
    for template in paged:
        headers = {**world.auth, **(BOOKINGS if template == "/v2/bookings" else {})}
        for params in ({"take": 1_000_000}, {"take": 10**30}, {"take": 0}, {"skip": -1}, {"skip": 10**30}):
            response = await probe.send(
                f"{params}", "GET", _fill(template, ids), headers=headers, params=params, expect=(400,), may_write=False
            )
            if response is not None and response.status_code == 400:
                assert_error(response, 400, next(iter(params)))
    probe.report()
