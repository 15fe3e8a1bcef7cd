"""Webhook request and response bodies, named like Cal.com's spec components (no API versions here).

Beyond Cal.com's fields, outputs carry ``signingSecret`` (the Standard Webhooks key), and
``deactivatedAt``/``deactivatedReason`` (set when repeated failures switched the webhook off).
"""

from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, field_validator, model_validator

from slotwise.http.model import ApiModel
from slotwise.http.pagination import Pagination

# Cal.com's WebhookTriggerEvents (the spec's enum) plus BOOKING_CONFIRMED, which Slotwise also fires.
TRIGGERS: tuple[str, ...] = (
    "BOOKING_CREATED",
    "BOOKING_PAYMENT_INITIATED",
    "BOOKING_PAID",
    "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
    "FORM_SUBMITTED",
    "MEETING_ENDED",
    "MEETING_STARTED",
    "RECORDING_READY",
    "INSTANT_MEETING",
    "RECORDING_TRANSCRIPTION_GENERATED",
    "OOO_CREATED",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
    "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "FORM_SUBMITTED_NO_EVENT",
    "BOOKING_CONFIRMED",
)
_TRIGGER_SET = frozenset(TRIGGERS)
TRIGGERS_SCHEMA: dict[str, Any] = {"items": {"type": "string", "enum": list(TRIGGERS)}}
MAX_URL_LENGTH = 2048
MAX_SECRET_LENGTH = 255
MAX_TEMPLATE_LENGTH = 65_536
EXAMPLE_TEMPLATE = (
    '{"content":"A new event has been scheduled","type":"{{type}}","name":"{{title}}",'
    '"organizer":"{{organizer.name}}","booker":"{{attendees.0.name}}"}'
)
DeliveryStatus = Literal["pending", "delivered", "failed", "dropped"]


