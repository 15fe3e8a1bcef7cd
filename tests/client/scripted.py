"""A tiny real HTTP server that answers from a script, for testing retries, timeouts and errors.

``ScriptedServer([Reply(429, headers={"Retry-After": "1"}), Reply(200, body=...)])`` answers each
request with the next reply (the last one repeats) and records what it received.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    delay: float = 0.0  # wait before answering (timeouts)
    raw: bytes | None = None  # a non-JSON body


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class ScriptedServer:
    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    server.received.append(
                        Received(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                            time.monotonic(),
                        )
                    )
                    index = len(server.received) - 1
                    reply = server.replies[min(index, len(server.replies) - 1)]
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json" if reply.raw is None else "text/html")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def booking_json(uid: str = "bk1", **overrides: Any) -> dict[str, Any]:
    data = {
        "id": 1,
        "uid": uid,
        "title": "Intro between Ada and Bob",
        "status": "accepted",
        "start": "2026-12-01T09:00:00.000Z",
        "end": "2026-12-01T09:30:00.000Z",
        "duration": 30,
        "eventTypeId": 7,
        "attendees": [{"name": "Bob", "email": "bob@example.com", "timeZone": "Europe/London", "absent": False}],
    }
    data.update(overrides)
    return data


def envelope(data: Any, **extra: Any) -> dict[str, Any]:
    return {"status": "success", "data": data, **extra}


def error_body(status: int, message: str, code: str = "BadRequestException", request_id: str | None = None) -> Any:
    error: dict[str, Any] = {"code": code, "message": message, "details": {"statusCode": status}}
    if request_id:
        error["requestId"] = request_id
    return {"status": "error", "timestamp": "2026-11-22T10:00:00.000Z", "path": "/v2/x", "error": error}
