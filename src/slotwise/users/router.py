"""The signed-in user: `/v2/me` and API key refresh."""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from typing import Annotated

from fastapi import APIRouter, Body

from slotwise.http.auth import CurrentPrincipal, CurrentUser
from slotwise.http.deps import SessionDep, SettingsDep
from slotwise.http.routing import LazyResponseRoute
from slotwise.users import service
from slotwise.users.models import User
from slotwise.users.schemas import (
    ApiKeyOutput,
    GetMeOutput,
    MeOutput,
    RefreshApiKeyInput,
    RefreshApiKeyOutput,
    UpdateMeInput,
)

router = APIRouter(prefix="/v2", route_class=LazyResponseRoute)


def me_output(user: User) -> MeOutput:
    return MeOutput(
        id=user.id,
        username=user.username,
        email=user.email,
        name=user.name,
        timeFormat=user.time_format,
        defaultScheduleId=user.default_schedule_id,
        weekStart=user.week_start,
        timeZone=user.time_zone,
        locale=user.locale,
    )


@router.get("/me", tags=["Me"], summary="Get my profile", operation_id="MeController_getMe")
async def get_me(user: CurrentUser) -> GetMeOutput:
    return GetMeOutput(data=me_output(user))


@router.patch("/me", tags=["Me"], summary="Update my profile", operation_id="MeController_updateMe")
async def update_me(user: CurrentUser, session: SessionDep, body: UpdateMeInput) -> GetMeOutput:
    await service.update_me(session, user, body)
    await session.commit()
    return GetMeOutput(data=me_output(user))


@router.post(
    "/api-keys/refresh",
    tags=["Api Keys"],
    summary="Refresh API Key",
    description="Generate a new API key and revoke the one sent in the Authorization header.",
    operation_id="ApiKeysController_refresh",
)
async def refresh_api_key(
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[RefreshApiKeyInput | None, Body()] = None,
) -> RefreshApiKeyOutput:
    body = body or RefreshApiKeyInput()
    issued = await service.refresh_key(
        session,
        principal.api_key,
        prefix=settings.api_key_prefix,
        days_valid=body.apiKeyDaysValid,
        never_expires=bool(body.apiKeyNeverExpires),
    )
    await session.commit()
    return RefreshApiKeyOutput(data=ApiKeyOutput(apiKey=issued.key))
