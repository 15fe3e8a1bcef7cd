"""Bookings API shapes of ``cal-api-version: 2024-08-13`` (names follow Cal.com's spec components).

Inputs ignore unknown fields (Cal.com strips them) and validate one field at a time with a message
that says what to send; rules that need the event type (lengths, locations, booking questions) live
in the service. Outputs leave out optional fields that have no value: the spec types them as
non-nullable, so ``null`` would break strict clients.
"""

import re
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import AfterValidator, BeforeValidator, ConfigDict, EmailStr, Field, model_validator

from slotwise.http.model import ApiModel
from slotwise.http.pagination import Pagination
from slotwise.http.types import Id, TimeZoneName, WholeNumber
from slotwise.slots.schemas import Instant, Minutes
from slotwise.users.schemas import Locale, check_metadata

MAX_GUESTS = 50
MAX_TEXT = 5000
MAX_RECURRENCES = 730

_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_LOCALES: tuple[str, ...] = get_args(Locale)
_LOCALES_LOWER = {locale.lower(): locale for locale in _LOCALES}


def normalize_phone(value: Any) -> Any:
    """``+39 06 1234 5678`` -> ``+390612345678``; anything else that is not E.164 is an error."""
    if not isinstance(value, str):
        return value
    compact = re.sub(r"[\s().-]", "", value)
    if not _PHONE.match(compact):
        raise ValueError(f"'{value[:40]}' is not a phone number in international format, e.g. '+15555550123'")
    return compact


