"""Per-caller rate limits with Cal.com's ``X-RateLimit-*-Default`` headers.

The caller is the API key (by hash) or, without one, the client IP. A moving window: the N+1st
request within any window is refused with 429 and ``Retry-After``; nothing is blocked beyond the window.
In memory by default; with ``SLOTWISE_REDIS_URL`` every process shares the counters (``limits``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

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


class LocalWindows:
    """Moving windows in this process: per caller, the times of its allowed requests in the last window,
    oldest first (at most ``limit`` of them). ``limits``' own in-memory store keeps the same list but
    schedules an expiry task on almost every hit, and each pass hops to a thread once per caller: a
    twentieth of a booking's CPU under load. Here a hit costs O(1) (amortised), and callers idle for a
    whole window are dropped once per window."""

    def __init__(self, limit: int, window: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._times: dict[str, deque[float]] = {}
        self._next_sweep = clock() + window

    def hit(self, identity: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the oldest request in the window leaves it)."""
        now = self.clock()
        if now >= self._next_sweep:
            self._sweep(now)
        times = self._times.setdefault(identity, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        return allowed, self.limit - len(times), (times[0] + self.window - now) if times else self.window

    def _sweep(self, now: float) -> None:
        self._times = {key: times for key, times in self._times.items() if times and times[-1] > now - self.window}
        self._next_sweep = now + self.window


class RateLimiter:
    def __init__(self, settings: Settings, namespace: str = "slotwise") -> None:
        self.limit = settings.rate_limit_requests
        self.window = settings.rate_limit_window_seconds
        self.local = None if settings.redis_url else LocalWindows(self.limit, self.window)
        if settings.redis_url:
            # imported only for Redis (some 20 ms of a server's start otherwise)
            from limits import RateLimitItemPerSecond
            from limits.aio.strategies import MovingWindowRateLimiter
            from limits.storage import storage_from_string

            self.item = RateLimitItemPerSecond(self.limit, self.window, namespace=namespace)
            self.storage: Any = storage_from_string("async+" + settings.redis_url)
            self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, identity: str) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until a request is allowed again / the window resets)."""
        if self.local is not None:
            allowed, remaining, reset_in = self.local.hit(identity)
        else:
            allowed = await self.strategy.hit(self.item, identity)
            reset_at, remaining = await self.strategy.get_window_stats(self.item, identity)
            reset_in = reset_at - time.time()
        return allowed, max(0, remaining), min(max(1, math.ceil(reset_in)), self.window)


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
