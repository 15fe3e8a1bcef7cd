"""Users and their API keys: the rules, independent of HTTP and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db import utcnow
from slotwise.http.errors import ApiError, bad_request, conflict, not_found
from slotwise.http.types import canonical_time_zone
from slotwise.schedules import service as schedules
from slotwise.users.keys import generate_key
from slotwise.users.models import ApiKey, User
from slotwise.users.schemas import UpdateMeInput

DEFAULT_KEY_VALIDITY_DAYS = 30


@dataclass(frozen=True)
class IssuedKey:
    key: str
    api_key: ApiKey


async def _ensure_unique(
    session: AsyncSession, *, email: str | None, username: str | None, exclude_id: int | None = None
) -> None:
    if email is not None:
        query = select(User.id).where(func.lower(User.email) == email.lower())
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if await session.scalar(query) is not None:
            raise conflict(f"A user with email {email} already exists.")
    if username is not None:
        query = select(User.id).where(func.lower(User.username) == username.lower())
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        if await session.scalar(query) is not None:
            raise conflict(f"A user with username {username} already exists.")


async def create_user(
    session: AsyncSession, *, email: str, username: str, time_zone: str, name: str | None = None
) -> User:
    zone = canonical_time_zone(time_zone)
    if zone is None:
        raise bad_request(f"Unknown time zone '{time_zone}': use an IANA name such as 'Europe/Berlin'.")
    await _ensure_unique(session, email=email, username=username)
    user = User(email=email, username=username, time_zone=zone, name=name, user_metadata={})
    session.add(user)
    await session.flush()
    await schedules.create_default_schedule(session, user)  # Monday-Friday 09:00-17:00 in their zone
    return user


async def get_user_by_username(session: AsyncSession, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise not_found(f"User {username} not found.")
    return user


async def update_me(session: AsyncSession, user: User, changes: UpdateMeInput) -> User:
    fields = changes.model_dump(exclude_unset=True)
    if fields.get("email") is not None:
        await _ensure_unique(session, email=fields["email"], username=None, exclude_id=user.id)
    if fields.get("defaultScheduleId") is not None:  # one of the caller's schedules: else 404 / 403
        await schedules.set_default_schedule(session, user, fields["defaultScheduleId"])
    simple = {
        "email": "email",
        "name": "name",
        "timeFormat": "time_format",
        "weekStart": "week_start",
        "timeZone": "time_zone",
        "locale": "locale",
        "avatarUrl": "avatar_url",
        "bio": "bio",
        "metadata": "user_metadata",
    }
    for api_name, column in simple.items():
        if api_name in fields and fields[api_name] is not None:
            setattr(user, column, fields[api_name])
    if fields.get("timeZone") is not None:  # the default schedule moves with the user, as on Cal.com
        await schedules.move_default_time_zone(session, user, fields["timeZone"])
    await session.flush()
    return user


async def issue_key(
    session: AsyncSession,
    user: User,
    *,
    prefix: str,
    expires_in_days: int | None = None,
    note: str | None = None,
) -> IssuedKey:
    new = generate_key(prefix)
    expires_at: datetime | None = None
    if expires_in_days is not None:
        if expires_in_days < 1:
            raise bad_request("expires in days must be at least 1.")
        expires_at = utcnow() + timedelta(days=expires_in_days)
    api_key = ApiKey(user_id=user.id, key_hash=new.key_hash, hint=new.hint, note=note, expires_at=expires_at)
    session.add(api_key)
    await session.flush()
    return IssuedKey(new.key, api_key)


async def refresh_key(
    session: AsyncSession, current: ApiKey, *, prefix: str, days_valid: int | None, never_expires: bool
) -> IssuedKey:
    """A new key for the same user; the presented key stops working."""
    user = await session.get(User, current.user_id)
    if user is None:  # pragma: no cover - the key's user was just loaded
        raise ApiError(401, "API key owner no longer exists.")
    days = None if never_expires else (days_valid or DEFAULT_KEY_VALIDITY_DAYS)
    issued = await issue_key(session, user, prefix=prefix, expires_in_days=days, note=current.note)
    await session.execute(
        update(ApiKey).where(ApiKey.id == current.id, ApiKey.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return issued


async def revoke_keys(session: AsyncSession, user: User, *, hint: str | None = None) -> int:
    """Revoke the user's live keys (all of them, or those ending in ``hint``); returns how many."""
    query = update(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
    if hint is not None:
        query = query.where(ApiKey.hint == hint[-4:])
    result = await session.execute(query.values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
