"""The booking form: Cal.com's default questions around an event type's custom ones.

Stored apart: ``EventType.booking_fields`` holds the custom questions only
(``{type, slug, label, required, hidden, placeholder?, options?, disableOnPrefill?}``), and
``EventType.settings["bookingFieldOverrides"]`` holds changes to the default questions by slug.
:func:`booking_form` puts them together in the order Cal.com answers them:
name, email, location, the custom ones, title, notes, guests, rescheduleReason.
"""

from __future__ import annotations

import re
from typing import Any

CUSTOM_TYPES = (
    "phone",
    "address",
    "text",
    "number",
    "textarea",
    "select",
    "multiselect",
    "multiemail",
    "checkbox",
    "radio",
    "boolean",
    "url",
)
WITH_OPTIONS = frozenset({"select", "multiselect", "checkbox", "radio"})
WITHOUT_PLACEHOLDER = frozenset({"multiselect", "checkbox", "radio", "boolean"})

SYSTEM_BEFORE = ("name", "email", "location")
SYSTEM_AFTER = ("title", "notes", "guests", "rescheduleReason")
SYSTEM_SLUGS = frozenset((*SYSTEM_BEFORE, *SYSTEM_AFTER, "attendeePhoneNumber"))

DEFAULT_FIELDS: dict[str, dict[str, Any]] = {
    "name": {
        "isDefault": True,
        "type": "name",
        "slug": "name",
        "label": "Your name",
        "placeholder": "",
        "required": True,
        "hidden": False,
    },
    "email": {
        "isDefault": True,
        "type": "email",
        "slug": "email",
        "label": "Email address",
        "placeholder": "",
        "required": True,
        "hidden": False,
    },
    "location": {
        "isDefault": True,
        "type": "radioInput",
        "slug": "location",
        "label": "Location",
        "required": False,
        "hidden": False,
    },
    "title": {
        "isDefault": True,
        "type": "text",
        "slug": "title",
        "label": "What is this meeting about?",
        "required": True,
        "hidden": True,
    },
    "notes": {
        "isDefault": True,
        "type": "textarea",
        "slug": "notes",
        "label": "Additional notes",
        "required": False,
        "hidden": False,
    },
    "guests": {
        "isDefault": True,
        "type": "multiemail",
        "slug": "guests",
        "label": "Add guests",
        "required": False,
        "hidden": False,
    },
    "rescheduleReason": {
        "isDefault": True,
        "type": "textarea",
        "slug": "rescheduleReason",
        "label": "Reason for reschedule",
        "required": False,
        "hidden": False,
    },
}

# what each default question lets you change
_OVERRIDABLE: dict[str, dict[str, type]] = {
    "name": {"label": str, "placeholder": str, "disableOnPrefill": bool},
    "email": {"label": str, "placeholder": str, "disableOnPrefill": bool, "required": bool, "hidden": bool},
    "location": {"label": str},
    **{
        slug: {"label": str, "placeholder": str, "disableOnPrefill": bool, "required": bool, "hidden": bool}
        for slug in SYSTEM_AFTER
    },
}
_SPLIT_NAME: dict[str, type] = {
    "firstNameLabel": str,
    "firstNamePlaceholder": str,
    "lastNameLabel": str,
    "lastNamePlaceholder": str,
    "lastNameRequired": bool,
    "disableOnPrefill": bool,
}
_CUSTOM_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_MAX_TEXT = 1000


