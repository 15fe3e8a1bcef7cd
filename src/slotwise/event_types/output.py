"""Stored event type -> ``EventTypeOutput_2024_06_14`` (what every version's answer builds on)."""

from __future__ import annotations

from typing import Any, cast

from slotwise.event_types.booking_fields import booking_form
from slotwise.event_types.models import EventType
from slotwise.event_types.schemas import (
    BookerLayouts_2024_06_14,
    DestinationCalendar_2024_06_14,
    EventTypeColor_2024_06_14,
    EventTypeOutput_2024_06_14,
    EventTypeUser,
    OutputBookingField,
    OutputLocation,
    OutputSwitchable,
    Recurrence_2024_06_14,
)
from slotwise.users.models import User


def _switchable(value: dict[str, Any] | None) -> OutputSwitchable:
    return cast(OutputSwitchable, dict(value)) if value else {"disabled": True}


def seats_output(event_type: EventType) -> OutputSwitchable:
    if event_type.seats_per_time_slot is None:
        return {"disabled": True}
    return {
        "seatsPerTimeSlot": event_type.seats_per_time_slot,
        "showAttendeeInfo": event_type.seats_show_attendees,
        "showAvailabilityCount": event_type.seats_show_availability_count,
    }


def user_output(user: User) -> EventTypeUser:
    return EventTypeUser(
        id=user.id, name=user.name, username=user.username, avatarUrl=user.avatar_url, weekStart=user.week_start
    )


def event_type_fields(event_type: EventType, owner: User) -> dict[str, Any]:
    """The 2024-06-14 output's fields, for the current model and for the legacy superset."""
    settings = event_type.settings or {}
    overrides = settings.get("bookingFieldOverrides") or {}
    color = settings.get("color")
    layouts = settings.get("bookerLayouts")
    destination = settings.get("destinationCalendar")
    return {
        "id": event_type.id,
        "ownerId": event_type.owner_id,
        "lengthInMinutes": event_type.length,
        "lengthInMinutesOptions": list(event_type.length_options) if event_type.length_options else None,
        "title": event_type.title,
        "slug": event_type.slug,
        "description": event_type.description or "",
        "locations": cast(list[OutputLocation], list(event_type.locations or [])),
        "bookingFields": cast(list[OutputBookingField], booking_form(list(event_type.booking_fields or []), overrides)),
        "disableGuests": event_type.disable_guests,
        "slotInterval": event_type.slot_interval,
        "minimumBookingNotice": event_type.minimum_booking_notice,
        "beforeEventBuffer": event_type.before_event_buffer,
        "afterEventBuffer": event_type.after_event_buffer,
        "recurrence": Recurrence_2024_06_14.model_validate(event_type.recurrence) if event_type.recurrence else None,
        "metadata": dict(event_type.event_metadata or {}),
        "lockTimeZoneToggleOnBookingPage": bool(settings.get("lockTimeZoneToggleOnBookingPage", False)),
        "successRedirectUrl": settings.get("successRedirectUrl"),
        "scheduleId": event_type.schedule_id,
        "bookingLimitsCount": _switchable(event_type.booking_limits_count),
        "onlyShowFirstAvailableSlot": event_type.only_show_first_available_slot,
        "bookingLimitsDuration": _switchable(event_type.booking_limits_duration),
        "bookingWindow": _switchable(event_type.booking_window),
        "offsetStart": event_type.offset_start,
        "bookerLayouts": BookerLayouts_2024_06_14.model_validate(layouts) if layouts else None,
        "confirmationPolicy": _switchable(event_type.confirmation_policy),
        "requiresBookerEmailVerification": bool(settings.get("requiresBookerEmailVerification", False)),
        "hideCalendarNotes": bool(settings.get("hideCalendarNotes", False)),
        "color": EventTypeColor_2024_06_14.model_validate(color) if color else None,
        "seats": seats_output(event_type),
        "customName": settings.get("customName"),
        "destinationCalendar": DestinationCalendar_2024_06_14.model_validate(destination) if destination else None,
        "useDestinationCalendarEmail": bool(settings.get("useDestinationCalendarEmail", False)),
        "hideCalendarEventDetails": bool(settings.get("hideCalendarEventDetails", False)),
        "hideOrganizerEmail": bool(settings.get("hideOrganizerEmail", False)),
        "calVideoSettings": settings.get("calVideoSettings"),
        "hidden": event_type.hidden,
        "bookingRequiresAuthentication": bool(settings.get("bookingRequiresAuthentication", False)),
        "users": [user_output(owner)],
    }


def event_type_output(event_type: EventType, owner: User) -> EventTypeOutput_2024_06_14:
    return EventTypeOutput_2024_06_14(**event_type_fields(event_type, owner))
