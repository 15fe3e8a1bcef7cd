"""Liveness and readiness probes."""

# No `from __future__ import annotations`: FastAPI would evaluate every route's string annotations on import.

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from slotwise.http.deps import DatabaseDep
from slotwise.http.errors import ApiError
from slotwise.http.model import ApiModel
from slotwise.http.routing import LazyResponseRoute

router = APIRouter(tags=["Health"], route_class=LazyResponseRoute)


class ReadinessOutput(ApiModel):
    status: str
    database: str


@router.get("/health", response_class=PlainTextResponse, summary="Liveness: the process answers")
async def health() -> str:
    return "OK"


@router.get("/ready", summary="Readiness: the database answers")
async def ready(database: DatabaseDep) -> ReadinessOutput:
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        raise ApiError(503, f"Not ready: the database does not answer ({type(exc).__name__}).") from exc
    return ReadinessOutput(status="ok", database="sqlite" if database.sqlite else "postgresql")
