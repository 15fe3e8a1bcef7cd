"""Pydantic field types shared by every schedule request shape (current and legacy).

Their JSON schemas are the ones Cal.com documents (weekday names, ``HH:MM``), while validation is
as tolerant as real clients need (day numbers 0-6, ``24:00`` as an end, ``H:MM``).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from slotwise.schedules import rules

HH_MM_PATTERN = r"^([01]\d|2[0-3]):([0-5]\d)$"

Day = Annotated[
    int | str,
    BeforeValidator(rules.parse_day),
    WithJsonSchema({"type": "string", "enum": list(rules.DAY_NAMES[1:] + rules.DAY_NAMES[:1])}),
]
StartClock = Annotated[
    str,
    BeforeValidator(rules.parse_clock),
    WithJsonSchema({"type": "string", "pattern": HH_MM_PATTERN, "example": "09:00"}),
]
EndClock = Annotated[
    str,
    BeforeValidator(partial(rules.parse_clock, end=True)),
    WithJsonSchema({"type": "string", "pattern": HH_MM_PATTERN, "example": "17:00"}),
]
IsoDate = Annotated[
    str,
    BeforeValidator(rules.parse_date),
    WithJsonSchema({"type": "string", "format": "date", "example": "2024-05-20"}),
]


def optional_not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` for request models: optional fields are documented as their type, not
    as ``anyOf [type, null]`` (Cal.com's spec has no nulls there; a null is read as "not sent")."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if isinstance(options, list):
            rest = [option for option in options if option != {"type": "null"}]
            if len(rest) == 1 and len(rest) < len(options):
                del prop["anyOf"]
                prop.update(rest[0])
