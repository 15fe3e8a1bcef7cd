"""Writing the webhook outbox: called inside the transaction of the change being announced, so a
rolled-back change sends nothing and a committed one is never lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, and_, bindparam, event, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from slotwise.db import utcnow
from slotwise.webhooks.models import Webhook, WebhookDelivery

_PENDING_FLAG = "slotwise.webhooks.enqueued"
_wake_listeners: set[Callable[[], None]] = set()


def add_wake_listener(listener: Callable[[], None]) -> None:
    """Call ``listener`` after any transaction of this process that queued deliveries commits
    (the in-process worker uses it to send at once instead of at its next poll)."""
    _wake_listeners.add(listener)


def remove_wake_listener(listener: Callable[[], None]) -> None:
    _wake_listeners.discard(listener)


def wake_after_commit(session: AsyncSession | Session) -> None:
    """Wake this process's delivery workers when ``session`` commits."""
    session.info[_PENDING_FLAG] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING_FLAG, False):
        for listener in list(_wake_listeners):
            listener()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_FLAG, None)


def iso_utc(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_delivery_id() -> str:
    return "msg_" + uuid.uuid4().hex


# Built once: every booking change looks its subscribers up, and building the statement cost more
# than running its cached compilation.
_ACTIVE_OF_USER = select(Webhook).where(Webhook.user_id == bindparam("user_id"), Webhook.active.is_(True))
_ACTIVE_OF_USER_OR_EVENT_TYPE = select(Webhook).where(
    or_(Webhook.user_id == bindparam("user_id"), Webhook.event_type_id == bindparam("event_type_id")),
    Webhook.active.is_(True),
)


def any_active_webhook(user_id: ColumnElement[Any], event_type_id: ColumnElement[Any]) -> Exists:
    """SQL for "would :func:`active_webhooks` find any?", for a statement of the change that can answer it
    on the way: when nobody listens (most changes of most hosts), the lookup is saved."""
    return exists().where(
        Webhook.active.is_(True),
        or_(Webhook.event_type_id == event_type_id, and_(Webhook.event_type_id.is_(None), Webhook.user_id == user_id)),
    )


async def active_webhooks(session: AsyncSession, *, user_id: int, event_type_id: int | None) -> list[Webhook]:
    """Active webhooks of the user (user level) or of the event type: those that may hear about it."""
    if event_type_id is None:
        rows = (await session.scalars(_ACTIVE_OF_USER, {"user_id": user_id})).all()
    else:
        params = {"user_id": user_id, "event_type_id": event_type_id}
        rows = (await session.scalars(_ACTIVE_OF_USER_OR_EVENT_TYPE, params)).all()
    return [hook for hook in rows if hook.event_type_id is None or hook.event_type_id == event_type_id]


async def subscribers(session: AsyncSession, trigger: str, *, user_id: int, event_type_id: int | None) -> list[Webhook]:
    """Active webhooks of the user, or of the event type, that subscribe to ``trigger``."""
    hooks = await active_webhooks(session, user_id=user_id, event_type_id=event_type_id)
    return [hook for hook in hooks if trigger in (hook.triggers or [])]


async def enqueue(
    session: AsyncSession,
    trigger: str,
    payload: dict[str, Any],
    *,
    user_id: int,
    event_type_id: int | None,
    booking_uid: str | None = None,
    due_at: datetime | None = None,
    candidates: list[Webhook] | None = None,
) -> list[WebhookDelivery]:
    """One pending delivery per matching webhook. ``due_at`` schedules it (meeting start/end).
    ``candidates`` (from :func:`active_webhooks`) saves the lookup when one change fires several events."""
    created_at = utcnow()
    if candidates is None:
        candidates = await active_webhooks(session, user_id=user_id, event_type_id=event_type_id)
    deliveries = [
        WebhookDelivery(
            id=new_delivery_id(),
            webhook_id=hook.id,
            trigger=trigger,
            body={"triggerEvent": trigger, "createdAt": iso_utc(created_at), "payload": payload},
            booking_uid=booking_uid,
            scheduled_for=due_at,
            status="pending",
            attempts=0,
            next_attempt_at=due_at or created_at,
            created_at=created_at,
        )
        for hook in candidates
        if trigger in (hook.triggers or [])
    ]
    session.add_all(deliveries)
    if deliveries and due_at is None:
        wake_after_commit(session)
    return deliveries
