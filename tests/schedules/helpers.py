"""Shared bits of the schedules tests (the spec's schedule defects are repaired in
``tests.support.spec_errata``)."""

from __future__ import annotations

from typing import Any

from tests.support.contract import assert_contract

CURRENT = {"cal-api-version": "2024-06-11"}
LATER = {"cal-api-version": "2025-01-01"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SEED_BODY: dict[str, Any] = {
    "name": "Working Hours",
    "timeZone": "America/New_York",
    "isDefault": True,
    "availability": [{"days": [1, 2, 3, 4, 5], "startTime": "09:00", "endTime": "17:00"}],
}


def headers(account: Any, version: dict[str, str] | None = None) -> dict[str, str]:
    return {**account.headers, **(version or {})}


__all__ = ["CURRENT", "LATER", "SEED_BODY", "WEEKDAYS", "assert_contract", "headers"]
