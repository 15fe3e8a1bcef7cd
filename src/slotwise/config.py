"""Settings read from the environment (``SLOTWISE_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/slotwise.db"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0 or value != value or value == float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0, got {raw!r}")
    return value


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be 1/0 (or true/false), got {raw!r}")


# Seconds to wait after attempt 1, 2, ...: about a day in all (23.6 h), then the delivery has failed.
DEFAULT_WEBHOOK_RETRY_SCHEDULE = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 28800.0)


def _schedule_env(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"{name} must be comma-separated seconds such as '5,30,120', got {raw!r}") from exc
    if any(delay < 0 or delay != delay or delay == float("inf") for delay in delays):
        raise ValueError(f"{name} delays must be finite and >= 0, got {raw!r}")
    return delays


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    api_key_prefix: str = "cal_"
    rate_limit_requests: int = 120
    rate_limit_window_seconds: int = 60
    # Requests from these paths are neither counted nor limited (probes, docs).
    rate_limit_exempt_paths: tuple[str, ...] = field(
        default=("/health", "/ready", "/v2/docs", "/v2/docs-json", "/metrics")
    )
    max_body_bytes: int = 1_000_000
    # GET /v2/slots answers kept in memory per process (see docs/slots.md, "Caching"); 0 turns it off
    slots_cache_bytes: int = 32_000_000
    log_level: str = "info"
    log_format: str | None = None  # "json" or "text"; None leaves logging alone (tests, embedding)
    # Webhook delivery (see docs/webhooks.md)
    webhook_worker: bool = True  # run the delivery worker inside `slotwise serve`
    webhook_retry_schedule: tuple[float, ...] = DEFAULT_WEBHOOK_RETRY_SCHEDULE
    webhook_retry_jitter: float = 0.2  # each delay is scaled by a random factor in [1 - j, 1 + j]
    webhook_timeout_seconds: float = 10.0  # per attempt, connect to last byte
    webhook_poll_interval_seconds: float = 0.5
    webhook_concurrency: int = 64  # requests in flight per worker
    webhook_lease_seconds: float = 60.0  # a crashed worker's claims are retried after this
    webhook_disable_after_days: float = 3.0  # deactivate a webhook whose deliveries all failed this long
    webhook_log_retention_days: float = 30.0  # finished deliveries and their attempts are deleted after this (0: keep)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("SLOTWISE_DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=os.environ.get("SLOTWISE_REDIS_URL") or None,
            api_key_prefix=os.environ.get("SLOTWISE_API_KEY_PREFIX") or "cal_",
            rate_limit_requests=_int_env("SLOTWISE_RATE_LIMIT_REQUESTS", 120),
            rate_limit_window_seconds=_int_env("SLOTWISE_RATE_LIMIT_WINDOW_SECONDS", 60),
            max_body_bytes=_int_env("SLOTWISE_MAX_BODY_BYTES", 1_000_000),
            slots_cache_bytes=max(0, _int_env("SLOTWISE_SLOTS_CACHE_BYTES", 32_000_000)),
            webhook_worker=_bool_env("SLOTWISE_WEBHOOK_WORKER", True),
            webhook_retry_schedule=_schedule_env("SLOTWISE_WEBHOOK_RETRY_SCHEDULE", DEFAULT_WEBHOOK_RETRY_SCHEDULE),
            webhook_retry_jitter=min(_float_env("SLOTWISE_WEBHOOK_RETRY_JITTER", 0.2), 1.0),
            webhook_timeout_seconds=_float_env("SLOTWISE_WEBHOOK_TIMEOUT", 10.0) or 10.0,
            webhook_poll_interval_seconds=_float_env("SLOTWISE_WEBHOOK_POLL_INTERVAL", 0.5) or 0.5,
            webhook_concurrency=max(1, _int_env("SLOTWISE_WEBHOOK_CONCURRENCY", 64)),
            webhook_lease_seconds=_float_env("SLOTWISE_WEBHOOK_LEASE_SECONDS", 60.0) or 60.0,
            webhook_disable_after_days=_float_env("SLOTWISE_WEBHOOK_DISABLE_AFTER_DAYS", 3.0),
            webhook_log_retention_days=_float_env("SLOTWISE_WEBHOOK_LOG_RETENTION_DAYS", 30.0),
            log_level=os.environ.get("SLOTWISE_LOG_LEVEL") or "info",
            log_format="text" if os.environ.get("SLOTWISE_LOG_FORMAT") == "text" else "json",
        )
