"""Webhook subscriptions and the delivery log: the rules, independent of HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.config import Settings
from slotwise.db import Database, utcnow
from slotwise.event_types.models import EventType
from slotwise.http.errors import conflict, forbidden, not_found
from slotwise.http.types import INT32_MAX
from slotwise.users.models import User
from slotwise.webhooks import delivery, outbox
from slotwise.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from slotwise.webhooks.schemas import CreateWebhookInputDto, DeliveryStatus, UpdateWebhookInputDto
from slotwise.webhooks.worker import Job, record_outcomes, target_of

ANY_SCOPE = -1  # get_webhook(..., event_type_id=ANY_SCOPE): a user or event type webhook alike


def shown(raw: str) -> str:
    """An id from the URL, safe to echo in a message."""
    return raw[:64].encode("utf-8", "replace").decode("utf-8", "replace")


def parse_webhook_id(raw: str) -> int | None:
    """``"12"`` (or ``"12.0"``) -> 12; anything else (a Cal.com UUID, a huge number) is no webhook here."""
    text = raw.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= INT32_MAX else None


async def owned_event_type(session: AsyncSession, owner: User, event_type_id: int) -> EventType:
    event_type = await session.get(EventType, event_type_id)
    if event_type is None:
        raise not_found(f"Event type {event_type_id} not found.")
    if event_type.owner_id != owner.id:
        raise forbidden(f"Event type {event_type_id} belongs to another user; you cannot manage its webhooks.")
    return event_type


def _scope_filter(event_type_id: int | None) -> Any:
    if event_type_id is None:
        return Webhook.event_type_id.is_(None)
    return Webhook.event_type_id == event_type_id


async def list_webhooks(
    session: AsyncSession, owner: User, *, event_type_id: int | None, take: int, skip: int
) -> tuple[Sequence[Webhook], int]:
    scope = (Webhook.user_id == owner.id, _scope_filter(event_type_id))
    total = await session.scalar(select(func.count()).select_from(Webhook).where(*scope)) or 0
    rows = (await session.scalars(select(Webhook).where(*scope).order_by(Webhook.id).offset(skip).limit(take))).all()
    return rows, total


async def get_webhook(session: AsyncSession, owner: User, raw_id: str, *, event_type_id: int | None) -> Webhook:
    """The caller's webhook in this scope: 404 when unknown (or in another scope), 403 when not theirs.

    ``event_type_id`` None means the user-level scope; ``ANY_SCOPE`` either (the delivery log).
    """
    webhook_id = parse_webhook_id(raw_id)
    webhook = await session.get(Webhook, webhook_id) if webhook_id is not None else None
    if webhook is None:
        raise not_found(f"Webhook {shown(raw_id)} not found.")
    if webhook.user_id != owner.id:
        raise forbidden(f"Webhook {webhook.id} belongs to another user.")
    if event_type_id == ANY_SCOPE:
        return webhook
    if event_type_id is None and webhook.event_type_id is not None:
        raise not_found(
            f"Webhook {webhook.id} is an event type webhook: "
            f"use /v2/event-types/{webhook.event_type_id}/webhooks/{webhook.id}."
        )
    if event_type_id is not None and webhook.event_type_id != event_type_id:
        raise not_found(f"Webhook {webhook.id} not found for event type {event_type_id}.")
    return webhook


async def _ensure_unique_url(
    session: AsyncSession, owner: User, url: str, event_type_id: int | None, *, exclude: int | None
) -> None:
    query = select(Webhook.id).where(Webhook.subscriber_url == url, _scope_filter(event_type_id))
    if event_type_id is None:
        query = query.where(Webhook.user_id == owner.id)
    if exclude is not None:
        query = query.where(Webhook.id != exclude)
    if await session.scalar(query.limit(1)) is not None:
        where = "this user" if event_type_id is None else f"event type {event_type_id}"
        raise conflict(f"Webhook with this subscriber url already exists for {where}: {url}")


async def _flush_unique(session: AsyncSession, url: str) -> None:
    """Flush; a concurrent insert of the same URL loses the race with a 409, not a 500."""
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise conflict(f"Webhook with this subscriber url already exists: {url}") from None


async def create_webhook(
    session: AsyncSession, owner: User, data: CreateWebhookInputDto, *, event_type_id: int | None
) -> Webhook:
    await _ensure_unique_url(session, owner, data.subscriberUrl, event_type_id, exclude=None)
    webhook = Webhook(
        user_id=owner.id,
        event_type_id=event_type_id,
        subscriber_url=data.subscriberUrl,
        triggers=list(data.triggers),
        active=data.active,
        payload_template=data.payloadTemplate,
        secret=data.secret,
    )
    session.add(webhook)
    await _flush_unique(session, data.subscriberUrl)
    return webhook


async def update_webhook(session: AsyncSession, owner: User, webhook: Webhook, data: UpdateWebhookInputDto) -> Webhook:
    fields = data.model_fields_set
    if "subscriberUrl" in fields and data.subscriberUrl is not None and data.subscriberUrl != webhook.subscriber_url:
        await _ensure_unique_url(session, owner, data.subscriberUrl, webhook.event_type_id, exclude=webhook.id)
        webhook.subscriber_url = data.subscriberUrl
    if "triggers" in fields and data.triggers is not None:
        webhook.triggers = list(data.triggers)
    if "payloadTemplate" in fields:
        webhook.payload_template = data.payloadTemplate
    if "secret" in fields:
        webhook.secret = data.secret
    if "active" in fields and data.active is not None:
        if data.active and not webhook.active:  # switched back on: forget a deactivation and its failure streak
            webhook.deactivated_at = None
            webhook.deactivated_reason = None
            webhook.failing_since = None
        webhook.active = data.active
    await _flush_unique(session, webhook.subscriber_url)
    return webhook


async def delete_webhook(session: AsyncSession, webhook: Webhook) -> None:
    await session.delete(webhook)
    await session.flush()


async def delete_event_type_webhooks(session: AsyncSession, owner: User, event_type_id: int) -> int:
    result = await session.execute(
        delete(Webhook).where(Webhook.user_id == owner.id, Webhook.event_type_id == event_type_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- delivery log --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRecord:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


async def _load(session: AsyncSession, deliveries: Any) -> list[DeliveryRecord]:
    """The deliveries selected by the id subquery ``deliveries``, newest first, each with its attempts.

    One statement, so on PostgreSQL a delivery and its attempts come from the same snapshot (a worker
    recording an outcome in between cannot show a new attempt beside a stale ``nextAttemptAt``).
    """
    rows = await session.execute(
        select(WebhookDelivery, WebhookAttempt)
        .join(deliveries, deliveries.c.id == WebhookDelivery.id)
        .outerjoin(WebhookAttempt, WebhookAttempt.delivery_id == WebhookDelivery.id)
        .order_by(
            WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc(), WebhookAttempt.attempted_at, WebhookAttempt.id
        )
        .execution_options(populate_existing=True)
    )
    records: dict[str, DeliveryRecord] = {}
    for found, attempt in rows:
        record = records.setdefault(found.id, DeliveryRecord(found, []))
        if attempt is not None:
            record.attempts.append(attempt)
    return list(records.values())


async def list_deliveries(
    session: AsyncSession, webhook: Webhook, *, status: DeliveryStatus | None, take: int, skip: int
) -> tuple[list[DeliveryRecord], int]:
    scope = [WebhookDelivery.webhook_id == webhook.id]
    if status is not None:
        scope.append(WebhookDelivery.status == status)
    total = await session.scalar(select(func.count()).select_from(WebhookDelivery).where(*scope)) or 0
    page = (
        select(WebhookDelivery.id)
        .where(*scope)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .offset(skip)
        .limit(take)
        .subquery()
    )
    return await _load(session, page), total


async def get_delivery(session: AsyncSession, webhook: Webhook, delivery_id: str) -> DeliveryRecord:
    records = []
    if 0 < len(delivery_id) <= 40:
        one = (
            select(WebhookDelivery.id)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook.id)
            .subquery()
        )
        records = await _load(session, one)
    if not records:
        raise not_found(f"Delivery {shown(delivery_id)} not found for webhook {webhook.id}.")
    return records[0]


async def redeliver(session: AsyncSession, webhook: Webhook, delivery_id: str) -> DeliveryRecord:
    """Queue the delivery again now, same ``webhook-id``, with a fresh retry schedule."""
    record = await get_delivery(session, webhook, delivery_id)
    found = record.delivery
    now = utcnow()
    if not webhook.active:
        raise conflict(f"Webhook {webhook.id} is inactive; PATCH it with active=true before redelivering.")
    if found.status == "pending" and found.locked_until is not None and found.locked_until > now:
        raise conflict(f"Delivery {found.id} is being sent right now; check its attempts in a moment.")
    found.status = "pending"
    found.attempts = 0
    found.next_attempt_at = now
    found.locked_until = None
    found.claim_token = None
    found.delivered_at = None
    outbox.wake_after_commit(session)
    await session.flush()
    return record


def ping_body(owner: User) -> dict[str, Any]:
    """A test event shaped like a booking payload (Cal.com's ``PING``)."""
    now = utcnow()
    start = outbox.iso_utc(now).replace(".000Z", "Z")
    return {
        "triggerEvent": "PING",
        "createdAt": outbox.iso_utc(now),
        "payload": {
            "type": "Test",
            "title": "Test trigger event",
            "description": "",
            "startTime": start,
            "endTime": start,
            "organizer": {
                "id": owner.id,
                "name": owner.name or owner.username,
                "email": owner.email,
                "username": owner.username,
                "timeZone": owner.time_zone,
                "language": {"locale": owner.locale or "en"},
            },
            "attendees": [
                {
                    "name": "John Doe",
                    "firstName": "John",
                    "lastName": "Doe",
                    "email": "john.doe@example.com",
                    "timeZone": "Europe/London",
                    "language": {"locale": "en"},
                }
            ],
        },
    }


async def ping(database: Database, settings: Settings, owner: User, webhook: Webhook) -> DeliveryRecord:
    """Send a ``PING`` now (one attempt, logged like any delivery, never retried) and return its result."""
    now = utcnow()
    token = uuid.uuid4().hex
    body = ping_body(owner)
    target = target_of(webhook)
    record = WebhookDelivery(
        id=outbox.new_delivery_id(),
        webhook_id=webhook.id,
        trigger="PING",
        body=body,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        # leased by this request, so no worker sends it too
        locked_until=now + timedelta(seconds=settings.webhook_timeout_seconds + 30),
        claim_token=token,
        created_at=now,
    )
    async with database.write_session() as write:
        write.add(record)
        await write.commit()
    sender = delivery.new_sender()
    try:
        outcome = await delivery.attempt(
            sender, record.id, body, target, timeout_seconds=settings.webhook_timeout_seconds
        )
    finally:
        await sender.aclose()
    await record_outcomes(database, [(Job(record.id, "PING", body, 0, token, target, retry=False), outcome)], settings)
    async with database.session() as read:
        return await get_delivery(read, webhook, record.id)
