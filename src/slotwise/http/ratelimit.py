"""Per-caller rate limits with Cal.com's ``X-RateLimit-*-Default`` headers.

The caller is the API key (by hash) or, without one, the client IP. A moving window: the N+1st
request within any window is refused with 429 and ``Retry-After``; nothing is blocked beyond the window.
In memory by default; with ``SLOTWISE_REDIS_URL`` every process shares the counters.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.config import Settings
from slotwise.http.errors import error_response

logger = logging.getLogger("slotwise.ratelimit")


def caller_identity(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            token = value.decode("latin-1").strip().partition(" ")[2].strip()
            if token:
                return "key:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


class RateLimiter:
    def __init__(self, settings: Settings, namespace: str = "slotwise") -> None:
        self.limit = settings.rate_limit_requests
        self.window = settings.rate_limit_window_seconds
        self.item = RateLimitItemPerSecond(self.limit, self.window, namespace=namespace)
        uri = "async+" + settings.redis_url if settings.redis_url else "async+memory://"
        self.storage: Any = storage_from_string(uri)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.shared = settings.redis_url is not None

    async def hit(self, identity: str) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until a request is allowed again / the window resets)."""
        allowed = await self.strategy.hit(self.item, identity)
        reset_at, remaining = await self.strategy.get_window_stats(self.item, identity)
        reset_in = max(1, math.ceil(reset_at - time.time()))
        return allowed, max(0, remaining), min(reset_in, self.window)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, exempt_paths: tuple[str, ...]) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        try:
            allowed, remaining, reset_in = await self.limiter.hit(caller_identity(scope))
        except Exception:  # a broken shared store must not take the API down
            logger.exception("rate limit store unavailable; request allowed")
            await self.app(scope, receive, send)
            return
        headers = {
            "X-RateLimit-Limit-Default": str(self.limiter.limit),
            "X-RateLimit-Remaining-Default": str(remaining),
            "X-RateLimit-Reset-Default": str(reset_in),
        }
        if not allowed:
            response = error_response(
                scope,
                429,
                f"Too many requests: the limit is {self.limiter.limit} per {self.limiter.window} s. "
                f"Retry in {reset_in} s.",
                headers={**headers, "Retry-After": str(reset_in)},
            )
            await response(scope, receive, send)
            return

        encoded = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + encoded
            await send(message)

        await self.app(scope, receive, send_with_headers)
