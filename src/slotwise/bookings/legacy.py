"""The bookings API as header-less (2024-04-15) callers use it: request bodies, query names and the
answer shapes they read back, kept apart from the 2024-08-13 shapes.

**The legacy booking shape is a merge.** Cal.com's legacy controllers answered with its internal
booking object (``startTime``/``endTime``, ``userId``, ``responses``, upper-case ``status`` such as
``"ACCEPTED"``, as the managed-OAuth proxy skill shows). Agent skills written for 2024-08-13 send no
header either and read ``start``/``end``/``duration``. So a header-less answer carries both: every
2024-08-13 key of ``BookingOutput_2024_08_13`` plus the legacy ones. Only ``status`` can't be both; it
follows the request: upper-case for the legacy ``responses`` body and the legacy endpoints, lower-case
when a header-less caller sent the 2024-08-13 ``attendee`` body (it will compare with ``"accepted"``).

The legacy list is ``data: {bookings, totalCount, nextCursor}``: pass ``nextCursor`` back as ``cursor``
for the next page (keyset paging, stable while bookings are added).
"""

from typing import Any, Literal

from pydantic import ConfigDict, Field

from slotwise.bookings.models import Booking
from slotwise.bookings.output import View, attendee_output, common_fields, seated_attendee_output
from slotwise.bookings.schemas import (
    BookingHost,
    Email,
    EventType,
    Language,
    Metadata,
    PersonName,
    Phone,
    _omitted,
)
from slotwise.http.model import ApiModel
from slotwise.http.pagination import Pagination
from slotwise.http.types import Id, TimeZoneName, WholeNumber
from slotwise.slots.schemas import Instant
from slotwise.users.models import User

# ---------------------------------------------------------------------------------------------
# Inputs


class LegacyBookingResponses(ApiModel):
    """``responses``: the booking form's answers; ``name`` and ``email`` are the attendee."""

    model_config = ConfigDict(extra="allow")

    name: PersonName | dict[str, str] = Field(description="The attendee's name.", examples=["Guest Name"])
    email: Email = Field(description="The attendee's email.", examples=["guest@example.com"])
    location: Any = Field(default=None, description="`{value, optionValue}` or a string.")
    guests: list[Email] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=10_000)
    attendeePhoneNumber: Phone | None = None

    def full_name(self) -> str:
        if isinstance(self.name, str):
            return self.name
        parts = [str(self.name.get("firstName") or "").strip(), str(self.name.get("lastName") or "").strip()]
        return " ".join(part for part in parts if part) or "Guest"

    def answers(self) -> dict[str, Any]:
        extra = dict(self.model_extra or {})
        if self.notes is not None:
            extra["notes"] = self.notes
        return extra


class CreateBookingInput_2024_04_15(ApiModel):
    """The legacy body: ``start``, ``eventTypeId``, ``timeZone``, ``language``, ``responses{name, email}``;
    ``end`` (start + one of the event type's lengths), ``rescheduleUid`` (move that booking here)."""

    model_config = ConfigDict(extra="ignore")

    start: Instant
    end: Instant | None = None
    eventTypeId: Id | None = None
    eventTypeSlug: str | None = Field(default=None, max_length=255)
    username: str | None = Field(default=None, max_length=255)
    timeZone: TimeZoneName = Field(description="The attendee's IANA time zone.", examples=["America/New_York"])
    language: Language = Field(default="en")
    metadata: Metadata | None = None
    responses: LegacyBookingResponses
    rescheduleUid: str | None = Field(default=None, max_length=64)
    recurringCount: WholeNumber | None = Field(default=None, ge=1, le=730)
    reservationUid: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------------------------------------------
# Outputs


class LegacyUser(ApiModel):
    id: int
    name: str
    email: str
    username: str
    timeZone: str


