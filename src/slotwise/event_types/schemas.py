"""Event type shapes of ``cal-api-version: 2024-06-14`` (names follow Cal.com's spec components).

Inputs validate one field at a time and say what to send; rules that span fields (seats with
locations, a length among its options, ...) live in the service, which sees the merged state.
Objects that can be switched off take ``{"disabled": true}`` (or ``null``); both arrive as ``None``.
"""

import itertools
import re
from datetime import date
from typing import Annotated, Any, Literal, NotRequired, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from slotwise.event_types.booking_fields import normalize_booking_fields
from slotwise.event_types.locations import normalize_locations
from slotwise.http.model import ApiModel
from slotwise.http.types import Id, WholeNumber

MAX_LENGTH_MINUTES = 1440  # an event (and so a slot) is at most a day long
MAX_LENGTH_OPTIONS = 24
MAX_NOTICE_MINUTES = 5_256_000  # ten years
MAX_BUFFER_MINUTES = 1440
MAX_WINDOW_DAYS = 3650
MAX_SEATS = 1000
MAX_RECURRENCE_INTERVAL = 99
MAX_RECURRENCES = 730
MIN_DURATION_LIMIT = 15

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,253}[a-z0-9])?$")
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LIMIT_UNITS = ("day", "week", "month", "year")


