"""Contract checks for webhook responses.

Cal.com's spec documents two webhook output fields in a way no real Cal.com response matches:

* ``triggers`` is typed ``array`` of ``object``; Cal.com returns (and its own create example sends)
  trigger names, i.e. strings. We validate them as strings of the spec's trigger enum (plus
  BOOKING_CONFIRMED, which Slotwise also fires).
* ``payloadTemplate`` is a required, non-nullable string; Cal.com returns ``null`` when unset (the
  legacy-compat notes pin that). We validate it as a nullable string.

Everything else (envelope, ids as numbers, required fields) is checked against the spec unchanged.
The delivery-log operations are Slotwise extensions with no spec entry: ``assert_our_contract``
validates them against the OpenAPI document the server itself publishes at ``/v2/docs-json``.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

import httpx2 as httpx
from openapi_schema_validator import OAS31Validator

from slotwise.webhooks.schemas import TRIGGERS
from tests.support.contract import _require_spec, _validate, assert_contract, spec_template

OUTPUTS = ("UserWebhookOutputDto", "EventTypeWebhookOutputDto")


@functools.cache
def _patched_spec() -> dict[str, Any]:
    spec = copy.deepcopy(_require_spec())
    for name in OUTPUTS:
        properties = spec["components"]["schemas"][name]["properties"]
        properties["triggers"]["items"] = {"type": "string", "enum": list(TRIGGERS)}
        properties["payloadTemplate"]["nullable"] = True
    return spec


def assert_webhook_contract(response: httpx.Response) -> dict[str, Any]:
    """``assert_contract`` for the spec's webhook operations, with the two corrections above."""
    if response.status_code >= 400:
        assert_contract(response)
        body: dict[str, Any] = response.json()
        return body
    spec = _patched_spec()
    method = response.request.method.lower()
    path = response.request.url.path
    template = spec_template(path)
    where = f"{method.upper()} {path} -> {response.status_code}"
    assert template is not None, f"{where}: no such path in Cal.com's spec"
    documented = spec["paths"][template][method]["responses"]
    assert str(response.status_code) in documented, f"{where}: status not documented ({sorted(documented)})"
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    body = response.json()
    _validate(schema, body, spec, where)
    return body


_OUR_OPENAPI: dict[str, Any] = {}


async def assert_our_contract(client: httpx.AsyncClient, response: httpx.Response) -> dict[str, Any]:
    """Validate ``response`` against our own published OpenAPI (for the Slotwise extensions)."""
    if not _OUR_OPENAPI:  # the same document for every app of this code base: fetch it once
        docs = await client.get("/v2/docs-json")
        assert docs.status_code == 200, docs.text
        _OUR_OPENAPI.update(docs.json())
    document = _OUR_OPENAPI
    method = response.request.method.lower()
    path = response.request.url.path
    operation = None
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in item:
            operation = item[method]
            break
    where = f"{method.upper()} {path} -> {response.status_code}"
    assert operation is not None, f"{where}: not in our OpenAPI"
    documented = operation["responses"]
    assert str(response.status_code) in documented, f"{where}: status not in our OpenAPI ({sorted(documented)})"
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    body: dict[str, Any] = response.json()
    rooted = {**copy.deepcopy(schema), "components": document.get("components", {})}
    errors = list(OAS31Validator(rooted).iter_errors(body))
    assert not errors, f"{where}: " + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])
    return body