class LegacyAttendee(ApiModel):
    name: str
    email: str
    timeZone: str
    locale: str | None = _omitted()
    language: str | None = _omitted()
    absent: bool
    noShow: bool
    phoneNumber: str | None = _omitted()
    seatUid: str | None = _omitted()


class LegacyBookingOutput(ApiModel):
    """A booking for header-less callers: the 2024-08-13 keys and the legacy ones (see the module)."""

    id: int
    uid: str
    title: str
    description: str
    status: str = Field(examples=["ACCEPTED"])
    # 2024-08-13 keys
    hosts: list[BookingHost]
    start: str
    end: str
    duration: int
    eventTypeId: int
    eventType: EventType
    location: str
    meetingUrl: str | None = _omitted()
    absentHost: bool
    attendees: list[LegacyAttendee]
    guests: list[str]
    bookingFieldsResponses: dict[str, Any]
    metadata: dict[str, Any]
    createdAt: str
    updatedAt: str
    icsUid: str | None = _omitted()
    rating: int | None = _omitted()
    cancellationReason: str | None = _omitted()
    cancelledByEmail: str | None = _omitted()
    reschedulingReason: str | None = _omitted()
    rescheduledByEmail: str | None = _omitted()
    rescheduledFromUid: str | None = _omitted()
    rescheduledToUid: str | None = _omitted()
    recurringBookingUid: str | None = _omitted()
    seatUid: str | None = _omitted()
    # legacy (2024-04-15) keys
    startTime: str
    endTime: str
    userId: int
    user: LegacyUser
    responses: dict[str, Any]
    rejectionReason: str | None = _omitted()
    fromReschedule: str | None = _omitted()
    rescheduled: bool
    recurringEventId: str | None = _omitted()
    iCalUID: str | None = _omitted()
    iCalSequence: int


class LegacyBookingOutputResponse(ApiModel):
    status: Literal["success"] = "success"
    data: LegacyBookingOutput | list[LegacyBookingOutput]


class LegacyBookingsData(ApiModel):
    bookings: list[LegacyBookingOutput]
    totalCount: int
    nextCursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last.")


class LegacyGetBookingsOutput(ApiModel):
    status: Literal["success"] = "success"
    data: LegacyBookingsData
    pagination: Pagination


def legacy_user(user: User) -> LegacyUser:
    return LegacyUser(
        id=user.id, name=user.name or user.username, email=user.email, username=user.username, timeZone=user.time_zone
    )


def legacy_booking_output(booking: Booking, view: View, *, upper_status: bool = True) -> LegacyBookingOutput:
    fields = common_fields(booking, view)
    attendees = []
    for attendee in booking.attendees:
        if view.seated and not view.shows_seat(attendee):
            continue
        base = seated_attendee_output(attendee) if view.seated else attendee_output(attendee)
        attendees.append(
            LegacyAttendee(
                name=base["name"],
                email=base["email"],
                timeZone=base["timeZone"],
                locale=attendee.language,
                language=attendee.language,
                absent=attendee.absent,
                noShow=attendee.absent,
                phoneNumber=attendee.phone_number,
                seatUid=attendee.seat_uid,
            )
        )
    responses = dict(booking.responses or {})
    return LegacyBookingOutput(
        **{**fields, "status": booking.status.upper() if upper_status else booking.status},
        attendees=attendees,
        guests=list(booking.guests or []),
        bookingFieldsResponses=responses,
        recurringBookingUid=booking.recurring_booking_uid,
        seatUid=view.seat_uid,
        startTime=fields["start"],
        endTime=fields["end"],
        userId=booking.host_id,
        user=legacy_user(view.host),
        responses=responses,
        rejectionReason=booking.rejection_reason,
        fromReschedule=booking.rescheduled_from_uid,
        rescheduled=booking.rescheduled_to_uid is not None,
        recurringEventId=booking.recurring_booking_uid,
        iCalUID=booking.ics_uid,
        iCalSequence=booking.ics_sequence,
    )