def slugify(text: str) -> str:
    """What a slug for ``text`` could be: lower-case letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")[:255]


def _slug(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not SLUG_PATTERN.match(value):
        suggestion = slugify(value)
        hint = f", e.g. '{suggestion}'" if suggestion else ""
        raise ValueError(
            f"'{value[:80]}' is not a valid slug: use lower-case letters, digits, '-' and '_' "
            f"(starting and ending with a letter or digit, at most 255 characters){hint}"
        )
    return value


def _title(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be blank: send the event type's name, e.g. '30 Minute Meeting'")
    return value


def check_http_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{value[:80]}' is not an http(s) URL; send e.g. 'https://example.com/thanks'")
    return value.strip()


def _disabled_is_none(value: Any) -> Any:
    """``{"disabled": true}`` switches an object setting off, like ``null``."""
    if isinstance(value, dict) and value.get("disabled") is True:
        return None
    return value


Slug = Annotated[str, BeforeValidator(_slug), Field(max_length=255, examples=["30min"])]
Title = Annotated[str, AfterValidator(_title), Field(min_length=1, max_length=255, examples=["30 Minute Meeting"])]
Length = Annotated[WholeNumber, Field(ge=1, le=MAX_LENGTH_MINUTES)]
Minutes = Annotated[WholeNumber, Field(ge=0, le=MAX_BUFFER_MINUTES)]
HttpUrlText = Annotated[str, AfterValidator(check_http_url), Field(max_length=2048)]
Count = Annotated[WholeNumber, Field(ge=1)]
LimitMinutes = Annotated[WholeNumber, Field(ge=MIN_DURATION_LIMIT)]
Switchable = BeforeValidator(_disabled_is_none)
OFF_HINT = ' Send {"disabled": true} (or null) to turn it off.'


class _Input(ApiModel):
    model_config = ConfigDict(extra="ignore")


def _check_limit_order(limits: BaseModel, what: str) -> None:
    given = [(unit, getattr(limits, unit)) for unit in LIMIT_UNITS if getattr(limits, unit) is not None]
    for (smaller, low), (larger, high) in itertools.pairwise(given):
        if low > high:
            raise ValueError(
                f"{what} per {smaller} ({low}) is more than per {larger} ({high}); "
                "limits must not shrink from day to week to month to year"
            )


class BaseBookingLimitsCount_2024_06_14(_Input):
    """How many bookings this event type takes per day / week / month / year."""

    day: Count | None = Field(default=None, examples=[1])
    week: Count | None = Field(default=None, examples=[2])
    month: Count | None = None
    year: Count | None = None
    disabled: bool = Field(default=False, exclude=True)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        _check_limit_order(self, "the number of bookings")
        return self


class BaseBookingLimitsDuration_2024_06_14(_Input):
    """How many minutes of this event type can be booked per day / week / month / year (each >= 15)."""

    day: LimitMinutes | None = Field(default=None, examples=[60])
    week: LimitMinutes | None = Field(default=None, examples=[120])
    month: LimitMinutes | None = None
    year: LimitMinutes | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        _check_limit_order(self, "the booked minutes")
        return self


class BookingWindow_2024_06_14(_Input):
    """``{type: "businessDays"|"calendarDays", value: days, rolling?}`` or ``{type: "range", value: [from, to]}``."""

    type: Literal["businessDays", "calendarDays", "range"]
    value: Annotated[
        Any,
        WithJsonSchema(
            {
                "oneOf": [
                    {"type": "integer", "minimum": 1, "maximum": MAX_WINDOW_DAYS},
                    {"type": "array", "items": {"type": "string", "format": "date"}, "minItems": 2, "maxItems": 2},
                ]
            }
        ),
    ] = Field(description="Days ahead (1 to 3650), or for `range` two dates `[YYYY-MM-DD, YYYY-MM-DD]`.")
    rolling: bool | None = Field(
        default=None,
        description="Count only days that have free slots (days ahead windows only).",
    )

    @model_validator(mode="after")
    def _value_fits_type(self) -> Self:
        if self.type == "range":
            self.value = _date_range(self.value)
            if self.rolling is not None:
                raise ValueError("'rolling' only applies to businessDays / calendarDays windows; drop it for a range")
            return self
        days = self.value
        if isinstance(days, float) and days.is_integer():
            days = int(days)
        if isinstance(days, str) and days.strip().isdigit():
            days = int(days.strip())
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
            raise ValueError(
                f"value of a {self.type} window is the number of days ahead: a whole number from 1 to "
                f"{MAX_WINDOW_DAYS}, got {self.value!r}"
            )
        self.value = days
        return self


def _date_range(value: Any) -> list[str]:
    hint = 'send two dates, e.g. ["2030-09-05", "2030-09-30"]'
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise ValueError(f"value of a range window must be [start date, end date]: {hint}")
    try:
        start, end = (date.fromisoformat(v) for v in value)
    except ValueError:
        raise ValueError(f"value of a range window has a date that is not YYYY-MM-DD ({value!r}): {hint}") from None
    if len(value[0]) != 10 or len(value[1]) != 10:
        raise ValueError(f"value of a range window takes dates without a time: {hint}")
    if end < start:
        raise ValueError(f"range window ends ({value[1]}) before it starts ({value[0]})")
    return [start.isoformat(), end.isoformat()]


Layout = Literal["month", "week", "column"]


class BookerLayouts_2024_06_14(_Input):
    defaultLayout: Layout
    enabledLayouts: list[Layout] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _default_is_enabled(self) -> Self:
        if len(set(self.enabledLayouts)) != len(self.enabledLayouts):
            raise ValueError("enabledLayouts lists a layout twice")
        if self.defaultLayout not in self.enabledLayouts:
            raise ValueError(
                f"defaultLayout '{self.defaultLayout}' must be one of enabledLayouts ({', '.join(self.enabledLayouts)})"
            )
        return self


class NoticeThreshold_2024_06_14(_Input):
    unit: Literal["minutes", "hours"]
    count: Annotated[WholeNumber, Field(ge=1, le=MAX_NOTICE_MINUTES)]


class BaseConfirmationPolicy_2024_06_14(_Input):
    """``always``: every booking waits for the host; ``time``: only bookings made less than
    ``noticeThreshold`` ahead do."""

    type: Literal["always", "time"]
    noticeThreshold: NoticeThreshold_2024_06_14 | None = None
    blockUnconfirmedBookingsInBooker: bool = False

    @model_validator(mode="after")
    def _threshold_for_time(self) -> Self:
        if self.type == "time" and self.noticeThreshold is None:
            raise ValueError(
                'a "time" policy needs noticeThreshold, e.g. {"unit": "hours", "count": 24}; '
                'use type "always" to confirm every booking'
            )
        return self


class Recurrence_2024_06_14(_Input):
    frequency: Literal["yearly", "monthly", "weekly"]
    interval: Annotated[WholeNumber, Field(ge=1, le=MAX_RECURRENCE_INTERVAL)] = Field(examples=[1])
    occurrences: Annotated[WholeNumber, Field(ge=1, le=MAX_RECURRENCES)] = Field(examples=[5])


class EventTypeColor_2024_06_14(_Input):
    lightThemeHex: str = Field(pattern=HEX_COLOR.pattern, examples=["#292929"])
    darkThemeHex: str = Field(pattern=HEX_COLOR.pattern, examples=["#fafafa"])


class Seats_2024_06_14(_Input):
    seatsPerTimeSlot: Annotated[WholeNumber, Field(ge=1, le=MAX_SEATS)] = Field(examples=[4])
    showAttendeeInfo: bool = False
    showAvailabilityCount: bool = True


class DestinationCalendar_2024_06_14(_Input):
    integration: str = Field(min_length=1, max_length=255)
    externalId: str = Field(min_length=1, max_length=1024)


class CalVideoSettings(_Input):
    disableRecordingForOrganizer: bool | None = None
    disableRecordingForGuests: bool | None = None
    redirectUrlOnExit: HttpUrlText | None = None
    enableAutomaticRecordingForOrganizer: bool | None = None
    enableAutomaticTranscription: bool | None = None
    disableTranscriptionForGuests: bool | None = None
    disableTranscriptionForOrganizer: bool | None = None


BookingFields = Annotated[list[Any], AfterValidator(normalize_booking_fields), Field(max_length=50)]
Locations = Annotated[list[Any], AfterValidator(normalize_locations), Field(max_length=20)]


class _EventTypeFields(_Input):
    """The fields create and update share; all optional here (create requires the first three)."""

    lengthInMinutes: Length | None = Field(default=None, examples=[30])
    title: Title | None = None
    slug: Slug | None = None
    lengthInMinutesOptions: list[Length] | None = Field(
        default=None,
        max_length=MAX_LENGTH_OPTIONS,
        description="Lengths the booker may pick; must include `lengthInMinutes`. `null` or `[]` removes them.",
        examples=[[15, 30, 60]],
    )
    description: str | None = Field(default=None, max_length=10_000)
    bookingFields: BookingFields | None = Field(
        default=None,
        description="Custom booking questions, and changes to the default ones (name, email, title, notes, "
        "guests, rescheduleReason, location). The email field must stay required and visible.",
    )
    disableGuests: bool | None = None
    slotInterval: Annotated[WholeNumber, Field(ge=1, le=MAX_LENGTH_MINUTES)] | None = Field(
        default=None, description="Minutes between slot starts; `null` = the event's length."
    )
    minimumBookingNotice: Annotated[WholeNumber, Field(ge=0, le=MAX_NOTICE_MINUTES)] | None = Field(
        default=None, description="Minutes of notice a booking needs (default 120)."
    )
    beforeEventBuffer: Minutes | None = None
    afterEventBuffer: Minutes | None = None
    scheduleId: Id | None = Field(default=None, description="One of your schedules; `null` = your default schedule.")
    bookingLimitsCount: Annotated[BaseBookingLimitsCount_2024_06_14 | None, Switchable] = Field(
        default=None, description="Limit how many times this event can be booked." + OFF_HINT
    )
    onlyShowFirstAvailableSlot: bool | None = None
    bookingLimitsDuration: Annotated[BaseBookingLimitsDuration_2024_06_14 | None, Switchable] = Field(
        default=None, description="Limit the total booked minutes per period (each at least 15)." + OFF_HINT
    )
    bookingWindow: Annotated[BookingWindow_2024_06_14 | None, Switchable] = Field(
        default=None, description="Limit how far in the future this event can be booked." + OFF_HINT
    )
    offsetStart: Minutes | None = Field(default=None, description="Shift every slot start by this many minutes.")
    bookerLayouts: BookerLayouts_2024_06_14 | None = None
    confirmationPolicy: Annotated[BaseConfirmationPolicy_2024_06_14 | None, Switchable] = Field(
        default=None, description="Bookings wait for the host's confirmation." + OFF_HINT
    )
    recurrence: Annotated[Recurrence_2024_06_14 | None, Switchable] = Field(
        default=None, description="Make the event recurring." + OFF_HINT
    )
    requiresBookerEmailVerification: bool | None = None
    hideCalendarNotes: bool | None = None
    lockTimeZoneToggleOnBookingPage: bool | None = None
    color: EventTypeColor_2024_06_14 | None = None
    seats: Annotated[Seats_2024_06_14 | None, Switchable] = Field(
        default=None, description="Several attendees per slot (1 to 1000 seats)." + OFF_HINT
    )
    customName: str | None = Field(
        default=None, max_length=255, examples=["{Event type title} between {Organiser} and {Scheduler}"]
    )
    destinationCalendar: DestinationCalendar_2024_06_14 | None = None
    useDestinationCalendarEmail: bool | None = None
    hideCalendarEventDetails: bool | None = None
    successRedirectUrl: HttpUrlText | None = None
    hideOrganizerEmail: bool | None = None
    calVideoSettings: CalVideoSettings | None = None
    hidden: bool | None = None
    bookingRequiresAuthentication: bool | None = None
    locations: Locations | None = Field(
        default=None,
        description="Where the event takes place. Without it a Cal Video link is used.",
        examples=[[{"type": "integration", "integration": "cal-video"}]],
    )


class CreateEventTypeInput_2024_06_14(_EventTypeFields):
    lengthInMinutes: Length = Field(examples=[30])
    title: Title
    slug: Slug


class UpdateEventTypeInput_2024_06_14(_EventTypeFields):
    pass


# ---------------------------------------------------------------------------------------------
# Outputs


class OutputLocation(TypedDict):
    """One of Cal.com's output locations (address, link, integration, phone, attendee*)."""

    type: str
    address: NotRequired[str]
    link: NotRequired[str]
    phone: NotRequired[str]
    public: NotRequired[bool]
    integration: NotRequired[str]
    credentialId: NotRequired[int]
    location: NotRequired[str]


