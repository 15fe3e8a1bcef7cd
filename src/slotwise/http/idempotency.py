"""``Idempotency-Key`` on POST: the first answer is stored and replayed for 24 hours.

Same key, different request (method, path, query or body): 422. Same key while the first request is
still running: 409. Server errors are not stored, so a retry runs again. A request left ``pending`` by a
crashed process is taken over after a short lease.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.db import Database, utcnow
from slotwise.http.errors import error_response
from slotwise.http.idempotency_models import IdempotencyRecord
from slotwise.http.ratelimit import caller_identity

HEADER = b"idempotency-key"
RETENTION = timedelta(hours=24)
PENDING_LEASE = timedelta(seconds=60)
REPLAYED_HEADERS = {"content-type", "location"}


def _header(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > 255:
            response = error_response(scope, 400, "Idempotency-Key must be 1 to 255 characters.")
            await response(scope, receive, send)
            return
        body = await _read_body(receive)
        caller = hashlib.sha256(caller_identity(scope).encode()).hexdigest()
        fingerprint = _fingerprint(scope, body)
        record = await self._claim(caller, key, fingerprint)
        if record is not None:
            await self._answer_existing(scope, receive, send, record, fingerprint)
            return
        await self._run_and_store(scope, send, body, caller, key)

    async def _claim(self, caller: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
        """Insert a pending record; returns the existing record when the key was already used."""
        now = utcnow()
        async with self.database.session() as session:
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.caller == caller,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.expires_at <= now,
                )
            )
            session.add(
                IdempotencyRecord(
                    caller=caller, key=key, request_hash=fingerprint, state="pending", expires_at=now + RETENTION
                )
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            existing = await session.scalar(
                select(IdempotencyRecord).where(IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
            )
            if existing is None:  # expired and removed in between: claim again
                return await self._claim(caller, key, fingerprint)
            if existing.state == "pending" and existing.created_at < now - PENDING_LEASE:
                taken = await session.execute(
                    update(IdempotencyRecord)
                    .where(IdempotencyRecord.id == existing.id, IdempotencyRecord.created_at == existing.created_at)
                    .values(created_at=now, request_hash=fingerprint)
                )
                await session.commit()
                if getattr(taken, "rowcount", 0) == 1:
                    return None
            return existing

    async def _answer_existing(
        self, scope: Scope, receive: Receive, send: Send, record: IdempotencyRecord, fingerprint: str
    ) -> None:
        if record.request_hash != fingerprint:
            response = error_response(
                scope,
                422,
                "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            )
        elif record.state == "pending":
            response = error_response(
                scope, 409, "A request with this Idempotency-Key is still in progress; retry after it finishes."
            )
        else:
            headers = [*record.replay_headers(), (b"idempotent-replayed", b"true")]
            await send({"type": "http.response.start", "status": record.status_code or 200, "headers": headers})
            await send({"type": "http.response.body", "body": record.response_body or b""})
            return
        await response(scope, receive, send)

    async def _run_and_store(self, scope: Scope, send: Send, body: bytes, caller: str, key: str) -> None:
        """Run the request, store its answer, and only then send it: a retry arriving the moment the
        client has the answer must find it stored, not "in progress"."""
        messages: list[Message] = []

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await self._store(caller, key, 500, [], b"")
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        status = start["status"] if start else 500
        headers = [
            [name.decode("latin-1"), value.decode("latin-1")]
            for name, value in (start or {}).get("headers", [])
            if name.decode("latin-1").lower() in REPLAYED_HEADERS
        ]
        content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        await self._store(caller, key, status, headers, content)
        for message in messages:
            await send(message)

    async def _store(self, caller: str, key: str, status: int, headers: list[list[str]], body: bytes) -> None:
        async with self.database.session() as session:
            where = (IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
            if status >= 500:
                await session.execute(delete(IdempotencyRecord).where(*where))
            else:
                await session.execute(
                    update(IdempotencyRecord)
                    .where(*where)
                    .values(state="done", status_code=status, response_headers=headers, response_body=body)
                )
            await session.commit()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
