"""What a booker answers: booking questions and the meeting location, checked against the event type.

Pure functions (no database, no HTTP): the service calls them with the event type's form and
locations and turns a :class:`FieldErrors` into a 400 that names every field to fix.
"""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from slotwise.bookings.schemas import (
    BookingInputAddressLocation_2024_08_13,
    BookingInputAttendeeAddressLocation_2024_08_13,
    BookingInputAttendeeDefinedLocation_2024_08_13,
    BookingInputAttendeePhoneLocation_2024_08_13,
    BookingInputIntegrationLocation_2024_08_13,
    BookingInputLinkLocation_2024_08_13,
    BookingInputOrganizersDefaultAppLocation_2024_08_13,
    BookingInputPhoneLocation_2024_08_13,
    Email,
    normalize_phone,
)
from slotwise.event_types.locations import to_internal

# filled from attendee / guests / location, never from bookingFieldsResponses
DERIVED_SLUGS = frozenset({"name", "email", "guests", "location", "attendeePhoneNumber"})
MAX_ANSWER_CHARS = 10_000
_EMAIL = TypeAdapter(Email)
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,20}$")


class FieldErrors(ValueError):
    """Every problem found, as ``(property, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


# --- booking questions -------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_answer(field: dict[str, Any], value: Any, where: str) -> tuple[Any, str | None]:
    """The value to store, or an error message."""
    kind = field.get("type")
    options = [str(option) for option in field.get("options") or []]
    if kind in ("text", "textarea", "address"):
        if not isinstance(value, str):
            return value, f"{where} must be a string"
        if len(value) > MAX_ANSWER_CHARS:
            return value, f"{where} is longer than {MAX_ANSWER_CHARS} characters"
        return value, None
    if kind == "phone":
        if not isinstance(value, str):
            return value, f"{where} must be a phone number string such as '+15555550123'"
        try:
            return normalize_phone(value), None
        except ValueError as exc:
            return value, f"{where}: {exc}"
    if kind == "url":
        if not isinstance(value, str) or not _is_url(value):
            return value, f"{where} must be an http(s) URL such as 'https://example.com'"
        return value, None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value, f"{where} must be a number"
        return value, None
    if kind == "boolean":
        if not isinstance(value, bool):
            return value, f"{where} must be true or false"
        return value, None
    if kind in ("select", "radio"):
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return value, f"{where} must be one of the options: {', '.join(options)}"
        if options and str(value) not in options:
            return value, f"{where} '{value}' is not an option: use one of {', '.join(options)}"
        return value, None
    if kind in ("multiselect", "checkbox"):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return value, f'{where} must be a list of options, e.g. ["{options[0] if options else "option"}"]'
        unknown = [item for item in value if options and item not in options]
        if unknown:
            return (
                value,
                f"{where} has {', '.join(repr(u) for u in unknown)}, not among the options: {', '.join(options)}",
            )
        return value, None
    if kind == "multiemail":
        if not isinstance(value, list):
            return value, f"{where} must be a list of email addresses"
        emails = []
        for item in value:
            try:
                emails.append(_EMAIL.validate_python(item))
            except ValidationError:
                return value, f"{where} has {str(item)[:80]!r}, which is not an email address"
        return emails, None
    return value, None  # a question type this server does not know: stored as answered


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_answers(form: list[dict[str, Any]], answers: dict[str, Any], *, prefix: str) -> dict[str, Any]:
    """The answers to store: the questions of ``form`` that the booker answers directly (custom ones,
    ``title``, ``notes``, ``rescheduleReason``...). Required visible questions must be answered;
    answers to questions the form does not have are ignored, as unknown fields are."""
    kept: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for field in form:
        slug = str(field.get("slug"))
        if slug in DERIVED_SLUGS:
            continue
        where = f"{prefix}.{slug}"
        value = answers.get(slug)
        if _empty(value):
            if field.get("required") and not field.get("hidden"):
                label = field.get("label") or slug
                problems.append((where, f"{where} is required ({label})"))
            continue
        stored, error = _check_answer(field, value, where)
        if error is not None:
            problems.append((where, error))
        else:
            kept[slug] = stored
    if problems:
        raise FieldErrors(problems)
    return kept


# --- locations ---------------------------------------------------------------------------------

LocationInput = (
    str
    | BookingInputAddressLocation_2024_08_13
    | BookingInputLinkLocation_2024_08_13
    | BookingInputPhoneLocation_2024_08_13
    | BookingInputIntegrationLocation_2024_08_13
    | BookingInputAttendeeAddressLocation_2024_08_13
    | BookingInputAttendeePhoneLocation_2024_08_13
    | BookingInputAttendeeDefinedLocation_2024_08_13
    | BookingInputOrganizersDefaultAppLocation_2024_08_13
    | None
)


@dataclass(frozen=True)
class Place:
    """Where the meeting is: ``text`` for ``booking.location``, ``meeting_url`` when it is a link, and
    the ``location`` answer Cal.com keeps in ``bookingFieldsResponses`` (``{value, optionValue}``)."""

    text: str | None
    meeting_url: str | None
    answer: dict[str, str] | None


NOWHERE = Place(None, None, None)


def _free_text(text: str) -> Place:
    text = text.strip()
    if _is_url(text):
        return Place(text, text, {"value": "link", "optionValue": text})
    if _PHONE_LIKE.match(text):
        try:
            phone = normalize_phone(text)
        except ValueError:
            phone = None
        if phone is not None:
            return Place(phone, None, {"value": "phone", "optionValue": phone})
    return Place(text, None, {"value": "somewhereElse", "optionValue": text})


def _organizer_place(location: dict[str, Any]) -> Place:
    kind = location.get("type")
    if kind == "integration":
        internal = to_internal(location)["type"]
        return Place(internal, None, {"value": internal, "optionValue": ""})
    if kind == "address":
        address = str(location.get("address") or "")
        return Place(address, None, {"value": "inPerson", "optionValue": address})
    if kind == "link":
        link = str(location.get("link") or "")
        return Place(link, link, {"value": "link", "optionValue": link})
    if kind == "phone":
        phone = str(location.get("phone") or "")
        return Place(phone, None, {"value": "userPhone", "optionValue": phone})
    return NOWHERE  # attendee-provided types need the booker's answer


def default_place(locations: list[dict[str, Any]]) -> Place:
    """The event type's first location the organizer filled in (Cal.com's default)."""
    for location in locations:
        place = _organizer_place(location)
        if place is not NOWHERE:
            return place
    return NOWHERE


def _describe(location: dict[str, Any]) -> str:
    kind = str(location.get("type"))
    return f"integration '{location.get('integration')}'" if kind == "integration" else kind


def resolve_place(locations: list[dict[str, Any]], sent: LocationInput, meeting_url: str | None) -> Place:
    """The booking's place: the one sent (an event type location by type, an attendee-provided one,
    or a legacy string) or else ``meetingUrl`` or else the event type's default."""
    if sent is None:
        if meeting_url:
            return _free_text(meeting_url)
        return default_place(locations)
    if isinstance(sent, str):
        return _free_text(sent)
    offered = ", ".join(_describe(location) for location in locations) or "none"
    if isinstance(sent, BookingInputOrganizersDefaultAppLocation_2024_08_13):
        raise FieldErrors(
            [("location", "location type 'organizersDefaultApp' is only for team event types; use one of: " + offered)]
        )
    kind = sent.type
    matches = [location for location in locations if location.get("type") == kind]
    if isinstance(sent, BookingInputIntegrationLocation_2024_08_13):
        matches = [location for location in matches if location.get("integration") == sent.integration]
    if not matches:
        wanted = (
            f"integration '{sent.integration}'"
            if isinstance(sent, BookingInputIntegrationLocation_2024_08_13)
            else kind
        )
        raise FieldErrors(
            [("location", f"location {wanted} is not one of this event type's locations; use one of: {offered}")]
        )
    if isinstance(sent, BookingInputAttendeeAddressLocation_2024_08_13):
        return Place(sent.address, None, {"value": "attendeeInPerson", "optionValue": sent.address})
    if isinstance(sent, BookingInputAttendeePhoneLocation_2024_08_13):
        return Place(sent.phone, None, {"value": "phone", "optionValue": sent.phone})
    if isinstance(sent, BookingInputAttendeeDefinedLocation_2024_08_13):
        return Place(sent.location, None, {"value": "somewhereElse", "optionValue": sent.location})
    return _organizer_place(matches[0])


