"""``/v2/webhooks`` and ``/v2/event-types/{eventTypeId}/webhooks`` (Cal.com's shapes), plus the
delivery log, redelivery and ping (Slotwise extensions, under ``/v2/webhooks/{webhookId}``)."""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db import Database
from slotwise.http.auth import CurrentUser
from slotwise.http.deps import DatabaseDep, SessionDep, SettingsDep
from slotwise.http.pagination import TakeSkip, page_meta, take_skip
from slotwise.http.routing import LazyResponseRoute
from slotwise.http.types import Id
from slotwise.webhooks import service
from slotwise.webhooks.models import Webhook
from slotwise.webhooks.outbox import iso_utc
from slotwise.webhooks.schemas import (
    CreateWebhookInputDto,
    DeleteManyWebhooksOutputResponseDto,
    DeliveryStatus,
    EventTypeWebhookOutputDto,
    EventTypeWebhookOutputResponseDto,
    EventTypeWebhooksOutputResponseDto,
    UpdateWebhookInputDto,
    UserWebhookOutputDto,
    UserWebhookOutputResponseDto,
    UserWebhooksOutputResponseDto,
    WebhookAttemptOutput,
    WebhookDeliveriesOutputResponseDto,
    WebhookDeliveryDetailOutput,
    WebhookDeliveryOutput,
    WebhookDeliveryOutputResponseDto,
)
from slotwise.webhooks.signing import signing_secret

router = APIRouter(prefix="/v2", route_class=LazyResponseRoute)

USER_TAG: list[str | Enum] = ["Webhooks"]
EVENT_TYPE_TAG: list[str | Enum] = ["Event Types / Webhooks"]
EXTENSION = "\n\nSlotwise extension (not in Cal.com's API)."

WebhookIdParam = Annotated[str, Path(alias="webhookId", description="The webhook's id.", max_length=64)]
EventTypeIdParam = Annotated[Id, Path(alias="eventTypeId", description="The event type's id.")]
DeliveryIdParam = Annotated[str, Path(alias="deliveryId", description="The delivery's id (msg_...).", max_length=64)]
Paging = Annotated[TakeSkip, Depends(take_skip(default_take=250))]


@asynccontextmanager
async def _writing(session: AsyncSession, database: Database) -> AsyncIterator[AsyncSession]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite); the request's read session is closed first."""
    await session.close()
    async with database.write_session() as write:
        yield write


def _common(webhook: Webhook) -> dict[str, object]:
    return {
        "id": webhook.id,
        "subscriberUrl": webhook.subscriber_url,
        "triggers": list(webhook.triggers or []),
        "active": webhook.active,
        "payloadTemplate": webhook.payload_template,
        "secret": webhook.secret,
        "signingSecret": signing_secret(webhook.secret, webhook.signing_secret),
        "deactivatedAt": iso_utc(webhook.deactivated_at) if webhook.deactivated_at else None,
        "deactivatedReason": webhook.deactivated_reason,
    }


def user_output(webhook: Webhook) -> UserWebhookOutputDto:
    return UserWebhookOutputDto.model_validate({**_common(webhook), "userId": webhook.user_id})


def event_type_output(webhook: Webhook) -> EventTypeWebhookOutputDto:
    return EventTypeWebhookOutputDto.model_validate({**_common(webhook), "eventTypeId": webhook.event_type_id})


def _delivery_fields(record: service.DeliveryRecord) -> dict[str, object]:
    found = record.delivery
    return {
        "id": found.id,
        "webhookId": found.webhook_id,
        "triggerEvent": found.trigger,
        "status": found.status,
        "bookingUid": found.booking_uid,
        "createdAt": iso_utc(found.created_at),
        "scheduledFor": iso_utc(found.scheduled_for) if found.scheduled_for else None,
        "nextAttemptAt": iso_utc(found.next_attempt_at) if found.status == "pending" else None,
        "deliveredAt": iso_utc(found.delivered_at) if found.delivered_at else None,
        "lastStatusCode": found.last_status_code,
        "lastError": found.last_error,
        "attempts": [
            WebhookAttemptOutput(
                attemptedAt=iso_utc(a.attempted_at),
                statusCode=a.status_code,
                durationMs=a.duration_ms,
                error=a.error,
                responseExcerpt=a.response_excerpt,
            )
            for a in record.attempts
        ],
    }


