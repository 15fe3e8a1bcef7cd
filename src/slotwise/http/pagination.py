"""The two list shapes in Cal.com's spec: take/skip with a ``pagination`` object, and cursors."""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query

from slotwise.http.errors import bad_request
from slotwise.http.model import ApiModel
from slotwise.http.types import WholeNumber

MAX_TAKE = 250


class Pagination(ApiModel):
    totalItems: int
    remainingItems: int
    returnedItems: int
    itemsPerPage: int
    currentPage: int
    totalPages: int
    hasNextPage: bool
    hasPreviousPage: bool


def page_meta(total: int, skip: int, take: int) -> Pagination:
    total_pages = math.ceil(total / take) if take else 0
    current = min(skip // take + 1, total_pages) if take else 0
    return Pagination(
        totalItems=total,
        remainingItems=max(0, min(total - (skip + take), total)),
        returnedItems=max(0, min(total - skip, take)),
        itemsPerPage=take,
        currentPage=max(current, 1),  # the spec's minimum; an empty list is "page 1 of 0"
        totalPages=total_pages,
        hasNextPage=skip + take < total,
        hasPreviousPage=skip > 0,
    )


@dataclass(frozen=True)
class TakeSkip:
    take: int
    skip: int


def take_skip(default_take: int = 100) -> Any:
    """A dependency reading ``take`` (1..250) and ``skip`` (>= 0) from the query."""

    def dependency(
        take: Annotated[WholeNumber | None, Query(description=f"Items per page, 1 to {MAX_TAKE}.")] = None,
        skip: Annotated[WholeNumber | None, Query(description="Items to skip.")] = None,
    ) -> TakeSkip:
        resolved_take = default_take if take is None else take
        resolved_skip = 0 if skip is None else skip
        if not 1 <= resolved_take <= MAX_TAKE:
            raise bad_request(f"take must be between 1 and {MAX_TAKE}, got {resolved_take}.")
        if resolved_skip < 0:
            raise bad_request(f"skip must be 0 or more, got {resolved_skip}.")
        return TakeSkip(resolved_take, resolved_skip)

    return dependency


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_request("cursor is not valid: pass back the nextCursor of a previous page.") from None
    if not isinstance(value, dict):
        raise bad_request("cursor is not valid: pass back the nextCursor of a previous page.")
    return value
