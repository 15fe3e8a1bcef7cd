"""A small world made through the API (a host with working hours, an event type, bookings, a hold,
webhooks and a delivery), and a fingerprint of every table to prove that a request wrote nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from sqlalchemy import String, cast, func, literal, select, union_all

from slotwise.db import Database
from slotwise.models import Base
from tests.conftest import Account

SCHEDULES = {"cal-api-version": "2024-06-11"}
EVENT_TYPES = {"cal-api-version": "2024-06-14"}
SLOTS = {"cal-api-version": "2024-09-04"}
BOOKINGS = {"cal-api-version": "2024-08-13"}
# Mon 2031-06-02 .. Fri 2031-06-27: four working weeks of 30-minute slots, 09:00-17:00 UTC
FIRST_DAY, LAST_DAY = "2031-06-02", "2031-06-27"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()["data"]


@dataclass
class World:
    http: httpx.AsyncClient
    host: Account
    event_type_id: int
    event_type_slug: str
    schedule_id: int
    webhook_id: int
    event_type_webhook_id: int
    delivery_id: str
    booking_uid: str
    reservation_uid: str
    free: Iterator[str] = field(repr=False)

    @property
    def auth(self) -> dict[str, str]:
        return self.host.headers

    def next_start(self) -> str:
        """A slot nobody has booked or held yet."""
        try:
            return next(self.free)
        except StopIteration:
            raise AssertionError(f"the world ran out of free slots between {FIRST_DAY} and {LAST_DAY}") from None

    async def book(self, start: str | None = None) -> str:
        body = {
            "start": start or self.next_start(),
            "eventTypeId": self.event_type_id,
            "attendee": {"name": "Guest", "email": "guest@example.com", "timeZone": "Europe/Berlin"},
        }
        return str(ok(await self.http.post("/v2/bookings", json=body, headers=BOOKINGS), 201)["uid"])

    async def hold(self) -> str:
        body = {"eventTypeId": self.event_type_id, "slotStart": self.next_start()}
        return str(ok(await self.http.post("/v2/slots/reservations", json=body, headers=SLOTS), 201)["reservationUid"])


async def make_world(
    http: httpx.AsyncClient,
    host: Account,
    *,
    hook_url: str = "http://127.0.0.1:9/hook",
    trigger: str = "BOOKING_CREATED",
    time_zone: str = "UTC",
) -> World:
    """The host's world; its two webhooks (the host's and the event type's) post ``trigger`` to
    ``hook_url``."""
    auth = host.headers
    schedule = ok(
        await http.post(
            "/v2/schedules",
            headers={**auth, **SCHEDULES},
            json={"name": "Working hours", "timeZone": time_zone, "isDefault": True},
        ),
        201,
    )
    event_type = ok(
        await http.post(
            "/v2/event-types",
            headers={**auth, **EVENT_TYPES},
            json={"title": "Call", "slug": "call", "lengthInMinutes": 30, "minimumBookingNotice": 0},
        ),
        201,
    )
    days = ok(
        await http.get(
            "/v2/slots",
            headers=SLOTS,
            params={"eventTypeId": event_type["id"], "start": FIRST_DAY, "end": LAST_DAY},
        )
    )
    starts = iter([slot["start"] for day in sorted(days) for slot in days[day]])
    hook = {"subscriberUrl": hook_url, "triggers": [trigger], "active": True}
    webhook = ok(await http.post("/v2/webhooks", headers=auth, json=hook), 201)
    event_type_webhook = ok(
        await http.post(f"/v2/event-types/{event_type['id']}/webhooks", headers=auth, json=hook), 201
    )
    await http.post(f"/v2/webhooks/{webhook['id']}/ping", headers=auth)  # the delivery log gets a row
    deliveries = ok(await http.get(f"/v2/webhooks/{webhook['id']}/deliveries", headers=auth))
    world = World(
        http=http,
        host=host,
        event_type_id=event_type["id"],
        event_type_slug=event_type["slug"],
        schedule_id=schedule["id"],
        webhook_id=webhook["id"],
        event_type_webhook_id=event_type_webhook["id"],
        delivery_id=deliveries[0]["id"],
        booking_uid="",
        reservation_uid="",
        free=starts,
    )
    world.booking_uid = await world.book()
    world.reservation_uid = await world.hold()
    return world


async def fingerprint(db: Database) -> dict[str, tuple[int, str | None]]:
    """Per table: its row count and newest ``updated_at`` (else ``created_at``), in one query. Equal
    fingerprints before and after a request mean it inserted, deleted and updated nothing."""
    parts = []
    for table in Base.metadata.sorted_tables:
        stamp = table.c.get("updated_at")
        if stamp is None:
            stamp = table.c.get("created_at")
        newest = cast(func.max(stamp), String) if stamp is not None else cast(literal(None), String)
        parts.append(select(literal(table.name).label("name"), func.count().label("rows"), newest.label("newest")))
        parts[-1] = parts[-1].select_from(table)
    async with db.engine.connect() as connection:
        rows = (await connection.execute(union_all(*parts))).all()
    return {row.name: (row.rows, row.newest) for row in rows}