def delivery_output(record: service.DeliveryRecord) -> WebhookDeliveryOutput:
    return WebhookDeliveryOutput.model_validate(_delivery_fields(record))


def delivery_detail(record: service.DeliveryRecord) -> WebhookDeliveryDetailOutput:
    return WebhookDeliveryDetailOutput.model_validate({**_delivery_fields(record), "body": record.delivery.body})


# -- user webhooks -------------------------------------------------------------------------------


@router.post(
    "/webhooks",
    status_code=201,
    tags=USER_TAG,
    summary="Create a webhook",
    description="Subscribe an http(s) URL to booking events. The same URL twice is a 409.",
    operation_id="WebhooksController_createWebhook",
)
async def create_webhook(
    body: CreateWebhookInputDto, user: CurrentUser, session: SessionDep, database: DatabaseDep
) -> UserWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        webhook = await service.create_webhook(write, user, body, event_type_id=None)
        await write.commit()
    return UserWebhookOutputResponseDto(data=user_output(webhook))


@router.get(
    "/webhooks",
    tags=USER_TAG,
    summary="Get all webhooks",
    description="Your user-level webhooks, oldest first (`take` 1-250, default 250; `skip`).",
    operation_id="WebhooksController_getWebhooks",
)
async def get_webhooks(user: CurrentUser, session: SessionDep, paging: Paging) -> UserWebhooksOutputResponseDto:
    rows, total = await service.list_webhooks(session, user, event_type_id=None, take=paging.take, skip=paging.skip)
    return UserWebhooksOutputResponseDto(
        data=[user_output(row) for row in rows], pagination=page_meta(total, paging.skip, paging.take)
    )


@router.get(
    "/webhooks/{webhookId}",
    tags=USER_TAG,
    summary="Get a webhook",
    operation_id="WebhooksController_getWebhook",
)
async def get_webhook(
    webhook_id: WebhookIdParam, user: CurrentUser, session: SessionDep
) -> UserWebhookOutputResponseDto:
    webhook = await service.get_webhook(session, user, webhook_id, event_type_id=None)
    return UserWebhookOutputResponseDto(data=user_output(webhook))


@router.patch(
    "/webhooks/{webhookId}",
    tags=USER_TAG,
    summary="Update a webhook",
    description="Change any subset of the fields; `active: true` also clears an automatic deactivation.",
    operation_id="WebhooksController_updateWebhook",
)
async def update_webhook(
    webhook_id: WebhookIdParam,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
    body: Annotated[UpdateWebhookInputDto | None, Body()] = None,
) -> UserWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        webhook = await service.get_webhook(write, user, webhook_id, event_type_id=None)
        await service.update_webhook(write, user, webhook, body or UpdateWebhookInputDto())
        await write.commit()
    return UserWebhookOutputResponseDto(data=user_output(webhook))


@router.delete(
    "/webhooks/{webhookId}",
    tags=USER_TAG,
    summary="Delete a webhook",
    description="Deletes the webhook and its delivery log; returns the deleted webhook.",
    operation_id="WebhooksController_deleteWebhook",
)
async def delete_webhook(
    webhook_id: WebhookIdParam, user: CurrentUser, session: SessionDep, database: DatabaseDep
) -> UserWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        webhook = await service.get_webhook(write, user, webhook_id, event_type_id=None)
        output = user_output(webhook)
        await service.delete_webhook(write, webhook)
        await write.commit()
    return UserWebhookOutputResponseDto(data=output)


# -- event type webhooks -------------------------------------------------------------------------