def check_text(value: Any) -> Any:
    """No NUL or other control characters (tabs and newlines aside) and valid Unicode: the database
    stores what was accepted, byte for byte."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def check_subscriber_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    url = check_text(value).strip()
    if not url:
        raise ValueError("send the receiver's URL, e.g. 'https://example.com/webhooks/cal'")
    if len(url.encode()) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} bytes long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError(f"'{url[:100]}' is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host, got '{url[:100]}'")
    if any(ch.isspace() for ch in url):
        raise ValueError("must not contain spaces (percent-encode them)")
    return url


def check_triggers(value: Any) -> Any:
    """A list of trigger names; a bare string (or "A,B") is taken as a list (legacy clients)."""
    if isinstance(value, str):
        value = [part for part in (piece.strip() for piece in value.split(",")) if part]
    if not isinstance(value, list):
        raise ValueError('must be a list of trigger names, e.g. ["BOOKING_CREATED"]')
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"must be a list of trigger names (strings), got {str(item)[:50]}")
        name = item.strip().upper()
        if name not in _TRIGGER_SET:
            raise ValueError(f"{item[:64]!r} is not a webhook trigger; use one of {', '.join(TRIGGERS)}")
        if name not in names:
            names.append(name)
    return names


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class _WebhookFields(ApiModel):
    model_config = ConfigDict(extra="ignore")

    payloadTemplate: str | None = Field(
        default=None,
        max_length=MAX_TEMPLATE_LENGTH,
        description="A template for the body sent to subscriberUrl: `{{variables}}` over the payload "
        "(`{{title}}`, `{{organizer.name}}`, `{{attendees.0.email}}`). Unset: Cal.com's default body.",
        examples=[EXAMPLE_TEMPLATE],
    )
    active: bool | None = None
    subscriberUrl: str | None = Field(default=None, description="An http(s) URL; loopback receivers are allowed.")
    triggers: list[str] | None = Field(
        default=None, examples=[["BOOKING_CREATED", "BOOKING_CANCELLED"]], json_schema_extra=TRIGGERS_SCHEMA
    )
    secret: str | None = Field(
        default=None,
        max_length=MAX_SECRET_LENGTH,
        description="Signs each delivery: X-Cal-Signature-256 (hex HMAC-SHA256 of the body) and the "
        "Standard Webhooks webhook-signature (key: signingSecret in the output).",
    )

    @field_validator("subscriberUrl", mode="before")
    @classmethod
    def _url(cls, value: Any) -> Any:
        return check_subscriber_url(value)

    @field_validator("triggers", mode="before")
    @classmethod
    def _triggers(cls, value: Any) -> Any:
        return check_triggers(value) if value is not None else None

    @field_validator("payloadTemplate", "secret", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(check_text(value))


class CreateWebhookInputDto(_WebhookFields, defer_build=False):  # a route body: see ApiModel
    active: bool = Field(description="Whether deliveries are sent.")
    subscriberUrl: str = Field(description="An http(s) URL; loopback receivers are allowed.")
    triggers: list[str] = Field(
        description="Events to send (Cal.com's trigger names).",
        examples=[["BOOKING_CREATED", "BOOKING_CANCELLED"]],
        json_schema_extra=TRIGGERS_SCHEMA,
    )


class UpdateWebhookInputDto(_WebhookFields):
    """Any subset of the create fields; ``payloadTemplate`` and ``secret`` can be set to null to remove them."""

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("active", "subscriberUrl", "triggers"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep the current value")
        return self


class _WebhookOutput(ApiModel):
    id: int
    subscriberUrl: str
    triggers: list[str]
    active: bool
    payloadTemplate: str | None
    secret: str | None = Field(default=None, exclude_if=lambda value: value is None)
    signingSecret: str = Field(
        description="Slotwise extension: the Standard Webhooks key (whsec_...) that signs webhook-signature."
    )
    deactivatedAt: str | None = Field(
        description="Slotwise extension: when repeated delivery failures switched this webhook off."
    )
    deactivatedReason: str | None = Field(description="Slotwise extension: why it was switched off.")


class UserWebhookOutputDto(_WebhookOutput):
    userId: int


class EventTypeWebhookOutputDto(_WebhookOutput):
    eventTypeId: int


class UserWebhookOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: UserWebhookOutputDto


class UserWebhooksOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: list[UserWebhookOutputDto]
    pagination: Pagination


class EventTypeWebhookOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: EventTypeWebhookOutputDto


class EventTypeWebhooksOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: list[EventTypeWebhookOutputDto]
    pagination: Pagination


class DeleteManyWebhooksOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: str


# -- delivery log (Slotwise extension) -----------------------------------------------------------


class WebhookAttemptOutput(ApiModel):
    attemptedAt: str
    statusCode: int | None = Field(description="The receiver's HTTP status; null when none came back.")
    durationMs: int
    error: str | None = Field(description="Why the attempt failed (HTTP status, timeout, refused connection).")
    responseExcerpt: str | None = Field(description="The first KiB of the receiver's answer.")


class WebhookDeliveryOutput(ApiModel):
    id: str = Field(description="The delivery id, sent as the webhook-id header (stable across retries).")
    webhookId: int
    triggerEvent: str
    status: DeliveryStatus = Field(
        description="pending (queued or waiting for a retry), delivered (a 2xx came back), failed (every retry "
        "failed), dropped (not sent: the webhook was inactive, or the meeting was cancelled or moved)."
    )
    bookingUid: str | None
    createdAt: str
    scheduledFor: str | None = Field(description="For MEETING_STARTED/MEETING_ENDED: the time it is due.")
    nextAttemptAt: str | None = Field(description="When the next attempt is due (pending deliveries only).")
    deliveredAt: str | None
    lastStatusCode: int | None
    lastError: str | None
    attempts: list[WebhookAttemptOutput] = Field(description="Every HTTP attempt, oldest first.")


class WebhookDeliveryDetailOutput(WebhookDeliveryOutput):
    body: dict[str, Any] = Field(description="The event: {triggerEvent, createdAt, payload}.")


class WebhookDeliveriesOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: list[WebhookDeliveryOutput]
    pagination: Pagination


class WebhookDeliveryOutputResponseDto(ApiModel):
    status: Literal["success"] = "success"
    data: WebhookDeliveryDetailOutput
