"""A host with Mon-Fri 09:00-17:00 Europe/Rome working hours and event types to book.

2050-09-05 is a Monday; Rome is UTC+2 then, so 09:00 local is 07:00Z and the last hourly slot of a
day starts at 14:00Z.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
from openapi_schema_validator import OAS30Validator

from slotwise.db import Database
from slotwise.event_types.models import EventType
from slotwise.users.models import User
from tests.conftest import Account, MakeAccount
from tests.support.contract import _require_spec
from tests.support.schedules import give_schedule

V = {"cal-api-version": "2024-08-13"}
MONDAY = "2050-09-05"
NINE = "2050-09-05T07:00:00.000Z"  # 09:00 in Rome
TEN = "2050-09-05T08:00:00.000Z"
ELEVEN = "2050-09-05T09:00:00.000Z"


@dataclass
class Host:
    account: Account
    event_type_id: int  # 60 minutes

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers

    @property
    def v(self) -> dict[str, str]:
        return {**self.account.headers, **V}

    @property
    def user(self) -> User:
        return self.account.user

    @property
    def username(self) -> str:
        return self.account.user.username


MakeHost = Callable[..., Awaitable[Host]]
AddEventType = Callable[..., Awaitable[int]]


async def insert_event_type(db: Database, owner_id: int, slug: str, length: int = 60, **columns: Any) -> int:
    values: dict[str, Any] = {
        "title": slug.replace("-", " ").title(),
        "locations": [{"type": "integration", "integration": "cal-video"}],
        "booking_fields": [],
        "minimum_booking_notice": 120,
        "settings": {},
        "event_metadata": {},
        **columns,
    }
    async with db.session() as session:
        event_type = EventType(owner_id=owner_id, slug=slug, length=length, **values)
        session.add(event_type)
        await session.commit()
        return event_type.id


@pytest.fixture
def make_host(db: Database, make_account: MakeAccount) -> MakeHost:
    async def factory(username: str = "alice", *, time_zone: str = "Europe/Rome") -> Host:
        account = await make_account(username, time_zone=time_zone)
        await give_schedule(db, account.user.id, time_zone)
        return Host(account=account, event_type_id=await insert_event_type(db, account.user.id, "sixty", 60))

    return factory


@pytest.fixture
async def host(make_host: MakeHost) -> Host:
    return await make_host()


@pytest.fixture
def add_event_type(db: Database) -> AddEventType:
    async def factory(host: Host, slug: str, length: int = 60, **columns: Any) -> int:
        return await insert_event_type(db, host.user.id, slug, length, **columns)

    return factory


def attendee(
    name: str = "John Doe", email: str = "john@example.com", time_zone: str = "America/New_York"
) -> dict[str, Any]:
    return {"name": name, "email": email, "timeZone": time_zone}


async def book(
    client: httpx.AsyncClient,
    event_type_id: int,
    start: str = NINE,
    *,
    headers: dict[str, str] | None = None,
    expect: int | None = 201,
    **fields: Any,
) -> httpx.Response:
    body = {"start": start, "eventTypeId": event_type_id, "attendee": fields.pop("attendee", attendee()), **fields}
    response = await client.post("/v2/bookings", json=body, headers=headers if headers is not None else V)
    if expect is not None:
        assert response.status_code == expect, response.text
    return response


def assert_schema(body: Any, component: str) -> None:
    """Validate against one named component of Cal.com's spec: for the responses whose documented
    ``oneOf`` can't tell a recurring occurrence (a superset of ``BookingOutput_2024_08_13``) apart."""
    spec = _require_spec()
    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    errors = list(OAS30Validator(schema).iter_errors(body))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]]


def item_component(item: dict[str, Any]) -> str:
    seated = any("seatUid" in attendee for attendee in item.get("attendees", []))
    recurring = "recurringBookingUid" in item
    if seated:
        return "GetRecurringSeatedBookingOutput_2024_08_13" if recurring else "GetSeatedBookingOutput_2024_08_13"
    return "RecurringBookingOutput_2024_08_13" if recurring else "BookingOutput_2024_08_13"


def assert_list_contract(response: httpx.Response) -> None:
    """``GetBookingsOutput_2024_08_13``, each item against its own component: the spec's ``oneOf``
    can't accept a recurring occurrence, which also matches ``BookingOutput_2024_08_13``."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert_schema({**body, "data": []}, "GetBookingsOutput_2024_08_13")
    for item in body["data"]:
        assert_schema(item, item_component(item))