# Cal.com's internal location values (legacy ``responses.location``) -> 2024-08-13 location objects
_LEGACY_VALUES: dict[str, str] = {
    "inPerson": "address",
    "link": "link",
    "userPhone": "phone",
    "attendeeInPerson": "attendeeAddress",
    "phone": "attendeePhone",
    "somewhereElse": "attendeeDefined",
}
_LEGACY_INTEGRATIONS = {
    "integrations:daily": "cal-video",
    "integrations:google:meet": "google-meet",
    "integrations:zoom": "zoom",
    "integrations:office365_video": "office365-video",
}


def legacy_location(value: Any) -> LocationInput:
    """A legacy ``responses.location`` (``{value, optionValue}`` or a string) as a location input."""
    if value is None or isinstance(value, str):
        return value or None
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise FieldErrors([("responses.location", "responses.location must be a string or {value, optionValue}")])
    internal = value["value"]
    option = value.get("optionValue")
    option_text = option.strip() if isinstance(option, str) else ""
    if internal in _LEGACY_INTEGRATIONS:
        return BookingInputIntegrationLocation_2024_08_13(
            type="integration", integration=_LEGACY_INTEGRATIONS[internal]
        )
    kind = _LEGACY_VALUES.get(internal)
    if kind is None:
        return option_text or internal
    try:
        if kind == "address":
            return BookingInputAddressLocation_2024_08_13(type="address")
        if kind == "link":
            return option_text or BookingInputLinkLocation_2024_08_13(type="link")
        if kind == "phone":
            return BookingInputPhoneLocation_2024_08_13(type="phone")
        if kind == "attendeeAddress":
            return BookingInputAttendeeAddressLocation_2024_08_13(type="attendeeAddress", address=option_text)
        if kind == "attendeePhone":
            return BookingInputAttendeePhoneLocation_2024_08_13(type="attendeePhone", phone=option_text)
        return BookingInputAttendeeDefinedLocation_2024_08_13(type="attendeeDefined", location=option_text)
    except ValidationError:
        raise FieldErrors(
            [
                (
                    "responses.location",
                    f"responses.location of type '{internal}' needs optionValue (what the attendee entered)",
                )
            ]
        ) from None