@router.post(
    "/event-types/{eventTypeId}/webhooks",
    status_code=201,
    tags=EVENT_TYPE_TAG,
    summary="Create a webhook",
    description="Subscribe an http(s) URL to the bookings of one of your event types.",
    operation_id="EventTypeWebhooksController_createEventTypeWebhook",
)
async def create_event_type_webhook(
    event_type_id: EventTypeIdParam,
    body: CreateWebhookInputDto,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
) -> EventTypeWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        await service.owned_event_type(write, user, event_type_id)
        webhook = await service.create_webhook(write, user, body, event_type_id=event_type_id)
        await write.commit()
    return EventTypeWebhookOutputResponseDto(data=event_type_output(webhook))


@router.get(
    "/event-types/{eventTypeId}/webhooks",
    tags=EVENT_TYPE_TAG,
    summary="Get all webhooks",
    description="The event type's webhooks, oldest first (`take` 1-250, default 250; `skip`).",
    operation_id="EventTypeWebhooksController_getEventTypeWebhooks",
)
async def get_event_type_webhooks(
    event_type_id: EventTypeIdParam, user: CurrentUser, session: SessionDep, paging: Paging
) -> EventTypeWebhooksOutputResponseDto:
    await service.owned_event_type(session, user, event_type_id)
    rows, total = await service.list_webhooks(
        session, user, event_type_id=event_type_id, take=paging.take, skip=paging.skip
    )
    return EventTypeWebhooksOutputResponseDto(
        data=[event_type_output(row) for row in rows], pagination=page_meta(total, paging.skip, paging.take)
    )


@router.delete(
    "/event-types/{eventTypeId}/webhooks",
    tags=EVENT_TYPE_TAG,
    summary="Delete all webhooks",
    description="Deletes every webhook of the event type; `data` says how many.",
    operation_id="EventTypeWebhooksController_deleteAllEventTypeWebhooks",
)
async def delete_event_type_webhooks(
    event_type_id: EventTypeIdParam, user: CurrentUser, session: SessionDep, database: DatabaseDep
) -> DeleteManyWebhooksOutputResponseDto:
    async with _writing(session, database) as write:
        await service.owned_event_type(write, user, event_type_id)
        count = await service.delete_event_type_webhooks(write, user, event_type_id)
        await write.commit()
    return DeleteManyWebhooksOutputResponseDto(data=f"{count} webhooks deleted")


@router.get(
    "/event-types/{eventTypeId}/webhooks/{webhookId}",
    tags=EVENT_TYPE_TAG,
    summary="Get a webhook",
    operation_id="EventTypeWebhooksController_getEventTypeWebhook",
)
async def get_event_type_webhook(
    event_type_id: EventTypeIdParam, webhook_id: WebhookIdParam, user: CurrentUser, session: SessionDep
) -> EventTypeWebhookOutputResponseDto:
    await service.owned_event_type(session, user, event_type_id)
    webhook = await service.get_webhook(session, user, webhook_id, event_type_id=event_type_id)
    return EventTypeWebhookOutputResponseDto(data=event_type_output(webhook))


@router.patch(
    "/event-types/{eventTypeId}/webhooks/{webhookId}",
    tags=EVENT_TYPE_TAG,
    summary="Update a webhook",
    operation_id="EventTypeWebhooksController_updateEventTypeWebhook",
)
async def update_event_type_webhook(
    event_type_id: EventTypeIdParam,
    webhook_id: WebhookIdParam,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
    body: Annotated[UpdateWebhookInputDto | None, Body()] = None,
) -> EventTypeWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        await service.owned_event_type(write, user, event_type_id)
        webhook = await service.get_webhook(write, user, webhook_id, event_type_id=event_type_id)
        await service.update_webhook(write, user, webhook, body or UpdateWebhookInputDto())
        await write.commit()
    return EventTypeWebhookOutputResponseDto(data=event_type_output(webhook))


