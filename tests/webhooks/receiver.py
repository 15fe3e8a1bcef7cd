"""Real HTTP webhook receivers on 127.0.0.1 for tests: a uvicorn server in a thread of its own, so it
keeps answering while the test blocks (starting a server process, waiting on a subprocess)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (past the sender's timeout = a hang)


Behaviour = Callable[[Received, int], Reply]  # (request, how many came before it) -> reply


def always_ok(_request: Received, _index: int) -> Reply:
    return Reply()


def fail_first(times: int, reply: Reply) -> Behaviour:
    """Answer ``reply`` to the first ``times`` requests, then 200."""

    def behaviour(_request: Received, index: int) -> Reply:
        return reply if index < times else Reply()

    return behaviour


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Receiver:
    """``Receiver(behaviour).start()``; ``.url``; ``.requests``; ``.stop()``."""

    def __init__(self, behaviour: Behaviour = always_ok, *, port: int | None = None) -> None:
        self.behaviour = behaviour
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._requests: list[Received] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def ids(self) -> list[str]:
        return [request.webhook_id for request in self.requests]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan is off
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        request = Received(scope["method"], scope["path"], headers, b"".join(chunks), time.time())
        with self._lock:
            index = len(self._requests)
            self._requests.append(request)
        reply = self.behaviour(request, index)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})

    def start(self) -> Receiver:
        config = uvicorn.Config(
            self,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise AssertionError(f"receiver on port {self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            self._server = None
            self._thread = None
