"""Pure ASGI middleware: request ids, the ``/api/v2`` alias, and the request size limit."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.http.errors import error_response

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Keeps a sane incoming ``X-Request-Id`` or makes one; echoes it on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = list(message.get("headers", []))
                if not any(name.lower() == b"x-request-id" for name, _ in existing):
                    message["headers"] = [*existing, header]
            await send(message)

        await self.app(scope, receive, send_with_id)


def rewrite_path(path: str) -> str:
    """Cal.com's rewrites: ``/api/v2/x`` and ``/v2/ee/x`` are ``/v2/x``; ``reccuring`` is ``recurring``."""
    if path.startswith("/api/v2/") or path == "/api/v2":
        path = path[len("/api") :]
    if path.startswith("/v2/ee/"):
        path = "/v2/" + path[len("/v2/ee/") :]
    return path.replace("reccuring", "recurring")


class PathAliasMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            new_path = rewrite_path(scope["path"])
            if new_path != scope["path"]:
                scope = {
                    **scope,
                    "path": new_path,
                    "raw_path": new_path.encode(),
                    "slotwise.original_path": scope["path"],
                }
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """413 for bodies over the limit, by declared length or, for chunked bodies, as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        if declared is not None:
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): read up to the limit before the app sees anything.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(scope, 413, f"Request body too large: the limit is {self.max_bytes} bytes.")
        await response(scope, receive, send)
