"""Validate our responses against Cal.com's own OpenAPI document (``../shared/spec``).

``assert_contract(response)`` finds the operation by method and path, picks the documented response
for the status code and validates the body. Errors we answer with statuses the spec does not list are
checked against Cal.com's error envelope instead. Without the spec file (an end user's checkout) the
check skips visibly; in CI (``CI=true``) a missing spec is a failure.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from openapi_schema_validator import OAS30Validator

from tests.support.spec_errata import repair

SPEC_PATH = Path(
    os.environ.get(
        "SLOTWISE_SPEC_PATH",
        Path(__file__).resolve().parents[3] / "shared" / "spec" / "calcom-openapi-v2.json",
    )
)

ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["status", "timestamp", "path", "error"],
    "properties": {
        "status": {"enum": ["error"]},
        "timestamp": {"type": "string"},
        "path": {"type": "string"},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "minLength": 1},
                "details": {"type": "object"},
            },
        },
    },
}


@functools.cache
def load_spec() -> dict[str, Any] | None:
    """Cal.com's spec with the defects listed in ``spec_errata`` repaired (and nothing else)."""
    if not SPEC_PATH.exists():
        return None
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return repair(spec)


def _require_spec() -> dict[str, Any]:
    spec = load_spec()
    if spec is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"contract spec missing at {SPEC_PATH} (required in CI)")
        pytest.skip(f"contract checks skipped: Cal.com spec not found at {SPEC_PATH}")
    return spec


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    spec = load_spec() or {"paths": {}}
    compiled = []
    for template in spec["paths"]:
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template)) + "$"
        compiled.append((re.compile(pattern), template))
    # literal paths (e.g. /v2/schedules/default) win over templated ones
    compiled.sort(key=lambda item: item[1].count("{"))
    return compiled


def spec_template(path: str) -> str | None:
    if path.startswith("/api/v2/"):
        path = path[len("/api") :]
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return None


def _validate(schema: dict[str, Any], body: Any, spec: dict[str, Any], where: str) -> None:
    rooted = {**schema, "components": spec.get("components", {})}
    errors = sorted(OAS30Validator(rooted).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"- at {'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors[:8]]
        raise AssertionError(f"{where}: response does not match the spec:\n" + "\n".join(lines))


def assert_contract(response: httpx.Response, *, template: str | None = None) -> None:
    """Fail unless ``response`` is what Cal.com's spec documents for its operation and status."""
    spec = _require_spec()
    method = response.request.method.lower()
    path = response.request.url.path
    template = template or spec_template(path)
    where = f"{method.upper()} {path} -> {response.status_code}"
    assert template is not None, f"{where}: no such path in Cal.com's spec"
    operation = spec["paths"][template].get(method)
    assert operation is not None, f"{where}: method not in Cal.com's spec for {template}"
    documented = operation.get("responses", {})
    status = str(response.status_code)
    body = response.json() if response.content else None
    if status in documented:
        content = documented[status].get("content", {}).get("application/json")
        if content and "schema" in content:
            _validate(content["schema"], body, spec, where)
        return
    assert response.status_code >= 400, f"{where}: success status not documented ({sorted(documented)})"
    _validate(ERROR_ENVELOPE, body, spec, where)


def assert_error(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    """The response is ``status`` in Cal.com's error envelope and its message names ``fragments``."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    assert body["status"] == "error", body
    assert body["path"], body
    message: str = body["error"]["message"]
    for fragment in fragments:
        assert fragment.lower() in message.lower(), f"{fragment!r} not in error message {message!r}"
    assert response.headers.get("x-request-id"), "errors carry X-Request-Id"
    return body


def bare_app(*inner_middleware: tuple[Any, dict[str, Any]]) -> Any:
    """A FastAPI app with only our error handling (and ``inner_middleware`` inside the request-id
    middleware), for testing shared HTTP pieces in isolation."""
    from fastapi import FastAPI

    from slotwise.http.errors import install_error_handlers
    from slotwise.http.middleware import RequestIdMiddleware

    app = FastAPI()
    install_error_handlers(app)
    for middleware, options in inner_middleware:
        app.add_middleware(middleware, **options)
    app.add_middleware(RequestIdMiddleware)
    return app
