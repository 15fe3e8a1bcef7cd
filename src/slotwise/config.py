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
    log_level: str = "info"
    log_format: str | None = None  # "json" or "text"; None leaves logging alone (tests, embedding)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("SLOTWISE_DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=os.environ.get("SLOTWISE_REDIS_URL") or None,
            api_key_prefix=os.environ.get("SLOTWISE_API_KEY_PREFIX") or "cal_",
            rate_limit_requests=_int_env("SLOTWISE_RATE_LIMIT_REQUESTS", 120),
            rate_limit_window_seconds=_int_env("SLOTWISE_RATE_LIMIT_WINDOW_SECONDS", 60),
            max_body_bytes=_int_env("SLOTWISE_MAX_BODY_BYTES", 1_000_000),
            log_level=os.environ.get("SLOTWISE_LOG_LEVEL") or "info",
            log_format="text" if os.environ.get("SLOTWISE_LOG_FORMAT") == "text" else "json",
        )
