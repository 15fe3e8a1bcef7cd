"""Reading what callers send to the bookings endpoints: JSON bodies (tolerant of empty ones where
Cal.com clients send them) and the query of ``GET /v2/bookings`` in both of its vocabularies.

Errors are 400s that name the field or parameter to fix and what to send instead.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar, cast, get_args

from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams
from starlette.requests import Request

from slotwise.bookings.queries import BookingFilter, Position, Sort, SortColumn, StatusFilter, default_sort
from slotwise.http.errors import ApiError, bad_request, describe_validation_errors
from slotwise.http.pagination import MAX_TAKE, decode_cursor, encode_cursor
from slotwise.http.types import INT32_MAX
from slotwise.slots.times import InstantError, parse_instant

Model = TypeVar("Model", bound=BaseModel)

CURRENT_STATUSES: tuple[str, ...] = ("upcoming", "recurring", "past", "cancelled", "unconfirmed")
LEGACY_STATUSES: tuple[str, ...] = (*CURRENT_STATUSES, "accepted", "pending", "rejected")
DEFAULT_TAKE = 100
_SORTS: dict[str, SortColumn] = {
    "sortStart": "start",
    "sortEnd": "end",
    "sortCreated": "created",
    "sortUpdatedAt": "updated",
    "sortUpdated": "updated",
}
_INSTANTS = {
    "afterStart": "after_start",
    "beforeEnd": "before_end",
    "afterCreatedAt": "after_created",
    "beforeCreatedAt": "before_created",
    "afterUpdatedAt": "after_updated",
    "beforeUpdatedAt": "before_updated",
}
# legacy names sent with cal-api-version 2024-08-13, and what that version calls them
_CURRENT_NAMES = {"dateFrom": "afterStart", "dateTo": "beforeEnd", "limit": "take", "cursor": "skip"}


# --- bodies ------------------------------------------------------------------------------------


async def json_object(request: Request, *, required: bool, hint: str) -> dict[str, Any]:
    """The body as a JSON object. Without a body (or an empty one, or ``null``): ``{}`` when the body
    is optional, else a 400 that says what to send."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request(f"Invalid request: the request body is missing; send a JSON object with {hint}.")
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise bad_request(f"Invalid request: request body is not valid JSON ({exc}).") from None
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"Invalid request: the request body must be a JSON object with {hint}.")
    return value


def parse_body(model: type[Model], values: dict[str, Any], *, hint: str | None = None) -> Model:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        message, items = describe_validation_errors(errors)
        raise bad_request(message + (f". {hint}" if hint else ""), errors=items) from None


# --- the list query ----------------------------------------------------------------------------


def _values(params: QueryParams, name: str) -> list[str]:
    """Every value of a list parameter: repeated, ``name[]=`` and comma-separated forms alike."""
    out: list[str] = []
    for key in (name, name + "[]"):
        for value in params.getlist(key):
            out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def _one(params: QueryParams, name: str, *, max_length: int = 320) -> str | None:
    sent = params.getlist(name)
    if not sent:
        return None
    if len(sent) > 1:
        raise bad_request(f"Send the query parameter '{name}' once; it was sent {len(sent)} times.")
    value = sent[0].strip()
    if len(value) > max_length:
        raise bad_request(f"{name} is longer than {max_length} characters.")
    return value or None


def _whole(name: str, text: str, *, low: int, high: int) -> int:
    try:
        number = float(text)
    except ValueError:
        raise bad_request(f"{name} must be a whole number, got {text[:40]!r}.") from None
    if not number.is_integer():
        raise bad_request(f"{name} must be a whole number, got {text[:40]!r}.")
    if not low <= number <= high:
        raise bad_request(f"{name} must be between {low} and {high}, got {text[:40]}.")
    return int(number)


def _ids(params: QueryParams, *names: str) -> tuple[int, ...]:
    ids: list[int] = []
    for name in names:
        ids.extend(_whole(name, value, low=1, high=INT32_MAX) for value in _values(params, name))
    return tuple(dict.fromkeys(ids))


def _instant(name: str, text: str) -> datetime:
    try:
        return parse_instant(text)
    except InstantError as exc:
        raise bad_request(f"{name}: {exc}. Send an ISO 8601 instant such as 2050-09-05T09:00:00Z.") from None


def _statuses(params: QueryParams, allowed: tuple[str, ...], *names: str) -> tuple[StatusFilter, ...]:
    statuses: list[str] = []
    for name in names:
        statuses.extend(value.lower() for value in _values(params, name))
    unknown = [status for status in statuses if status not in allowed]
    if unknown:
        raise bad_request(
            f"status {', '.join(repr(s) for s in unknown)} is not a booking status filter: use one or more of "
            f"{', '.join(allowed)} (comma-separated).",
            errors=[{"location": "query", "property": "status"}],
        )
    return tuple(cast(StatusFilter, status) for status in dict.fromkeys(statuses))