@router.delete(
    "/event-types/{eventTypeId}/webhooks/{webhookId}",
    tags=EVENT_TYPE_TAG,
    summary="Delete a webhook",
    operation_id="EventTypeWebhooksController_deleteEventTypeWebhook",
)
async def delete_event_type_webhook(
    event_type_id: EventTypeIdParam,
    webhook_id: WebhookIdParam,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
) -> EventTypeWebhookOutputResponseDto:
    async with _writing(session, database) as write:
        await service.owned_event_type(write, user, event_type_id)
        webhook = await service.get_webhook(write, user, webhook_id, event_type_id=event_type_id)
        output = event_type_output(webhook)
        await service.delete_webhook(write, webhook)
        await write.commit()
    return EventTypeWebhookOutputResponseDto(data=output)


# -- delivery log, redelivery, ping (Slotwise extensions) ----------------------------------------


@router.get(
    "/webhooks/{webhookId}/deliveries",
    tags=USER_TAG,
    summary="Get a webhook's deliveries",
    description="The delivery log of one of your webhooks (user or event type level), newest first: each "
    "delivery's status, every attempt with its status code and duration, and the next retry." + EXTENSION,
    operation_id="WebhooksController_getWebhookDeliveries",
)
async def get_webhook_deliveries(
    webhook_id: WebhookIdParam,
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries in this state.")] = None,
) -> WebhookDeliveriesOutputResponseDto:
    webhook = await service.get_webhook(session, user, webhook_id, event_type_id=service.ANY_SCOPE)
    records, total = await service.list_deliveries(session, webhook, status=status, take=paging.take, skip=paging.skip)
    return WebhookDeliveriesOutputResponseDto(
        data=[delivery_output(record) for record in records], pagination=page_meta(total, paging.skip, paging.take)
    )


@router.get(
    "/webhooks/{webhookId}/deliveries/{deliveryId}",
    tags=USER_TAG,
    summary="Get a webhook delivery",
    description="One delivery with its attempts and the event it carries." + EXTENSION,
    operation_id="WebhooksController_getWebhookDelivery",
)
async def get_webhook_delivery(
    webhook_id: WebhookIdParam, delivery_id: DeliveryIdParam, user: CurrentUser, session: SessionDep
) -> WebhookDeliveryOutputResponseDto:
    webhook = await service.get_webhook(session, user, webhook_id, event_type_id=service.ANY_SCOPE)
    record = await service.get_delivery(session, webhook, delivery_id)
    return WebhookDeliveryOutputResponseDto(data=delivery_detail(record))


@router.post(
    "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver",
    status_code=202,
    tags=USER_TAG,
    summary="Redeliver a webhook delivery",
    description="Queue the delivery again now, with the same webhook-id (receivers dedupe on it) and a fresh "
    "retry schedule. 409 while it is being sent or when the webhook is inactive." + EXTENSION,
    operation_id="WebhooksController_redeliverWebhookDelivery",
)
async def redeliver_webhook_delivery(
    webhook_id: WebhookIdParam,
    delivery_id: DeliveryIdParam,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
) -> WebhookDeliveryOutputResponseDto:
    async with _writing(session, database) as write:
        webhook = await service.get_webhook(write, user, webhook_id, event_type_id=service.ANY_SCOPE)
        record = await service.redeliver(write, webhook, delivery_id)
        await write.commit()
    return WebhookDeliveryOutputResponseDto(data=delivery_detail(record))


@router.post(
    "/webhooks/{webhookId}/ping",
    tags=USER_TAG,
    summary="Ping a webhook",
    description="Send a PING test event to the webhook now (signed and templated like any delivery) and "
    "answer with the result; it is logged with the deliveries and not retried." + EXTENSION,
    operation_id="WebhooksController_pingWebhook",
)
async def ping_webhook(
    webhook_id: WebhookIdParam,
    user: CurrentUser,
    session: SessionDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> WebhookDeliveryOutputResponseDto:
    webhook = await service.get_webhook(session, user, webhook_id, event_type_id=service.ANY_SCOPE)
    await session.close()
    record = await service.ping(database, settings, user, webhook)
    return WebhookDeliveryOutputResponseDto(data=delivery_detail(record))
