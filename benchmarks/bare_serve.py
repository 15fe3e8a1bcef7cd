"""``slotwise serve``'s stack with none of Slotwise in it: the baseline of ``load.py``'s cold start.

A Typer command that checks the database (a fresh engine, one query, as the migration check does) and then
serves a FastAPI app with one route, ``/health``, through uvicorn with the options ``slotwise serve`` uses.
It imports what any app on this stack imports (FastAPI, pydantic, SQLAlchemy's ORM and asyncio extension,
the database driver, uvicorn with uvloop and httptools, Typer), so that the difference between the two
cold starts is the time our own code takes.

Run:  SLOTWISE_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python benchmarks/bare_serve.py --port 8001
"""

from __future__ import annotations

import asyncio
import gc
import os

import typer


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    gc.disable()  # as `slotwise serve` does while it imports
    import sqlalchemy.orm  # noqa: F401  (an app's models need the ORM)
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    url = os.environ["SLOTWISE_DATABASE_URL"]

    async def check_database() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    asyncio.run(check_database())
    app = FastAPI()

    @app.get("/health", response_class=PlainTextResponse)
    async def health() -> str:
        return "ok"

    gc.freeze()
    gc.enable()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, ws="none")


if __name__ == "__main__":
    typer.run(serve)
