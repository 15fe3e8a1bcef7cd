"""Request bodies read by hand: one path serves several shapes, picked by version and content.

FastAPI's declared body would validate against one model before the route could look at the
``cal-api-version`` header, so the routes take the raw JSON and validate it here; errors read like
the declared ones (a 400 naming each field), and the documented schema is added with
:func:`slotwise.http.openapi.documented_body`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from slotwise.http.errors import bad_request, describe_validation_errors

Model = TypeVar("Model", bound=BaseModel)


async def json_body(request: Request) -> Any:
    """The request's JSON, or ``None`` for an empty body; a 400 when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise bad_request(
            f"Invalid request: request body is not valid JSON ({exc}); send a JSON object.",
            errors=[{"location": "body", "property": "", "message": "invalid JSON"}],
        ) from None
    if (where := _nul_at(value)) is not None:
        # PostgreSQL stores such text in JSON columns but not in the bookings' text columns, so an
        # accepted customName with a NUL would make every later booking of the event type fail
        raise bad_request(f"Invalid request: body field '{where}' contains a NUL (\\u0000) character; remove it.")
    return value


def _nul_at(value: Any) -> str | None:
    """The dotted path of the first text (key or value) in ``value`` holding a NUL character."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return path or "body"
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if "\x00" in key:
                    return child_path
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))
    return None


def validate_body(model: type[Model], raw: Any, *, renamed: Mapping[str, str] | None = None) -> Model:
    """``raw`` as ``model``, or a 400 naming each field; ``renamed`` maps field names back to the
    names the caller used (legacy bodies are translated before validation)."""
    if raw is None:
        raise bad_request("Invalid request: the request body is missing; send a JSON object.")
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid request: the request body must be a JSON object, got {type(raw).__name__}.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False, include_context=False):
            loc = list(error["loc"])
            if loc and renamed and loc[0] in renamed:
                loc[0] = renamed[str(loc[0])]
            errors.append({**error, "loc": ("body", *loc)})
        message, items = describe_validation_errors(errors)
        raise bad_request(message, errors=items) from None
