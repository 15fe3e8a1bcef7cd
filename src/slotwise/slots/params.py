"""Query strings of the slots endpoints -> validated models -> the service's :class:`SlotQuery`.

``GET /v2/slots`` serves two vocabularies on one path, so its query is read by hand (FastAPI's
declared parameters could not tell them apart): unknown names are refused for the current
shape, repeated names are joined for list parameters, and errors name the parameter to fix.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams

from slotwise.http.errors import bad_request, describe_validation_errors
from slotwise.slots.legacy import LegacyGetSlotsQuery
from slotwise.slots.schemas import GetSlotsQuery_2024_09_04
from slotwise.slots.service import SlotQuery
from slotwise.slots.times import InstantError, parse_bound, zone_of

MAX_RANGE = timedelta(days=93)  # "at most 3 months"

# names of the legacy API (or plain mistakes) and what the 2024-09-04 API calls them
_HINTS = {
    "startTime": "start",
    "endTime": "end",
    "slotFormat": "format",
    "usernameList": "usernames",
    "rescheduleUid": "bookingUidToReschedule",
    "orgSlug": "organizationSlug",
    "eventTypeID": "eventTypeId",
    "timezone": "timeZone",
    "time_zone": "timeZone",
    "slug": "eventTypeSlug",
}

Model = TypeVar("Model", bound=BaseModel)
UID_MAX = 255  # no booking or reservation uid is longer: a longer one matches nothing


def _uid(value: str | None) -> str | None:
    """Any string is accepted as a uid (Cal.com's rule); one no row can have is simply ignored."""
    return value if value and len(value) <= UID_MAX else None


def _collect(params: QueryParams, lists: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in dict.fromkeys(params.keys()):
        name = key[:-2] if key.endswith("[]") else key
        sent = params.getlist(key)
        if name in lists:
            items = values.setdefault(name, [])
            for value in sent:
                items.extend(part.strip() for part in value.split(",") if part.strip())
        elif len(sent) > 1 or name in values:
            raise bad_request(f"Send the query parameter '{name}' once; it was sent {len(sent)} times.")
        else:
            values[name] = sent[0]
    return values


def _validate(model: type[Model], values: dict[str, Any]) -> Model:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
        message, items = describe_validation_errors(errors)
        raise bad_request(message, errors=items) from None


def _window(start_text: str, end_text: str, zone_name: str, names: tuple[str, str]) -> tuple[Any, Any]:
    zone = zone_of(zone_name)
    start_name, end_name = names
    try:
        start, _ = parse_bound(start_text, zone=zone, is_end=False)
    except InstantError as exc:
        raise bad_request(f"Invalid {start_name}: {exc}. Send a date (2050-09-05) or an ISO 8601 instant.") from None
    try:
        end, _ = parse_bound(end_text, zone=zone, is_end=True)
    except InstantError as exc:
        raise bad_request(f"Invalid {end_name}: {exc}. Send a date (2050-09-09) or an ISO 8601 instant.") from None
    if end < start:
        raise bad_request(
            f"Invalid time range given - check the '{start_name}' and '{end_name}' query parameters: "
            f"{end_name} ({end_text}) is before {start_name} ({start_text})."
        )
    if end - start > MAX_RANGE:
        raise bad_request(
            f"Invalid time range given - check the '{start_name}' and '{end_name}' query parameters: "
            f"the range spans more than 3 months ({MAX_RANGE.days} days); ask for at most 3 months per request."
        )
    return start, end


def current_query(params: QueryParams, reservation_uid: str | None) -> tuple[SlotQuery, GetSlotsQuery_2024_09_04]:
    """The 2024-09-04 query; unknown parameters are a 400 that names the right one."""
    values = _collect(params, frozenset({"usernames"}))
    allowed = GetSlotsQuery_2024_09_04.model_fields
    unknown = [name for name in values if name not in allowed]
    if unknown:
        parts = []
        for name in unknown:
            hint = _HINTS.get(name)
            parts.append(f"'{name}'" + (f" (did you mean '{hint}'?)" if hint else ""))
        raise bad_request(
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''} {', '.join(parts)}. "
            f"GET /v2/slots takes: {', '.join(allowed)}.",
            unknown=unknown,
        )
    if "usernames" in values:
        values["usernames"] = ",".join(values["usernames"])
    parsed = _validate(GetSlotsQuery_2024_09_04, values)
    zone_name = parsed.timeZone or "UTC"
    start, end = _window(parsed.start, parsed.end, zone_name, ("start", "end"))
    usernames = tuple(name.strip() for name in (parsed.usernames or "").split(",") if name.strip())
    query = SlotQuery(
        start=start,
        end=end,
        time_zone=zone_name,
        event_type_id=parsed.eventTypeId,
        event_type_slug=parsed.eventTypeSlug,
        username=parsed.username,
        usernames=usernames,
        team_slug=parsed.teamSlug,
        duration=parsed.duration,
        reschedule_uid=_uid(parsed.bookingUidToReschedule),
        reservation_uid=_uid(parsed.reservationUid) or reservation_uid,
    )
    return query, parsed


def legacy_query(params: QueryParams, reservation_uid: str | None) -> tuple[SlotQuery, LegacyGetSlotsQuery]:
    """The 2024-04-15 query (``startTime``/``endTime``...); unknown parameters are ignored."""
    values = _collect(params, frozenset({"usernameList"}))
    parsed = _validate(LegacyGetSlotsQuery, values)
    zone_name = parsed.timeZone or "UTC"
    start, end = _window(parsed.startTime, parsed.endTime, zone_name, ("startTime", "endTime"))
    names = tuple(dict.fromkeys(parsed.usernameList))
    username = parsed.username or (names[0] if len(names) == 1 else None)
    query = SlotQuery(
        start=start,
        end=end,
        time_zone=zone_name,
        event_type_id=parsed.eventTypeId,
        event_type_slug=parsed.eventTypeSlug,
        username=username,
        usernames=names if len(names) > 1 else (),
        duration=parsed.duration,
        reschedule_uid=_uid(parsed.rescheduleUid),
        reservation_uid=_uid(parsed.reservationUid) or reservation_uid,
    )
    return query, parsed


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``parameters`` for a query model read by hand (so /v2/docs lists them)."""
    parameters = []
    for name, info in model.model_fields.items():
        schema: dict[str, Any] = {"type": "string"}
        if info.examples:
            schema["example"] = info.examples[0]
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": info.is_required(),
                "description": info.description or "",
                "schema": schema,
            }
        )
    return {"parameters": parameters}
