"""Our OpenAPI document: Cal.com's error envelope on every operation, the statuses we really answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from slotwise.http.routing import LazyResponseRoute

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "timestamp", "path", "error"],
    "properties": {
        "status": {"type": "string", "enum": ["error"]},
        "timestamp": {"type": "string", "format": "date-time"},
        "path": {"type": "string"},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "BadRequestException"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
                "requestId": {"type": "string"},
            },
        },
    },
}

COMMON_ERRORS = {
    "400": "Invalid request: the message names each offending field",
    "401": "Missing, malformed, unknown, expired or revoked API key",
    "404": "Not found",
    "405": "Method not allowed",
    "413": "Request body too large",
    "429": "Too many requests (see Retry-After)",
    "503": "Database unavailable; retry shortly",
}
WRITE_ERRORS = {
    "403": "The resource belongs to someone else",
    "409": "Conflicts with existing data, or the same Idempotency-Key is still in flight",
    "422": "Idempotency-Key reused with a different request, or the request cannot be processed",
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}

# Request bodies that routes read by hand are documented from their models' JSON schemas, inlined. Generating
# those costs some 40 ms, so it waits for the OpenAPI document, which FastAPI too builds on its first request.
_BODY_MARK = "x-slotwise-request-body"
_REQUEST_BODIES: dict[str, Callable[[], dict[str, Any]]] = {}


def documented_body(*models: type[BaseModel], description: str = "", required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for an operation that reads its JSON body by hand: the body is one of ``models``
    (inlined, no components); the schema is rendered when the OpenAPI document is built."""

    def render() -> dict[str, Any]:
        schemas = [_inline(model.model_json_schema(mode="validation")) for model in models]
        schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
        return {"required": required, "description": description, "content": {"application/json": {"schema": schema}}}

    key = str(len(_REQUEST_BODIES))
    _REQUEST_BODIES[key] = render
    return {_BODY_MARK: key}


def _inline(schema: dict[str, Any]) -> Any:
    """``schema`` with its ``$defs`` references replaced by the definitions themselves."""
    definitions = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
    }


def _add_errors(operation: dict[str, Any], method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # FastAPI's default; we answer validation errors with 400
    errors = dict(COMMON_ERRORS)
    if method != "get":
        errors |= WRITE_ERRORS
    else:
        errors["403"] = WRITE_ERRORS["403"]
    for status, description in errors.items():
        responses.setdefault(status, _error_response(description))


def _hand_read_parameters(dependant: Dependant) -> list[dict[str, Any]]:
    """The ``openapi_parameter`` of each dependency in the tree that reads a parameter by hand (the
    ``cal-api-version`` header): FastAPI cannot see those."""
    found: list[dict[str, Any]] = []
    for dependency in dependant.dependencies:
        parameter = getattr(dependency.call, "openapi_parameter", None)
        if parameter is not None and parameter not in found:
            found.append(parameter)
        found += [nested for nested in _hand_read_parameters(dependency) if nested not in found]
    return found


def _add_hand_read_parameters(path_item: dict[str, Any], route: APIRoute) -> None:
    """Where FastAPI would have put them: after the parameters it documents itself, before the route's
    ``openapi_extra`` ones (which FastAPI appends)."""
    hand_read = _hand_read_parameters(route.dependant)
    if not hand_read:
        return
    extra = len((route.openapi_extra or {}).get("parameters", []))
    for method in route.methods or ():
        operation = path_item[method.lower()]
        parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
        parameters[len(parameters) - extra : len(parameters) - extra] = hand_read


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        for route in app.routes:
            if isinstance(route, LazyResponseRoute):
                route.build_response_field()
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for route in app.routes:
            if isinstance(route, APIRoute) and route.include_in_schema:
                _add_hand_read_parameters(schema["paths"][route.path_format], route)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorEnvelope"] = ERROR_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method in HTTP_METHODS:
                    if _BODY_MARK in operation:
                        body = _REQUEST_BODIES[operation.pop(_BODY_MARK)]()
                        # as get_openapi writes the rest of the document
                        operation["requestBody"] = jsonable_encoder(body, exclude_none=True)
                    _add_errors(operation, method)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