class OutputBookingField(TypedDict):
    """A booking question: the default ones (``isDefault: true``) in Cal.com's order around the custom ones."""

    type: str
    slug: str
    isDefault: bool
    label: NotRequired[str]
    required: NotRequired[bool]
    hidden: NotRequired[bool]
    placeholder: NotRequired[str]
    options: NotRequired[list[str]]
    disableOnPrefill: NotRequired[bool]
    firstNameLabel: NotRequired[str]
    firstNamePlaceholder: NotRequired[str]
    lastNameLabel: NotRequired[str]
    lastNamePlaceholder: NotRequired[str]
    lastNameRequired: NotRequired[bool]


class OutputSwitchable(TypedDict, total=False):
    """The object as sent, or ``{"disabled": true}`` when off."""

    disabled: bool
    day: int
    week: int
    month: int
    year: int
    type: str
    value: int | list[str]
    rolling: bool
    seatsPerTimeSlot: int
    showAttendeeInfo: bool
    showAvailabilityCount: bool
    noticeThreshold: dict[str, Any]
    blockUnconfirmedBookingsInBooker: bool


class EventTypeUser(ApiModel):
    id: int
    name: str | None
    username: str
    avatarUrl: str | None
    weekStart: str


def _omit_none(value: Any) -> bool:
    return value is None


