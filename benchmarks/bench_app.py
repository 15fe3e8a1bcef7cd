"""The Slotwise app plus a bare JSON endpoint, so benchmarks compare against the same framework."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

from slotwise.app import create_app


class Bare(BaseModel):
    status: str
    data: dict[str, list[dict[str, str]]]


BARE = Bare(status="success", data={"2031-03-03": [{"start": "2031-03-03T08:00:00.000Z"}]})


def create() -> FastAPI:
    app = create_app()

    @app.get("/bench/bare", include_in_schema=False)
    async def bare() -> Bare:
        return BARE

    return app
