"""Slots responses checked against Cal.com's spec (with its defects repaired in
``tests.support.spec_errata``), returning the body for further assertions."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.support.contract import assert_contract


def assert_slots_contract(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert_contract(response)
    body: dict[str, Any] = response.json()
    return body


def assert_reserved_slot_contract(response: httpx.Response) -> dict[str, Any]:
    return assert_slots_contract(response)