class EventTypeOutput_2024_06_14(ApiModel):
    id: int
    ownerId: int
    lengthInMinutes: int
    lengthInMinutesOptions: list[int] | None = Field(default=None, exclude_if=_omit_none)
    title: str
    slug: str
    description: str
    locations: list[OutputLocation]
    bookingFields: list[OutputBookingField]
    disableGuests: bool
    slotInterval: int | None
    minimumBookingNotice: int
    beforeEventBuffer: int
    afterEventBuffer: int
    recurrence: Recurrence_2024_06_14 | None
    metadata: dict[str, Any]
    price: int = 0
    currency: str = "usd"
    lockTimeZoneToggleOnBookingPage: bool
    forwardParamsSuccessRedirect: bool | None = True
    successRedirectUrl: str | None
    isInstantEvent: bool = False
    scheduleId: int | None
    bookingLimitsCount: OutputSwitchable
    onlyShowFirstAvailableSlot: bool
    bookingLimitsDuration: OutputSwitchable
    bookingWindow: OutputSwitchable
    offsetStart: int
    bookerLayouts: BookerLayouts_2024_06_14 | None = Field(default=None, exclude_if=_omit_none)
    confirmationPolicy: OutputSwitchable
    requiresBookerEmailVerification: bool
    hideCalendarNotes: bool
    color: EventTypeColor_2024_06_14 | None = Field(default=None, exclude_if=_omit_none)
    seats: OutputSwitchable
    customName: str | None = Field(default=None, exclude_if=_omit_none)
    destinationCalendar: DestinationCalendar_2024_06_14 | None = Field(default=None, exclude_if=_omit_none)
    useDestinationCalendarEmail: bool
    hideCalendarEventDetails: bool
    hideOrganizerEmail: bool
    calVideoSettings: dict[str, Any] | None = Field(default=None, exclude_if=_omit_none)
    hidden: bool
    bookingRequiresAuthentication: bool
    users: list[EventTypeUser]


class CreateEventTypeOutput_2024_06_14(ApiModel):
    status: Literal["success"] = "success"
    data: EventTypeOutput_2024_06_14


class GetEventTypeOutput_2024_06_14(ApiModel):
    status: Literal["success"] = "success"
    data: EventTypeOutput_2024_06_14


class GetEventTypesOutput_2024_06_14(ApiModel):
    status: Literal["success"] = "success"
    data: list[EventTypeOutput_2024_06_14]


class UpdateEventTypeOutput_2024_06_14(ApiModel):
    status: Literal["success"] = "success"
    data: EventTypeOutput_2024_06_14


class DeleteData_2024_06_14(ApiModel):
    id: int
    lengthInMinutes: int
    title: str
    slug: str


class DeleteEventTypeOutput_2024_06_14(ApiModel):
    status: Literal["success"] = "success"
    data: DeleteData_2024_06_14
