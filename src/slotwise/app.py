"""The FastAPI application factory: routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from slotwise import __version__, health, observability
from slotwise.bookings.router import router as bookings_router
from slotwise.config import Settings
from slotwise.db import Database
from slotwise.event_types.router import router as event_types_router
from slotwise.http.errors import install_error_handlers
from slotwise.http.idempotency import IdempotencyMiddleware
from slotwise.http.middleware import BodySizeLimitMiddleware, PathAliasMiddleware, RequestIdMiddleware
from slotwise.http.openapi import install_openapi
from slotwise.http.ratelimit import RateLimiter, RateLimitMiddleware
from slotwise.schedules.router import router as schedules_router
from slotwise.slots.cache import SlotCache
from slotwise.slots.router import router as slots_router
from slotwise.users.router import router as users_router
from slotwise.webhooks.router import router as webhooks_router
from slotwise.webhooks.worker import DeliveryWorker

DESCRIPTION = """Slotwise speaks the Cal.com API v2. Authenticate with `Authorization: Bearer cal_...`.
Versioned resources read the `cal-api-version` header; without it they answer in the legacy shape."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    if settings.log_format:
        observability.configure_logging(settings.log_level, json_format=settings.log_format == "json")
    database = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the webhook delivery worker runs in every server process unless SLOTWISE_WEBHOOK_WORKER=0
        worker = DeliveryWorker(database, settings) if settings.webhook_worker else None
        if worker is not None:
            await worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await database.dispose()

    app = FastAPI(
        title="Slotwise",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/v2/docs",
        openapi_url="/v2/docs-json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.slot_cache = SlotCache(settings.slots_cache_bytes) if settings.slots_cache_bytes else None
    install_error_handlers(app)
    install_openapi(app)
    # Routes are matched in order: the busiest (booking pages: slots, then bookings) come first.
    # Each router built its routes (dependencies, validators) when they were declared. `app.include_router`
    # would build every route a second time, on the first request that reaches its router (the first /health
    # paid for the slots and bookings routes); the app serves the routes as they were built instead.
    for router in (
        slots_router,
        bookings_router,
        health.router,
        observability.router,
        users_router,
        schedules_router,
        event_types_router,
        webhooks_router,
    ):
        app.router.routes.extend(router.routes)

    # Added last = outermost: request id, path alias, size limit, rate limit, idempotency.
    app.add_middleware(observability.MetricsMiddleware)  # innermost: sees the matched route
    app.add_middleware(IdempotencyMiddleware, database=database)
    app.add_middleware(
        RateLimitMiddleware, limiter=RateLimiter(settings), exempt_paths=settings.rate_limit_exempt_paths
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(PathAliasMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