def _typed(item: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = item[key]
    if kind is bool and not isinstance(value, bool):
        raise ValueError(f"{where} '{key}' must be true or false")
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{where} '{key}' must be a string")
        if len(value) > _MAX_TEXT:
            raise ValueError(f"{where} '{key}' is longer than {_MAX_TEXT} characters")
    return value


def _pick(item: dict[str, Any], allowed: dict[str, type], where: str) -> dict[str, Any]:
    return {key: _typed(item, key, kind, where) for key, kind in allowed.items() if key in item}


def _system_override(slug: str, item: dict[str, Any], where: str) -> dict[str, Any]:
    kind = item.get("type")
    if slug == "name" and kind == "splitName":
        return {"type": "splitName", **_pick(item, _SPLIT_NAME, where)}
    expected = DEFAULT_FIELDS[slug]["type"]
    if kind is not None and kind != expected:
        raise ValueError(
            f"{where} '{slug}' is a default question of type '{expected}', not '{kind}'; "
            "pick another slug for a custom question"
        )
    override = _pick(item, _OVERRIDABLE[slug], where)
    if slug == "email" and (override.get("required") is False or override.get("hidden") is True):
        raise ValueError(
            f"{where}: Email booking field must be required and visible (send required: true, hidden: false)"
        )
    return override


def _custom(item: dict[str, Any], where: str) -> dict[str, Any]:
    kind = item.get("type")
    if kind not in CUSTOM_TYPES:
        raise ValueError(
            f"{where} type {kind!r} is unknown: use one of {', '.join(CUSTOM_TYPES)} "
            "(or name / email / a default slug to change a default question)"
        )
    slug = item.get("slug")
    if not isinstance(slug, str) or not _CUSTOM_SLUG.match(slug):
        raise ValueError(f"{where} needs a 'slug': letters, digits, '-' or '_' (at most 64), e.g. 'company-size'")
    label = item.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > _MAX_TEXT:
        raise ValueError(f"{where} needs a 'label': the question shown to the booker")
    field: dict[str, Any] = {"type": kind, "slug": slug, "label": label}
    field["required"] = _typed(item, "required", bool, where) if "required" in item else False
    if kind not in WITHOUT_PLACEHOLDER:
        field["placeholder"] = _typed(item, "placeholder", str, where) if "placeholder" in item else ""
    if kind in WITH_OPTIONS:
        options = item.get("options")
        if (
            not isinstance(options, list)
            or not options
            or len(options) > 100
            or not all(isinstance(o, str) and o.strip() and len(o) <= 255 for o in options)
        ):
            raise ValueError(f"{where} ({kind}) needs 'options': a list of 1 to 100 non-empty strings")
        if len(set(options)) != len(options):
            raise ValueError(f"{where} lists an option twice")
        field["options"] = list(options)
    if "disableOnPrefill" in item:
        field["disableOnPrefill"] = _typed(item, "disableOnPrefill", bool, where)
    field["hidden"] = _typed(item, "hidden", bool, where) if "hidden" in item else False
    return field


def _system_slug(item: dict[str, Any]) -> str | None:
    kind, slug = item.get("type"), item.get("slug")
    if kind in ("name", "splitName", "email"):
        if slug is not None and slug != ("email" if kind == "email" else "name"):
            return None  # a custom question can't use these types; _custom says so
        return "email" if kind == "email" else "name"
    if isinstance(slug, str) and slug in DEFAULT_FIELDS:
        return slug
    return None


def normalize_booking_fields(items: list[Any]) -> list[dict[str, Any]]:
    """Validate ``bookingFields`` as sent. Returns custom questions as ``{"custom": field}`` and
    changes to default questions as ``{"system": slug, "override": {...}}``, in the order sent."""
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"bookingFields[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object with 'type', 'slug' and 'label'")
        system = _system_slug(item)
        slug = system or item.get("slug")
        if isinstance(slug, str) and slug in seen:
            raise ValueError(f"{where} uses slug '{slug}' again (see bookingFields[{seen[slug]}]); slugs must differ")
        if system is not None:
            out.append({"system": system, "override": _system_override(system, item, where)})
            seen[system] = index
            continue
        if isinstance(slug, str) and slug in SYSTEM_SLUGS:
            raise ValueError(f"{where} slug '{slug}' is reserved for a default question; pick another slug")
        field = _custom(item, where)
        seen[field["slug"]] = index
        out.append({"custom": field})
    return out


def split(fields: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Normalized ``bookingFields`` -> (custom questions, overrides of default questions by slug)."""
    custom = [entry["custom"] for entry in fields if "custom" in entry]
    overrides = {entry["system"]: entry["override"] for entry in fields if "system" in entry}
    return custom, overrides


def booking_form(custom: list[dict[str, Any]], overrides: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole form as Cal.com answers it (``isDefault`` tells default questions apart)."""

    def default(slug: str) -> dict[str, Any]:
        field = {**DEFAULT_FIELDS[slug], **overrides.get(slug, {})}
        if field["type"] == "splitName":
            for key in ("label", "placeholder"):
                field.pop(key, None)
        return field

    return [
        *(default(slug) for slug in SYSTEM_BEFORE),
        *({**field, "isDefault": False} for field in custom),
        *(default(slug) for slug in SYSTEM_AFTER),
    ]
