"""Defects in Cal.com's published OpenAPI document that no real response can satisfy, repaired.

Each function fixes one documented defect in a copy of the spec and nothing else, so every other part
of the contract is still checked as published. Found while validating Cal.com-shaped responses (and
the payloads Cal.com's own e2e tests expect) against it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REF = "#/components/schemas/"
HH_MM = r"^([01]\d|2[0-3]):([0-5]\d)$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def array_enums_and_time_patterns(spec: dict[str, Any]) -> None:
    """Schedules: the weekday ``enum`` sits on the *array* (so ``["Monday"]`` is "not one of" the
    names) and ``HH:MM`` times carry the literal pattern ``"TIME_FORMAT_HH_MM"``."""

    def visit(node: dict[str, Any]) -> None:
        if node.get("type") == "array" and "enum" in node and "items" in node:
            del node["enum"]
        if node.get("pattern") == "TIME_FORMAT_HH_MM":
            node["pattern"] = HH_MM

    _walk(spec["components"], visit)


def event_type_output(spec: dict[str, Any]) -> None:
    """Event types: ``isDefault`` and ``slotInterval`` typed as objects, ``bookingWindow`` as an array,
    ``seats`` without its ``{"disabled": true}`` form, ``users`` as strings, overlapping ``oneOf``
    lists (every location matches the bare ``{type}`` schema) and nullable ``allOf`` members."""
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith("FieldOutput_2024_06_14") and "isDefault" in schema.get("properties", {}):
            schema["properties"]["isDefault"] = {"type": "boolean"}
    schemas["EmailDefaultFieldOutput_2024_06_14"]["properties"]["required"] = {"type": "boolean"}
    schemas["CalVideoSettings"]["properties"]["redirectUrlOnExit"] = {"type": "string", "nullable": True}
    output = schemas["EventTypeOutput_2024_06_14"]["properties"]
    output["slotInterval"] = {"type": "number", "nullable": True}
    output["recurrence"] = {"anyOf": [_ref("Recurrence_2024_06_14"), {"nullable": True, "enum": [None]}]}
    output["forwardParamsSuccessRedirect"] = {"type": "boolean", "nullable": True}
    output["successRedirectUrl"] = {"type": "string", "nullable": True}
    windows = ("BusinessDaysWindow", "CalendarDaysWindow", "RangeWindow", "Disabled")
    output["bookingWindow"] = {"anyOf": [_ref(f"{name}_2024_06_14") for name in windows]}
    output["seats"] = {"anyOf": [_ref("Seats_2024_06_14"), _ref("Disabled_2024_06_14")]}
    output["users"] = {"type": "array", "items": {"type": "object", "required": ["id", "username"]}}
    for key in ("locations", "bookingFields"):
        output[key]["items"] = {"anyOf": output[key]["items"]["oneOf"]}


def slots_envelope(spec: dict[str, Any]) -> None:
    """``GET /v2/slots`` 200: the ``oneOf`` describes ``data`` (the date -> slots map), not the body."""
    content = spec["paths"]["/v2/slots"]["get"]["responses"]["200"]["content"]["application/json"]
    data_schema = content["schema"]
    content["schema"] = {
        "type": "object",
        "required": ["status", "data"],
        "additionalProperties": False,
        "properties": {"status": {"type": "string", "enum": ["success"]}, "data": data_schema},
    }


def reserved_slot_output(spec: dict[str, Any]) -> None:
    """``GetReservedSlotOutput_2024_09_04.data`` refers to itself. The real ``data`` is the reservation
    without ``reservationDuration``, or null for an unknown uid."""
    schemas = spec["components"]["schemas"]
    reservation = {**schemas["ReserveSlotOutput_2024_09_04"]}
    reservation["required"] = [f for f in reservation["required"] if f != "reservationDuration"]
    schemas["ReservedSlotOutput_2024_09_04"] = {**reservation, "nullable": True}
    schemas["GetReservedSlotOutput_2024_09_04"]["properties"]["data"] = _ref("ReservedSlotOutput_2024_09_04")


ERRATA: tuple[Callable[[dict[str, Any]], None], ...] = (
    array_enums_and_time_patterns,
    event_type_output,
    slots_envelope,
    reserved_slot_output,
)


def repair(spec: dict[str, Any]) -> dict[str, Any]:
    for erratum in ERRATA:
        erratum(spec)
    return spec
