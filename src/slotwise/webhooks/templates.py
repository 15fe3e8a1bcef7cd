"""``payloadTemplate``: ``{{variables}}`` over the event, as Cal.com renders custom payloads.

Variables are the payload's fields plus ``triggerEvent`` and ``createdAt``; dotted paths reach into
objects and lists (``{{organizer.name}}``, ``{{attendees.0.email}}``). A missing variable renders as
an empty string; objects and lists render as JSON.

* A template that is JSON (``{"name": "{{title}}"}``) is rendered value by value, so quotes or
  newlines in a booking's title cannot break it, and sent as ``application/json``.
* Any other template is rendered as text. If the result is JSON it is sent as JSON, otherwise as
  ``application/x-www-form-urlencoded`` (what Cal.com does for non-JSON templates).
"""

from __future__ import annotations

import json
import re
from typing import Any

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

# {{{name}}} (Handlebars' unescaped form) or {{name}}
_VARIABLE = re.compile(r"\{\{\{\s*([^{}]+?)\s*\}\}\}|\{\{\s*([^{}]+?)\s*\}\}")


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def lookup(context: Any, path: str) -> Any:
    """The value at a dotted ``path`` (``attendees.0.email``), or None."""
    value = context
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is None:
            return None
    return value


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, bool)):
        return dumps(value)
    return str(value)


def render_text(template: str, context: dict[str, Any]) -> str:
    return _VARIABLE.sub(lambda match: as_text(lookup(context, match.group(1) or match.group(2))), template)


def _render_json(node: Any, context: dict[str, Any]) -> Any:
    if isinstance(node, str):
        return render_text(node, context)
    if isinstance(node, list):
        return [_render_json(item, context) for item in node]
    if isinstance(node, dict):
        return {render_text(key, context): _render_json(value, context) for key, value in node.items()}
    return node


def render(template: str, context: dict[str, Any]) -> tuple[bytes, str]:
    """The body and ``Content-Type`` that ``template`` gives for ``context``."""
    try:
        parsed = json.loads(template)
    except ValueError:
        text = render_text(template, context)
        try:
            return dumps(json.loads(text)).encode(), JSON
        except ValueError:
            return text.encode(), FORM
    return dumps(_render_json(parsed, context)).encode(), JSON


def template_context(body: dict[str, Any]) -> dict[str, Any]:
    """What a template sees: the payload's fields plus ``triggerEvent`` and ``createdAt``."""
    payload = body.get("payload")
    context: dict[str, Any] = dict(payload) if isinstance(payload, dict) else {}
    context["triggerEvent"] = body.get("triggerEvent")
    context["createdAt"] = body.get("createdAt")
    return context
