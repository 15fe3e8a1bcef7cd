"""Where the client talks to and with which key: arguments first, then ``CAL_API_URL`` / ``CAL_API_KEY``.

The same rules serve the Python client, the CLI and the MCP server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_BASE_URL = "https://api.cal.com"
ENV_BASE_URL = "CAL_API_URL"
ENV_API_KEY = "CAL_API_KEY"
# The managed-OAuth proxy's own key variable, used when the base URL points at that proxy.
ENV_PROXY_KEY = "MATON_API_KEY"

# The ``cal-api-version`` each resource is written against (Cal.com's current shapes).
BOOKINGS_VERSION = "2024-08-13"
SLOTS_VERSION = "2024-09-04"
SCHEDULES_VERSION = "2024-06-11"
EVENT_TYPES_VERSION = "2024-06-14"


def normalize_base_url(url: str) -> str:
    """``https://api.cal.com``, ``https://api.cal.com/v2/`` and ``https://api.cal.com/`` are the same
    server: paths are always sent as ``/v2/...`` below the base (which may itself have a path prefix,
    as a proxy's ``https://api.maton.ai/cal-com`` does)."""
    url = url.strip()
    if not url:
        raise ValueError("the base URL is empty; give one such as https://api.cal.com or http://127.0.0.1:8000")
    if "://" not in url:
        raise ValueError(f"the base URL {url!r} needs a scheme, e.g. https://{url}")
    url = url.rstrip("/")
    if url.endswith("/v2"):
        url = url[: -len("/v2")]
    return url


def resolve_base_url(base_url: str | None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return normalize_base_url(base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL)


def resolve_api_key(api_key: str | None, base_url: str, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    if api_key:
        return api_key
    if env.get(ENV_API_KEY):
        return env[ENV_API_KEY]
    if "maton.ai" in base_url and env.get(ENV_PROXY_KEY):
        return env[ENV_PROXY_KEY]
    return None
