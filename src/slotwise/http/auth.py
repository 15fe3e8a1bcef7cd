"""``Authorization: Bearer cal_...`` API keys: who is calling, or a 401 that says what is wrong."""

# No `from __future__ import annotations` here: FastAPI reads these dependencies' signatures again for
# every route that uses them, and string annotations would be evaluated each time (~10 ms of the start).

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from slotwise.config import Settings
from slotwise.db import utcnow
from slotwise.http.deps import SessionDep
from slotwise.http.errors import unauthorized
from slotwise.users.keys import hash_key
from slotwise.users.models import ApiKey, User

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key: `Authorization: Bearer cal_...`",
)


@dataclass(frozen=True)
class Principal:
    user: User
    api_key: ApiKey


def _format_instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _raw_token(request: Request, prefix: str) -> str | None:
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized(
            "Malformed Authorization header: send 'Authorization: Bearer <api key>' "
            f"with a key that starts with '{prefix}'."
        )
    if not token.startswith(prefix):
        raise unauthorized(
            f"Malformed API key: Slotwise API keys start with '{prefix}'. "
            "OAuth access tokens are not supported by this server."
        )
    return token


async def find_principal(session: AsyncSession, token: str) -> Principal:
    api_key = await session.scalar(
        select(ApiKey).options(joinedload(ApiKey.user)).where(ApiKey.key_hash == hash_key(token))
    )
    if api_key is None:
        raise unauthorized("Invalid API key: no such key exists. Check it or create a new one.")
    if api_key.revoked_at is not None:
        raise unauthorized(f"API key was revoked at {_format_instant(api_key.revoked_at)}; use a newer key.")
    if api_key.expires_at is not None and api_key.expires_at <= utcnow():
        raise unauthorized(f"API key expired at {_format_instant(api_key.expires_at)}; refresh or create one.")
    return Principal(api_key.user, api_key)


async def optional_principal(
    request: Request,
    session: SessionDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Principal | None:
    """The caller, or None when no key was sent; an invalid key is still a 401."""
    settings: Settings = request.app.state.settings
    token = _raw_token(request, settings.api_key_prefix)
    if token is None:
        return None
    principal = await find_principal(session, token)
    request.state.user_id = principal.user.id
    return principal


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise unauthorized(
            "No API key provided: send 'Authorization: Bearer cal_...' (create one with `slotwise keys create`)."
        )
    return principal


async def require_user(principal: Annotated[Principal | None, Depends(optional_principal)]) -> User:
    # not through require_principal: every dependency level is analysed again for each route using it
    return (await require_principal(principal)).user


async def optional_user(principal: Annotated[Principal | None, Depends(optional_principal)]) -> User | None:
    return principal.user if principal else None


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