def _sort(params: QueryParams, statuses: tuple[str, ...]) -> Sort:
    for name, column in _SORTS.items():
        direction = _one(params, name, max_length=8)
        if direction is None:
            continue
        if direction.lower() not in ("asc", "desc"):
            raise bad_request(f"{name} must be 'asc' or 'desc', got {direction!r}.")
        return Sort(column, descending=direction.lower() == "desc")
    return default_sort(statuses)


def _take(params: QueryParams, *names: str) -> int:
    for name in names:
        value = _one(params, name, max_length=40)
        if value is not None:
            return _whole(name, value, low=1, high=MAX_TAKE)
    return DEFAULT_TAKE


def _skip(params: QueryParams) -> int:
    value = _one(params, "skip", max_length=40)
    return 0 if value is None else _whole("skip", value, low=0, high=INT32_MAX)


def _filter(params: QueryParams, host_id: int, statuses: tuple[StatusFilter, ...], *, legacy: bool) -> BookingFilter:
    instants: dict[str, datetime] = {}
    for name, attribute in _INSTANTS.items():
        value = _one(params, name, max_length=64)
        if value is not None:
            instants[attribute] = _instant(name, value)
    if legacy:
        for name, attribute in (("dateFrom", "after_start"), ("dateTo", "before_end")):
            value = _one(params, name, max_length=64)
            if value is not None:
                instants[attribute] = _instant(name, value)
    return BookingFilter(
        host_id=host_id,
        statuses=statuses,
        attendee_email=_one(params, "attendeeEmail"),
        attendee_name=_one(params, "attendeeName", max_length=255),
        booking_uid=_one(params, "bookingUid", max_length=64),
        event_type_ids=_ids(params, "eventTypeId", "eventTypeIds"),
        **instants,
    )


def teams_asked(params: QueryParams) -> bool:
    """Team filters: this server has no team bookings, so such a filter matches nothing."""
    return any(_values(params, name) for name in ("teamId", "teamsIds", "teamIds"))


def current_list_query(params: QueryParams, host_id: int) -> tuple[BookingFilter, Sort, int, int]:
    """``GET /v2/bookings`` with ``cal-api-version: 2024-08-13``: (filter, sort, take, skip)."""
    legacy = [name for name in _CURRENT_NAMES if name in params]
    if legacy:
        hints = ", ".join(f"'{name}' (use '{_CURRENT_NAMES[name]}')" for name in legacy)
        raise bad_request(
            f"Legacy query parameter{'s' if len(legacy) > 1 else ''} {hints} with cal-api-version 2024-08-13; "
            "send the 2024-08-13 names, or no cal-api-version header for the legacy list."
        )
    statuses = _statuses(params, CURRENT_STATUSES, "status")
    return (
        _filter(params, host_id, statuses, legacy=False),
        _sort(params, statuses),
        _take(params, "take"),
        _skip(params),
    )


def legacy_list_query(params: QueryParams, host_id: int) -> tuple[BookingFilter, Sort, int, int, Position | None]:
    """The header-less list: ``status`` (or ``filters[status]``), ``dateFrom``, ``dateTo``, ``take``
    (or ``limit``), ``cursor``; the 2024-08-13 names work too. (filter, sort, take, skip, after)."""
    user_id = _one(params, "userId", max_length=40)
    if user_id is not None and _whole("userId", user_id, low=1, high=INT32_MAX) != host_id:
        raise ApiError(403, "userId: you can list only your own bookings; leave userId out or send your own id.")
    statuses = _statuses(params, LEGACY_STATUSES, "status", "filters[status]")
    sort = _sort(params, statuses)
    after = None
    cursor = _one(params, "cursor", max_length=512)
    if cursor is not None:
        sort, after = read_cursor(cursor)
    take = _take(params, "take", "limit")
    return _filter(params, host_id, statuses, legacy=True), sort, take, _skip(params), after


def write_cursor(sort: Sort, position: Position) -> str:
    return encode_cursor(
        {"c": sort.column, "d": int(sort.descending), "v": position.value.isoformat(), "i": position.booking_id}
    )


def read_cursor(cursor: str) -> tuple[Sort, Position]:
    value = decode_cursor(cursor)
    column, value_text, booking_id = value.get("c"), value.get("v"), value.get("i")
    if column not in get_args(SortColumn) or not isinstance(value_text, str) or not isinstance(booking_id, int):
        raise bad_request("cursor is not valid: pass back the nextCursor of a previous page.")
    try:
        moment = datetime.fromisoformat(value_text)
    except ValueError:
        raise bad_request("cursor is not valid: pass back the nextCursor of a previous page.") from None
    if moment.tzinfo is None:
        raise bad_request("cursor is not valid: pass back the nextCursor of a previous page.")
    return Sort(cast(SortColumn, column), descending=bool(value.get("d"))), Position(moment, booking_id)