def normalize_language(value: Any) -> Any:
    """A Cal.com locale; ``EN``, ``en-US`` and ``en_GB`` are read as ``en``, ``pt_BR`` as ``pt-BR``."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("_", "-")
    found = _LOCALES_LOWER.get(text.lower()) or _LOCALES_LOWER.get(text.split("-")[0].lower())
    if found is None:
        raise ValueError(f"'{value[:20]}' is not a supported language: use one of {', '.join(_LOCALES)}")
    return found


def _name(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("must not be blank: send the attendee's name, e.g. 'Ada Lovelace'")
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Phone = Annotated[str, BeforeValidator(normalize_phone)]
Language = Annotated[Locale, BeforeValidator(normalize_language)]
PersonName = Annotated[str, BeforeValidator(_name), Field(max_length=255)]
Email = Annotated[EmailStr, BeforeValidator(_lower), Field(max_length=320)]
Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]


class _Input(ApiModel):
    model_config = ConfigDict(extra="ignore")


# --- create ------------------------------------------------------------------------------------


class CreateBookingAttendee(_Input):
    name: PersonName = Field(description="The attendee's name.", examples=["John Doe"])
    email: Email | None = Field(default=None, description="The attendee's email.", examples=["john@example.com"])
    timeZone: TimeZoneName = Field(description="The attendee's IANA time zone.", examples=["America/New_York"])
    phoneNumber: Phone | None = Field(
        default=None, description="The attendee's phone number in international format.", examples=["+15555550123"]
    )
    language: Language | None = Field(default=None, description="The attendee's language (default en).")

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.email is None and self.phoneNumber is None:
            raise ValueError("send attendee.email (or attendee.phoneNumber): the attendee must be reachable")
        return self


class BookingInputAddressLocation_2024_08_13(_Input):
    type: Literal["address"] = Field(description="The address the organizer set on the event type.")


class BookingInputLinkLocation_2024_08_13(_Input):
    type: Literal["link"] = Field(description="The link the organizer set on the event type.")


class BookingInputPhoneLocation_2024_08_13(_Input):
    type: Literal["phone"] = Field(description="The phone number the organizer set on the event type.")


class BookingInputIntegrationLocation_2024_08_13(_Input):
    type: Literal["integration"]
    integration: str = Field(max_length=64, examples=["cal-video"])


class BookingInputAttendeeAddressLocation_2024_08_13(_Input):
    type: Literal["attendeeAddress"]
    address: str = Field(min_length=1, max_length=1000)


class BookingInputAttendeePhoneLocation_2024_08_13(_Input):
    type: Literal["attendeePhone"]
    phone: Phone


class BookingInputAttendeeDefinedLocation_2024_08_13(_Input):
    type: Literal["attendeeDefined"]
    location: str = Field(min_length=1, max_length=1000)


class BookingInputOrganizersDefaultAppLocation_2024_08_13(_Input):
    type: Literal["organizersDefaultApp"]


LocationObject = Annotated[
    BookingInputAddressLocation_2024_08_13
    | BookingInputLinkLocation_2024_08_13
    | BookingInputPhoneLocation_2024_08_13
    | BookingInputIntegrationLocation_2024_08_13
    | BookingInputAttendeeAddressLocation_2024_08_13
    | BookingInputAttendeePhoneLocation_2024_08_13
    | BookingInputAttendeeDefinedLocation_2024_08_13
    | BookingInputOrganizersDefaultAppLocation_2024_08_13,
    Field(discriminator="type"),
]
# a plain string is the legacy form: a URL, a phone number or free text
BookingLocation = Annotated[str, Field(min_length=1, max_length=2048)] | LocationObject


class CreateBookingInput_2024_08_13(_Input):
    """One body for regular, seated, recurring and (accepted for compatibility) instant bookings."""

    start: Instant = Field(description="The start, an ISO 8601 instant (UTC when it has no offset).")
    attendee: CreateBookingAttendee
    bookingFieldsResponses: dict[str, Any] | None = Field(
        default=None, description="Answers to the event type's booking questions, by question slug."
    )
    eventTypeId: Id | None = Field(default=None, description="The event type; or send eventTypeSlug + username.")
    eventTypeSlug: str | None = Field(default=None, max_length=255)
    username: str | None = Field(default=None, max_length=255)
    teamSlug: str | None = Field(default=None, max_length=255)
    organizationSlug: str | None = Field(default=None, max_length=255)
    guests: list[Email] | None = Field(default=None, max_length=MAX_GUESTS, description="Guest emails.")
    meetingUrl: str | None = Field(
        default=None, max_length=2048, description="Deprecated: use location.", json_schema_extra={"deprecated": True}
    )
    location: BookingLocation | None = Field(default=None, description="One of the event type's locations.")
    metadata: Metadata | None = Field(
        default=None, description="At most 50 keys, keys up to 40 characters, string values up to 500."
    )
    lengthInMinutes: Minutes | None = Field(
        default=None, description="For event types with several lengths: one of them (default: its length)."
    )
    recurrenceCount: Annotated[WholeNumber, Field(ge=1, le=MAX_RECURRENCES)] | None = Field(
        default=None, description="Recurring event types: how many occurrences (at most the event type's count)."
    )
    instant: bool | None = None
    routing: dict[str, Any] | None = None
    emailVerificationCode: str | None = Field(default=None, max_length=255)
    reservationUid: str | None = Field(
        default=None,
        max_length=64,
        description="Slotwise extension: the uid of your slot reservation; a held slot can only be booked "
        "by its holder (also read from the `X-Reservation-Uid` header or the `uid` cookie).",
    )


# --- other inputs ------------------------------------------------------------------------------


class RescheduleBookingInput_2024_08_13(_Input):
    start: Instant = Field(description="The new start, an ISO 8601 instant.")
    reschedulingReason: Text | None = None
    rescheduledBy: Email | None = Field(
        default=None, description="Who reschedules; the event type owner's email confirms a booking at once."
    )
    seatUid: str | None = Field(default=None, max_length=64, description="Seated bookings: the seat to move.")
    emailVerificationCode: str | None = Field(default=None, max_length=255)


class CancelBookingInput_2024_08_13(_Input):
    cancellationReason: Text | None = None
    cancelSubsequentBookings: bool | None = Field(
        default=None, description="Recurring bookings: cancel this occurrence and every later one."
    )
    seatUid: str | None = Field(default=None, max_length=64, description="Seated bookings: cancel only this seat.")


class MarkAbsentAttendee(_Input):
    email: Email
    absent: bool


class MarkAbsentBookingInput_2024_08_13(_Input):
    host: bool | None = Field(default=None, description="Whether the host was absent.")
    attendees: list[MarkAbsentAttendee] | None = Field(default=None, max_length=1000)


class DeclineBookingInput_2024_08_13(_Input):
    reason: Text | None = Field(default=None, description="Why the booking is declined.")


def _omit_none(value: Any) -> bool:
    return value is None


def _omitted() -> Any:
    """An optional output field: left out of the JSON when it has no value (the spec types these
    fields as non-nullable)."""
    return Field(default=None, exclude_if=_omit_none)


# --- outputs -----------------------------------------------------------------------------------


class BookingHost(ApiModel):
    id: int
    name: str
    email: str
    username: str
    timeZone: str


class EventType(ApiModel):
    id: int
    slug: str


class BookingAttendee(ApiModel):
    name: str
    email: str
    timeZone: str
    language: str | None = _omitted()
    absent: bool
    phoneNumber: str | None = _omitted()


class SeatedAttendee(BookingAttendee):
    seatUid: str
    bookingFieldsResponses: dict[str, Any]
    metadata: dict[str, Any] | None = _omitted()


class _BookingCore(ApiModel):
    id: int
    uid: str
    title: str
    description: str
    hosts: list[BookingHost]
    status: Literal["cancelled", "accepted", "rejected", "pending"]
    cancellationReason: str | None = _omitted()
    cancelledByEmail: str | None = _omitted()
    reschedulingReason: str | None = _omitted()
    rescheduledByEmail: str | None = _omitted()
    rescheduledFromUid: str | None = _omitted()
    rescheduledToUid: str | None = _omitted()
    start: str = Field(examples=["2050-09-05T09:00:00.000Z"])
    end: str = Field(examples=["2050-09-05T10:00:00.000Z"])
    duration: int
    eventTypeId: int
    eventType: EventType
    meetingUrl: str | None = _omitted()
    location: str
    absentHost: bool
    createdAt: str
    updatedAt: str
    metadata: dict[str, Any] | None = _omitted()
    rating: int | None = _omitted()
    icsUid: str | None = _omitted()


class BookingOutput_2024_08_13(_BookingCore):
    attendees: list[BookingAttendee]
    guests: list[str] | None = _omitted()
    bookingFieldsResponses: dict[str, Any]


class RecurringBookingOutput_2024_08_13(BookingOutput_2024_08_13):
    recurringBookingUid: str


class GetSeatedBookingOutput_2024_08_13(_BookingCore):
    attendees: list[SeatedAttendee]


class GetRecurringSeatedBookingOutput_2024_08_13(GetSeatedBookingOutput_2024_08_13):
    recurringBookingUid: str


class CreateSeatedBookingOutput_2024_08_13(GetSeatedBookingOutput_2024_08_13):
    seatUid: str


class CreateRecurringSeatedBookingOutput_2024_08_13(CreateSeatedBookingOutput_2024_08_13):
    recurringBookingUid: str


AnyBooking = (
    BookingOutput_2024_08_13
    | RecurringBookingOutput_2024_08_13
    | GetSeatedBookingOutput_2024_08_13
    | GetRecurringSeatedBookingOutput_2024_08_13
    | CreateSeatedBookingOutput_2024_08_13
    | CreateRecurringSeatedBookingOutput_2024_08_13
)
BookingData = AnyBooking | list[AnyBooking]


class CreateBookingOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: BookingData


class GetBookingOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: BookingData


class GetBookingsOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: list[AnyBooking]
    pagination: Pagination


class RescheduleBookingOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: BookingData


class CancelBookingOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: BookingData


class MarkAbsentBookingOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: BookingData


class CalendarLink(ApiModel):
    label: str = Field(examples=["googleCalendar"])
    link: str


class CalendarLinksOutput_2024_08_13(ApiModel):
    status: Literal["success"] = "success"
    data: list[CalendarLink]
